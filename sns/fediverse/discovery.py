"""How other servers find us: WebFinger (`acct:<name>@<host>` to an actor) and NodeInfo 2.0 / 2.1 (what software
this is, and counts that say nothing a visitor could not count: followable actors, public posts).

Our host is `settings.origin` and also the host (with its port) of `settings.base_url`, so a city served at an
address other than its canonical name (tests on 127.0.0.1:PORT, a staging copy) still answers for itself.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from sns import __version__
from sns.fediverse import outbox
from sns.models import Diary, User
from sns.policies import public_diary_scope
from sns.settings import Settings

SOFTWARE = "local-sns"
NODEINFO = "http://nodeinfo.diaspora.software/ns/schema/"
_ACCT = re.compile(r"^acct:([A-Za-z0-9_.\-]{1,64})@([A-Za-z0-9.\-]{1,253}(?::[0-9]{1,5})?)$")


class Malformed(ValueError):
    """A resource WebFinger cannot read (400)."""


def our_hosts(settings: Settings) -> set[str]:
    return {settings.origin.lower(), urlsplit(settings.base_url).netloc.lower()}


def parse_resource(settings: Settings, resource: str) -> tuple[str, str] | None:
    """(name, host) asked for by `acct:name@host` or by an actor's URL; None when the host is not ours;
    `Malformed` when it is no such resource."""
    resource = unquote(resource or "").strip()
    if len(resource) > 600:
        raise Malformed(resource[:40])
    if resource.startswith(("https://", "http://")):
        prefix = f"{settings.base_url}/ap/users/"
        name = resource[len(prefix):] if resource.startswith(prefix) else ""
        if not name or "/" in name:
            return None
        return name, urlsplit(settings.base_url).netloc.lower()
    found = _ACCT.match(resource)
    if found is None:
        raise Malformed(resource[:40])
    name, host = found.group(1), found.group(2).lower()
    return (name, host) if host in our_hosts(settings) else None


def webfinger(settings: Settings, name: str, host: str, actor: str, profile: str) -> dict[str, Any]:
    return {"subject": f"acct:{name}@{host}", "aliases": [actor, profile], "links": [
        {"rel": "self", "type": "application/activity+json", "href": actor},
        {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": profile},
    ]}


def nodeinfo_links(settings: Settings) -> dict[str, Any]:
    return {"links": [{"rel": f"{NODEINFO}{v}", "href": f"{settings.base_url}/nodeinfo/{v}"} for v in ("2.0", "2.1")]}


async def nodeinfo(settings: Settings, site, version: str) -> dict[str, Any]:
    """NodeInfo `version` ("2.0" or "2.1"). Users: the actors a visitor can find (the city and the followable
    residents), not the town's residents; posts: what the outboxes hold (public diaries of followable
    residents, notices, the city's own alerts). Registrations: closed unless the site's sign-up is open."""
    followable = User.filter(fediverse_followable=True, state="active", deleted_at=None).exclude(password_hash="") \
        .exclude(username=settings.fediverse_handle)
    ids = list(await followable.values_list("id", flat=True))
    posts = await outbox.city_count(settings) + (
        await Diary.filter(public_diary_scope(), author_id__in=ids).count() if ids else 0)
    actors = 1 + len(ids)
    return {
        "version": version, "software": {"name": SOFTWARE, "version": __version__}, "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0"]}, "openRegistrations": bool(site.open_signup),
        "usage": {"users": {"total": actors}, "localPosts": posts},
        "metadata": {"nodeName": site.name_for(settings.default_locale)},
    }


__all__ = ["Malformed", "our_hosts", "parse_resource", "webfinger", "nodeinfo_links", "nodeinfo"]
