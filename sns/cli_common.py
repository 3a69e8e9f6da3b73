"""What every `sns` command shares: the settings of the data directory, making it ready, the console."""

from __future__ import annotations

import os

from rich.console import Console

from sns.settings import Settings, load_settings

console = Console(stderr=True)


def _settings(data: str | None, **overrides) -> Settings:
    settings = load_settings(data, **overrides)
    os.environ["SNS_DATA"] = str(settings.data_dir)  # so server workers read the same directory
    return settings


async def _init(settings: Settings) -> None:
    from sns import db  # (here: `sns --help` and the light commands need no database code)
    from sns.keys import ensure_keys

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    ensure_keys(settings.keys_dir)
    await db.migrate(settings)
