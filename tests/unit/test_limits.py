"""Rate limits in each of their stores (sns/limits.py): this process's memory, the site's database (SQLite, or
PostgreSQL with SNS_TEST_DATABASE_URL) and a real Redis. What a resident or an operator sees: a limit lets
through what it says, a burst at a window's edge does not get twice as much, many hits at once are counted
exactly, old counts go away, and a store that cannot be reached neither locks people out nor goes quiet."""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import replace

import pytest

from sns.limits import DatabaseStore, MemoryStore, RateLimiter, RedisStore, open_store
from sns.models import RateCount
_names = itertools.count()


class Clock:
    """Seconds since the epoch that a test moves forward by itself (to stand at a window's edge)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "database", "redis"])
async def store(request, site, caplog):
    """Each store (the database is the test module's site's); the test fails if it ever fell back to
    counting in the process."""
    if request.param == "memory":
        chosen = MemoryStore()
    elif request.param == "database":
        chosen = DatabaseStore()
    else:
        chosen = RedisStore(request.getfixturevalue("redis_url"), "test:rate:")
    with caplog.at_level(logging.WARNING, logger="sns.limits"):
        yield chosen
    await chosen.close()
    assert not [r for r in caplog.get_records("call") if "store failed" in r.getMessage()]


def limiter(store, limit: int, window: int = 60, clock=None) -> RateLimiter:
    """A limiter with a name of its own, so tests sharing a store do not count each other's hits."""
    return RateLimiter(f"t{next(_names)}", limit, window, store, **({"clock": clock} if clock else {}))


async def test_a_limit_lets_its_number_through_then_refuses_until_reset(store):
    logins = limiter(store, 3)
    assert [await logins.hit("ip:10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert await logins.blocked("ip:10.0.0.1")
    assert not await logins.blocked("ip:10.0.0.2")  # another address counts on its own
    await logins.reset("ip:10.0.0.1")
    assert not await logins.blocked("ip:10.0.0.1") and await logins.hit("ip:10.0.0.1")


async def test_a_burst_at_a_windows_edge_does_not_get_twice_the_limit(store):
    clock = Clock(6_000_000 * 60 + 59.0)  # one second before a window turns over
    posts = limiter(store, 10, 60, clock)
    assert all([await posts.hit("resident") for _ in range(10)])
    clock.now += 1.5  # just past the turn: a bare fixed window would let ten more through
    through = sum([await posts.hit("resident") for _ in range(10)])
    assert through <= 1
    clock.now += 30  # half the old window still counts: about half the limit again
    assert 4 <= sum([await posts.hit("resident") for _ in range(10)]) <= 5
    clock.now += 120  # two windows later everything is forgotten
    assert not await posts.blocked("resident")
    assert all([await posts.hit("resident") for _ in range(10)])


async def test_many_hits_at_once_are_counted_exactly(store):
    logins = limiter(store, 15)
    answers = await asyncio.gather(*(logins.hit("user:dora") for _ in range(40)))
    assert answers.count(True) == 15
    row, previous, _, _ = logins._rows("user:dora")
    assert await store.read(row, previous) == (15, 0)  # the refused ones were given back


async def test_a_long_key_is_counted_like_a_short_one(store):
    """A sign-in form's username is whatever was typed; its row's key stays short enough for the table."""
    logins = limiter(store, 2)
    key = "user:" + "x" * 5000
    assert [await logins.hit(key) for _ in range(3)] == [True, True, False]


async def test_old_windows_are_cleaned_up_now_and_then(site):
    clock = Clock(7_000_000 * 60.0)
    resets = limiter(DatabaseStore(), 5, 60, clock)
    await resets.hit("reset:10.0.0.1")
    clock.now += 60
    await resets.hit("reset:10.0.0.1")  # the previous window is still needed
    assert await RateCount.filter(key__startswith=resets.name + ":").count() == 2
    clock.now += 120
    await resets.hit("reset:10.0.0.2")
    assert [r.key for r in await RateCount.filter(key__startswith=resets.name + ":")] == [
        f"{resets.name}:reset:10.0.0.2:{int(clock.now // 60)}"]


async def test_an_unreachable_store_counts_in_the_process_and_says_so(caplog):
    """Redis down during a disaster: residents still get in, sign-in attempts are still counted (here), and
    the log says so."""
    down = RedisStore("redis://127.0.0.1:9/0")  # nothing listens on port 9
    logins = limiter(down, 2)
    with caplog.at_level(logging.WARNING, logger="sns.limits"):
        assert [await logins.hit("ip:10.0.0.9") for _ in range(3)] == [True, True, False]
        assert await logins.blocked("ip:10.0.0.9")
    assert "counting in this process only" in caplog.text
    await down.close()


async def test_limits_url_chooses_the_store(site, redis_url):
    settings = site.settings
    assert isinstance(open_store(replace(settings, limits_url="", broadcast_url="memory://")), DatabaseStore)
    assert isinstance(open_store(replace(settings, limits_url="memory://")), MemoryStore)
    for chosen in (replace(settings, limits_url=redis_url), replace(settings, limits_url="", broadcast_url=redis_url)):
        store = open_store(chosen)
        assert isinstance(store, RedisStore)
        await store.close()
    with pytest.raises(ValueError):
        open_store(replace(settings, limits_url="http://example.org"))
