"""Instance keys, made by `sns init` in the data directory's keys/ folder.

- `secret.key`: 32 random bytes that sign session cookies and CSRF tokens.
- `instance.ed25519`: the key that signs this instance's journal batches for
  its mirroring peers; its public fingerprint is what neighbours confirm.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
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
