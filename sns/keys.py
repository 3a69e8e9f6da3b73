"""Instance keys, made by `sns init` in the data directory's keys/ folder.

- `secret.key`: 32 random bytes that sign session cookies and CSRF tokens.
- `instance.ed25519`: the key that signs this instance's journal batches for
  its mirroring peers; its public fingerprint is what neighbours confirm.
- `vapid.p256`: the P-256 key that signs Web Push requests (VAPID, RFC 8292); browsers subscribed with
  its public half, so replacing it would silently end every resident's push notices.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def ensure_keys(keys_dir: Path) -> None:
    """Create missing keys; never replaces an existing one (idempotent)."""
    secret = keys_dir / "secret.key"
    if not secret.exists():
        _write_private(secret, os.urandom(32))
    signing = keys_dir / "instance.ed25519"
    if not signing.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        _write_private(signing, pem)
    vapid = keys_dir / "vapid.p256"
    if not vapid.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        _write_private(vapid, pem)


def load_secret(keys_dir: Path) -> bytes:
    ensure_keys(keys_dir)
    return (keys_dir / "secret.key").read_bytes()


def load_signing_key(keys_dir: Path) -> Ed25519PrivateKey:
    ensure_keys(keys_dir)
    return serialization.load_pem_private_key((keys_dir / "instance.ed25519").read_bytes(), password=None)


def fingerprint(keys_dir: Path) -> str:
    public = load_signing_key(keys_dir).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + base64.b64encode(hashlib.sha256(public).digest()).decode().rstrip("=")


def load_vapid_pem(keys_dir: Path) -> bytes:
    ensure_keys(keys_dir)
    return (keys_dir / "vapid.p256").read_bytes()


def vapid_public_key(keys_dir: Path) -> str:
    """The application server key a browser subscribes with: the uncompressed point, base64url."""
    key = serialization.load_pem_private_key(load_vapid_pem(keys_dir), password=None)
    raw = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
