"""The instance box: what is not in the journal but needed to come back as the same instance.

The journal carries every replicated record, but an instance is more than its records: its keys (the
session secret, the Ed25519 key its neighbours confirmed, the VAPID key residents' browsers subscribed
to, the backup public key), its site settings, its peers and its CAP sources. The origin puts these in
one sealed box (`seal.seal` to its own backup key) and hands it to each active peer that asks
(`GET /mirror/v1/instance-box`, sns/mirror/box_exchange.py); the peer keeps the newest one in the
origin's replica. Only the origin's administrator, holding the backup key offline, can open it: that is
what `sns restore --from-peer` does (sns/mirror/restore.py), and then `install` puts it all back.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from sns.models import CapSource, Peer, SiteSetting, User

FORMAT = 1
KEY_FILES = ("secret.key", "instance.ed25519", "vapid.p256", "backup.pub")
PEER_FIELDS = ("id", "origin", "url", "name", "fingerprint", "public_key", "backup_key", "state", "acts_for_us",
               "added_at", "changed_at")
# What an administrator chose about a CAP source; not what polling it changes every round (so the box
# changes only when something worth keeping changed).
CAP_FIELDS = ("id", "url", "label", "enabled", "poll_seconds", "created_by_id", "created_at")


def _json_ready(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


async def contents(settings) -> dict[str, Any]:
    """What the box holds, as JSON values (the origin's current keys and local rows)."""
    keys = {}
    for name in KEY_FILES:
        path = settings.keys_dir / name
        if path.exists():
            keys[name] = base64.b64encode(path.read_bytes()).decode()
    return {
        "format": FORMAT,
        "origin": settings.origin,
        "keys": keys,
        "site_settings": [_json_ready(r) for r in await SiteSetting.all().order_by("key").values("key", "value")],
        "peers": [_json_ready(r) for r in await Peer.exclude(state="removed").order_by("origin").values(*PEER_FIELDS)],
        "cap_sources": [_json_ready(r) for r in await CapSource.all().order_by("id").values(*CAP_FIELDS)],
    }


def stamp_of(value: dict[str, Any]) -> str:
    """Names one content of the box, so a peer holding it need not fetch it again. A hash of contents
    that include 256-bit secret keys tells nothing about them."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def signing_key_of(value: dict[str, Any]):
    """The instance's Ed25519 key held in the box (None when missing or damaged)."""
    from cryptography.hazmat.primitives import serialization

    try:
        pem = base64.b64decode(value["keys"]["instance.ed25519"])
        return serialization.load_pem_private_key(pem, password=None)
    except Exception:  # noqa: BLE001 - whatever is wrong, the box cannot be used
        return None


def _write_secret(path: Path, data: bytes) -> None:
    """Write a key file readable by this user only, replacing the one `sns init` made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(path.name + ".restoring")
    fresh.unlink(missing_ok=True)
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(fresh, path)


def install_keys(keys_dir: Path, value: dict[str, Any]) -> list[str]:
    """Put the box's keys in place (0600); returns the names written."""
    written = []
    for name in KEY_FILES:
        if name in value.get("keys", {}):
            _write_secret(keys_dir / name, base64.b64decode(value["keys"][name]))
            written.append(name)
    return written


def _values(model: type, row: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for name in names:
        if name not in row or name == "id":
            continue
        value = row[name]
        field = model._meta.fields_map.get(name)
        if isinstance(value, str) and field is not None and type(field).__name__ == "DatetimeField":
            value = datetime.fromisoformat(value)
        out[name] = value
    return out


async def install_rows(value: dict[str, Any], conn: Any = None) -> dict[str, int]:
    """Put the box's site settings, peers and CAP sources back (after the users are restored: a CAP
    source names who added it). Safe to repeat."""
    for row in value.get("site_settings", []):
        await SiteSetting.update_or_create(key=row["key"], defaults={"value": row["value"]}, using_db=conn)
    for row in value.get("peers", []):
        values = _values(Peer, row, PEER_FIELDS)
        values.pop("origin", None)
        if await Peer.filter(origin=row["origin"]).using_db(conn).exists():
            await Peer.filter(origin=row["origin"]).using_db(conn).update(**values)
        else:
            await Peer.create(id=row["id"], origin=row["origin"], using_db=conn, **values)
    for row in value.get("cap_sources", []):
        values = _values(CapSource, row, CAP_FIELDS)
        if values.get("created_by_id") and not await User.filter(id=values["created_by_id"]).using_db(conn).exists():
            values["created_by_id"] = None
        await CapSource.filter(url=row["url"]).exclude(id=row["id"]).using_db(conn).delete()
        await CapSource.update_or_create(id=row["id"], defaults=values, using_db=conn)
    return {"site_settings": len(value.get("site_settings", [])), "peers": len(value.get("peers", [])),
            "cap_sources": len(value.get("cap_sources", []))}
