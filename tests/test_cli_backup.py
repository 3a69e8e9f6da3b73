"""`sns backup --out DIR` of a running city, and `sns restore --from-backup DIR` into a new one (real processes).

A small town runs in `sns serve`; while a resident keeps posting diaries with photos through the server,
`sns backup` writes its copy. The copy is restored into an empty data directory (on PostgreSQL, into a
new empty database). "The same content" is defined per table: the backup's manifest records, for every
table, the number of rows and an order-free digest of them as the backup's snapshot saw them, and the
restored database must give exactly those; beside that, the restored diaries must be a subset of the
source's (the writer went on after the snapshot, never before it) and every photo file must be byte for
byte the source's. Then the restored city serves the diary and its photo. A damaged backup and a data
directory that is not empty are refused before anything is written.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from browser.live import PASSWORD, SNS, LiveServer, fresh_database_url, migrated_database
from fixtures import jpeg_with_gps
from sns.backup import database_digests, libpq_url
from sns.keys import ensure_keys
from sns.settings import load_settings

pytestmark = pytest.mark.slow
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PHOTO = re.compile(r'/photos/([0-9a-f-]{36})\.jpg')


def _form(http: httpx.Client, path: str, data: dict, files=None) -> httpx.Response:
    token = CSRF.search(http.get(path).text).group(1)
    return http.post(path, data={**data, "csrf_token": token}, files=files)


def _signed_in(server: LiveServer, name: str) -> httpx.Client:
    http = httpx.Client(base_url=server.url, trust_env=False, timeout=30)
    assert _form(http, "/login", {"username": name, "password": PASSWORD}).status_code == 303
    return http


def _diary(http: httpx.Client, title: str, visibility: str, photo: bytes | None = None) -> str:
    files = {"photos": ("photo.jpg", photo, "image/jpeg")} if photo else None
    answer = _form(http, "/diaries/new", {"title": title, "body": f"{title}, written on a phone.",
                                          "visibility": visibility}, files=files)
    assert answer.status_code == 303, answer.text[:2000]
    return answer.headers["location"]


def _sns(server: LiveServer, data_dir: Path, database_url: str, *args: str) -> subprocess.CompletedProcess:
    """An `sns` command on another data directory (and database) with the server's other settings."""
    env = {**server.env, "DATABASE_URL": database_url, "COLUMNS": "200"}
    return subprocess.run([str(SNS), "--data", str(data_dir), *args], env=env, capture_output=True, text=True,
                           timeout=180)


def _diaries(data_dir: Path, database_url: str) -> set[tuple]:
    """(id, title, body, visibility) of every diary, read straight from the database."""
    return _rows(data_dir, database_url, "SELECT id, title, body, visibility FROM diaries")


def _rows(data_dir: Path, database_url: str, query: str) -> set[tuple]:
    if not database_url:
        with sqlite3.connect(data_dir / "sns.sqlite3") as db:
            return set(db.execute(query))

    async def read():
        import asyncpg

        conn = await asyncpg.connect(libpq_url(load_settings(data_dir, database_url=database_url)))
        try:
            return {tuple(r) for r in await conn.fetch(query)}
        finally:
            await conn.close()

    return asyncio.run(read())


class Writer(threading.Thread):
    """A resident who keeps posting diaries with a photo through the server, as the backup runs."""

    def __init__(self, server: LiveServer) -> None:
        super().__init__(daemon=True)
        self.http, self.stop, self.posted, self.error = _signed_in(server, "taro"), threading.Event(), 0, None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                _diary(self.http, f"Busy day {self.posted}", "public", jpeg_with_gps("green"))
                self.posted += 1
        except Exception as exc:  # told to the test, which fails on it
            self.error = exc

    def wait_for(self, posts: int) -> None:
        deadline = time.monotonic() + 60
        while self.posted < posts and self.error is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.error is None and self.posted >= posts, self.error


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    root = tmp_path_factory.mktemp("backup-town")
    (root / "city").mkdir()
    city = LiveServer(root / "city", migrated_database(root / "city"))  # as `sns init` leaves it, but quicker
    ensure_keys(city.data_dir / "keys")
    for name in ("hanako", "taro"):
        city.create_user(name)
    city.start()
    try:
        http = _signed_in(city, "hanako")
        public = _diary(http, "Lanterns on the river", "public", jpeg_with_gps("orange"))
        private = _diary(http, "Our kitchen", "friends", jpeg_with_gps("blue"))
        photo = PHOTO.search(http.get(public).text).group(1)
        cookies = dict(http.cookies)
        http.close()
        writer = Writer(city)
        writer.start()
        try:
            writer.wait_for(1)
            made = _sns(city, city.data_dir, city.database_url, "backup", "--out", str(root / "backup"))
            at_backup = writer.posted
            writer.wait_for(at_backup + 1)  # the city goes on after the snapshot
        finally:
            writer.stop.set()
            writer.join(60)
        assert made.returncode == 0, made.stderr
        yield {"root": root, "city": city, "public": public, "private": private, "photo": photo,
               "cookies": cookies, "backup": root / "backup", "made": made}
    finally:
        city.stop()


def test_the_backup_says_what_it_holds(town):
    manifest = json.loads((town["backup"] / "manifest.json").read_text())
    assert manifest["origin"] == "browser.test" and manifest["format"] == 1
    assert manifest["database"] == ("postgres" if town["city"].database_url else "sqlite")
    assert manifest["migration"].startswith("00") and manifest["created_at"]
    assert f"media/{town['photo'][-2:]}/{town['photo']}.jpg" in manifest["files"]
    assert {"keys/secret.key", "keys/instance.ed25519"} <= set(manifest["files"])
    assert manifest["tables"]["diaries"]["rows"] >= 3 and manifest["tables"]["users"]["rows"] == 2
    assert "Backed up browser.test" in town["made"].stderr
    again = _sns(town["city"], town["city"].data_dir, town["city"].database_url, "backup", "--out",
                 str(town["backup"]))
    assert again.returncode != 0 and "is not empty" in again.stderr


def test_restore_gives_back_the_city_as_it_was_at_the_backup(town):
    city, root = town["city"], town["root"]
    manifest = json.loads((town["backup"] / "manifest.json").read_text())
    restored = LiveServer(root / "restored", fresh_database_url())
    done = _sns(city, restored.data_dir, restored.database_url, "restore", "--from-backup", str(town["backup"]))
    assert done.returncode == 0, done.stderr
    assert "Restored browser.test" in done.stderr

    # the same rows, table by table, as the backup's snapshot had them
    settings = load_settings(restored.data_dir, database_url=restored.database_url)
    assert asyncio.run(database_digests(settings)) == manifest["tables"]
    # ... which is a moment of the running city: all it had then, unchanged, and not what came later
    before, now = _diaries(restored.data_dir, restored.database_url), _diaries(city.data_dir, city.database_url)
    assert before < now and len(before) == manifest["tables"]["diaries"]["rows"]
    # photos byte for byte, whole (never a half-written one), and keys private
    media = sorted(p.relative_to(settings.media_dir) for p in settings.media_dir.rglob("*") if p.is_file())
    assert media and [str(p) for p in media] == sorted(n[len("media/"):] for n in manifest["files"]
                                                       if n.startswith("media/"))
    for path in media:
        assert (settings.media_dir / path).read_bytes() == (city.data_dir / "media" / path).read_bytes()
    photos = {row[0] for row in _rows(restored.data_dir, restored.database_url, "SELECT id FROM photos")}
    assert len(photos) >= 3 and all((settings.media_dir / i[-2:] / f"{i}.jpg").is_file() for i in photos)
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in settings.keys_dir.iterdir())

    restored.start()
    try:
        with httpx.Client(base_url=restored.url, trust_env=False, timeout=30) as visitor:
            page = visitor.get(town["public"])
            assert page.status_code == 200 and "Lanterns on the river" in page.text
            photo = visitor.get(f"/photos/{town['photo']}.jpg")
            assert photo.status_code == 200
            assert photo.content == (city.data_dir / "media" / town["photo"][-2:] / f"{town['photo']}.jpg").read_bytes()
            assert visitor.get(town["private"]).status_code in (403, 404)
        # the session key came back too: hanako is still signed in, and sees her friends-only diary
        with httpx.Client(base_url=restored.url, trust_env=False, timeout=30, cookies=town["cookies"]) as hanako:
            assert "Our kitchen" in hanako.get(town["private"]).text
    finally:
        restored.stop()

    refused = _sns(city, restored.data_dir, restored.database_url, "restore", "--from-backup", str(town["backup"]))
    assert refused.returncode != 0 and "is not empty" in refused.stderr


def test_a_damaged_backup_is_refused_before_anything_is_written(town):
    root = town["root"]
    damaged = root / "damaged"
    shutil.copytree(town["backup"], damaged)
    photo = damaged / "media" / town["photo"][-2:] / f"{town['photo']}.jpg"
    data = bytearray(photo.read_bytes())
    data[len(data) // 2] ^= 1  # one byte changed
    photo.write_bytes(bytes(data))
    target, url = root / "from-damaged", fresh_database_url()
    refused = _sns(town["city"], target, url, "restore", "--from-backup", str(damaged))
    assert refused.returncode != 0
    assert "The backup is damaged" in refused.stderr and f"{town['photo']}.jpg" in refused.stderr
    assert not target.exists() or not any(target.iterdir())
    if url:  # the new database is still empty
        settings = load_settings(target, database_url=url)
        assert asyncio.run(database_digests(settings)) == {}


def test_restore_takes_exactly_one_source(town, tmp_path):
    both = _sns(town["city"], tmp_path / "x", "", "restore", "--from-backup", str(town["backup"]),
                "--from-peer", "http://127.0.0.1:9")
    assert both.returncode != 0 and "exactly one of --from-peer" in both.stderr
    assert not os.path.exists(tmp_path / "x")


@pytest.mark.skipif(bool(os.environ.get("SNS_TEST_DATABASE_URL")), reason="SQLite only: the same in both runs")
def test_a_backup_from_an_older_version_is_brought_up_to_date(tmp_path):
    """A backup taken before the newest migration: restore applies what it lacks (SQLite, in process:
    the database kind does not matter to this)."""
    from tortoise import Tortoise
    from tortoise.migrations.api import migrate

    from sns import backup, db
    from sns.keys import ensure_keys

    old = load_settings(tmp_path / "old", database_url="", origin="old.test")
    old.data_dir.mkdir()
    ensure_keys(old.keys_dir)
    earlier = sorted(p.stem for p in (Path(db.__file__).parent / "migrations").glob("00*.py"))[-2]

    async def migrate_to_earlier():
        await migrate(config=db.tortoise_config(old), target=f"models.{earlier}")
        await Tortoise.close_connections()

    asyncio.run(migrate_to_earlier())
    manifest = backup.backup(old, tmp_path / "backup", lambda *_: None)
    assert manifest["migration"] == earlier != backup.latest_migration()

    env = {k: v for k, v in os.environ.items() if not k.startswith("SNS_") and k != "DATABASE_URL"}
    done = subprocess.run([str(SNS), "--data", str(tmp_path / "new"), "restore", "--from-backup",
                           str(tmp_path / "backup")], env={**env, "SNS_ORIGIN": "old.test", "COLUMNS": "200"},
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert f"the backup was at {earlier}; brought up to {backup.latest_migration()}" in done.stderr
    with sqlite3.connect(tmp_path / "new" / "sns.sqlite3") as restored:
        applied = restored.execute("SELECT MAX(name) FROM tortoise_migrations WHERE app = 'models'").fetchone()[0]
    assert applied == backup.latest_migration()


def test_restore_refuses_another_origin(town, tmp_path):
    other = {**town["city"].env, "SNS_ORIGIN": "elsewhere.test", "DATABASE_URL": ""}
    done = subprocess.run([str(SNS), "--data", str(tmp_path / "new"), "restore", "--from-backup", str(town["backup"])],
                          env=other, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "This backup is of browser.test" in done.stderr
    assert not (tmp_path / "new").exists()
