"""The hot diary reads in SQL written by hand: My page's lists and counts, and one entry's page.

These pages are read far more often than anything is written, and building their queries through the
ORM cost about as much as running them. Each read here is one statement over the scopes that
`sns.policies.sql` exports beside the predicates they mirror, executed with bound parameters on the
ORM's own connection, and returns the light rows of `sns.services.rows` that the templates already use.
"""

from __future__ import annotations

from datetime import datetime

from sns.errors import NotFound
from sns.i18n import N_
from sns.policies import (
    Viewer, blocked_ids_sql, can_view_diary, comment_scope_sql, diary_scope_sql, friend_ids_sql,
    public_diary_scope_sql,
)
from sns.policies.sql import Params, database, fetch
from sns.services import rows
from sns.services.rows import COMMENT_SQL, DIARY_SQL, RECEIVED_SQL, author_sql

COMMENTS_SHOWN = 500  # on one entry's page
NOT_FOUND = N_("This diary entry does not exist or is not shared with you.")


def _friends_diaries_where(v: Viewer, p: Params) -> str:
    return f"d.author_id IN ({friend_ids_sql(v, p)}) AND {diary_scope_sql(v, 'd', p)}"


def _received_where(v: Viewer, p: Params) -> str:
    """Comments by others on my entries (not deleted) that I may see."""
    me = p(v.id)
    return (f"d.author_id = {me} AND d.deleted_at IS NULL AND c.author_id <> {me}"
            f" AND {comment_scope_sql(v, 'c', p)}")


async def friends_newest_diaries(v: Viewer, limit: int = 10) -> list[rows.DiaryRow]:
    """My friends' newest entries that I may see. The ids come from the (author_id, id, ...) index alone;
    only those rows are read and joined to their authors."""
    conn, p = database()
    sql = (f"SELECT {DIARY_SQL}, {author_sql()} FROM"
           f" (SELECT d.id FROM diaries d WHERE {_friends_diaries_where(v, p)} ORDER BY d.id DESC LIMIT {int(limit)}) n"
           " JOIN diaries d ON d.id = n.id JOIN users u ON u.id = d.author_id ORDER BY d.id DESC")
    return [rows.diary_of(r) for r in await fetch(conn, sql, p)]


async def received_comments(v: Viewer, limit: int = 10) -> list[rows.ReceivedComment]:
    """The newest comments others wrote on my entries, with the entry's title."""
    conn, p = database()
    sql = (f"SELECT {RECEIVED_SQL}, {author_sql()} FROM"
           f" (SELECT c.id FROM comments c JOIN diaries d ON d.id = c.diary_id WHERE {_received_where(v, p)}"
           f" ORDER BY c.id DESC LIMIT {int(limit)}) n"
           " JOIN comments c ON c.id = n.id JOIN diaries d ON d.id = c.diary_id JOIN users u ON u.id = c.author_id"
           " ORDER BY c.id DESC")
    return [rows.received_of(r) for r in await fetch(conn, sql, p)]


async def home_counts(v: Viewer, since: datetime | None) -> dict[str, int]:
    """My page's numbers in one statement: friend requests waiting for me and, after a first visit,
    my friends' entries and the comments on mine that are new since then."""
    conn, p = database()
    counts = {"friend_requests": f"SELECT COUNT(*) FROM friendships WHERE friend_id = {p(v.id)} AND state = 'requested'"}
    if since is not None:
        after = p.time(since)
        if v.friend_ids:
            counts["new_friend_diaries"] = (f"SELECT COUNT(*) FROM diaries d WHERE {_friends_diaries_where(v, p)}"
                                            f" AND d.created_at > {after}")
        counts["new_comments"] = (f"SELECT COUNT(*) FROM comments c JOIN diaries d ON d.id = c.diary_id"
                                  f" WHERE {_received_where(v, p)} AND c.created_at > {after}")
    sql = "SELECT " + ", ".join(f"({query}) AS {name}" for name, query in counts.items())
    found = (await fetch(conn, sql, p))[0]
    return {"new_friend_diaries": 0, "new_comments": 0, **{name: int(n) for name, n in found.items()}}


async def town_diaries(v: Viewer, limit: int) -> list[rows.DiaryRow]:
    """The town's newest public entries, leaving out mine and those of people in a block with me."""
    conn, p = database()
    where = public_diary_scope_sql("d")
    if v.id:
        where += f" AND d.author_id <> {p(v.id)} AND d.author_id NOT IN ({blocked_ids_sql(v, p)})"
    sql = (f"SELECT {DIARY_SQL}, {author_sql()} FROM diaries d JOIN users u ON u.id = d.author_id"
           f" WHERE {where} ORDER BY d.id DESC LIMIT {int(limit)}")
    return [rows.diary_of(r) for r in await fetch(conn, sql, p)]


# --- one entry's page ------------------------------------------------------------------------------------

async def diary_entry(v: Viewer, diary_id: str) -> rows.DiaryDetail:
    """The entry with its author if `v` may see it (the detail rule, `can_view_diary`); otherwise NotFound
    (no hint that it exists), as `diaries.get_diary`."""
    conn, p = database()
    sql = (f"SELECT {DIARY_SQL}, d.lat, d.lon, d.version, {author_sql()}"
           f" FROM diaries d JOIN users u ON u.id = d.author_id WHERE d.id = {p(diary_id)}")
    found = await fetch(conn, sql, p)
    entry = rows.diary_detail_of(found[0]) if found else None
    if entry is None or not can_view_diary(v, entry):
        raise NotFound(NOT_FOUND)
    return entry


async def diary_photos(diary_id: str) -> list[rows.PhotoRow]:
    conn, p = database()
    sql = (f"SELECT id, width, height, caption FROM photos WHERE diary_id = {p(diary_id)} AND deleted_at IS NULL"
           " ORDER BY position, id")
    return [rows.photo_of(r) for r in await fetch(conn, sql, p)]


async def diary_comments(v: Viewer, diary_id: str) -> list[rows.CommentRow]:
    """Comments on an entry `v` may already see, oldest first."""
    conn, p = database()
    sql = (f"SELECT {COMMENT_SQL}, {author_sql()} FROM comments c JOIN users u ON u.id = c.author_id"
           f" WHERE c.diary_id = {p(diary_id)} AND {comment_scope_sql(v, 'c', p)} ORDER BY c.id LIMIT {int(COMMENTS_SHOWN)}")
    return [rows.comment_of(r) for r in await fetch(conn, sql, p)]
