"""Database configuration and migrations (Tortoise 1.x, built-in migrations)."""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from typing import AsyncIterator

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url

from sns.settings import Settings, load_settings

MODELS = ["sns.models"]
# the library's SQLite and asyncpg clients, each statement timed (/metrics): sns/db_timing/
TIMED_ENGINES = {"tortoise.backends.sqlite": "sns.db_timing.sqlite",
                 "tortoise.backends.asyncpg": "sns.db_timing.asyncpg"}


def tortoise_config(settings: Settings) -> dict:
    url = settings.db_url
    if url.startswith("sqlite://"):
        connection: dict = {
            "engine": TIMED_ENGINES["tortoise.backends.sqlite"],
            "credentials": {
                "file_path": url[len("sqlite://"):],
                "journal_mode": "WAL",
                "journal_size_limit": 16 * 1024 * 1024,
                "foreign_keys": "ON",
                "synchronous": "NORMAL",
            },
        }
    else:
        connection = expand_db_url(url)
        connection["engine"] = TIMED_ENGINES.get(connection["engine"], connection["engine"])  # others: untimed
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODELS,
                "migrations": "sns.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _cli_config() -> dict:
    """Config for the `tortoise` command: `tortoise -c sns.db.TORTOISE_ORM makemigrations`."""
    return tortoise_config(load_settings(os.environ.get("SNS_DATA")))


def __getattr__(name: str):  # lazily, so importing sns.db reads no environment
    if name == "TORTOISE_ORM":
        return _cli_config()
    raise AttributeError(name)


async def migrate(settings: Settings) -> None:
    """Apply every committed migration (idempotent)."""
    from tortoise.migrations.api import migrate as run_migrations

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await run_migrations(config=tortoise_config(settings))
    await Tortoise.close_connections()


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[None]:
    """Open the database for a command-line task (the web app uses RegisterTortoise)."""
    await Tortoise.init(config=tortoise_config(settings))
    try:
        yield
    finally:
        await connections.close_all()


def dialect() -> str:
    return connections.get("default").capabilities.dialect
