"""RFC 9421 HTTP Message Signatures on posts to our inboxes, which newer fediverse servers send instead of
draft-cavage (sns/fediverse/signatures.py): `Signature-Input: sig1=("@method" "@target-uri"
"content-digest");created=…;keyid="…"` and `Signature: sig1=:<base64>:`, with the body's `Content-Digest`
(RFC 9530). Checked with the `http-message-signatures` library, RSASSA-PKCS1-v1_5 / SHA-256 keys (what
actors publish): exactly one signature, covering the method, the target URI and (with a body) the
Content-Digest, created within the clock skew. We send draft-cavage only, as Mastodon does by default."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Mapping
from urllib.parse import urlsplit

import http_sf
from http_message_signatures import HTTPMessageVerifier, HTTPSignatureKeyResolver, InvalidSignature, algorithms

from sns.fediverse.signatures import MAX_HEADER_CHARS, SignatureProblem, rsa_public_key

REQUIRED = ("@method", "@target-uri")


@dataclass(frozen=True)
class MessageSignature:
    key_id: str
    label: str
    signature_header: str

    @property
    def host(self) -> str:
        return (urlsplit(self.key_id).hostname or "").lower()

    @property
    def fingerprint(self) -> str:
        """A replay is the same signature sent again."""
        return hashlib.sha256(self.signature_header.encode()).hexdigest()


def parse(headers: Mapping[str, str]) -> MessageSignature:
    """Read `Signature-Input` (lower-case header names): one signature, with a keyid."""
    value, signature = headers.get("signature-input", ""), headers.get("signature", "")
    if len(value) > MAX_HEADER_CHARS or len(signature) > MAX_HEADER_CHARS or not signature:
        raise SignatureProblem("malformed_signature", "Signature-Input or Signature missing or too long")
    try:
        inputs = http_sf.parse(value.encode(), tltype="dictionary")
    except Exception:  # noqa: BLE001 - any parse failure of a structured field
        raise SignatureProblem("malformed_signature", "Signature-Input is not a structured field") from None
    if not isinstance(inputs, dict) or len(inputs) != 1:
        raise SignatureProblem("malformed_signature", "exactly one signature is accepted")
    label, member = next(iter(inputs.items()))
    params = member[1] if isinstance(member, tuple) and len(member) == 2 else {}
    key_id = params.get("keyid") if isinstance(params, dict) else None
    if not isinstance(key_id, str) or not key_id:
        raise SignatureProblem("malformed_signature", "no keyid")
    return MessageSignature(key_id, label, signature)


class _OneKey(HTTPSignatureKeyResolver):
    def __init__(self, key) -> None:
        self.key = key

    def resolve_public_key(self, key_id: str):
        return self.key


def verify(sig: MessageSignature, public_pem: str, method: str, url: str, headers: Mapping[str, str], body: bytes,
           *, skew: float) -> None:
    """The signature with the signer's key; it covers the method, the URL we were posted at and the body's
    digest, and was made within `skew` seconds."""
    verifier = HTTPMessageVerifier(signature_algorithm=algorithms.RSA_V1_5_SHA256,
                                   key_resolver=_OneKey(rsa_public_key(public_pem)))
    verifier.max_clock_skew = timedelta(seconds=skew)
    message = SimpleNamespace(method=method.upper(), url=url, headers=dict(headers))
    try:
        verifier.verify(message, max_age=timedelta(seconds=skew), require_components=REQUIRED, body=body)
    except InvalidSignature as exc:
        text = str(exc)
        if "digest" in text.lower():
            raise SignatureProblem("bad_digest", text[:200]) from None
        if '"created"' in text or "Signature age" in text or '"expires"' in text:
            raise SignatureProblem("stale_date", text[:200]) from None
        if "covered" in text:
            raise SignatureProblem("unsigned_headers", text[:200]) from None
        raise SignatureProblem("bad_signature", text[:200]) from None
    except Exception as exc:  # noqa: BLE001 - the library refusing the message in another way
        raise SignatureProblem("bad_signature", f"{type(exc).__name__}: {exc}"[:200]) from None
