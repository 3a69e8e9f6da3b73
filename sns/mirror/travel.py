"""What of a journal entry travels openly to a neighbour, and what only sealed (docs/mirroring.md).

Open: public and members-only content, official notices, alerts, disaster-mode state, shelters, street
reports, the public parts of communities, and the photos of all these. Everything else (friends-only and
private diaries, mail, department threads, inquiries, check-ins, friendships, follows, answers to events,
held or removed texts, deleted records) travels as a *withdrawal* that names only the record's id, so a
copy the neighbour holds from when it was public is removed, plus the complete record in a sealed box.

Whether a comment, a photo or a reply is open depends on what it belongs to; that is read from this
instance's current rows, once per batch (`Openness` caches it).
"""

from __future__ import annotations

from typing import Any

from sns.journal import KINDS

OPEN_AUDIENCES = ("public", "members")
ALWAYS_OPEN = {"district", "notice", "shelter", "map_layer", "report_category", "alert", "alert_update",
               "disaster_event", "standby_code"}  # standby codes: only their hashes, for acting on behalf
NEVER_OPEN = {"conversation", "participant", "message", "department", "department_staff", "inquiry",
              "inquiry_entry", "safety_checkin", "friendship", "block", "topic_follow", "report_follow", "rsvp"}
# Open or withdrawn by a rule of `Openness.is_open` (their own audience and state, or their parent's).
DECIDED_BY_RULE = {"user", "diary", "comment", "community", "membership", "topic", "reply", "event", "album",
                   "street_report", "disaster_post", "report_update", "photo"}
PROFILE_PARTS = {"district": "district_id", "introduction": "introduction", "avatar": "avatar_id"}
PHOTO_PARENTS = {"topic": "topic", "reply": "reply", "event": "event", "report": "street_report",
                 "disaster": "disaster_post"}


def _published(p: dict[str, Any]) -> bool:
    return p.get("deleted_at") is None and p.get("state", "published") == "published"


_PARENT_FIELDS = {"comment": (("diary", "diary_id"),), "membership": (("community", "community_id"),),
                  "topic": (("community", "community_id"),), "reply": (("topic", "topic_id"),),
                  "event": (("community", "community_id"),), "album": (("community", "community_id"),),
                  "report_update": (("street_report", "report_id"),)}


def _parents_of(kind: str, p: dict[str, Any]) -> list[tuple[str, str]]:
    """The records whose openness decides whether this one is open (as `Openness.is_open` reads them)."""
    if kind == "photo":
        purpose = p.get("purpose")
        if purpose == "diary":
            return [("diary", p.get("diary_id"))]
        if purpose == "album":
            return [("album", p.get("album_id"))]
        if purpose == "avatar":
            return [("user", p.get("owner_id"))]
        return [(PHOTO_PARENTS[purpose], p.get("parent_id"))] if purpose in PHOTO_PARENTS else []
    return [(parent, p.get(column)) for parent, column in _PARENT_FIELDS.get(kind, ())]


class Openness:
    """Answers `open_payload(kind, payload)` for the entries of one batch, reading parents once."""

    def __init__(self, conn: Any = None):
        self.conn = conn
        self._rows: dict[tuple[str, str], dict[str, Any] | None] = {}

    async def _row(self, kind: str, record_id: str | None) -> dict[str, Any] | None:
        if not record_id:
            return None
        key = (kind, record_id)
        if key not in self._rows:
            query = KINDS[kind].filter(id=record_id)
            if self.conn is not None:
                query = query.using_db(self.conn)
            rows = await query.values()
            self._rows[key] = rows[0] if rows else None
        return self._rows[key]

    async def prefetch(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        """Read the current rows of the batch's records and the parents (and their parents) that `is_open`
        will ask about, one query per kind and level instead of one per entry (a batch of a thousand
        comments has many diaries)."""
        wanted = [key for kind, p in items if kind in KINDS for key in ((kind, p.get("id")), *_parents_of(kind, p))]
        for _ in range(3):  # reply -> topic -> community is the longest chain
            by_kind: dict[str, set[str]] = {}
            for kind, record_id in wanted:
                if record_id and (kind, record_id) not in self._rows:
                    by_kind.setdefault(kind, set()).add(record_id)
            if not by_kind:
                return
            wanted = []
            for kind, ids in by_kind.items():
                query = KINDS[kind].filter(id__in=sorted(ids))
                rows = await (query.using_db(self.conn) if self.conn is not None else query).values()
                found = {row["id"]: row for row in rows}
                for record_id in ids:
                    self._rows[(kind, record_id)] = found.get(record_id)
                    if record_id in found:
                        wanted.extend(_parents_of(kind, found[record_id]))

    async def _parent_open(self, kind: str, record_id: str | None) -> bool:
        row = await self._row(kind, record_id)
        return row is not None and await self.is_open(kind, row)

    async def is_open(self, kind: str, p: dict[str, Any]) -> bool:
        if kind in NEVER_OPEN or kind not in KINDS:
            return False
        if p.get("deleted_at") is not None:
            return False
        if kind in ALWAYS_OPEN or kind == "user":
            return True
        if kind == "diary":
            return _published(p) and p.get("visibility") in OPEN_AUDIENCES
        if kind == "comment":
            return _published(p) and await self._parent_open("diary", p.get("diary_id"))
        if kind == "community":
            return _published(p) and p.get("readable_by") in OPEN_AUDIENCES
        if kind == "membership":
            return p.get("state") == "active" and await self._parent_open("community", p.get("community_id"))
        if kind == "topic":
            return _published(p) and await self._parent_open("community", p.get("community_id"))
        if kind == "reply":
            return _published(p) and await self._parent_open("topic", p.get("topic_id"))
        if kind in ("event", "album"):
            if not _published(p):
                return False
            if p.get("community_id"):
                return await self._parent_open("community", p["community_id"])
            return p.get("visibility") in OPEN_AUDIENCES
        if kind in ("street_report", "disaster_post"):
            return _published(p)
        if kind == "report_update":
            return await self._parent_open("street_report", p.get("report_id"))
        if kind == "photo":
            return await self._photo_open(p)
        return False

    async def _photo_open(self, p: dict[str, Any]) -> bool:
        purpose = p.get("purpose")
        if purpose == "diary":
            return await self._parent_open("diary", p.get("diary_id"))
        if purpose == "album":
            return await self._parent_open("album", p.get("album_id"))
        if purpose == "avatar":
            owner = await self._row("user", p.get("owner_id"))
            return owner is not None and (owner.get("field_visibility") or {}).get("avatar", "members") \
                in OPEN_AUDIENCES
        if purpose in PHOTO_PARENTS:
            return await self._parent_open(PHOTO_PARENTS[purpose], p.get("parent_id"))
        return False  # inquiry photos and anything new: only sealed

    async def open_payload(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """The payload as a neighbour may hold it, or None when the entry travels only sealed.

        An older entry of a record that is no longer open (a public diary made friends-only since, or
        deleted) is withdrawn too: a neighbour catching up later never receives what its writer has
        taken back."""
        if not await self.is_open(kind, payload):
            return None
        current = await self._row(kind, payload.get("id"))
        if current is None or (current.get("version", 0) > payload.get("version", 0)
                               and not await self.is_open(kind, current)):
            return None
        if kind == "user":
            shown = dict(payload)
            visibility = payload.get("field_visibility") or {}
            for part, column in PROFILE_PARTS.items():
                if visibility.get(part, "members") not in OPEN_AUDIENCES and column in shown:
                    shown[column] = None if column.endswith("_id") else ""
            return shown
        return payload
