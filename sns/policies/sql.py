"""The rulebook's scopes as SQL, for the hot pages that read without the ORM (DESIGN invariant 11).

Building a query through Tortoise and pypika costs about as much as running it, and the Q scopes
in `core` bind the viewer's friend and block ids one by one (My page bound ~240 parameters). The
fragments below say the same rules in SQL that both SQLite and PostgreSQL accept, and find the
viewer's friends and blocks with subqueries on the viewer's id, so that a query's text is the same
for every viewer of a kind (visitor, signed-in resident, suspended account) and binds few values.

Each fragment mirrors the predicate and the Q scope named in its docstring;
tests/policies/test_sql_scopes.py proves them equal on random towns, on both databases.

A fragment takes the table's alias in the query (`"d"` for `diaries d`) and the query's `Params`,
which renders each bound value as its placeholder: `?N` on SQLite, `$N` on PostgreSQL (both
numbered, so a value may be used twice and fragments may be built in any order). Queries write their
LIMIT as an integer in the text, never bound: SQLite (no statistics) plans `LIMIT ?` for any size and
chose a scan of a whole index for My page's friends' entries (15 ms instead of 0.2 ms on a small town).
"""

from __future__ import annotations

from datetime import timezone
from typing import Any

from tortoise import connections

from sns.models import User
from sns.policies.core import ANONYMOUS, Viewer, is_signed_in


class Params:
    """The values bound to one query, each rendered as the dialect's numbered placeholder."""

    def __init__(self, dialect: str) -> None:
        self.mark = "?" if dialect == "sqlite" else "$"
        self.sqlite = dialect == "sqlite"
        self.values: list[Any] = []
        self._seen: dict[tuple[type, Any], str] = {}

    def __call__(self, value: Any) -> str:
        """The placeholder for `value` (the same one again for an equal value: the viewer's id is bound once)."""
        key = (type(value), value)
        if key not in self._seen:
            self.values.append(value)
            self._seen[key] = f"{self.mark}{len(self.values)}"
        return self._seen[key]

    def time(self, value) -> str:
        """A timestamp, as the ORM stores it: SQLite keeps text (`str()` of a UTC datetime), which
        compares in time order only against text of the same shape."""
        return self(str(value.astimezone(timezone.utc)) if self.sqlite else value)


def database():
    """The connection the ORM would use here (its "default") and fresh `Params` for its dialect."""
    conn = connections.get("default")
    return conn, Params(conn.capabilities.dialect)


async def fetch(conn, sql: str, params: Params) -> list[dict]:
    return await conn.execute_query_dict(sql, params.values)


# --- the viewer's relations, as subqueries ---------------------------------------------------------

def friend_ids_sql(v: Viewer, p: Params) -> str:
    """Ids of `v`'s friends (what `load_viewer` puts in `friend_ids`)."""
    return f"SELECT friend_id FROM friendships WHERE user_id = {p(v.id)} AND state = 'accepted'"


def blocked_ids_sql(v: Viewer, p: Params) -> str:
    """Ids of the people in a block with `v`, either direction (`blocked_ids`)."""
    me = p(v.id)
    return f"SELECT blocked_id FROM blocks WHERE blocker_id = {me} UNION SELECT blocker_id FROM blocks WHERE blocked_id = {me}"


def viewer_relations_sql(v: Viewer, p: Params, with_departments: bool) -> str:
    """One query for `load_viewer`: rows (kind, other) of kind 'friend', 'blocking' (I blocked them),
    'blocked_by' and, for municipal staff, 'department'."""
    me = p(v.id)
    sql = (f"SELECT 'friend' AS kind, friend_id AS other FROM friendships WHERE user_id = {me} AND state = 'accepted'"
           f" UNION ALL SELECT 'blocking', blocked_id FROM blocks WHERE blocker_id = {me}"
           f" UNION ALL SELECT 'blocked_by', blocker_id FROM blocks WHERE blocked_id = {me}")
    if with_departments:
        sql += (" UNION ALL SELECT 'department', department_id FROM department_staff"
                f" WHERE user_id = {me} AND deleted_at IS NULL")
    return sql


# --- scopes ------------------------------------------------------------------------------------------

def audience_scope_sql(v: Viewer, owner: str, visibility: str, p: Params) -> str:
    """Records whose owner column `owner` and audience column `visibility` let `v` in. Mirrors
    `audience_allows` / `audience_scope` for records that are not `v`'s own (each scope adds those)."""
    visible = f"{visibility} = 'public'"
    if is_signed_in(v):
        visible += (f" OR {visibility} = 'members'"
                    f" OR ({visibility} = 'friends' AND {owner} IN ({friend_ids_sql(v, p)}))")
    if v.id:
        return f"(({visible}) AND {owner} NOT IN ({blocked_ids_sql(v, p)}))"
    return f"({visible})"


def diary_scope_sql(v: Viewer, alias: str, p: Params) -> str:
    """Diaries `v` may see. Mirrors `can_view_diary` / `diary_scope`."""
    a = alias
    scope = (f"{a}.deleted_at IS NULL AND {a}.state = 'published'"
             f" AND {audience_scope_sql(v, f'{a}.author_id', f'{a}.visibility', p)}")
    if v.id:
        scope = f"({scope}) OR ({a}.author_id = {p(v.id)} AND {a}.deleted_at IS NULL)"
    return f"({scope})"


def public_diary_scope_sql(alias: str) -> str:
    """What feeds and visitors may see. Mirrors `public_diary_scope`."""
    return f"({alias}.deleted_at IS NULL AND {alias}.state = 'published' AND {alias}.visibility = 'public')"


def comment_scope_sql(v: Viewer, alias: str, p: Params) -> str:
    """Comments `v` may see on a diary `v` may already see. Mirrors `can_view_comment` (given
    `can_view_diary`) / `comment_scope`."""
    a = alias
    scope = f"{a}.deleted_at IS NULL AND {a}.state = 'published'"
    if v.id:
        scope = (f"({scope} AND {a}.author_id NOT IN ({blocked_ids_sql(v, p)}))"
                 f" OR ({a}.author_id = {p(v.id)} AND {a}.deleted_at IS NULL)")
    return f"({scope})"


async def load_viewer(user: User | None) -> Viewer:
    """One query: my friends, the blocks that involve me, and for municipal staff the departments they
    answer residents for (`viewer_relations_sql`). Here, beside the SQL it runs (the rulebook's core
    names the Viewer; this module reads one)."""
    if user is None:
        return ANONYMOUS
    conn, p = database()
    found: dict[str, set[str]] = {"friend": set(), "blocking": set(), "blocked_by": set(), "department": set()}
    for row in await fetch(conn, viewer_relations_sql(Viewer(user), p, user.role != "resident"), p):
        found[row["kind"]].add(row["other"])
    return Viewer(user=user, friend_ids=frozenset(found["friend"]),
                  blocked_ids=frozenset(found["blocking"] | found["blocked_by"]),
                  blocking_ids=frozenset(found["blocking"]), department_ids=frozenset(found["department"]))
