"""Rebuild the whole search index from the tables (`sns search reindex`, migration 0006, benchmarks).

Reads the tables with plain SQL in batches by id (oldest first, so the index's keys are made in
time order), and writes documents in bulk. The rules are those of `sns.search.index`.
"""

from __future__ import annotations

from typing import Any, Callable

from sns.search import tokens as tok
from sns.search.index import MAX_TEXT, Sql, community_audience, doc_key
from sns.search.schema import drop_search_schema, ensure_search_schema

BATCH = 2000
PUBLISHED = "{a}.deleted_at IS NULL AND {a}.state = 'published'"

# kind -> (count query, batch query); a batch query selects rows with id > ? in id order.
SOURCES: dict[str, tuple[str, str]] = {
    "community": (
        "SELECT COUNT(*) AS n FROM communities c WHERE " + PUBLISHED.format(a="c"),
        "SELECT c.id, c.creator_id AS author_id, c.readable_by, c.state AS c_state, c.deleted_at AS c_deleted, "
        "c.name AS title, c.description AS body FROM communities c WHERE " + PUBLISHED.format(a="c"),
    ),
    "diary": (
        "SELECT COUNT(*) AS n FROM diaries d WHERE " + PUBLISHED.format(a="d"),
        "SELECT d.id, d.author_id, d.visibility, d.title, d.body FROM diaries d WHERE " + PUBLISHED.format(a="d"),
    ),
    "topic": (
        "SELECT COUNT(*) AS n FROM topics t WHERE " + PUBLISHED.format(a="t"),
        "SELECT t.id, t.author_id, t.community_id, t.title, t.body, c.readable_by, c.state AS c_state, "
        "c.deleted_at AS c_deleted FROM topics t LEFT JOIN communities c ON c.id = t.community_id WHERE "
        + PUBLISHED.format(a="t"),
    ),
    "reply": (
        "SELECT COUNT(*) AS n FROM replies r WHERE " + PUBLISHED.format(a="r"),
        "SELECT r.id, r.author_id, r.topic_id AS parent_id, r.body, t.community_id, t.state AS t_state, "
        "t.deleted_at AS t_deleted, c.readable_by, c.state AS c_state, c.deleted_at AS c_deleted FROM replies r "
        "LEFT JOIN topics t ON t.id = r.topic_id LEFT JOIN communities c ON c.id = t.community_id WHERE "
        + PUBLISHED.format(a="r"),
    ),
    "event": (
        "SELECT COUNT(*) AS n FROM events e WHERE " + PUBLISHED.format(a="e"),
        "SELECT e.id, e.organizer_id AS author_id, e.visibility, e.community_id, e.title, e.description, e.place, "
        "c.readable_by, c.state AS c_state, c.deleted_at AS c_deleted FROM events e "
        "LEFT JOIN communities c ON c.id = e.community_id WHERE " + PUBLISHED.format(a="e"),
    ),
}


def _doc(kind: str, row: dict) -> tuple:
    """(key, target_id, kind, author_id, audience, community_id, parent_id, title, body)."""
    community_id = row.get("community_id")
    parent_id = row.get("parent_id")
    title, body = row.get("title") or "", row.get("body") or ""
    if kind == "diary":
        audience = row["visibility"]
    elif kind == "community":
        audience = "public" if row["readable_by"] == "public" else "members"
    elif kind == "event" and not community_id:
        audience = row["visibility"]
        body = row["description"] + ("\n" + row["place"] if row["place"] else "")
    else:
        audience = community_audience(row["readable_by"], row["c_state"], row["c_deleted"])
        if kind == "reply" and (row["t_deleted"] is not None or row["t_state"] != "published"):
            audience = "hidden"
        if kind == "event":
            body = row["description"] + ("\n" + row["place"] if row["place"] else "")
    return (doc_key(row["id"]), row["id"], kind, row["author_id"], audience, community_id, parent_id,
            title[:MAX_TEXT], body[:MAX_TEXT])


async def write_docs(conn: Any, docs: list[tuple]) -> None:
    """Insert new documents in bulk (their keys must be free: a rebuild starts from empty tables)."""
    if not docs:
        return
    sql = Sql(conn)
    if sql.sqlite:
        await conn.execute_many(
            "INSERT INTO search_docs (id, target_id, kind, author_id, audience, community_id, parent_id, "
            "title, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [list(d) for d in docs])
        await conn.execute_many("INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)",
                                [[d[0], " ".join(tok.tokens(d[7])), " ".join(tok.tokens(d[8]))] for d in docs])
    else:
        await conn.execute_many(
            "INSERT INTO search_docs (id, target_id, kind, author_id, audience, community_id, parent_id, "
            "title, body, tsv) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::tsvector)",
            [[*d, tok.tsvector(d[7], d[8])] for d in docs])


async def rebuild(conn: Any, progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Drop and refill the index. `progress(kind, done, total)` is told after each batch."""
    sql = Sql(conn)
    await drop_search_schema(conn)
    await ensure_search_schema(conn)
    if not sql.sqlite:  # one GIN build at the end is much faster than growing it row by row
        await conn.execute_query("DROP INDEX IF EXISTS search_docs_tsv")
    counts: dict[str, int] = {}
    used: set[int] = set()
    for kind, (count_sql, batch_sql) in SOURCES.items():
        total = int((await sql.rows(count_sql))[0]["n"])
        done, after = 0, ""
        alias = batch_sql.split(" FROM ")[1].split()[1]
        while True:
            rows = await sql.rows(f"{batch_sql} AND {alias}.id > ? ORDER BY {alias}.id LIMIT {BATCH}", [after])
            if not rows:
                break
            docs = []
            for r in rows:
                doc = _doc(kind, r)
                key = doc[0]
                while key in used:  # ids made in the same millisecond on two instances
                    key += 1
                used.add(key)
                docs.append((key, *doc[1:]))
            await write_docs(conn, docs)
            done += len(rows)
            after = rows[-1]["id"]
            if progress:
                progress(kind, done, total)
        counts[kind] = done
    if sql.sqlite:
        await conn.execute_query("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
    else:
        await ensure_search_schema(conn)
        await conn.execute_query("ANALYZE search_docs")
    return counts
