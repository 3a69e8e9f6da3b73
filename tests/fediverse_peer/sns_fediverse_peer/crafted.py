"""Inbox posts as a good, broken or hostile server sends them, signed with bovine's draft-cavage signer
(the headers Mastodon signs: (request-target), host, date, digest, content-type).

Kinds:
- `signed`: a correct signed post (remembered, so that `replay` can send it again byte for byte);
- `replay`: the last correct signed post again, same Date, Digest and Signature;
- `unsigned`: no Signature header at all;
- `bad_signature`: signed with another key than the one its keyId names;
- `stale_date`: correctly signed, but with a Date an hour old;
- `oversized`: correctly signed, the activity padded to `size` bytes;
- `tampered`: signed, then the body changed (its Digest no longer matches).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import aiohttp
from bovine.clients.signed_http import legacy_digest_method
from bovine.clients.utils import host_target_from_url
from bovine.crypto import generate_rsa_public_private_key
from bovine.crypto.http_signature import build_signature
from bovine.crypto.types import CryptographicSecret
from bovine.utils import get_gmt_now

CONTENT_TYPE = "application/activity+json"
KINDS = ("signed", "replay", "unsigned", "bad_signature", "stale_date", "oversized", "tampered")


@dataclass
class Signed:
    """A signed post exactly as it went out."""

    url: str
    body: bytes
    headers: dict[str, str]


def sign(url: str, body: bytes, key_id: str, private_pem: str, date: str | None = None) -> Signed:
    """The post `body` to `url`, signed by `private_pem` under `key_id` (bovine's HttpSignature)."""
    host, target = host_target_from_url(url)
    digest_header, digest = legacy_digest_method(body)
    signature = (build_signature(host, "post", target)
                 .with_field("date", date or get_gmt_now())
                 .with_field(digest_header, digest)
                 .with_field("content-type", CONTENT_TYPE))
    header = signature.sign_for_http_draft(CryptographicSecret.from_pem(key_id, private_pem))
    return Signed(url, body, {**signature.headers, "signature": header})


def build(kind: str, url: str, activity: dict, key_id: str, private_pem: str, last: Signed | None,
          size: int = 0) -> Signed:
    """The request a post of this kind sends."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    body = json.dumps(activity).encode()
    if kind == "replay":
        if last is None:
            raise ValueError("nothing signed was sent yet to replay")
        return last
    if kind == "unsigned":
        return Signed(url, body, {"content-type": CONTENT_TYPE, "date": get_gmt_now()})
    if kind == "bad_signature":
        _, other_private = generate_rsa_public_private_key()
        return sign(url, body, key_id, other_private)
    if kind == "stale_date":
        an_hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
        return sign(url, body, key_id, private_pem, date=format_datetime(an_hour_ago, usegmt=True))
    if kind == "oversized":
        padded = dict(activity, content="x" * max(size - len(body), 0))
        return sign(url, json.dumps(padded).encode(), key_id, private_pem)
    signed = sign(url, body, key_id, private_pem)
    if kind == "tampered":
        changed = dict(activity, content="changed after signing")
        return Signed(url, json.dumps(changed).encode(), signed.headers)
    return signed


async def send(session: aiohttp.ClientSession, kind: str, url: str, activity: dict, key_id: str, private_pem: str,
               last: Signed | None, size: int = 0) -> tuple[int, str, Signed | None]:
    """Send one post; returns its status, the answer's text, and the post when it was a correct signed one."""
    request = build(kind, url, activity, key_id, private_pem, last, size)
    async with session.post(request.url, data=request.body, headers=request.headers) as response:
        text = await response.text(errors="replace")
        return response.status, text, request if kind == "signed" else None
