"""A software authenticator for the passkey tests: what a phone's or a security key's authenticator does,
written from the WebAuthn spec (https://www.w3.org/TR/webauthn-3/), and the browser's part of it (the
client data). An EC P-256 key (`cryptography`), CBOR with cbor2, attestation "none", authenticatorData laid
out as the spec says: rpIdHash (32) | flags (1) | signCount (4, big-endian) | attested credential data
(AAGUID 16 | credential id length 2 | credential id | COSE public key) when making a credential.

It answers the options the site sends (the JSON the browser would turn into navigator.credentials calls)
with the JSON the browser would send back, so the site's real checks (py_webauthn) verify real signatures.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40  # flags: user present, user verified, attested credential data


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    """One credential (made by `create`), kept with the user handle it was made for, like a passkey.

    `counts`: whether it keeps a signature counter (security keys do; synced passkeys often send 0)."""

    def __init__(self, counts: bool = True) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counts = counts
        self.sign_count = 0
        self.user_handle: bytes | None = None
        self.rp_id: str | None = None

    def cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    @staticmethod
    def client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def _auth_data(self, rp_id: str, flags: int, attested: bytes = b"") -> bytes:
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + self.sign_count.to_bytes(4, "big") + attested

    def create(self, options: dict, origin: str, rp_id: str | None = None) -> dict:
        """navigator.credentials.create: `options` is the site's publicKey JSON. `rp_id`/`origin` may be
        another site's (a phishing page relaying the ceremony)."""
        self.rp_id = rp_id or options["rp"]["id"]
        self.user_handle = unb64url(options["user"]["id"])
        attested = (bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id
                    + self.cose_public_key())
        auth_data = self._auth_data(self.rp_id, UP | UV | AT, attested)
        client_data = self.client_data("webauthn.create", options["challenge"], origin)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
                "authenticatorAttachment": "platform", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64url(client_data), "attestationObject": b64url(attestation),
                             "transports": ["internal"]}}

    def get(self, options: dict, origin: str, rp_id: str | None = None, sign_count: int | None = None,
            user_handle: bytes | None = None, unasked: bool = False) -> dict:
        """navigator.credentials.get: signs the site's challenge. `sign_count` forces the counter (a clone
        that is behind), `user_handle` another account's handle, `unasked` answers even when the site asked
        for other credentials (a browser would not; a hostile script would)."""
        allowed = [d["id"] for d in options.get("allowCredentials") or []]
        assert unasked or not allowed or b64url(self.credential_id) in allowed, "the site asked for others"
        if sign_count is not None:
            self.sign_count = sign_count
        elif self.counts:
            self.sign_count += 1
        auth_data = self._auth_data(rp_id or options["rpId"], UP | UV)
        client_data = self.client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        handle = user_handle if user_handle is not None else self.user_handle
        return {"id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
                "authenticatorAttachment": "platform", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                             "signature": b64url(signature), "userHandle": b64url(handle) if handle else None}}
