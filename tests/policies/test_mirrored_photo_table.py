"""What a neighbour shows of a mirrored city's photos (policies.can_view_mirrored_photo), as a table:
what the photo belongs to x its audience and state -> shown or not. Only what the origin shows to
everybody: members-only content is not shown on a mirror, whose visitors are not the origin's members."""

from __future__ import annotations

from types import SimpleNamespace as Row

import pytest

from sns.policies import can_view_mirrored_photo


def photo(purpose: str, **links) -> Row:
    return Row(id="p1", purpose=purpose, deleted_at=None, owner_id="u1", diary_id=links.get("diary_id"),
               album_id=links.get("album_id"), parent_id=links.get("parent_id"))


def record(id: str, **fields) -> Row:
    return Row(id=id, deleted_at=fields.pop("deleted_at", None), state=fields.pop("state", "published"), **fields)


PUBLIC_COMMUNITY = record("c1", readable_by="public")
MEMBERS_COMMUNITY = record("c1", readable_by="members")


def topic(community=PUBLIC_COMMUNITY, **fields):
    return {"topic": record("t1", community_id="c1", **fields), "community": community}


CASES = [
    # (what, photo, owners, shown)
    ("public diary", photo("diary", diary_id="d1"), {"diary": record("d1", visibility="public")}, True),
    ("members diary", photo("diary", diary_id="d1"), {"diary": record("d1", visibility="members")}, False),
    ("friends diary", photo("diary", diary_id="d1"), {"diary": record("d1", visibility="friends")}, False),
    ("held diary", photo("diary", diary_id="d1"), {"diary": record("d1", visibility="public", state="held")}, False),
    ("deleted diary", photo("diary", diary_id="d1"),
     {"diary": record("d1", visibility="public", deleted_at="2026-01-01")}, False),
    ("another diary", photo("diary", diary_id="d2"), {"diary": record("d1", visibility="public")}, False),
    ("diary not in the replica", photo("diary", diary_id="d1"), {"diary": None}, False),
    ("public avatar", photo("avatar"), {"user": Row(id="u1", deleted_at=None, avatar_id="p1",
                                                    field_visibility={"avatar": "public"})}, True),
    ("members avatar", photo("avatar"), {"user": Row(id="u1", deleted_at=None, avatar_id="p1",
                                                     field_visibility={})}, False),
    ("old avatar", photo("avatar"), {"user": Row(id="u1", deleted_at=None, avatar_id="p9",
                                                 field_visibility={"avatar": "public"})}, False),
    ("public album", photo("album", album_id="a1"), {"album": record("a1", visibility="public", community_id=None)},
     True),
    ("members album", photo("album", album_id="a1"),
     {"album": record("a1", visibility="members", community_id=None)}, False),
    ("album of a public community", photo("album", album_id="a1"),
     {"album": record("a1", visibility="members", community_id="c1"), "community": PUBLIC_COMMUNITY}, True),
    ("album of a members community", photo("album", album_id="a1"),
     {"album": record("a1", visibility="public", community_id="c1"), "community": MEMBERS_COMMUNITY}, False),
    ("public event", photo("event", parent_id="e1"), {"event": record("e1", visibility="public", community_id=None)},
     True),
    ("topic of a public community", photo("topic", parent_id="t1"), topic(), True),
    ("topic of a members community", photo("topic", parent_id="t1"), topic(MEMBERS_COMMUNITY), False),
    ("held topic", photo("topic", parent_id="t1"), topic(state="held"), False),
    ("reply in a public topic", photo("reply", parent_id="r1"),
     {**topic(), "reply": record("r1", topic_id="t1")}, True),
    ("removed reply", photo("reply", parent_id="r1"),
     {**topic(), "reply": record("r1", topic_id="t1", state="removed")}, False),
    ("reply of a removed topic", photo("reply", parent_id="r1"),
     {**topic(state="removed"), "reply": record("r1", topic_id="t1")}, False),
    ("street report", photo("report", parent_id="s1"), {"report": record("s1")}, True),
    ("held street report", photo("report", parent_id="s1"), {"report": record("s1", state="held")}, False),
    ("board post", photo("disaster", parent_id="b1"), {"disaster": record("b1")}, True),
    ("inquiry photo", photo("inquiry", parent_id="i1"), {"inquiry": record("i1")}, False),
]


@pytest.mark.parametrize("what, item, owners, shown", CASES, ids=[c[0] for c in CASES])
def test_mirrored_photo_table(what, item, owners, shown):
    assert can_view_mirrored_photo(item, owners) is shown


def test_deleted_photo_is_never_shown():
    item = photo("diary", diary_id="d1")
    item.deleted_at = "2026-01-01"
    assert not can_view_mirrored_photo(item, {"diary": record("d1", visibility="public")})
