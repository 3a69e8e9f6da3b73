"""A city's server is destroyed and rebuilt from its neighbour (`sns restore --from-peer`), with real
`sns serve` processes on loopback ports: A (a.test) has residents, diaries of every audience, mail, a
notice and an alert; B (b.test) mirrors it. A's data directory is deleted; restoring it with the backup
key gives back the same content digests and the very same journal; a resident signs in with her old
password and reads her friends-only diary and her mail; A goes on posting and B pulls it without a gap.
A wrong backup key is refused with nothing written; a restore killed with SIGKILL and run again ends the
same."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from browser.live import POSTGRES_HALF, SNS, LiveServer, fresh_database_url, migrated_database, wait_for
from fixtures import CSRF_RE, PASSWORD
from cities import replica_rows

pytestmark = [pytest.mark.slow, POSTGRES_HALF]

ALERT = {"kind": "fire", "title": "Fire near the station", "description": "Smoke.", "instruction": "Stay away.",
         "lat": 32.5073, "lon": 130.6016, "radius_m": 500, "severity": "Severe"}
SNAPSHOT = """
import asyncio, json
from sns import db
from sns.settings import load_settings
from sns.mirror.digest import content_digest, journal_digest

async def main():
    settings = load_settings()
    async with db.database(settings):
        from sns.models import JournalEntry, Peer, SiteSetting, CapSource
        top = await JournalEntry.filter(origin=settings.origin).order_by("-seq").first()
        head = top.seq if top else 0
        upto = int(__import__("os").environ.get("UPTO") or head)
        print(json.dumps({
            "records": await content_digest(),
            "journal": list(await journal_digest(settings.origin, upto=upto)),
            "entries": [[e.seq, e.kind, e.record_id, e.version, json.dumps(e.payload, sort_keys=True, default=str)]
                        for e in await JournalEntry.filter(origin=settings.origin).order_by("seq")],
            "head": head,
            "counter": [c.value for c in await __import__("sns.models", fromlist=["x"]).JournalCounter.filter(
                origin=settings.origin)],
            "peers": sorted([p.origin, p.state, p.fingerprint, p.failures, p.last_error]
                            for p in await Peer.all()),
            "site_settings": sorted([s.key, s.value] for s in await SiteSetting.all()),
            "cap_sources": sorted([c.url, c.label] for c in await CapSource.all()),
            "log": [[m.peer, m.what, m.detail] for m in await __import__("sns.models", fromlist=["x"]).MirrorLog.all()],
        }))

asyncio.run(main())
"""


def snapshot(server: LiveServer, upto: int | None = None) -> dict:
    env = {**server.env, "SNS_DATA": str(server.data_dir), "UPTO": str(upto or "")}
    done = subprocess.run([str(SNS.with_name("python")), "-c", SNAPSHOT], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def restore(server: LiveServer, neighbour: LiveServer, key: Path, fingerprint: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([str(SNS), "--data", str(server.data_dir), "restore", "--from-peer", neighbour.url,
                           "--backup-key", str(key), "--fingerprint", fingerprint],
                          env={**server.env, **env}, capture_output=True, text=True, timeout=180)


def journal_rows(server: LiveServer) -> int:
    """How many journal rows the (restoring) instance holds now; 0 before its database exists."""
    if server.database_url:
        import asyncpg

        async def count() -> int:
            conn = await asyncpg.connect(server.database_url)
            try:
                return await conn.fetchval("SELECT count(*) FROM journal")
            except asyncpg.UndefinedTableError:
                return 0
            finally:
                await conn.close()

        return asyncio.run(count())
    try:  # read-only: never make the file the restore is about to make
        with sqlite3.connect(f"file:{server.data_dir / 'sns.sqlite3'}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT count(*) FROM journal").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def replica_cursor(b: LiveServer, origin: str) -> int:
    rows = replica_rows(b, origin, "SELECT MAX(seq) FROM journal WHERE origin = ?", origin)
    return (rows[0][0] or 0) if rows else 0


def box_held(b: LiveServer, origin: str) -> float:
    rows = replica_rows(b, origin, "SELECT value FROM replica_meta WHERE key = 'instance_box'")
    return json.loads(rows[0][0])["fetched_at"] if rows else 0




def api(server: LiveServer, token: str, method: str, path: str, **kw) -> dict:
    r = httpx.request(method, server.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=30,
                      trust_env=False, **kw)
    assert r.status_code in (200, 201), (path, r.status_code, r.text)
    return r.json()


def signed_in(server: LiveServer, username: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, trust_env=False, timeout=30, follow_redirects=False)
    csrf = CSRF_RE.search(client.get("/login").text).group(1)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"].endswith("/home"), r.text[:500]
    return client


@pytest.fixture(scope="module")
def cities(tmp_path_factory):
    root = tmp_path_factory.mktemp("restore")
    a, b = (LiveServer(root / name, migrated_database(root / name)) for name in ("a", "b"))
    a.log, b.log = root / "a.log", root / "b.log"  # A's data directory is deleted: its log lives beside it
    a.extra_env = {"SNS_ORIGIN": "a.test"}
    b.extra_env = {"SNS_ORIGIN": "b.test", "SNS_MIRROR_INSTANCE_BOX_SECONDS": "2"}
    for city in (a, b):  # on copies of the migrated template: `sns init` makes the keys
        city.sns("init")
    key = root / "a-backup.key"
    a.sns("mirror", "backup-key", "--out", str(key))
    for name, role in (("hanako", "resident"), ("taro", "resident"), ("clerk", "staff"), ("firechief", "fire")):
        a.create_user(name, role)
    tokens = {name: a.sns("token", "create", name).strip() for name in ("hanako", "taro", "clerk", "firechief")}
    try:
        a.start()
        b.start()
        yield a, b, key, tokens, root
    finally:
        a.stop()
        b.stop()


def test_a_destroyed_city_comes_back_from_its_neighbour(cities):
    a, b, key, tokens, root = cities
    # A's content: friends, diaries of every audience, mail, a notice, an alert, and enough to take batches.
    api(a, tokens["hanako"], "POST", "/api/v1/friends/taro/request")
    api(a, tokens["taro"], "POST", "/api/v1/friends/hanako/accept")
    diaries = {}
    for visibility in ("public", "members", "friends", "private"):
        diaries[visibility] = api(a, tokens["hanako"], "POST", "/api/v1/diaries", json={
            "title": f"Hanako's {visibility} diary", "body": f"Only for {visibility}.", "visibility": visibility})["id"]
    for n in range(30):
        api(a, tokens["taro"], "POST", "/api/v1/diaries",
            json={"title": f"Taro's walk {n}", "body": "Along the river.", "visibility": "public"})
    api(a, tokens["taro"], "POST", "/api/v1/conversations",
        json={"to": ["hanako"], "subject": "Dinner on Friday", "body": "Shall we eat at the harbour?"})
    api(a, tokens["clerk"], "POST", "/api/v1/notices", json={"title": "Water off on Monday", "body": "9 to 12."})
    api(a, tokens["firechief"], "POST", "/api/v1/alerts", json=ALERT)

    # Peering, each confirming the other's fingerprint; B pulls A to its head, and keeps A's instance box.
    fp_a, fp_b = a.sns("mirror", "fingerprint").split()[0], b.sns("mirror", "fingerprint").split()[0]
    a.sns("mirror", "add", b.url, "--fingerprint", fp_b)
    b.sns("mirror", "add", a.url, "--fingerprint", fp_a)
    before = snapshot(a)
    assert before["head"] > 40 and before["journal"][1] == before["head"]
    wait_for(lambda: replica_cursor(b, "a.test") == before["head"], "B to pull all of A")
    # Hanako takes her public diary back (friends only now): B drops the open copy of its first version.
    api(a, tokens["hanako"], "PATCH", f"/api/v1/diaries/{diaries['public']}",
        json={"title": "Hanako's public diary", "body": "Only for public.", "visibility": "friends"})
    before = snapshot(a)
    wait_for(lambda: replica_cursor(b, "a.test") == before["head"], "B to pull the change")
    taken_back = [e[0] for e in before["entries"] if e[2] == diaries["public"] and e[3] == 1]
    peered = time.time()
    wait_for(lambda: box_held(b, "a.test") > peered, "B to hold A's instance box")

    # The server burns down: the process and its whole data directory (and, on PostgreSQL, its database).
    a.stop()
    shutil.rmtree(a.data_dir)
    if a.database_url:
        a.database_url = fresh_database_url()

    # A wrong backup key opens nothing, and writes nothing.
    stranger = LiveServer(root / "stranger", "")
    stranger.sns("mirror", "backup-key", "--out", str(root / "wrong.key"))
    wrong = restore(a, b, root / "wrong.key", fp_b)
    assert wrong.returncode == 1 and "Nothing was written" in wrong.stderr and "Traceback" not in wrong.stderr, wrong.stderr
    assert not a.data_dir.exists() and journal_rows(a) == 0

    # A restore killed midway (SIGKILL after a few batches of one entry each) ...
    killed = subprocess.Popen([str(SNS), "--data", str(a.data_dir), "restore", "--from-peer", b.url,
                               "--backup-key", str(key), "--fingerprint", fp_b],
                              env={**a.env, "SNS_MIRROR_BATCH_ENTRIES": "1"}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)
    try:  # (it migrates a new database first: slow on a busy machine)
        wait_for(lambda: journal_rows(a) >= 5 or killed.poll() is not None, "the restore to begin", timeout=400)
    finally:
        os.kill(killed.pid, signal.SIGKILL)
    killed.wait(10)
    held = journal_rows(a)
    assert 5 <= held < before["head"], (held, killed.stderr.read().decode()[-2000:])

    # ... refuses nothing when run again: it goes on from the highest number restored, and ends the same.
    done = restore(a, b, key, fp_b)
    assert done.returncode == 0, done.stderr
    assert f"after {held}" in done.stderr and "missing: nothing" in done.stderr, done.stderr
    assert "earlier versions not kept: 1 " in done.stderr, done.stderr
    a.start()
    after = snapshot(a)
    assert after["records"] == before["records"]
    # The very same journal, number for number; only the open first version of the diary taken back is gone.
    assert after["head"] == before["head"] == after["counter"][0] == len(after["entries"])
    assert [e[0] for e in after["entries"] if e[1] == "lost"] == taken_back
    assert [e for e in after["entries"] if e[1] != "lost"] == [e for e in before["entries"] if e[0] not in taken_back]
    assert after["site_settings"] == before["site_settings"]
    assert [p[:3] for p in after["peers"]] == [p[:3] for p in before["peers"]] == [["b.test", "active", fp_b]]
    assert (a.data_dir / "keys" / "instance.ed25519").stat().st_mode & 0o077 == 0
    assert a.sns("mirror", "fingerprint").split()[0] == fp_a

    # A resident signs in with her old password and reads what only she and her friends can.
    hanako = signed_in(a, "hanako")
    page = hanako.get(f"/diaries/{diaries['friends']}")
    assert page.status_code == 200 and "Hanako&#39;s friends diary" in page.text
    assert "Dinner on Friday" in hanako.get("/mail").text
    assert f"/diaries/{diaries['friends']}" in hanako.get("/search", params={"q": "friends"}).text  # indexed

    # A goes on: its next entry follows the last restored one, and B pulls it with no error.
    token = a.sns("token", "create", "hanako").strip()
    api(a, token, "POST", "/api/v1/diaries", json={"title": "Back again", "body": "Our city is up.",
                                                   "visibility": "public"})
    now = snapshot(a, upto=before["head"])
    assert now["journal"] == after["journal"]  # the restored journal is untouched ...
    assert now["head"] == before["head"] + 1  # ... and continued without a gap or a duplicate
    wait_for(lambda: replica_cursor(b, "a.test") == now["head"], "B to pull A's new entry")
    status = wait_for(lambda: [p for p in snapshot(b)["peers"] if p[0] == "a.test" and p[3] == 0], "B healthy")
    assert status[0][4] == "", status


def test_restoring_over_content_or_without_a_copy_is_refused(cities):
    a, b, key, tokens, root = cities
    fp_b = b.sns("mirror", "fingerprint").split()[0]
    over = restore(a, b, key, fp_b)  # A holds its content again: restoring over it would mix two histories
    assert over.returncode == 1 and "already holds content" in over.stderr and "Traceback" not in over.stderr
    elsewhere = LiveServer(root / "c", fresh_database_url())
    elsewhere.extra_env = {"SNS_ORIGIN": "c.test"}  # a city B never mirrored
    unknown = restore(elsewhere, b, key, fp_b)
    assert unknown.returncode == 1 and "holds no copy of c.test" in unknown.stderr, unknown.stderr
    wrong_fp = restore(elsewhere, b, key, "SHA256:" + "A" * 43)
    assert wrong_fp.returncode == 1 and "another fingerprint" in wrong_fp.stderr
    gone = LiveServer(root / "d", "")
    gone.extra_env = {"SNS_ORIGIN": "a.test"}
    unreachable = restore(gone, LiveServer(root / "nobody", ""), key, fp_b)
    assert unreachable.returncode == 1 and "Could not reach" in unreachable.stderr, unreachable.stderr
    assert not (root / "c").exists() and not (root / "d").exists()

    # Handing out a sealed box needs no signature, so it is logged and limited per address.
    asked = [httpx.get(f"{b.url}/mirror/v1/restore/a.test/instance-box", trust_env=False, timeout=30).status_code
             for _ in range(21)]
    assert asked[0] == 200 and asked[-1] == 429, asked
    log = snapshot(b)["log"]
    assert ["a.test", "box_handed_out", "sealed instance box handed to 127.0.0.1"] in log
    assert any(entry[:2] == ["a.test", "too_many"] for entry in log)
