"""Keys and signatures of the mirroring protocol (docs/mirroring.md, "Signatures").

A request to a peer is signed over its method, path and query, both origins, the time and a nonce; the
answer (a batch) is signed over the exact bytes of its body, and names the nonce it answers, so a batch
recorded once cannot be replayed against another request.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PROTOCOL = 1
H_PEER, H_TIME, H_NONCE, H_SIGNATURE = "x-sns-peer", "x-sns-time", "x-sns-nonce", "x-sns-signature"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)


def public_raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint_of(public: bytes) -> str:
    """What administrators compare by voice or letter: SHA256 of the raw public key, like ssh prints."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(public).digest()).decode().rstrip("=")


def same_fingerprint(a: str, b: str) -> bool:
    norm = lambda s: s.strip().removeprefix("SHA256:").rstrip("=")  # noqa: E731
    return norm(a) == norm(b) and bool(norm(a))


def new_nonce() -> str:
    return base64.urlsafe_b64encode(os.urandom(18)).decode()


def _request_text(method: str, target: str, peer: str, server: str, at: str, nonce: str) -> bytes:
    return f"sns-mirror-request/{PROTOCOL}\n{method.upper()}\n{target}\n{peer}\n{server}\n{at}\n{nonce}".encode()


def sign_request(key: Ed25519PrivateKey, *, method: str, target: str, peer: str, server: str,
                 nonce: str | None = None, at: int | None = None) -> dict[str, str]:
    """Headers for a request from `peer` (us) to `server`; `target` is the path with its query."""
    nonce = nonce or new_nonce()
    stamp = str(int(at if at is not None else time.time()))
    signature = key.sign(_request_text(method, target, peer, server, stamp, nonce))
    return {H_PEER: peer, H_TIME: stamp, H_NONCE: nonce, H_SIGNATURE: b64(signature)}


def verify(public: bytes, signature: str, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(unb64(signature), data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def verify_request(public: bytes, headers, *, method: str, target: str, server: str,
                   skew_seconds: int, now: float | None = None) -> str | None:
    """None when the request is signed by `public` and fresh; otherwise what is wrong, in a word."""
    try:
        stamp = int(headers.get(H_TIME, ""))
    except ValueError:
        return "bad_time"
    if abs((now if now is not None else time.time()) - stamp) > skew_seconds:
        return "stale_request"
    text = _request_text(method, target, headers.get(H_PEER, ""), server, str(stamp), headers.get(H_NONCE, ""))
    if not verify(public, headers.get(H_SIGNATURE, ""), text):
        return "bad_signature"
    return None


def sign_body(key: Ed25519PrivateKey, body: bytes) -> str:
    return b64(key.sign(body))
