"""The table of what each journaled change bumps (sns/view_versions.py): every kind is decided."""

from __future__ import annotations

from types import SimpleNamespace

from sns import journal, view_versions


def test_every_journal_kind_has_a_decision():
    decided = [set(view_versions.RULES), set(view_versions.NOT_SHOWN), set(view_versions.SITE_WIDE)]
    for kind in journal.KINDS:
        assert sum(kind in group for group in decided) == 1, f"{kind}: bumps what? (sns/view_versions.py)"
    assert set().union(*decided) <= set(journal.KINDS)


def test_an_unknown_kind_bumps_the_whole_site():
    assert view_versions.keys_for("something_new", SimpleNamespace(id="x")) == (["site"], [])


def test_a_diary_entry_bumps_its_page_its_author_the_town_and_the_authors_friends():
    keys, selects = view_versions.keys_for("diary", SimpleNamespace(id="d1", author_id="a1"))
    assert set(keys) == {"d:d1", "u:a1", "town"}
    assert [param for _, param in selects] == ["a1"] and "friendships" in selects[0][0]


def test_a_block_and_a_friendship_bump_both_people():
    assert set(view_versions.keys_for("block", SimpleNamespace(blocker_id="a", blocked_id="b"))[0]) == {"u:a", "u:b"}
    assert set(view_versions.keys_for("friendship", SimpleNamespace(user_id="a", friend_id="b"))[0]) == {"u:a", "u:b"}


def test_mail_bumps_nothing_no_kept_page_shows_it():
    assert view_versions.keys_for("message", SimpleNamespace(id="m")) == ([], [])


async def test_a_shared_value_is_loaded_again_for_a_reader_who_read_a_newer_version():
    from sns.services.shared import SharedCache

    cache, loads = SharedCache(), []

    async def load():
        loads.append(1)
        return len(loads)

    assert await cache.get("k", 60, load, version=3) == 1
    assert await cache.get("k", 60, load, version=3) == 1  # the same number: kept
    assert await cache.get("k", 60, load, version=2) == 1  # an older reader may get the newer value
    assert await cache.get("k", 60, load) == 1  # no number (a visitor): kept for the time given
    assert await cache.get("k", 60, load, version=4) == 2  # moved on: loaded again


async def test_kept_pages_outlive_a_reload_that_brings_the_same_value():
    from sns.models import Alert
    from sns.services import shared

    from datetime import datetime, timezone

    at = datetime(2026, 12, 6, tzinfo=timezone.utc)
    cache = shared.SharedCache(clock=iter(range(0, 1000, 10)).__next__)  # every value has expired at the next get
    await cache.get("alerts", 5, lambda: _value([Alert(id="a1", version=1, title="Flood", updated_at=at)]))
    before = shared.generation()
    await cache.get("alerts", 5, lambda: _value([Alert(id="a1", version=1, title="Flood", updated_at=at)]))
    assert shared.generation() == before
    await cache.get("alerts", 5, lambda: _value([Alert(id="a1", version=2, title="Flood, over", updated_at=at)]))
    assert shared.generation() != before


async def _value(v):
    return v
