"""Other servers' public keys, to check the signatures on what they post to our inboxes.

A signature names its key by `keyId` (Mastodon: `https://host/users/name#main-key`). We fetch that address
with `Accept: application/activity+json`, signed as the city's own actor (servers in "authorized fetch" mode
answer only signed fetches), with short timeouts and a size limit, and keep the key with its actor's id and
inboxes in `RemoteActor`. The kept key is used until a signature fails with it; then it is fetched once more
(the actor may have rotated its key) before the post is refused.

Only public addresses are fetched: https, and never this machine or a private network, unless the setting
`fediverse_loopback` allows them (tests and a closed test network)."""

from __future__ import annotations

import ipaddress
import json
from urllib.parse import urldefrag, urlsplit

import httpx
from tortoise.exceptions import IntegrityError

from sns.fediverse import keys
from sns.fediverse.addresses import CITY, key_id as our_key_id
from sns.fediverse.signatures import SignatureProblem, sign
from sns.models import RemoteActor
from sns.models.base import utcnow
from sns.settings import Settings

ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
MAX_DOCUMENT_BYTES = 256 * 1024  # an actor document is a few KB; Mastodon's own limit is 1 MB


def allowed_url(settings: Settings, url: str) -> bool:
    """Whether we may fetch or post to `url`: https on a public host (http and loopback when the setting
    `fediverse_loopback` says so)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        return False
    if settings.fediverse_loopback:
        return parts.scheme in ("http", "https")
    if parts.scheme != "https" or host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." in host
    return address.is_global


async def fetch_document(settings: Settings, url: str) -> dict:
    """GET an ActivityPub document, signed as the city; a `SignatureProblem("key_unavailable")` otherwise."""
    if not allowed_url(settings, url):
        raise SignatureProblem("key_unavailable", f"not a public https address: {url[:200]}")
    city = await keys.key_of(CITY)
    headers = sign(keys.private_key(city), our_key_id(settings, settings.fediverse_handle), "GET", url,
                   extra={"Accept": ACCEPT, "User-Agent": f"sns ({settings.base_url})"})
    timeout = httpx.Timeout(settings.fediverse_timeout_seconds)
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            async with client.stream("GET", url, headers=headers) as response:
                if response.status_code != 200:
                    raise SignatureProblem("key_unavailable", f"{url[:200]} answered {response.status_code}")
                body = b""
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_DOCUMENT_BYTES:
                        raise SignatureProblem("key_unavailable", f"{url[:200]} is too large")
    except httpx.HTTPError as exc:
        raise SignatureProblem("key_unavailable", f"{url[:150]}: {type(exc).__name__}") from None
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise SignatureProblem("key_unavailable", f"{url[:200]} is not JSON") from None
    if not isinstance(document, dict):
        raise SignatureProblem("key_unavailable", f"{url[:200]} is not an object")
    return document


def _same_host(a: str, b: str) -> bool:
    return bool(urlsplit(a).hostname) and urlsplit(a).hostname == urlsplit(b).hostname


def _key_in(actor: dict, key_id: str) -> str | None:
    found = actor.get("publicKey")
    for key in (found if isinstance(found, list) else [found]):
        if isinstance(key, dict) and key.get("id") == key_id and isinstance(key.get("publicKeyPem"), str):
            if key.get("owner", actor.get("id")) == actor.get("id"):
                return key["publicKeyPem"]
    return None


def _text(value) -> str:
    return value[:500] if isinstance(value, str) else ""


async def _fetch(settings: Settings, key_id: str) -> RemoteActor:
    document = await fetch_document(settings, urldefrag(key_id).url)
    if isinstance(document.get("publicKeyPem"), str) and document.get("id") == key_id:  # a key document
        owner = _text(document.get("owner"))
        if not owner or not _same_host(owner, key_id):
            raise SignatureProblem("key_unavailable", "the key's owner is on another server")
        actor = await fetch_document(settings, owner)
    else:
        actor = document
    actor_id = _text(actor.get("id"))
    pem = _key_in(actor, key_id) or (document.get("publicKeyPem") if document is not actor else None)
    if not actor_id or not _same_host(actor_id, key_id) or not pem:
        raise SignatureProblem("key_unavailable", f"no key {key_id[:150]} in its actor's document")
    endpoints = actor.get("endpoints") if isinstance(actor.get("endpoints"), dict) else {}
    values = dict(actor=actor_id, inbox=_text(actor.get("inbox")), shared_inbox=_text(endpoints.get("sharedInbox")),
                  public_pem=pem, fetched_at=utcnow())
    for url in (values["inbox"], values["shared_inbox"]):
        if url and not _same_host(url, actor_id):
            raise SignatureProblem("key_unavailable", "its inbox is on another server")
    updated = await RemoteActor.filter(key_id=key_id).update(**values)
    if not updated:
        try:
            await RemoteActor.create(key_id=key_id, **values)
        except IntegrityError:  # another request stored it at the same moment
            await RemoteActor.filter(key_id=key_id).update(**values)
    return await RemoteActor.get(key_id=key_id)


async def remote_actor(settings: Settings, key_id: str, *, fresh: bool = False) -> RemoteActor:
    """The actor owning `key_id`, with its key: the kept one, or fetched (now, when `fresh`)."""
    if not fresh:
        kept = await RemoteActor.get_or_none(key_id=key_id)
        if kept is not None:
            return kept
    return await _fetch(settings, key_id)
