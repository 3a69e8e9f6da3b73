"""What every reader sees alike is kept a few seconds (sns.services.shared), and that is safe.

- the shared lists and feeds only ever hold public, published, not deleted entries, whoever
  asked first (a friend, the author, a moderator);
- a change made through the services shows at once; rows written around them (another worker,
  a mirror) show once `shared_cache_seconds` have passed;
- each reader's blocks still apply to what is shared.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from sns.models import Diary, User
from sns.models.base import utcnow
from sns.services import shared, timelines
from sns.services.rows import DiaryRow, NoticeRow
from sns.web import feeds, visitors


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(timelines._shared, "clock", c)
    monkeypatch.setattr(feeds._shared, "clock", c)
    monkeypatch.setattr(visitors._pages, "clock", c)  # the front page as visitors get it
    shared.public_changed()
    yield c
    shared.public_changed()


async def _friends(a, b, a_user, b_user):
    assert (await a.submit("/friends/request", {"user_id": b_user.id})).status_code == 303
    assert (await b.submit("/friends/accept", {"user_id": a_user.id})).status_code == 303


async def _write(client, title, visibility="public"):
    r = await client.submit("/diaries/new", {"title": title, "body": f"About {title}.", "visibility": visibility})
    assert r.status_code == 303, r.text
    return r.headers["location"].rsplit("/", 1)[1]


def _shared_rows():
    out = []
    for value in timelines._shared.values():
        out.extend(value)
    return out


async def test_only_public_entries_are_ever_shared(site, clock):
    author, friend = await site.user("sc_author"), await site.user("sc_friend")
    a, f, anon = site.client(), site.client(), site.client()
    await a.login("sc_author")
    await f.login("sc_friend")
    await _friends(a, f, author, friend)
    for visibility in ("public", "members", "friends", "private"):
        await _write(a, f"Shared-{visibility}", visibility)
    gone = await _write(a, "Shared-deleted")
    await Diary.filter(id=gone).update(deleted_at=utcnow())
    held = await _write(a, "Shared-held")
    await Diary.filter(id=held).update(state="held")
    shared.public_changed()
    # the first to ask may see everything: the author, then a friend; then a visitor
    for client, path in ((a, "/home"), (f, "/home"), (anon, "/"), (anon, "/feeds/diaries.atom"),
                         (anon, "/feeds/notices.atom")):
        assert (await client.get(path)).status_code == 200
    rows = _shared_rows()
    assert any(isinstance(r, DiaryRow) for r in rows)
    for row in rows:
        assert isinstance(row, (DiaryRow, NoticeRow))
        if isinstance(row, DiaryRow):
            assert (row.visibility, row.state, row.deleted_at) == ("public", "published", None), row
    for body in feeds._shared.values():
        assert b"Shared-public" in body or b"notices" in body
        for hidden in ("members", "friends", "private", "deleted", "held"):
            assert f"Shared-{hidden}".encode() not in body
    # and what readers get from it is what they may see
    assert "Shared-friends" in (await f.get("/home")).text  # their friends' section, not the shared one
    front = (await anon.get("/")).text
    assert "Shared-public" in front
    assert all(f"Shared-{hidden}" not in front for hidden in ("members", "friends", "private", "deleted", "held"))


async def test_changes_through_the_services_show_at_once(site, clock):
    await site.user("sc_writer")
    await site.user("sc_reader")
    w, r, anon = site.client(), site.client(), site.client()
    await w.login("sc_writer")
    await r.login("sc_reader")
    for client, path in ((r, "/home"), (anon, "/"), (anon, "/feeds/diaries.atom")):
        await client.get(path)  # the shared parts are now kept
    diary_id = await _write(w, "Fresh persimmons")
    assert "Fresh persimmons" in (await r.get("/home")).text
    assert "Fresh persimmons" in (await anon.get("/")).text
    assert "Fresh persimmons" in (await anon.get("/feeds/diaries.atom")).text
    # made friends-only: gone from every shared place at once
    edit = await w.submit(f"/diaries/{diary_id}/edit", {"title": "Fresh persimmons", "body": "Only friends.",
                                                       "visibility": "friends"})
    assert edit.status_code == 303, edit.text
    assert "Fresh persimmons" not in (await r.get("/home")).text
    assert "Fresh persimmons" not in (await anon.get("/")).text
    assert "Fresh persimmons" not in (await anon.get("/feeds/diaries.atom")).text


async def test_rows_written_elsewhere_show_within_the_cache_time(site, clock):
    writer = await site.user("sc_elsewhere")
    anon = site.client()
    assert "From another worker" not in (await anon.get("/")).text
    await Diary.create(author_id=writer.id, title="From another worker", body="Hi.", visibility="public",
                       origin=site.settings.origin)
    assert "From another worker" not in (await anon.get("/")).text  # still the kept list
    clock.now += site.settings.shared_cache_seconds
    assert "From another worker" in (await anon.get("/")).text
    assert "From another worker" in (await anon.get("/feeds/diaries.atom")).text


async def test_blocks_apply_to_what_is_shared(site, clock):
    await site.user("sc_blocker")
    noisy = await site.user("sc_noisy")
    b, n = site.client(), site.client()
    await b.login("sc_blocker")
    await n.login("sc_noisy")
    await _write(n, "Noisy neighbour news")
    assert "Noisy neighbour news" in (await b.get("/home")).text
    assert (await b.submit("/friends/block", {"user_id": noisy.id})).status_code == 303
    assert "Noisy neighbour news" not in (await b.get("/home")).text
    assert "Noisy neighbour news" not in (await n.get("/home")).text  # nor their own, in "New in town"


async def test_enough_entries_when_blocks_hide_most_of_the_shared_ones(site, clock):
    """When a reader's blocks leave fewer than a page of the shared entries, their list comes from
    the database, as before the cache."""
    await site.user("sc_reader2")
    prolific, others = await site.user("sc_prolific"), await site.user("sc_quiet")
    for i in range(10):
        await Diary.create(author_id=others.id, title=f"Quiet {i}", body=".", visibility="public",
                           origin=site.settings.origin)
    for i in range(timelines.SHARED_TOWN_DIARIES):
        await Diary.create(author_id=prolific.id, title=f"Prolific {i}", body=".", visibility="public",
                           origin=site.settings.origin)
    r = site.client()
    await r.login("sc_reader2")
    assert (await r.submit("/friends/block", {"user_id": prolific.id})).status_code == 303
    home = (await r.get("/home")).text
    assert "Prolific" not in home
    assert sum(f"Quiet {i}<" in home for i in range(10)) == 10


async def test_my_page_remembers_the_visit_once_a_minute(site, clock):
    me, friend = await site.user("sc_me"), await site.user("sc_pal")
    m, p = site.client(), site.client()
    await m.login("sc_me")
    await p.login("sc_pal")
    await _friends(m, p, me, friend)
    await User.filter(id=me.id).update(last_seen_home_at=utcnow() - timedelta(days=1))
    await _write(p, "Pal's first", "friends")
    assert "<strong>1</strong> new from friends" in (await m.get("/home")).text
    seen = (await User.get(id=me.id)).last_seen_home_at
    assert utcnow() - seen < timedelta(seconds=10)
    await _write(p, "Pal's second", "friends")
    assert "<strong>1</strong> new from friends" in (await m.get("/home")).text  # since the visit before
    assert (await User.get(id=me.id)).last_seen_home_at == seen  # a reload within a minute writes nothing
    await User.filter(id=me.id).update(last_seen_home_at=seen - timelines.SEEN_AGAIN_AFTER)
    assert "<strong>2</strong> new from friends" in (await m.get("/home")).text
    assert "<strong>0</strong> new from friends" in (await m.get("/home")).text


async def test_one_load_for_many_readers_and_none_kept_across_a_change():
    cache = shared.SharedCache(clock=Clock())
    calls = 0
    release = asyncio.Event()

    async def load():
        nonlocal calls
        calls += 1
        await release.wait()
        return calls

    waiting = [asyncio.create_task(cache.get("k", 5, load)) for _ in range(20)]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*waiting) == [1] * 20 and calls == 1
    assert await cache.get("k", 5, load) == 1  # kept
    # a change while loading: the value loaded before it is handed out but not kept
    release.clear()
    slow = asyncio.create_task(cache.get("j", 5, load))
    await asyncio.sleep(0)
    shared.public_changed()
    release.set()
    assert await slow == 2
    assert await cache.get("j", 5, load) == 3
    assert await cache.get("x", 0, load) == 4 and await cache.get("x", 0, load) == 5  # 0 s: never kept
    # a failing load is not kept either, and the next reader tries again
    async def broken():
        raise RuntimeError("database away")

    with pytest.raises(RuntimeError):
        await cache.get("b", 5, broken)
    assert await cache.get("b", 5, load) == 6
