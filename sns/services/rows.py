"""Light read-only rows for lists: the columns a page shows, and the author's name.

`select_related("author")` builds a full User model per row (password hash, e-mail, JSON
field visibility, four timestamps) to show a display name; on My page that was most of
the time spent in the ORM. Lists read `.values()` of the columns below into these small
objects instead. They carry the attributes that templates, `sns.policies` and the API
shapes read, under the models' own names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

AUTHOR = ("author_id", "author__username", "author__display_name")


@dataclass(frozen=True, slots=True)
class Person:
    """Who wrote something, as lists show them."""

    id: str
    username: str
    display_name: str


@dataclass(frozen=True, slots=True)
class DiaryRow:
    id: str
    author_id: str
    title: str
    body: str
    visibility: str
    state: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    author: Person


@dataclass(frozen=True, slots=True)
class DiaryDetail(DiaryRow):
    """One entry as its own page shows it: also its place and whether it was edited."""

    lat: float | None
    lon: float | None
    version: int


@dataclass(frozen=True, slots=True)
class CommentRow:
    id: str
    diary_id: str
    author_id: str
    body: str
    state: str
    created_at: datetime
    deleted_at: datetime | None
    author: Person


@dataclass(frozen=True, slots=True)
class NoticeRow:
    id: str
    title: str
    body: str
    created_at: datetime
    updated_at: datetime
    author: Person


@dataclass(frozen=True, slots=True)
class DiaryTitle:
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class ReceivedComment:
    """A comment on one of my entries, for My page: who, when, what, and on which entry."""

    id: str
    body: str
    created_at: datetime
    author: Person
    diary: DiaryTitle


@dataclass(frozen=True, slots=True)
class TopicRow:
    """A topic in its community's list (the page and the API's list read the same row)."""

    id: str
    community_id: str
    author_id: str
    title: str
    body: str
    state: str
    pinned: bool
    locked: bool
    reply_count: int
    lat: float | None
    lon: float | None
    created_at: datetime
    updated_at: datetime
    bumped_at: datetime
    deleted_at: datetime | None
    author: Person


@dataclass(frozen=True, slots=True)
class PhotoRow:
    id: str
    width: int
    height: int
    caption: str


DIARY_COLUMNS = ("id", "title", "body", "visibility", "state", "created_at", "updated_at", "deleted_at", *AUTHOR)
COMMENT_COLUMNS = ("id", "diary_id", "body", "state", "created_at", "deleted_at", *AUTHOR)
NOTICE_COLUMNS = ("id", "title", "body", "created_at", "updated_at", *AUTHOR)
RECEIVED_COLUMNS = ("id", "body", "created_at", *AUTHOR, "diary__id", "diary__title")


def _person(row: dict) -> Person:
    return Person(row["author_id"], row["author__username"], row["author__display_name"])


async def diaries(query) -> list[DiaryRow]:
    return [DiaryRow(r["id"], r["author_id"], r["title"], r["body"], r["visibility"], r["state"], r["created_at"],
                     r["updated_at"], r["deleted_at"], _person(r))
            for r in await query.values(*DIARY_COLUMNS)]


async def comments(query) -> list[CommentRow]:
    return [CommentRow(r["id"], r["diary_id"], r["author_id"], r["body"], r["state"], r["created_at"],
                       r["deleted_at"], _person(r))
            for r in await query.values(*COMMENT_COLUMNS)]


async def notices(query) -> list[NoticeRow]:
    return [NoticeRow(r["id"], r["title"], r["body"], r["created_at"], r["updated_at"], _person(r))
            for r in await query.values(*NOTICE_COLUMNS)]


async def received_comments(query) -> list[ReceivedComment]:
    return [ReceivedComment(r["id"], r["body"], r["created_at"], _person(r),
                            DiaryTitle(r["diary__id"], r["diary__title"]))
            for r in await query.values(*RECEIVED_COLUMNS)]


# --- the same rows from SQL written by hand (sns.services.fast_reads) ------------------------------------------
# Columns are selected under these names: the row's own, and the author's as author_username, author_display_name.

UTC = ZoneInfo("UTC")  # what the ORM gives back (use_tz, timezone "UTC"), so that pages format times alike


def when(value) -> datetime | None:
    """A timestamp as the ORM returns it: SQLite hands back the stored text, PostgreSQL a datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC)


def author_sql(alias: str = "u") -> str:
    return f"{alias}.username AS author_username, {alias}.display_name AS author_display_name"


def _author(r: dict) -> Person:
    return Person(r["author_id"], r["author_username"], r["author_display_name"])


DIARY_SQL = "d.id, d.author_id, d.title, d.body, d.visibility, d.state, d.created_at, d.updated_at, d.deleted_at"


def diary_of(r: dict) -> DiaryRow:
    return DiaryRow(r["id"], r["author_id"], r["title"], r["body"], r["visibility"], r["state"], when(r["created_at"]),
                    when(r["updated_at"]), when(r["deleted_at"]), _author(r))


def diary_detail_of(r: dict) -> DiaryDetail:
    return DiaryDetail(r["id"], r["author_id"], r["title"], r["body"], r["visibility"], r["state"],
                       when(r["created_at"]), when(r["updated_at"]), when(r["deleted_at"]), _author(r),
                       r["lat"], r["lon"], r["version"])


COMMENT_SQL = "c.id, c.diary_id, c.author_id, c.body, c.state, c.created_at, c.deleted_at"


def comment_of(r: dict) -> CommentRow:
    return CommentRow(r["id"], r["diary_id"], r["author_id"], r["body"], r["state"], when(r["created_at"]),
                      when(r["deleted_at"]), _author(r))


RECEIVED_SQL = "c.id, c.body, c.created_at, c.author_id, d.id AS diary_id, d.title AS diary_title"


def received_of(r: dict) -> ReceivedComment:
    return ReceivedComment(r["id"], r["body"], when(r["created_at"]), _author(r),
                           DiaryTitle(r["diary_id"], r["diary_title"]))


TOPIC_SQL = ("t.id, t.community_id, t.author_id, t.title, t.body, t.state, t.pinned, t.locked, t.reply_count, "
             "t.lat, t.lon, t.created_at, t.updated_at, t.bumped_at, t.deleted_at")


def topic_of(r: dict) -> TopicRow:
    return TopicRow(r["id"], r["community_id"], r["author_id"], r["title"], r["body"], r["state"], bool(r["pinned"]),
                    bool(r["locked"]), r["reply_count"], r["lat"], r["lon"], when(r["created_at"]),
                    when(r["updated_at"]), when(r["bumped_at"]), when(r["deleted_at"]), _author(r))


def photo_of(r: dict) -> PhotoRow:
    return PhotoRow(r["id"], r["width"], r["height"], r["caption"])


# --- whole models from rows read by hand ---------------------------------------------------------------

def model_columns(model: type, alias: str, prefix: str) -> str:
    """The SELECT list of every column of `model` (table alias `alias`), each named `prefix` + column, so
    that several models' columns can come back in one row (read `model_of` after Tortoise is set up:
    foreign keys' columns are known then)."""
    return ", ".join(f'{alias}."{column}" AS "{prefix}{column}"' for column in sorted(model._meta.db_fields))


def model_of(model: type, row: dict, prefix: str):
    """A model instance from such a row, its values converted as the ORM converts its own rows."""
    return model._init_from_db(**{column: row[prefix + column] for column in model._meta.db_fields})
