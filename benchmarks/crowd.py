"""Signed-in sessions for the town's crowd, made as the sign-in service makes them (no argon2 per resident).

A session row is what `sns.services.accounts.start_session` inserts (`new_token()` as id and CSRF token);
the cookie is that id signed as sns/web/http.py signs it (itsdangerous `Signer`, the instance's
`keys/secret.key`, salt "session"). Each resident also gets a CSRF cookie and its token
(sns/web/middleware.py `csrf_token_for`), for the forms they post.
"""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Resident:
    user_id: str
    username: str
    friend_diary: str
    session_id: str
    cookie: str  # the Cookie header: session and CSRF cookies
    csrf_token: str  # the form field that goes with the CSRF cookie


def make_residents(data: Path, crowd: list[list[str]]) -> list[Resident]:
    from itsdangerous import Signer

    from sns.keys import load_secret
    from sns.security import new_token
    from sns.settings import load_settings
    from sns.web.http import SESSION_COOKIE
    from sns.web.middleware import CSRF_COOKIE, csrf_token_for, new_csrf_cookie

    secret = load_secret(load_settings(data).keys_dir)
    signer = Signer(secret, salt="session")
    out = []
    for user_id, username, diary in crowd:
        session_id, csrf = new_token(), new_csrf_cookie()
        cookie = f"{SESSION_COOKIE}={signer.sign(session_id).decode()}; {CSRF_COOKIE}={csrf}"
        out.append(Resident(user_id, username, diary, session_id, cookie, csrf_token_for(secret, csrf)))
    return out


def _rows(residents: list[Resident]):
    from sns.security import new_token

    now = datetime.now(timezone.utc)
    return [(r.session_id, r.user_id, new_token(), now, now, "") for r in residents]


def store_sqlite(db_path: Path, residents: list[Resident]) -> None:
    """Replace every session with the crowd's (timestamps stored as Tortoise stores them in SQLite)."""
    db = sqlite3.connect(db_path)
    with db:
        db.execute("DELETE FROM sessions")
        db.executemany("INSERT INTO sessions (id, user_id, csrf_token, created_at, last_seen_at, user_agent)"
                       " VALUES (?,?,?,?,?,?)",
                       [(i, u, c, a.isoformat(" "), b.isoformat(" "), ua) for i, u, c, a, b, ua in _rows(residents)])
    db.close()


async def store_postgres(url: str, residents: list[Resident]) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute("DELETE FROM sessions")
            await conn.copy_records_to_table("sessions", records=_rows(residents), columns=[
                "id", "user_id", "csrf_token", "created_at", "last_seen_at", "user_agent"])
    finally:
        await conn.close()
