"""The SQL of a search: matching documents the viewer may see, newest first (one query).

The scope here is a pre-filter written from the same rules as `sns.policies` (audience,
friends, blocks, active and banned memberships); the service checks every row again with the
policy functions before showing it, so a mistake here can hide a result but never leak one.
"""

from __future__ import annotations

from typing import Any

from sns.policies import Viewer, is_signed_in
from sns.search import tokens as tok
from sns.search.index import Sql

COLUMNS = "d.id AS key, d.target_id, d.kind, d.author_id, d.community_id, d.parent_id, d.title, d.body"


def _sql_literal(text: str) -> str:
    """A standard SQL string literal (PostgreSQL: standard_conforming_strings, on since 9.1)."""
    return "'" + text.replace("\x00", "").replace("'", "''") + "'"


def _in(column: str, values: list[str], params: list) -> str:
    params.extend(values)
    return f"{column} IN ({', '.join('?' for _ in values)})"


def scope_sql(v: Viewer, active: list[str], banned: list[str], params: list) -> str:
    """Where the viewer may find a document (SQL over `search_docs d`)."""
    ors = ["d.audience = 'public'"]
    if is_signed_in(v):
        ors.append("d.audience = 'members'")
        if v.friend_ids:
            ors.append("(d.audience = 'friends' AND " + _in("d.author_id", sorted(v.friend_ids), params) + ")")
        if active:
            ors.append("(d.audience = 'community' AND " + _in("d.community_id", active, params) + ")")
        params.append(v.id)
        ors.append("(d.author_id = ? AND d.audience IN ('friends', 'private'))")
    where = "(" + " OR ".join(ors) + ")"
    if v.blocked_ids:
        where += " AND (d.kind = 'community' OR NOT " + _in("d.author_id", sorted(v.blocked_ids), params) + ")"
    if banned:
        where += " AND (d.community_id IS NULL OR NOT " + _in("d.community_id", banned, params) + ")"
    return where


async def matching(conn: Any, q: tok.Query, v: Viewer, *, active: list[str], banned: list[str],
                   kinds: list[str] | None, before_key: int | None, limit: int, ranked: bool) -> list[dict]:
    """Up to `limit` documents matching every token of `q`, newest first; with `ranked`, each row
    also has a `score` (higher is more relevant)."""
    sql = Sql(conn)
    params: list = []
    if sql.sqlite:
        params.append(tok.fts5_match(q))
        score = ", -bm25(search_fts, 4.0, 1.0) AS score" if ranked else ""
        head = (f"SELECT {COLUMNS}{score} FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid "
                "WHERE search_fts MATCH ?")
        order_key = "search_fts.rowid"
    else:
        # The tsquery is written into the SQL text (escaped as a literal), not sent as a parameter:
        # a prepared statement soon gets a generic plan, which cannot know whether the words are
        # rare (use the GIN index) or common (walk the newest rows): 0.1 ms became 30 ms.
        literal = _sql_literal(tok.tsquery(q)) + "::tsquery"
        score = f", ts_rank(d.tsv, {literal}) AS score" if ranked else ""
        head = f"SELECT {COLUMNS}{score} FROM search_docs d WHERE d.tsv @@ {literal}"
        order_key = "d.id"
    where = [head, scope_sql(v, active, banned, params)]
    if kinds:
        where.append(_in("d.kind", kinds, params))
    if before_key is not None:
        params.append(before_key)
        where.append(f"{order_key} < ?")
    params.append(limit)
    return await sql.rows(" AND ".join(where) + f" ORDER BY {order_key} DESC LIMIT ?", params)


async def key_of(conn: Any, target_id: str) -> int | None:
    rows = await Sql(conn).rows("SELECT id FROM search_docs WHERE target_id = ?", [target_id])
    return int(rows[0]["id"]) if rows else None
