"""Web Push: one encrypted message to one browser's push service.

The payload is encrypted for the browser with `http_ece` (RFC 8291, content coding aes128gcm, a fresh
sender key pair each time) and the request carries a VAPID JWT (RFC 8292) signed with this instance's
key (`vapid.p256` in the keys directory, made by `sns init`) through `py_vapid`. The POST goes out with
httpx's async client, so nothing here blocks the event loop.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import http_ece
import httpx
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from sns.keys import load_vapid_pem
from sns.settings import Settings

TTL_SECONDS = 6 * 3600  # an alert older than this is no news: the push service may drop it
GONE = (404, 410)  # the browser unsubscribed: forget its subscription


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@lru_cache(maxsize=4)
def _vapid(keys_dir: Path) -> Vapid02:
    return Vapid02.from_pem(load_vapid_pem(keys_dir))


def contact(settings: Settings) -> str:
    """The VAPID `sub`: whom a push service writes to about this sender."""
    value = settings.web_push_contact or settings.mail_from
    return value if value.startswith(("mailto:", "https:")) else f"mailto:{value}"


def vapid_headers(settings: Settings, endpoint: str) -> dict[str, str]:
    parts = urlsplit(endpoint)
    claims = {"aud": f"{parts.scheme}://{parts.netloc}", "sub": contact(settings),
              "exp": int(time.time()) + 12 * 3600}
    return dict(_vapid(settings.keys_dir).sign(claims))


def encrypt(payload: bytes, p256dh: str, auth: str) -> bytes:
    return http_ece.encrypt(payload, private_key=ec.generate_private_key(ec.SECP256R1()), dh=b64url_decode(p256dh),
                            auth_secret=b64url_decode(auth), version="aes128gcm")


@dataclass
class PushResult:
    status: int  # 0: no answer (the push service is down or too slow)
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        return self.status in GONE


async def send(settings: Settings, client: httpx.AsyncClient, *, endpoint: str, p256dh: str, auth: str,
               payload: bytes) -> PushResult:
    try:
        body = encrypt(payload, p256dh, auth)
        headers = {**vapid_headers(settings, endpoint), "Content-Encoding": "aes128gcm",
                   "Content-Type": "application/octet-stream", "TTL": str(TTL_SECONDS), "Urgency": "high"}
        response = await client.post(endpoint, content=body, headers=headers)
    except Exception as exc:  # the push service down or slow, or a browser key that cannot be used
        return PushResult(0, f"{type(exc).__name__}: {exc}"[:500])
    return PushResult(response.status_code, "" if response.is_success else response.text[:300])
