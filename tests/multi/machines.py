"""Several "machines" of one city: real `sns serve` processes, each on its own data directory (as on its own
machine), sharing one PostgreSQL database, one media directory and the instance keys copied from the first,
and, when asked, one Redis (docs/deploying.md). PostgreSQL only: SQLite is one machine's database.

    with city_machines(tmp_path, 2, redis_url=...) as (a, b):
        a.create_user(...)   # `sns` commands run on the first machine
        ...                  # both are serving
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from browser.live import LiveServer, migrated_database

needs_postgres = pytest.mark.skipif(not os.environ.get("SNS_TEST_DATABASE_URL"),
                                    reason="needs PostgreSQL (SNS_TEST_DATABASE_URL): machines share its database")


def machine(root: Path, name: str, database_url: str, media: Path, env: dict[str, str]) -> LiveServer:
    data = root / name
    data.mkdir(parents=True, exist_ok=True)
    server = LiveServer(data, database_url)
    server.log = data / "server.log"
    server.extra_env = {"SNS_MEDIA_DIR": str(media), **env}
    return server


@contextmanager
def city_machines(root: Path, count: int = 2, *, redis_url: str = "", env: dict[str, str] | None = None,
                  start: bool = True) -> Iterator[list[LiveServer]]:
    """`count` machines of one city. The broker is Redis when `redis_url` is given, else the database.
    `env` adds settings (SNS_...) to every machine; each machine's own `extra_env` may be changed before
    `start()`. The first machine runs `sns init` (migrations, keys); the others get copies of its keys."""
    url = migrated_database(root / "a")  # what `sns init` leaves, copied: migrating anew takes ~20 s here
    media = root / "shared-media"
    media.mkdir(parents=True, exist_ok=True)
    settings = {"SNS_BROADCAST_URL": redis_url or url, "SNS_SECOND_FACTOR_ROLES": "", **(env or {})}
    machines = [machine(root, chr(ord("a") + i), url, media, settings) for i in range(count)]
    first = machines[0]
    first.sns("init")
    for other in machines[1:]:
        shutil.copytree(first.data_dir / "keys", other.data_dir / "keys", dirs_exist_ok=True)
    try:
        if start:
            for m in machines:
                m.start()
        yield machines
    finally:
        for m in machines:
            m.stop()
