"""What of each journal entry travels openly to a neighbour, as a table: every kind in sns.journal.KINDS
with a public and a private variant where it has one -> open or withdrawn (sns/mirror/travel.py)."""

from __future__ import annotations

import pytest

from sns.journal import KINDS
from sns.mirror import travel
from sns.mirror.travel import Openness

NOW = "2026-12-01T00:00:00+00:00"


class Rows(Openness):
    """Openness with the parents it reads given by the test, not read from a database."""

    def __init__(self, rows: dict[tuple[str, str], dict], *current: tuple[str, dict]):
        super().__init__()
        self._rows = dict(rows)
        for kind, payload in current:  # the record as it is now (by default: as the entry says)
            self._rows[(kind, payload["id"])] = payload

    async def _row(self, kind, record_id):
        return self._rows.get((kind, record_id))


PUBLIC_DIARY = {"id": "d1", "visibility": "public", "state": "published", "deleted_at": None}
FRIENDS_DIARY = {"id": "d2", "visibility": "friends", "state": "published", "deleted_at": None}
OPEN_COMMUNITY = {"id": "c1", "readable_by": "public", "state": "published", "deleted_at": None}
MEMBERS_COMMUNITY = {"id": "c3", "readable_by": "members", "state": "published", "deleted_at": None}
CLOSED_COMMUNITY = {"id": "c2", "readable_by": "participants", "state": "published", "deleted_at": None}
OPEN_TOPIC = {"id": "t1", "community_id": "c1", "state": "published", "deleted_at": None}
CLOSED_TOPIC = {"id": "t2", "community_id": "c2", "state": "published", "deleted_at": None}
PARENTS = {("diary", "d1"): PUBLIC_DIARY, ("diary", "d2"): FRIENDS_DIARY, ("community", "c1"): OPEN_COMMUNITY,
           ("community", "c2"): CLOSED_COMMUNITY, ("community", "c3"): MEMBERS_COMMUNITY,
           ("topic", "t1"): OPEN_TOPIC, ("topic", "t2"): CLOSED_TOPIC,
           ("street_report", "r1"): {"id": "r1", "state": "published", "deleted_at": None},
           ("street_report", "r2"): {"id": "r2", "state": "held", "deleted_at": None},
           ("album", "a1"): {"id": "a1", "visibility": "members", "state": "published", "deleted_at": None},
           ("album", "a2"): {"id": "a2", "visibility": "private", "state": "published", "deleted_at": None},
           ("event", "e1"): {"id": "e1", "visibility": "public", "state": "published", "deleted_at": None},
           ("event", "e2"): {"id": "e2", "visibility": "friends", "state": "published", "deleted_at": None},
           ("user", "u1"): {"id": "u1", "field_visibility": {"avatar": "public"}},
           ("user", "u2"): {"id": "u2", "field_visibility": {"avatar": "friends"}}}
P = {"state": "published", "deleted_at": None}

# kind -> [(what the case is, payload, travels openly?)]
TABLE: dict[str, list[tuple[str, dict, bool]]] = {
    "user": [("any resident", {"id": "u1"}, True)],
    "district": [("a district", {}, True)],
    "notice": [("an official notice", {}, True)],
    "shelter": [("a shelter", {}, True)],
    "map_layer": [("a map layer", {}, True)],
    "report_category": [("a report category", {}, True)],
    "alert": [("an alert", {}, True)],
    "alert_update": [("an alert's update", {}, True)],
    "disaster_event": [("disaster mode on or off", {}, True)],
    "standby_code": [("a standby code's hash (acting on behalf)", {}, True)],
    "diary": [("public", {**P, "visibility": "public"}, True), ("members-only", {**P, "visibility": "members"}, True),
              ("friends-only", {**P, "visibility": "friends"}, False),
              ("private", {**P, "visibility": "private"}, False),
              ("public but held", {"state": "held", "visibility": "public", "deleted_at": None}, False),
              ("public but removed", {"state": "removed", "visibility": "public", "deleted_at": None}, False)],
    "comment": [("on a public diary", {**P, "diary_id": "d1"}, True),
                ("on a friends-only diary", {**P, "diary_id": "d2"}, False),
                ("held, on a public diary", {"state": "held", "deleted_at": None, "diary_id": "d1"}, False),
                ("on a diary not here", {**P, "diary_id": "nope"}, False)],
    "community": [("readable by anyone", {**P, "readable_by": "public"}, True),
                  ("readable by members of the site", {**P, "readable_by": "members"}, True),
                  ("readable by its participants only", {**P, "readable_by": "participants"}, False)],
    "membership": [("active, of an open community", {"state": "active", "community_id": "c1", "deleted_at": None},
                    True),
                   ("active, of a closed community", {"state": "active", "community_id": "c2", "deleted_at": None},
                    False),
                   ("asked, not yet accepted", {"state": "pending", "community_id": "c1", "deleted_at": None}, False)],
    "topic": [("of an open community", {**P, "community_id": "c1"}, True),
              ("of a members' community", {**P, "community_id": "c3"}, True),
              ("of a closed community", {**P, "community_id": "c2"}, False)],
    "reply": [("to an open topic", {**P, "topic_id": "t1"}, True),
              ("to a closed topic", {**P, "topic_id": "t2"}, False),
              ("removed, to an open topic", {"state": "removed", "deleted_at": None, "topic_id": "t1"}, False)],
    "event": [("public", {**P, "visibility": "public", "community_id": None}, True),
              ("friends-only", {**P, "visibility": "friends", "community_id": None}, False),
              ("of an open community", {**P, "visibility": "public", "community_id": "c1"}, True),
              ("of a closed community", {**P, "visibility": "public", "community_id": "c2"}, False)],
    "album": [("members-only", {**P, "visibility": "members", "community_id": None}, True),
              ("private", {**P, "visibility": "private", "community_id": None}, False),
              ("of a closed community", {**P, "visibility": "members", "community_id": "c2"}, False)],
    "street_report": [("published", {**P}, True), ("held", {"state": "held", "deleted_at": None}, False)],
    "report_update": [("of a published report", {"report_id": "r1", "deleted_at": None}, True),
                      ("of a held report", {"report_id": "r2", "deleted_at": None}, False)],
    "disaster_post": [("published", {**P}, True), ("removed", {"state": "removed", "deleted_at": None}, False)],
    "photo": [("of a public diary", {"purpose": "diary", "diary_id": "d1", "deleted_at": None}, True),
              ("of a friends-only diary", {"purpose": "diary", "diary_id": "d2", "deleted_at": None}, False),
              ("of a members' album", {"purpose": "album", "album_id": "a1", "deleted_at": None}, True),
              ("of a private album", {"purpose": "album", "album_id": "a2", "deleted_at": None}, False),
              ("a public avatar", {"purpose": "avatar", "owner_id": "u1", "deleted_at": None}, True),
              ("an avatar for friends", {"purpose": "avatar", "owner_id": "u2", "deleted_at": None}, False),
              ("of an open topic", {"purpose": "topic", "parent_id": "t1", "deleted_at": None}, True),
              ("of a closed topic", {"purpose": "topic", "parent_id": "t2", "deleted_at": None}, False),
              ("of a public event", {"purpose": "event", "parent_id": "e1", "deleted_at": None}, True),
              ("of a friends' event", {"purpose": "event", "parent_id": "e2", "deleted_at": None}, False),
              ("of a published report", {"purpose": "report", "parent_id": "r1", "deleted_at": None}, True),
              ("of a held report", {"purpose": "report", "parent_id": "r2", "deleted_at": None}, False),
              ("of an inquiry", {"purpose": "inquiry", "parent_id": "i1", "deleted_at": None}, False)],
    **{kind: [("private by its nature", {}, False)] for kind in (
        "friendship", "block", "topic_follow", "rsvp", "conversation", "participant", "message", "department",
        "department_staff", "inquiry", "inquiry_entry", "report_follow", "safety_checkin")},
}
CASES = [pytest.param(kind, payload, expected, id=f"{kind}: {what}")
         for kind, rows in TABLE.items() for what, payload, expected in rows]


def test_every_kind_has_decided_travel():
    """Fails when someone adds a kind to KINDS without deciding in sns/mirror/travel.py whether it travels
    (and without a row here): an undecided kind would travel only sealed, silently."""
    decided = [travel.ALWAYS_OPEN, travel.NEVER_OPEN, travel.DECIDED_BY_RULE]
    assert set(KINDS) == set().union(*decided), "decide in sns/mirror/travel.py how the new kind travels"
    assert sum(len(d) for d in decided) == len(KINDS), "a kind is in more than one travel set"
    assert set(TABLE) == set(KINDS), "add the new kind's open and private variants to TABLE"


@pytest.mark.parametrize("kind, payload, expected", CASES)
async def test_travel(kind, payload, expected):
    payload = {"id": "x1", "deleted_at": None, **payload}
    shown = await Rows(PARENTS, (kind, payload)).open_payload(kind, payload)
    assert (shown is not None) == expected


@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_deleted_records_are_withdrawn(kind):
    """A tombstone travels as a withdrawal, whatever the kind (the neighbour removes its copy)."""
    payload = {"id": "x1", **(TABLE[kind][0][1]), "deleted_at": NOW}
    assert await Rows(PARENTS, (kind, payload)).open_payload(kind, payload) is None


async def test_an_older_entry_of_a_record_taken_back_since_is_withdrawn():
    """A diary public at version 1, friends-only at version 2: a neighbour catching up later is not sent
    version 1's text either; a record still open at a later version keeps its older entries open."""
    then = {"id": "x1", "version": 1, **P, "visibility": "public", "body": "Our garden"}
    now = {**then, "version": 2, "visibility": "friends"}
    assert await Rows({}, ("diary", now)).open_payload("diary", then) is None
    assert await Rows({}, ("diary", {**now, "visibility": "members"})).open_payload("diary", then) is not None
    assert await Rows({}).open_payload("diary", then) is None, "a record deleted outright since"


async def test_unknown_kind_is_withdrawn():
    assert await Rows({}).open_payload("telepathy", {"id": "x", "deleted_at": None}) is None


async def test_profile_parts_are_hidden_per_field_visibility():
    user = {"id": "u1", "deleted_at": None, "username": "hanako", "display_name": "Hanako",
            "introduction": "I grow tomatoes.", "district_id": "dist-1", "avatar_id": "p1",
            "field_visibility": {"introduction": "public", "district": "friends", "avatar": "private"}}
    shown = await Rows({}, ("user", user)).open_payload("user", user)
    assert shown["username"] == "hanako" and shown["introduction"] == "I grow tomatoes."
    assert shown["district_id"] is None and shown["avatar_id"] is None
    assert user["district_id"] == "dist-1", "the journal's own payload is left alone"
    as_members = {**user, "field_visibility": {"introduction": "members"}}
    members = await Rows({}, ("user", as_members)).open_payload("user", as_members)
    assert members["introduction"] == "I grow tomatoes." and members["district_id"] == "dist-1"
    as_friends = {**user, "field_visibility": {"introduction": "friends"}}
    friends = await Rows({}, ("user", as_friends)).open_payload("user", as_friends)
    assert friends["introduction"] == ""


async def test_journal_never_carries_secrets():
    from sns.models import User

    assert {"password_hash", "email"} <= User.JOURNAL_EXCLUDE
