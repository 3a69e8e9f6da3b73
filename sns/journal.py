"""Append-only journal of every replicated change (DESIGN invariant 5).

A service calls `record(obj, conn)` inside the transaction that wrote `obj`.
The entry carries the record's full new state (or its tombstone), numbered
per origin. `apply(kind, payload)` upserts a record by "highest version wins";
mirroring applies remote entries through it, and `replay` uses it locally.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


from sns.models import (
    Alert, AlertUpdate, Album, Block, Comment, Community, Conversation, Department, DepartmentStaff, Diary,
    DisasterEvent, DisasterPost, District, Event, Friendship, Inquiry, InquiryEntry, MapLayer, Membership, Message,
    Notice, Participant, Photo, Reply, StandbyCode,
    ReportCategory, ReportFollow, ReportUpdate, Rsvp, SafetyCheckin, Shelter, StreetReport, Topic, TopicFollow, User,
)
from sns import view_versions
from sns.models.journal import JournalEntry

# Every replicated record, by the name its journal entries carry. Mirroring decides per kind what
# travels openly and what only sealed (mail, department threads); the journal keeps them all.
KINDS: dict[str, type] = {
    "user": User,
    "district": District,
    "friendship": Friendship,
    "block": Block,
    "diary": Diary,
    "comment": Comment,
    "photo": Photo,
    "notice": Notice,
    "community": Community,
    "membership": Membership,
    "topic": Topic,
    "reply": Reply,
    "topic_follow": TopicFollow,
    "event": Event,
    "rsvp": Rsvp,
    "album": Album,
    "conversation": Conversation,
    "participant": Participant,
    "message": Message,
    "department": Department,
    "department_staff": DepartmentStaff,
    "inquiry": Inquiry,
    "inquiry_entry": InquiryEntry,
    "report_category": ReportCategory,
    "street_report": StreetReport,
    "report_update": ReportUpdate,
    "report_follow": ReportFollow,
    "shelter": Shelter,
    "map_layer": MapLayer,
    "alert": Alert,
    "alert_update": AlertUpdate,
    # disaster mode: check-ins travel like friends-only diaries (the journal keeps them all; who reads
    # them is decided where they are shown, by sns.policies.disaster)
    "disaster_event": DisasterEvent,
    "disaster_post": DisasterPost,
    "safety_checkin": SafetyCheckin,
    # acting on behalf (docs/mirroring.md): the hashes of staff's one-time codes travel to the neighbours
    "standby_code": StandbyCode,
}
_KIND_OF = {model: kind for kind, model in KINDS.items()}


def kind_of(obj: Any) -> str:
    return _KIND_OF[type(obj)]


def payload_of(obj: Any) -> dict[str, Any]:
    """The record's full state as JSON-ready values, secrets left out."""
    out: dict[str, Any] = {}
    for name in obj._meta.fields_db_projection:
        if name in obj.JOURNAL_EXCLUDE:
            continue
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


async def next_seq(origin: str, conn: Any) -> int:
    """Take the next number for `origin` in one atomic upsert. The row stays locked until
    commit, so numbers are handed out in commit order and without gaps; two first writes at
    once (an empty journal) cannot both try to create the counter."""
    mark = "?" if conn.capabilities.dialect == "sqlite" else "$1"
    rows = await conn.execute_query_dict(
        f"INSERT INTO journal_counters (origin, value) VALUES ({mark}, 1) "
        "ON CONFLICT (origin) DO UPDATE SET value = journal_counters.value + 1 RETURNING value",
        [origin],
    )
    return int(rows[0]["value"])


async def record(obj: Any, conn: Any) -> JournalEntry:
    """Append one entry for `obj` (already saved, version already bumped), and bump the version numbers
    of what readers see that it changes (sns/view_versions.py), in the same transaction."""
    seq = await next_seq(obj.origin, conn)
    await view_versions.bump_for(kind_of(obj), obj, conn)
    return await JournalEntry.create(
        origin=obj.origin,
        seq=seq,
        kind=kind_of(obj),
        record_id=obj.id,
        version=obj.version,
        payload=payload_of(obj),
        using_db=conn,
    )


def _field_values(model: type, payload: dict[str, Any]) -> dict[str, Any]:
    known = model._meta.fields_db_projection
    values = {}
    for name, value in payload.items():
        if name not in known or name == "id":
            continue
        field = model._meta.fields_map[name]
        if value is not None and type(field).__name__ == "DatetimeField":
            value = datetime.fromisoformat(value)
        values[name] = value
    return values


async def apply(kind: str, payload: dict[str, Any], conn: Any, *, index: bool = True) -> bool:
    """Upsert a record from a journal payload if its version is newer. True if applied.
    A neighbour's replica (sns/mirror/replicas.py) has no search index: it applies with index=False."""
    model = KINDS[kind]
    current = await model.filter(id=payload["id"]).using_db(conn).first()
    values = _field_values(model, payload)
    if current is None:
        await model.create(id=payload["id"], using_db=conn, **values)
    elif current.version >= payload["version"]:
        return False
    else:
        await model.filter(id=payload["id"]).using_db(conn).update(**values)
    if not index:
        return True
    # What arrives this way is searchable like what was written here, and readers' kept pages of it are
    # renewed (same transaction).
    from sns.search.index import index_object  # the index reads the models; imported late to keep this light

    applied = await model.filter(id=payload["id"]).using_db(conn).first()
    await view_versions.bump_for(kind, applied, conn)
    await index_object(applied, conn)
    return True


async def entries_since(origin: str, after_seq: int, limit: int = 500) -> list[JournalEntry]:
    return await JournalEntry.filter(origin=origin, seq__gt=after_seq).order_by("seq").limit(limit)
