"""Two neighbouring cities on real `sns serve` processes: B's replica of A converges with A's open records
(content digests), also when either side is killed with SIGKILL in the middle of a sync, when the
connection between them is cut and healed, and when A is down "for hours" while it keeps being written.

Runs on either database (A's and B's own); when .ci/test runs both, in the SQLite half, where B's replica of A
is a file that a killed process must leave whole (tests/unit runs the replicas on both databases)."""

from __future__ import annotations

import time

import pytest

from browser.live import SQLITE_HALF
from cities import City, Proxy, assert_converged, peer

pytestmark = [pytest.mark.slow, SQLITE_HALF]
SMALL_BATCHES = {"SNS_MIRROR_BATCH_ENTRIES": "25"}  # many round trips: a sync long enough to kill in the middle


@pytest.fixture(scope="module")
def cities(tmp_path_factory):
    root = tmp_path_factory.mktemp("mirror-sync")
    a, b = City(root, "a", **SMALL_BATCHES), City(root, "b", **SMALL_BATCHES)
    head = a.write(1600)  # before B knows A: B starts from zero with a big journal to fetch
    a.start()
    b.start()
    try:
        yield a, b, head
    finally:
        a.stop()
        b.stop()


def test_killed_mid_sync_either_side_then_restarted_loses_nothing_and_applies_nothing_twice(cities):
    a, b, head = cities
    peer((a, b))
    first = b.wait_for(a.origin, 150)
    assert first < head, "the sync ended before it could be interrupted: make the journal bigger"
    b.kill()  # SIGKILL while it applies batches
    held = b.cursor_of(a.origin)
    b.start()
    b.wait_for(a.origin, held + 250)
    assert b.cursor_of(a.origin) < head
    a.kill()  # and the origin, while B is fetching from it
    time.sleep(1.5)
    assert b.cursor_of(a.origin) < head
    a.start()
    b.wait_for(a.origin, head)
    assert_converged(b, a)


def test_the_connection_cut_and_healed(cities):
    a, b, _ = cities
    proxy = Proxy(a.port)
    try:
        b.sns("mirror", "add", proxy.url, "--fingerprint", a.fingerprint)  # B now reaches A through the cable
        proxy.cut()
        head = a.write(300)
        time.sleep(4)  # several pull rounds fail meanwhile
        assert b.cursor_of(a.origin) < head
        status = b.status()
        assert "unreachable" in status and "down" in status, status
        proxy.heal()
        b.wait_for(a.origin, head)
        assert_converged(b, a)
        assert " ok " in b.status().replace("│", " ")
    finally:
        b.sns("mirror", "add", a.url, "--fingerprint", a.fingerprint)
        proxy.close()


def test_a_peer_down_for_hours_catches_up_on_return(cities):
    a, b, _ = cities
    a.stop()
    head = a.write(600)  # the city kept working offline (or B was the one away): much to catch up on
    time.sleep(3)
    assert "down" in b.status()
    a.start()
    b.wait_for(a.origin, head)
    assert_converged(b, a)


