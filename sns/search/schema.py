"""The search tables, for SQLite and PostgreSQL (created by migration 0006, and by `sns search reindex`).

`search_docs` holds one row per searchable record: who may see it (scope columns) and its text
(for snippets and to remove its words from the index again). Its integer key is made from the
record's UUIDv7 (milliseconds, then the sub-millisecond counter), so "newest first" is simply
the key descending, which both full-text indexes can walk without sorting. The key never leaves
the database: pages and the API name records by their ids.

- SQLite: `search_fts`, a contentless FTS5 table with columns (title, body), tokenized by
  `ascii` over the tokens of `sns.search.tokens` (every non-ASCII character is part of a token
  for `ascii`, so Japanese bigrams survive as they are).
- PostgreSQL: a `tsv tsvector` column of `search_docs` built from the same tokens, with a GIN
  index.

These are not Tortoise models: neither structure can be expressed as model fields, and a
model would make `makemigrations` try to manage the table.
"""

from __future__ import annotations

from typing import Any

COLUMNS = """
    target_id VARCHAR(36) NOT NULL UNIQUE,
    kind VARCHAR(16) NOT NULL,
    author_id VARCHAR(36) NOT NULL,
    audience VARCHAR(16) NOT NULL,
    community_id VARCHAR(36),
    parent_id VARCHAR(36),
    title TEXT NOT NULL,
    body TEXT NOT NULL"""

SQLITE = [
    f"CREATE TABLE IF NOT EXISTS search_docs (id INTEGER PRIMARY KEY NOT NULL,{COLUMNS})",
    "CREATE INDEX IF NOT EXISTS search_docs_community ON search_docs (community_id, kind)",
    "CREATE INDEX IF NOT EXISTS search_docs_parent ON search_docs (parent_id)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, body, content='', tokenize='ascii')",
]
POSTGRES = [
    f"CREATE TABLE IF NOT EXISTS search_docs (id BIGINT PRIMARY KEY NOT NULL,{COLUMNS}, tsv TSVECTOR NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_docs_community ON search_docs (community_id, kind)",
    "CREATE INDEX IF NOT EXISTS search_docs_parent ON search_docs (parent_id)",
    "CREATE INDEX IF NOT EXISTS search_docs_tsv ON search_docs USING GIN (tsv)",
]
DROP = ["DROP TABLE IF EXISTS search_fts", "DROP TABLE IF EXISTS search_docs"]


def dialect_of(conn: Any) -> str:
    return conn.capabilities.dialect


async def ensure_search_schema(conn: Any) -> None:
    """Create the search tables if they are missing (safe to repeat)."""
    for sql in SQLITE if dialect_of(conn) == "sqlite" else POSTGRES:
        await conn.execute_query(sql)  # not execute_script: on SQLite it would commit the open transaction


async def drop_search_schema(conn: Any) -> None:
    for sql in DROP:
        if sql.endswith("search_fts") and dialect_of(conn) != "sqlite":
            continue
        await conn.execute_query(sql)  # not execute_script: on SQLite it would commit the open transaction
