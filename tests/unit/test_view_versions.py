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
