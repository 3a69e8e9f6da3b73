"""A real city (B, `sns serve`) facing a hostile neighbour (tests/multi/fake_peer.py): a stranger's pull is
refused with 403 and logged; a paused or removed peer too; and what B pulls from the neighbour is refused,
logged (visible in `sns mirror status`) and not applied when it is forged, replayed, signed with another
key, gapped, of another origin or endless (cut at `mirror_max_batch_bytes` without reading 1 GB).

Runs on either database (B's own); when .ci/test runs both, in the SQLite half (what is refused is the
protocol's business, not the database's)."""

from __future__ import annotations

import pytest

from browser.live import SQLITE_HALF
from cities import City
from fake_peer import FakePeer

pytestmark = [pytest.mark.slow, SQLITE_HALF]


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    b = City(tmp_path_factory.mktemp("mirror-refusals"), "b", SNS_MIRROR_PULL_SECONDS="3600")  # pulls when told
    fake = FakePeer()
    b.start()
    try:
        yield b, fake
    finally:
        b.stop()
        fake.close()


def logged(b: City, what: str) -> bool:
    return what in b.status()


def test_a_stranger_cannot_pull(town):
    b, fake = town
    answer = fake.pull_from(b.url, b.origin)
    assert answer.status_code == 403 and answer.json()["what"] == "unknown_peer"
    assert "entries" not in answer.text
    status = b.status()
    assert "No peers yet" in status and "unknown_peer" in status


def test_a_peer_pulls_and_a_paused_one_cannot(town):
    b, fake = town
    b.sns("mirror", "add", fake.url, "--fingerprint", fake.fingerprint)
    assert fake.pull_from(b.url, b.origin).status_code == 200
    forged = fake.pull_from(b.url, b.origin, forge=True)
    assert forged.status_code == 403 and forged.json()["what"] == "bad_signature"
    b.sns("mirror", "pause", fake.origin)
    paused = fake.pull_from(b.url, b.origin)
    assert paused.status_code == 403 and paused.json()["what"] == "paused_peer"
    assert "paused" in b.status()
    b.sns("mirror", "resume", fake.origin)
    assert fake.pull_from(b.url, b.origin).status_code == 200
    # a peer may ask for its own journal back from us (restoring), never for a third city's
    other = fake.pull_from(b.url, b.origin, stream="another.test")
    assert other.status_code == 404
    status = b.status()
    assert "unknown_peer" in status and "bad_signature" in status and "paused_peer" in status


def sync(b: City, fake: FakePeer):
    return b.run_sns("mirror", "sync", fake.origin)


def test_good_batches_are_applied(town):
    b, fake = town
    fake.mode = "good"
    done = sync(b, fake)
    assert done.returncode == 0, done.stdout + done.stderr
    assert b.cursor_of(fake.origin) > 0


@pytest.mark.parametrize("mode, what", [
    ("forged", "bad_signature"), ("replay", "replay"), ("wrong_key", "bad_signature"), ("gap", "out_of_order"),
    ("foreign", "foreign_record"), ("endless", "too_large"),
])
def test_hostile_batches_are_refused_logged_and_not_applied(town, mode, what):
    b, fake = town
    held = b.cursor_of(fake.origin)
    assert held > 0, "a good batch first (test_good_batches_are_applied)"
    fake.mode = mode
    done = sync(b, fake)
    assert done.returncode == 1 and what in done.stdout + done.stderr, done.stdout + done.stderr
    assert b.cursor_of(fake.origin) == held, "nothing of it applied"
    assert logged(b, what)
    if mode == "endless":
        assert fake.bytes_sent < 64 << 20, f"read {fake.bytes_sent} bytes of an endless body"
    fake.mode = "good"


def test_a_removed_peer_is_neither_pulled_nor_served(town):
    b, fake = town
    b.sns("mirror", "remove", fake.origin)
    asked = fake.requests
    done = sync(b, fake)
    assert done.returncode != 0 and "not an active peer" in done.stdout + done.stderr
    assert fake.requests == asked
    answer = fake.pull_from(b.url, b.origin)
    assert answer.status_code == 403 and answer.json()["what"] == "removed_peer"
    assert logged(b, "removed_peer")
