"""A real Web Push service for tests, on a loopback port, and a browser's side of a subscription.

`PushService` is an HTTP server (a thread) that keeps every POST and answers with `status`. A test
checks each request as a push service and a browser would: `verify_vapid` checks the VAPID JWT (RFC
8292) against the instance's public key; `Browser.decrypt` decrypts the body (RFC 8291, aes128gcm) with
the key pair and auth secret the test's "browser" made, written here from the RFCs (not with the library
the sender uses)."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hkdf(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    return HKDF(hashes.SHA256(), length, salt, info).derive(ikm)


@dataclass
class Browser:
    """The keys a browser's PushManager makes for one subscription."""

    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def public(self) -> bytes:
        return self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                  serialization.PublicFormat.UncompressedPoint)

    def fields(self, endpoint: str) -> dict:
        return {"endpoint": endpoint, "p256dh": b64url(self.public), "auth": b64url(self.auth)}

    def decrypt(self, body: bytes) -> bytes:
        salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
        sender = body[21:21 + idlen]
        ciphertext = body[21 + idlen:]
        assert idlen == 65 and len(ciphertext) <= rs
        secret = self.key.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender))
        ikm = _hkdf(secret, self.auth, b"WebPush: info\x00" + self.public + sender, 32)
        cek = _hkdf(ikm, salt, b"Content-Encoding: aes128gcm\x00", 16)
        nonce = _hkdf(ikm, salt, b"Content-Encoding: nonce\x00", 12)
        padded = AESGCM(cek).decrypt(nonce, ciphertext, None).rstrip(b"\x00")
        assert padded.endswith(b"\x02"), "the last record ends with the delimiter 2"
        return padded[:-1]


def verify_vapid(authorization: str, public_key_b64: str, audience: str) -> dict:
    """Check `vapid t=<JWT>,k=<key>`: the key is the instance's, the ES256 signature holds, the claims fit."""
    scheme, _, rest = authorization.partition(" ")
    assert scheme == "vapid", authorization
    parts = dict(item.split("=", 1) for item in rest.split(","))
    assert parts["k"] == public_key_b64
    header_b64, claims_b64, signature_b64 = parts["t"].split(".")
    assert json.loads(unb64url(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    signature = unb64url(signature_b64)
    assert len(signature) == 64
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    claims = json.loads(unb64url(claims_b64))
    assert claims["aud"] == audience and claims["exp"] > time.time() and claims["exp"] < time.time() + 86400
    assert claims["sub"].startswith("mailto:")
    return claims


class PushService:
    """POST /push/<name>: kept in `received` as (path, headers, body); answered with `status`."""

    def __init__(self, port: int = 0, status: int = 201):
        self.status = status
        self.received: list[tuple[str, dict, bytes]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                service.received.append((self.path, dict(self.headers), body))
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "PushService":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
