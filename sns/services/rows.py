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
