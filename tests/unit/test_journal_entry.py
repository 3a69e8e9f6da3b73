"""The typed journal entry (sns/journal/entry.py): a neighbour's wire entry is parsed once and refused with
a reason when it is malformed; what we serve is the same wire form entries always had; and the one apply
path gives the same row whether an entry is replayed here or applied to a neighbour's replica."""

from __future__ import annotations

import json

import pytest
from tortoise.transactions import in_transaction

from sns import journal
from sns.journal import BadEntry, Entry
from sns.mirror import replicas
from sns.models import Diary, JournalEntry
from sns.services.diaries import delete_diary, edit_diary, write_diary

T = "2026-12-01T00:00:00+00:00"
RID = "0190f3c2-7a1b-7c3d-8e4f-a1b2c3d4e5f6"


def wire(**changes) -> dict:
    """An open notice entry as a batch carries it, with `changes` (None: the field left out)."""
    payload = {"id": RID, "origin": "a.test", "version": 2, "title": "Water at noon", "created_at": T,
               "updated_at": T, "deleted_at": None, **changes.pop("payload", {})}
    e = {"seq": 7, "recorded_at": T, "kind": "notice", "record_id": RID, "version": 2, "payload": payload, **changes}
    return {k: v for k, v in e.items() if v is not None}


REFUSED = {
    "not an object": ["an entry", "not an object"],
    "no number": [wire(seq=None), "no number"],
    "a number as text": [wire(seq="7"), "no number"],
    "a number that is a boolean": [wire(seq=True), "no number"],
    "number zero": [wire(seq=0), "no number"],
    "no record id": [wire(record_id=None), "names no record"],
    "a record id that is a number": [wire(record_id=17), "names no record"],
    "an oversized record id": [wire(record_id="x" * 37), "names no record"],
    "a sealed box that is not text": [wire(sealed={"a": 1}), "sealed box is not text"],
    "an oversized sealed box": [wire(sealed="A" * (8 * 1024 * 1024 + 1)), "sealed box larger"],
    "a time that is not one": [wire(recorded_at="yesterday"), "recorded_at 'yesterday' is not a time"],
    "a time that is a number": [wire(recorded_at=1733011200), "is not a time"],
    "an unknown kind": [wire(kind="spell"), "unknown kind 'spell'"],
    "no kind": [wire(kind=None), "its record has no kind"],
    "a payload that is a list": [wire() | {"payload": [1, 2]}, "payload is not an object"],
    "a version as text": [wire(version="2"), "version is not a whole number"],
    "no version": [wire(version=None), "version is not a whole number"],
    "the payload of another record": [wire(payload={"id": "other"}), "does not match its header"],
    "the payload of another version": [wire(payload={"version": 3}), "does not match its header"],
    "a payload time that is not one": [wire(payload={"created_at": "soon"}), "created_at 'soon' is not a time"],
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_malformed_wire_entries_are_refused_with_a_reason(case):
    value, reason = REFUSED[case]
    with pytest.raises(BadEntry, match=reason.replace("(", r"\(")):
        Entry.from_wire(value, origin="a.test")


def test_an_open_entry_is_parsed_once_into_its_fields():
    entry = Entry.from_wire(wire(media={"sha256": "ab"}), origin="a.test")
    assert (entry.origin, entry.seq, entry.kind, entry.record_id, entry.version) == ("a.test", 7, "notice", RID, 2)
    assert entry.is_open and not entry.tombstone and entry.payload["title"] == "Water at noon"
    assert entry.recorded_at.isoformat() == T and entry.media == {"sha256": "ab"}
    assert Entry.from_wire(wire(payload={"deleted_at": T}), origin="a.test").tombstone


def test_a_withdrawal_names_only_its_record():
    entry = Entry.from_wire({"seq": 3, "recorded_at": T, "record_id": RID, "sealed": "Ym94"}, origin="a.test")
    assert not entry.is_open and entry.payload is None and entry.kind == journal.WITHDRAWN
    assert entry.sealed == "Ym94"


@pytest.mark.parametrize("value", [
    wire(),
    wire(media={"sha256": "ab", "bytes": 3}, sealed="Ym94"),
    {"seq": 3, "recorded_at": T, "record_id": RID},
    {"seq": 3, "recorded_at": T, "record_id": RID, "media": {"sealed": True}, "sealed": "Ym94"},
])
def test_the_wire_form_is_given_back_byte_for_byte(value):
    """Old and new instances mirror each other: an entry served is the JSON it always was."""
    again = Entry.from_wire(value, origin="a.test").to_wire()
    assert json.dumps(again, separators=(",", ":")) == json.dumps(value, separators=(",", ":"))


def test_a_sealed_box_completes_only_its_own_entry():
    entry = Entry.from_wire({"seq": 3, "recorded_at": T, "record_id": RID, "sealed": "Ym94"}, origin="a.test")
    payload = {"id": RID, "version": 4, "origin": "a.test", "title": "private"}
    served = Entry(origin="a.test", seq=3, record_id=RID, kind="diary", version=4)  # as the origin sealed it
    complete = entry.unsealed(served.sealed_content(payload))
    assert (complete.kind, complete.version, complete.payload) == ("diary", 4, payload)
    for inner in ({"kind": "diary", "version": 5, "payload": payload}, {"kind": "spell", "version": 4, "payload": payload},
                  {"kind": "diary", "version": 4, "payload": dict(payload, id="other")}, ["not", "a", "box"]):
        assert entry.unsealed(inner) is None


async def _rows_of(conn, record_id: str) -> dict:
    rows = await Diary.filter(id=record_id).using_db(conn).values()
    return rows[0]


async def test_replaying_here_and_applying_at_a_neighbour_give_the_same_row(site, tmp_path):
    """DESIGN invariant 5: our own entries, replayed on our database, and the same entries after a trip
    through the wire, applied to a neighbour's replica, leave the very same row (tombstone included)."""
    ctx = await site.ctx_for(await site.user("oneway"))
    diary = await write_diary(ctx, title="First", body="one", visibility="public")
    await edit_diary(ctx, diary.id, title="Second", body="two", visibility="public")
    first = await _rows_of(None, diary.id)
    await delete_diary(ctx, diary.id)
    entries = [Entry.from_row(row) for row in
               await JournalEntry.filter(record_id=diary.id).order_by("seq")]
    assert [e.version for e in entries] == [1, 2, 3] and entries[-1].tombstone
    written = await _rows_of(None, diary.id)

    async with in_transaction() as tx:  # replayed here, from nothing, twice
        await Diary.filter(id=diary.id).using_db(tx).delete()
        assert await journal.replay(entries[:2], tx) == 2
        assert await _rows_of(tx, diary.id) == first
        assert await journal.replay(entries + entries, tx) == 1
    assert await _rows_of(None, diary.id) == written

    travelled = [Entry.from_wire(json.loads(json.dumps(e.to_wire())), origin=e.origin) for e in entries]
    replica = await replicas.open_replica(tmp_path, site.settings.origin)
    try:
        await replicas.store_entries(replica, travelled[:2])
        assert await _rows_of(replica, diary.id) == first
        await replicas.store_entries(replica, travelled[2:])
        assert await _rows_of(replica, diary.id) == written
    finally:
        await replicas.close_all()
