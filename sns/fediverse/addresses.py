"""Where our actors live: one function per URL, so the actor document, WebFinger, signatures and deliveries
name them the same way. An actor is "city" (the city's own) or a resident's user id; its URL uses the handle
(the `fediverse_handle` setting) or the resident's username, as Mastodon's users/<name> do."""

from __future__ import annotations

from urllib.parse import quote

from sns.settings import Settings

CITY = "city"  # the city's actor, in ActorKey.actor, Follower.actor and Delivery.actor


def actor_url(settings: Settings, name: str) -> str:
    """The actor's id: /ap/users/<handle or username>."""
    return f"{settings.base_url}/ap/users/{quote(name, safe='')}"


def key_id(settings: Settings, name: str) -> str:
    """The id of the actor's public key (the keyId its signatures name)."""
    return actor_url(settings, name) + "#main-key"


def inbox_url(settings: Settings, name: str) -> str:
    return actor_url(settings, name) + "/inbox"


def outbox_url(settings: Settings, name: str) -> str:
    return actor_url(settings, name) + "/outbox"


def followers_url(settings: Settings, name: str) -> str:
    return actor_url(settings, name) + "/followers"


def shared_inbox_url(settings: Settings) -> str:
    return f"{settings.base_url}/ap/inbox"
