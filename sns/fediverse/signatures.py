"""HTTP Signatures as the fediverse uses them: draft-cavage-http-signatures-12, the way Mastodon signs and
checks them.

A signed request carries `Signature: keyId="...",algorithm="rsa-sha256",headers="(request-target) host date
digest",signature="<base64>"` and, with a body, `Digest: SHA-256=<base64 of the body's SHA-256>`. The signed
string is one line per named header, `name: value`, with the pseudo-header `(request-target)` as `post
/path?query` (and `(created)` / `(expires)` from the header's own parameters, which hs2019 signers use). The
algorithm is RSASSA-PKCS1-v1_5 over SHA-256 whether it is named `rsa-sha256` or `hs2019` (Mastodon's keys are
RSA); no algorithm named means the same.

`sign` makes the headers for a request we send (deliveries, signed key fetches); `parse` reads a received
Signature header, `check_request` checks everything about a received request except the key itself (the
required headers are signed, the Date is fresh, the Digest matches the body), and `verify` checks the
signature with the sender's public key. Each problem is a `SignatureProblem` whose `reason` names it (it is
what an administrator reads among refused inbox posts)."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from typing import Mapping
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ALGORITHMS = ("rsa-sha256", "hs2019")
_PARAM = re.compile(r'\s*([a-zA-Z]+)\s*=\s*(?:"([^"]*)"|([0-9]+))\s*(?:,|$)')
MAX_HEADER_CHARS = 4096


class SignatureProblem(Exception):
    """Why a received request's signature is not accepted (`reason`: a short code, `detail`: for the log)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class Signature:
    """A parsed Signature header."""

    key_id: str
    algorithm: str
    headers: tuple[str, ...]
    signature: bytes
    created: int | None = None
    expires: int | None = None

    @property
    def host(self) -> str:
        """The host the keyId names (where the signer's key lives)."""
        return (urlsplit(self.key_id).hostname or "").lower()

    @property
    def fingerprint(self) -> str:
        """A replay is the same signature sent again: its bytes' SHA-256, in hex."""
        return hashlib.sha256(self.signature).hexdigest()


def digest_of(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def http_date(when: float | None = None) -> str:
    return formatdate(time.time() if when is None else when, usegmt=True)


def _signing_string(names: tuple[str, ...], method: str, target: str, headers: Mapping[str, str],
                    created: int | None = None, expires: int | None = None) -> bytes:
    lines = []
    for name in names:
        if name == "(request-target)":
            value = f"{method.lower()} {target}"
        elif name == "(created)":
            value = str(created)
        elif name == "(expires)":
            value = str(expires)
        else:
            value = headers[name]
        lines.append(f"{name}: {value}")
    return "\n".join(lines).encode()


def sign(private: rsa.RSAPrivateKey, key_id: str, method: str, url: str, body: bytes | None = None,
         *, date: str | None = None, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The headers that sign a request (Host, Date, Digest when there is a body, Signature, plus `extra`):
    `(request-target) host date [digest]` with rsa-sha256, as Mastodon sends them."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    out = {"host": parts.netloc, "date": date or http_date()}
    names = ["(request-target)", "host", "date"]
    if body is not None:
        out["digest"] = digest_of(body)
        names.append("digest")
    string = _signing_string(tuple(names), method, target, out)
    signature = base64.b64encode(private.sign(string, padding.PKCS1v15(), hashes.SHA256())).decode()
    out["signature"] = (f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
                        f'signature="{signature}"')
    return {**{k.title(): v for k, v in out.items()}, **(extra or {})}


def parse(value: str) -> Signature:
    """Read a Signature header (or an Authorization header's `Signature ...`)."""
    if not value or len(value) > MAX_HEADER_CHARS:
        raise SignatureProblem("malformed_signature", "empty or too long")
    if value[:10].lower() == "signature ":
        value = value[10:]
    params: dict[str, str] = {}
    pos = 0
    while pos < len(value):
        match = _PARAM.match(value, pos)
        if not match or match.end() == pos:
            raise SignatureProblem("malformed_signature", "not key=\"value\" pairs")
        params[match.group(1)] = match.group(2) if match.group(2) is not None else match.group(3)
        pos = match.end()
    if not params.get("keyId") or not params.get("signature"):
        raise SignatureProblem("malformed_signature", "keyId or signature missing")
    algorithm = (params.get("algorithm") or "rsa-sha256").lower()
    if algorithm not in ALGORITHMS:
        raise SignatureProblem("unsupported_algorithm", algorithm[:60])
    try:
        raw = base64.b64decode(params["signature"], validate=True)
        created = int(params["created"]) if params.get("created") else None
        expires = int(params["expires"]) if params.get("expires") else None
    except ValueError:
        raise SignatureProblem("malformed_signature", "signature is not base64") from None
    names = tuple((params.get("headers") or "date").lower().split())
    return Signature(params["keyId"], algorithm, names, raw, created, expires)


def check_request(sig: Signature, method: str, headers: Mapping[str, str], body: bytes, *, skew: float,
                  now: float | None = None) -> None:
    """Everything but the key: the request's target, host, time and (with a body) digest are signed, the
    time is within `skew` seconds of ours, the Digest is the body's. `headers`: lower-case names."""
    now = time.time() if now is None else now
    signed = set(sig.headers)
    needed = {"(request-target)", "host"} | ({"digest"} if method.upper() == "POST" else set())
    if not needed <= signed or not signed & {"date", "(created)"}:
        raise SignatureProblem("unsigned_headers", "signed: " + " ".join(sig.headers)[:200])
    for name in signed - {"(request-target)", "(created)", "(expires)"}:
        if name not in headers:
            raise SignatureProblem("missing_header", name[:60])
    if "date" in signed:
        try:
            when = parsedate_to_datetime(headers["date"]).timestamp()
        except (TypeError, ValueError, IndexError):
            raise SignatureProblem("malformed_date", headers["date"][:60]) from None
    else:
        if sig.created is None:
            raise SignatureProblem("malformed_signature", "(created) signed but not given")
        when = float(sig.created)
    if abs(now - when) > skew:
        raise SignatureProblem("stale_date", f"{int(now - when)} s from ours")
    if sig.expires is not None and sig.expires < now:
        raise SignatureProblem("stale_date", "expired")
    if "digest" in signed or body:
        digests = {}
        for part in headers.get("digest", "").split(","):
            name, _, value = part.strip().partition("=")
            digests[name.lower()] = value
        if "sha-256" not in digests:
            raise SignatureProblem("missing_digest", headers.get("digest", "")[:60])
        if digests["sha-256"] != digest_of(body).split("=", 1)[1]:
            raise SignatureProblem("bad_digest", "the body's SHA-256 differs")


def rsa_public_key(public_pem: str) -> rsa.RSAPublicKey:
    """The signer's public key from its PEM, or the reason it cannot check a signature."""
    try:
        public = serialization.load_pem_public_key(public_pem.encode())
    except (ValueError, TypeError):
        raise SignatureProblem("bad_key", "the signer's key cannot be read") from None
    if not isinstance(public, rsa.RSAPublicKey):
        raise SignatureProblem("unsupported_algorithm", "not an RSA key")
    return public


def verify(sig: Signature, public_pem: str, method: str, target: str, headers: Mapping[str, str]) -> None:
    """The signature itself, with the signer's public key (PEM). `target`: the path and query received."""
    public = rsa_public_key(public_pem)
    string = _signing_string(sig.headers, method, target, headers, sig.created, sig.expires)
    try:
        public.verify(sig.signature, string, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureProblem("bad_signature", "does not verify with the signer's key") from None
