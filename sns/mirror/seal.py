"""The backup key and sealed boxes (docs/mirroring.md, "What is sealed").

Private content (friends-only and private diaries, mail, department threads, check-ins, everyone's
password hashes) reaches a neighbour only inside a sealed box: libsodium's anonymous public-key
encryption (X25519 + XSalsa20-Poly1305) to the origin's *backup key*. The instance keeps only the public
half (`keys/backup.pub`); the administrator keeps the private half offline and needs it once, to restore
a destroyed instance from a neighbour (`sns restore --from-peer`). The neighbour can store and hand back
the boxes but never read them.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

PRIVATE_PREFIX = "sns-backup-key-1:"


class BadBackupKey(ValueError):
    pass


def public_path(keys_dir: Path) -> Path:
    return keys_dir / "backup.pub"


def create_backup_key(keys_dir: Path) -> str:
    """Make a new backup key: the public half goes to keys/backup.pub, the private half is returned
    (as one line of text) for the administrator to keep offline. Refuses to replace an existing one:
    the boxes neighbours hold open only with the key they were sealed to."""
    path = public_path(keys_dir)
    if path.exists():
        raise FileExistsError(str(path))
    key = PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(base64.b64encode(bytes(key.public_key)).decode() + "\n")
    return PRIVATE_PREFIX + base64.b64encode(bytes(key)).decode()


def install_public(keys_dir: Path, public_b64: str) -> None:
    path = public_path(keys_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(public_b64.strip() + "\n")


def load_public(keys_dir: Path) -> bytes | None:
    path = public_path(keys_dir)
    if not path.exists():
        return None
    return base64.b64decode(path.read_text().strip())


def read_private(text: str) -> PrivateKey:
    text = text.strip()
    if not text.startswith(PRIVATE_PREFIX):
        raise BadBackupKey("not a backup key (it starts with sns-backup-key-1:)")
    try:
        return PrivateKey(base64.b64decode(text[len(PRIVATE_PREFIX):], validate=True))
    except Exception as exc:  # wrong length, not base64
        raise BadBackupKey("the backup key is damaged") from exc


def public_of(private: PrivateKey) -> str:
    return base64.b64encode(bytes(private.public_key)).decode()


def seal(public: bytes, value: Any) -> str:
    """A JSON value in a sealed box, base64."""
    data = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.b64encode(SealedBox(PublicKey(public)).encrypt(data)).decode()


def open_sealed(private: PrivateKey, box: str) -> Any:
    try:
        return json.loads(SealedBox(private).decrypt(base64.b64decode(box)))
    except (CryptoError, ValueError) as exc:
        raise BadBackupKey("this backup key does not open what the neighbour holds") from exc


def seal_bytes(public: bytes, data: bytes) -> bytes:
    """Bytes (a photo) in a sealed box, raw: 48 bytes more than `data`."""
    return SealedBox(PublicKey(public)).encrypt(data)


def open_bytes(private: PrivateKey, blob: bytes) -> bytes:
    try:
        return SealedBox(private).decrypt(blob)
    except (CryptoError, ValueError, TypeError) as exc:
        raise BadBackupKey("this backup key does not open what the neighbour holds") from exc
