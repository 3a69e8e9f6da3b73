"""Who is asking, in one query: the session, its user, the unread count and the reader's version numbers.

Every signed-in request starts here (`load_ctx`, and the kept pages of sns/web/reader_pages.py). One
statement, written once per dialect, reads the session row, the user's row, the number of unread
notifications (the badge in the navigation), whether the account has a second factor (one that must have
one and has none is held at the setup page: sns/policies/second_factors.py) and the version numbers
(sns/view_versions.py) of the reader's own view (`u:`), their friends' doings (`f:`), the `town` and the `site`, plus any keys the page
names (`d:<diary>`, `c:<community>`). Reading them in one statement gives one consistent picture: a
page is kept under the numbers read before anything on it was read.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from typing import Any

from tortoise import connections

from sns.models import Session, User
from sns.models.base import utcnow
from sns.services.rows import model_columns, model_of

READER_KEYS = ("u", "f", "town", "site")
_statements: dict[tuple[str, int], str] = {}
_log = logging.getLogger("tortoise.db_client")
_ASK_THE_DRIVER = object()


class SessionRead:
    """One row of the statement below; the user and session models are made only when asked for (a kept
    page's reload needs only the fingerprint and the numbers)."""

    __slots__ = ("row", "unread", "versions", "_user", "_session")

    def __init__(self, row: dict[str, Any], versions: dict[str, int]) -> None:
        self.row, self.versions, self.unread = row, versions, int(row["unread"])
        self._user = self._session = None

    @property
    def user(self) -> User:
        if self._user is None:
            self._user = model_of(User, self.row, "u_")
        return self._user

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = model_of(Session, self.row, "s_")
        return self._session

    @property
    def active(self) -> bool:
        """The account may use the site (not suspended, pending or deleted), and the session is signed in (not
        one waiting for its second factor)."""
        r = self.row
        return r["u_state"] == "active" and r["u_deleted_at"] is None and r["s_stage"] == "signed_in"

    @property
    def has_factor(self) -> bool:
        return bool(self.row["has_factor"])

    def expired(self, days: int) -> bool:
        return (utcnow() - self.session.created_at).days > days

    def fingerprint(self) -> tuple:
        """What a kept page depends on besides its version numbers: the reader as the page saw them, and
        whether they may still use the site (a suspended or deleted account: no page at all)."""
        r = self.row
        return (r["u_id"], r["u_state"], r["u_deleted_at"], r["u_role"], r["u_locale"], r["u_display_name"],
                r["u_username"], r["s_created_at"], self.unread, bool(r["has_factor"]))


def _statement(dialect: str, extra: int) -> str:
    sql = _statements.get((dialect, extra))
    if sql is not None:
        return sql
    pg = dialect != "sqlite"
    mark = (lambda i: f"${i}") if pg else (lambda i: "?")
    version = "COALESCE((SELECT n FROM view_versions WHERE key = {}), 0)"
    columns = [
        model_columns(User, "u", "u_"), model_columns(Session, "s", "s_"),
        "(SELECT COUNT(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL) AS unread",
        "EXISTS (SELECT 1 FROM second_factors f WHERE f.user_id = u.id) AS has_factor",
        version.format("'u:' || u.id") + " AS v_u",
        version.format("'f:' || u.id") + " AS v_f",
        version.format("'town'") + " AS v_town",
        version.format("'site'") + " AS v_site",
    ]
    columns += [f"{version.format(mark(i + 1))} AS v_{i}" for i in range(extra)]  # parameters: keys, then the id
    sql = (f"SELECT {', '.join(columns)} FROM sessions s JOIN users u ON u.id = s.user_id "
           f"WHERE s.id = {mark(extra + 1)}")
    _statements[(dialect, extra)] = sql
    return sql


async def read_session(session_id: str, keys: tuple[str, ...] = ()) -> SessionRead | None:
    """The session `session_id` with its user and version numbers (also of `keys`), or None."""
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    sql, params = _statement(dialect, len(keys)), [*keys, session_id]
    if dialect == "sqlite":
        # Let what waits for the driver's thread (pages being made, writes) have its turn first: a read
        # here never leaves the loop's thread, and a flood of kept pages would otherwise hold it.
        await asyncio.sleep(0)
    try:
        row = _read_here(conn, sql, params) if dialect == "sqlite" else _ASK_THE_DRIVER
    except sqlite3.OperationalError:  # busy for a moment (a checkpoint): no waiting on the loop's thread
        row = _ASK_THE_DRIVER
    if row is _ASK_THE_DRIVER:
        rows = await conn.execute_query_dict(sql, params)
        row = rows[0] if rows else None
    if row is None:
        return None
    versions = {name: int(row[f"v_{name}"]) for name in READER_KEYS}
    versions.update((key, int(row[f"v_{i}"])) for i, key in enumerate(keys))
    return SessionRead(row, versions)


def _read_here(conn: Any, sql: str, params: list) -> dict[str, Any] | None:
    """On SQLite, this one read goes to a connection of its own (reading only), on the event loop's thread: in
    WAL mode a reader never waits for a writer, and the statement (a few primary-key lookups) takes tens
    of microseconds, less than handing it to the driver's thread and back, which on a reload of a kept
    page was most of the time the server spent. It never waits (a reader is told "busy" for a moment
    while another process's checkpoint resets the log): then the caller asks the driver, whose thread
    may wait. Values come back as the driver gives them (text for times), so pages kept and pages
    checked compare alike."""
    reader = getattr(conn, "_sns_session_reader", None)
    if reader is None:
        reader = sqlite3.connect(conn.filename, isolation_level=None, check_same_thread=False,
                                 timeout=0)  # never waits: busy goes to the driver
        reader.execute("PRAGMA query_only = ON")  # (mode=ro would not share the WAL index: slower reads)
        reader.row_factory = sqlite3.Row
        conn._sns_session_reader = reader  # closed with the client it belongs to (garbage collected)
    _log.debug("%s: %s", sql, params)  # where Tortoise logs its own statements (tests count them there)
    row = reader.execute(sql, params).fetchone()
    return dict(row) if row is not None else None
