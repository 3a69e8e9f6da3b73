"""Receiving a post to one of our inboxes (an actor's own, or the shared one): check it, then act on it.

The checks come in order of cost, and each refusal answers as Mastodon does and is logged in `InboxRefusal`
(when, the server, its keyId, why, how large), which administrators read on /admin/fediverse:

- too many posts from one server (or, unsigned or naming a key we have not fetched yet, from one address)
  in a minute: 429 (not logged: a flood would write a row per post);
- larger than `fediverse_inbox_max_bytes`: 413 (the route reads no more than that);
- not JSON-LD or ActivityPub JSON: 415; unsigned, or a signature we cannot read: 401;
- from a server an administrator blocked (the keyId's host, or the activity's actor's): 403;
- signed headers missing, a Date further than `fediverse_clock_skew_seconds` from ours, a Digest that is not
  the body's: 401; the body not a JSON object with a type and an actor: 400;
- the key cannot be fetched, or the signature does not verify with it (fetched again once, for a rotated
  key), or the signer is not the activity's actor: 401;
- the same signature seen before (`SeenSignature`, kept for the skew window): 401, a replay.

A post signed the RFC 9421 way (`Signature-Input`) is checked by sns/fediverse/message_signatures.py instead
of draft-cavage; everything else is the same. What passes is done by sns/fediverse/follows.py and answered
202."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError

from sns.fediverse import follows, message_signatures, remote_keys
from sns.fediverse.signatures import SignatureProblem, check_request, parse, verify
from sns.limits import RateLimiter
from sns.models import BlockedServer, InboxRefusal, RemoteActor, SeenSignature
from sns.settings import Settings

log = logging.getLogger(__name__)
CONTENT_TYPES = ("application/activity+json", "application/ld+json", "application/json")
STATUS = {"too_large": 413, "content_type": 415, "malformed": 400, "blocked": 403, "rate_limited": 429}


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str = ""  # why it was refused; empty when accepted
    done: str = ""  # what an accepted post did: followed, unfollowed, forgotten, ignored


class Refused(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


async def _refuse(reason: str, detail: str, host: str, key_id: str, size: int) -> Answer:
    await InboxRefusal.create(reason=reason[:64], detail=detail[:300], host=host[:255], key_id=key_id[:500],
                              size=size)
    log.info("fediverse inbox: refused a post from %s (%s: %s)", host or "an unknown server", reason, detail)
    return Answer(STATUS.get(reason, 401), reason)


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _activity(body: bytes) -> dict:
    try:
        activity = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Refused("malformed", "not JSON") from None
    if not isinstance(activity, dict) or not isinstance(activity.get("type"), str):
        raise Refused("malformed", "not an activity")
    actor = activity.get("actor")
    actor = actor.get("id") if isinstance(actor, dict) else actor
    if not isinstance(actor, str) or not actor:
        raise Refused("malformed", "no actor")
    activity["actor"] = actor
    return activity


async def _blocked(*hosts: str) -> str:
    found = await BlockedServer.filter(host__in=[h for h in hosts if h]).first()
    return found.host if found else ""


async def receive(settings: Settings, limiter: RateLimiter, *, method: str, target: str,
                  headers: Mapping[str, str], body: bytes, too_large: bool, client: str = "", url: str = "") -> Answer:
    """Check and act on one inbox post. `headers`: lower-case names; `target`: the path and query received,
    `url` the whole address (what an RFC 9421 signature covers); `too_large`: the body was cut at
    `fediverse_inbox_max_bytes`; `client`: the sender's address (counted by the rate limit when the post
    names no server)."""
    raw_signature = headers.get("signature") or headers.get("authorization", "")
    rfc9421 = "signature-input" in headers
    skew = settings.fediverse_clock_skew_seconds
    try:
        sig = (message_signatures.parse(headers) if rfc9421 else parse(raw_signature)) if raw_signature else None
    except SignatureProblem as problem:
        sig, parse_problem = None, problem
    else:
        parse_problem = None
    host, key_id = (sig.host, sig.key_id) if sig else ("", "")
    if not await limiter.hit(host or f"address:{client}"):
        return Answer(429, "rate_limited")
    # the server a keyId names is the sender's choice: a post naming a key we do not have yet (a fetch from
    # that server, and a refusal row if it fails) also counts against the address it came from
    if sig is not None and not await RemoteActor.filter(key_id=sig.key_id).exists() \
            and not await limiter.hit(f"address:{client}"):
        return Answer(429, "rate_limited")
    size = len(body)
    if too_large:
        return await _refuse("too_large", f"more than {settings.fediverse_inbox_max_bytes} bytes", host, key_id,
                             size)
    ctype = headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in CONTENT_TYPES:
        return await _refuse("content_type", ctype[:100] or "none", host, key_id, size)
    if sig is None:
        return await _refuse(parse_problem.reason if parse_problem else "unsigned",
                             parse_problem.detail if parse_problem else "no Signature header", host, key_id, size)
    blocked = await _blocked(host)
    if blocked:
        return await _refuse("blocked", blocked, host, key_id, size)
    def verified_with(pem: str) -> None:
        if rfc9421:
            message_signatures.verify(sig, pem, method, url, headers, body, skew=skew)
        else:
            verify(sig, pem, method, target, headers)

    try:
        if not rfc9421:  # (an RFC 9421 signature's time and digest are checked with the signature)
            check_request(sig, method, headers, body, skew=skew)
        activity = _activity(body)
        blocked = await _blocked(_host(activity["actor"]))
        if blocked:
            raise Refused("blocked", blocked)
        remote = await remote_keys.remote_actor(settings, sig.key_id)
        try:
            verified_with(remote.public_pem)
        except SignatureProblem as problem:  # perhaps a rotated key: fetch it again, once
            if problem.reason not in ("bad_signature", "bad_key"):
                raise
            remote = await remote_keys.remote_actor(settings, sig.key_id, fresh=True)
            verified_with(remote.public_pem)
        if remote.actor != activity["actor"]:
            raise Refused("actor_mismatch", f"signed by {remote.actor[:120]}")
        try:
            await SeenSignature.create(digest=sig.fingerprint)
        except IntegrityError:
            raise Refused("replay", "this signature was accepted before") from None
    except (SignatureProblem, Refused) as problem:
        return await _refuse(problem.reason, problem.detail, host, key_id, size)
    return Answer(202, done=await follows.act_on(settings, remote, activity))
