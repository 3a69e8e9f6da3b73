"""An instance made by the first release upgrades to this one with its residents intact."""

from __future__ import annotations

from datetime import datetime, timezone

from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate

from fixtures import make_settings
from sns import db
from sns.ids import uuid7


async def test_upgrading_from_the_first_migration_keeps_existing_rows(tmp_path):
    settings = await make_settings(tmp_path)
    config = db.tortoise_config(settings)
    await migrate(config=config, target="models.0001_initial")
    await Tortoise.close_connections()

    user_id, now = uuid7(), datetime.now(timezone.utc)
    async with db.database(settings):
        conn = connections.get("default")
        columns = ("id", "origin", "version", "created_at", "updated_at", "username", "display_name", "email",
                   "password_hash", "role", "state", "locale", "introduction", "field_visibility")
        marks = ", ".join("?" if db.dialect() == "sqlite" else f"${i}" for i in range(1, len(columns) + 1))
        await conn.execute_query(
            f"INSERT INTO users ({', '.join(columns)}) VALUES ({marks})",
            [user_id, "old.example", 1, now, now, "pioneer", "Pioneer", "p@example.org", "", "resident",
             "active", "", "", "{}"])

    await db.migrate(settings)  # every later migration, as `sns init` / `sns serve` run them

    async with db.database(settings):
        from sns.models import User

        pioneer = await User.get(id=user_id)
        assert pioneer.username == "pioneer" and pioneer.state == "active"
        assert pioneer.grey_score == 0.0


def test_committed_migrations_match_the_models(tmp_path):
    """A model changed without its migration would break `sns init` on every instance."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).parents[2]
    for package in ("sns", "moderation"):
        shutil.copytree(root / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "SNS_DATA": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    env.pop("SNS_DATABASE_URL", None)
    tortoise = Path(sys.executable).parent / "tortoise"
    result = subprocess.run([str(tortoise), "-c", "sns.db.TORTOISE_ORM", "makemigrations"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    made = sorted(p.name for p in (tmp_path / "sns" / "migrations").glob("0*.py"))
    committed = sorted(p.name for p in (root / "sns" / "migrations").glob("0*.py"))
    assert made == committed, f"models changed without a migration: {set(made) - set(committed)}"


async def test_upgrading_an_instance_with_peers_and_notices_adds_the_acting_columns(tmp_path):
    """Columns added to tables that already hold rows need a database default (SQLite refuses a NOT NULL
    column without one): an instance peered and with notices before acting-on-behalf upgrades."""
    settings = await make_settings(tmp_path)
    config = db.tortoise_config(settings)
    await migrate(config=config, target="models.0011_alert_source_name")
    await Tortoise.close_connections()

    now = datetime.now(timezone.utc)
    async with db.database(settings):
        conn = connections.get("default")
        columns = ("id", "origin", "url", "name", "fingerprint", "public_key", "backup_key", "state", "acts_for_us",
                   "added_at", "changed_at", "head_seq", "failures", "last_error")
        marks = ", ".join("?" if db.dialect() == "sqlite" else f"${i}" for i in range(1, len(columns) + 1))
        await conn.execute_query(
            f"INSERT INTO mirror_peers ({', '.join(columns)}) VALUES ({marks})",
            [uuid7(), "b.example", "http://b.example", "B", "SHA256:x", "k", "", "active", True, now, now, 7, 0, ""])

    await db.migrate(settings)

    async with db.database(settings):
        from sns.models import Peer

        peer = await Peer.get(origin="b.example")
        assert peer.head_seq == 7 and peer.acts_for_them is False and peer.behalf_cursor == 0
