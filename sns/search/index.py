"""Keep the search index in step with every write, inside the writing transaction.

`sns.services.base` calls `index_object(obj, conn)` after each save and tombstone, so whatever
service writes a diary, topic, reply, event or community, its search document changes in the
same transaction. A record is searchable while it is published and not deleted; `audience`
says who may find it, and is checked again by the policies before anything is shown:

- diaries and a resident's events: their visibility (public, members, friends, private);
- a community's topics, replies and events: the community's `readable_by` (public, members,
  community), or "hidden" while the community (or a reply's topic) is deleted or not published;
- communities: "public" when readable by anyone, else "members" (signed-in residents find it).
"""

from __future__ import annotations

from typing import Any

from sns.search import tokens as tok
from sns.search.schema import dialect_of
from sns.models import Community, Diary, Event, Reply, Topic

MAX_TEXT = 20_000  # characters of a text that are indexed (and kept for snippets)


def doc_key(target_id: str, created_ms: int | None = None) -> int:
    """An integer that sorts like the UUIDv7 `target_id`: milliseconds (42 bits), the
    sub-millisecond counter (12 bits) and 9 random bits, so it fits a signed 64-bit key."""
    h = target_id.replace("-", "")
    try:
        ms, seq, rnd = int(h[:12], 16), int(h[13:16], 16), int(h[20:23], 16) & 0x1FF
    except ValueError:
        ms, seq, rnd = created_ms or 0, 0, 0
    return (ms & ((1 << 42) - 1)) << 21 | seq << 9 | rnd


class Sql:
    """Placeholders for the connection's dialect: `?` for SQLite, `$n` for PostgreSQL."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.sqlite = dialect_of(conn) == "sqlite"

    def marks(self, sql: str) -> str:
        if self.sqlite:
            return sql
        parts = sql.split("?")
        return "".join(p + (f"${i + 1}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))

    async def rows(self, sql: str, values: list | tuple = ()) -> list[dict]:
        return await self.conn.execute_query_dict(self.marks(sql), list(values))

    async def run(self, sql: str, values: list | tuple = ()) -> None:
        await self.conn.execute_query(self.marks(sql), list(values))


def _joined(text: str) -> str:
    return " ".join(tok.tokens(text))


def community_audience(readable_by: str | None, state: str | None, deleted_at: Any) -> str:
    if readable_by is None or deleted_at is not None or state != "published":
        return "hidden"
    return readable_by


def _searchable(obj: Any) -> bool:
    return obj.deleted_at is None and getattr(obj, "state", "published") == "published"


async def _community_row(community_id: str, conn: Any) -> dict:
    rows = await Community.filter(id=community_id).using_db(conn).values("readable_by", "state", "deleted_at")
    return rows[0] if rows else {"readable_by": None, "state": None, "deleted_at": None}


async def upsert(conn: Any, *, target_id: str, kind: str, author_id: str, audience: str,
                 title: str, body: str, community_id: str | None = None, parent_id: str | None = None) -> None:
    """Add or refresh one document (its words only when its text changed)."""
    sql = Sql(conn)
    title, body = title[:MAX_TEXT], body[:MAX_TEXT]
    old = await sql.rows("SELECT id, title, body FROM search_docs WHERE target_id = ?", [target_id])
    scope = [kind, author_id, audience, community_id, parent_id]
    if old and old[0]["title"] == title and old[0]["body"] == body:
        await sql.run("UPDATE search_docs SET kind = ?, author_id = ?, audience = ?, community_id = ?, "
                      "parent_id = ? WHERE id = ?", [*scope, old[0]["id"]])
        return
    if old:
        key = old[0]["id"]
        if sql.sqlite:
            await _fts_delete(sql, key, old[0]["title"], old[0]["body"])
            await sql.run("UPDATE search_docs SET kind = ?, author_id = ?, audience = ?, community_id = ?, "
                          "parent_id = ?, title = ?, body = ? WHERE id = ?", [*scope, title, body, key])
        else:
            await sql.run("UPDATE search_docs SET kind = ?, author_id = ?, audience = ?, community_id = ?, "
                          "parent_id = ?, title = ?, body = ?, tsv = ?::tsvector WHERE id = ?",
                          [*scope, title, body, tok.tsvector(title, body), key])
    else:
        key = doc_key(target_id)
        while await sql.rows("SELECT 1 AS x FROM search_docs WHERE id = ?", [key]):
            key += 1  # two instances made ids in the same millisecond with the same counter
        if sql.sqlite:
            await sql.run("INSERT INTO search_docs (id, target_id, kind, author_id, audience, community_id, "
                          "parent_id, title, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          [key, target_id, *scope, title, body])
        else:
            await sql.run("INSERT INTO search_docs (id, target_id, kind, author_id, audience, community_id, "
                          "parent_id, title, body, tsv) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::tsvector)",
                          [key, target_id, *scope, title, body, tok.tsvector(title, body)])
    if sql.sqlite:
        await sql.run("INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)",
                      [key, _joined(title), _joined(body)])


async def _fts_delete(sql: Sql, key: int, title: str, body: str) -> None:
    # A contentless FTS5 table forgets a row when told the words it was given.
    await sql.run("INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)",
                  [key, _joined(title), _joined(body)])


async def remove(conn: Any, target_id: str) -> None:
    sql = Sql(conn)
    old = await sql.rows("SELECT id, title, body FROM search_docs WHERE target_id = ?", [target_id])
    if not old:
        return
    if sql.sqlite:
        await _fts_delete(sql, old[0]["id"], old[0]["title"], old[0]["body"])
    await sql.run("DELETE FROM search_docs WHERE id = ?", [old[0]["id"]])


async def _diary(obj: Any, conn: Any) -> None:
    await upsert(conn, target_id=obj.id, kind="diary", author_id=obj.author_id, audience=obj.visibility,
                 title=obj.title, body=obj.body)


async def _community(obj: Any, conn: Any) -> None:
    audience = community_audience(obj.readable_by, obj.state, obj.deleted_at)
    # Its topics, replies and events follow it: one UPDATE, whatever their number.
    await Sql(conn).run("UPDATE search_docs SET audience = ? WHERE community_id = ? AND kind <> 'community' "
                        "AND audience <> ?", [audience, obj.id, audience])
    if audience == "hidden":
        await remove(conn, obj.id)
        return
    await upsert(conn, target_id=obj.id, kind="community", author_id=obj.creator_id,
                 audience="public" if audience == "public" else "members", title=obj.name, body=obj.description)


async def _topic(obj: Any, conn: Any) -> None:
    c = await _community_row(obj.community_id, conn)
    audience = community_audience(c["readable_by"], c["state"], c["deleted_at"])
    # Its replies follow the topic: hidden while it is, moved when it moves.
    await Sql(conn).run("UPDATE search_docs SET audience = ?, community_id = ? WHERE parent_id = ?",
                        [audience if _searchable(obj) else "hidden", obj.community_id, obj.id])
    if not _searchable(obj):
        await remove(conn, obj.id)
        return
    await upsert(conn, target_id=obj.id, kind="topic", author_id=obj.author_id, audience=audience,
                 title=obj.title, body=obj.body, community_id=obj.community_id)


async def _reply(obj: Any, conn: Any) -> None:
    rows = await Topic.filter(id=obj.topic_id).using_db(conn).values(
        "community_id", "state", "deleted_at", "community__readable_by", "community__state", "community__deleted_at")
    if not rows:
        return await remove(conn, obj.id)
    t = rows[0]
    audience = community_audience(t["community__readable_by"], t["community__state"], t["community__deleted_at"])
    if t["deleted_at"] is not None or t["state"] != "published":
        audience = "hidden"
    await upsert(conn, target_id=obj.id, kind="reply", author_id=obj.author_id, audience=audience,
                 title="", body=obj.body, community_id=t["community_id"], parent_id=obj.topic_id)


async def _event(obj: Any, conn: Any) -> None:
    audience = obj.visibility
    if obj.community_id:
        c = await _community_row(obj.community_id, conn)
        audience = community_audience(c["readable_by"], c["state"], c["deleted_at"])
    body = obj.description + ("\n" + obj.place if obj.place else "")
    await upsert(conn, target_id=obj.id, kind="event", author_id=obj.organizer_id, audience=audience,
                 title=obj.title, body=body, community_id=obj.community_id)


def _handlers() -> dict[type, Any]:
    return {Diary: _diary, Topic: _topic, Reply: _reply, Event: _event, Community: _community}


_HANDLERS: dict[type, Any] | None = None
ALWAYS = {"Community", "Topic"}  # their changes reach other documents even when they are not searchable


async def index_object(obj: Any, conn: Any) -> None:
    """Bring the index up to date with `obj` as just written (or tombstoned, or deleted)."""
    global _HANDLERS
    if _HANDLERS is None:
        _HANDLERS = _handlers()
    handler = _HANDLERS.get(type(obj))
    if handler is None:
        return
    if not _searchable(obj) and type(obj).__name__ not in ALWAYS:
        await remove(conn, obj.id)
        return
    await handler(obj, conn)
