"""Version numbers of what readers see, kept in the database (DESIGN invariant 11).

A page kept for a reader (sns/web/reader_pages.py) is reused only while the numbers it was made under
are unchanged. Every write that can change what some reader sees bumps the numbers concerned in its own
transaction: `journal.record` (and `journal.apply` on our own database) calls `bump_for`, so no service
can forget it, and a block or an unfriending is seen by the very next request on every worker and
machine, which read the numbers with the session (one query).

Keys, and what bumps them:

- `u:<id>`: that person's own view: their account (role, name, language), their friendships and blocks
  (both sides), their check-in, comments on their diary entries, their inquiries, street reports and
  appointments (My page's open requests);
- `f:<id>`: what that person's friends did: a friend's diary entry or its photos, a friend's check-in, a
  friend's account (their name on My page);
- `d:<id>`: one diary entry's page: the entry, its photos, its comments;
- `c:<id>`: one community's pages: the community, its memberships, topics, replies and follows;
- `town`: what everyone sees alike and lists show: any diary entry (it may be or have been public), notices;
- `site`: anything else a kept page may show (alerts, disaster mode, districts, ...), and every kind this
  table does not name, so a new kind is safe before anyone thinks about it.

Kinds that no kept page shows (mail, the entries of the city's threads, events, albums, ...) bump nothing;
`tests/unit/test_view_versions.py` fails when a journal kind is in neither list. The unread-notification
count is read with the session itself, so notifications bump nothing either.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

# Kinds whose records no kept page shows (kept pages: My page, a diary page, a community's topic list;
# the light disaster page is shared, see sns/web/visitors.py). Add a rule below before showing one.
NOT_SHOWN = frozenset({
    "conversation", "participant", "message", "department", "department_staff", "inquiry_entry",
    "event", "rsvp", "album", "report_category", "report_update", "report_follow",
    "shelter", "map_layer", "standby_code", "disaster_post",
})

# Kinds shown on kept pages only through what every reader shares (the banners, the light page): `site`.
SITE_WIDE = frozenset({"alert", "alert_update", "disaster_event", "district"})

# A rule names keys directly and/or "friends of" a user id, as SQL selecting keys.
_FRIENDS_OF = "SELECT 'f:' || friend_id AS k FROM friendships WHERE user_id = {p} AND state = 'accepted'"
_DIARY_AUTHOR = "SELECT 'u:' || author_id AS k FROM diaries WHERE id = {p}"
_TOPIC_COMMUNITY = "SELECT 'c:' || community_id AS k FROM topics WHERE id = {p}"


def _diary(o) -> tuple[list[str], list[tuple[str, str]]]:
    return [f"d:{o.id}", f"u:{o.author_id}", "town"], [(_FRIENDS_OF, o.author_id)]


def _comment(o):
    return [f"d:{o.diary_id}"], [(_DIARY_AUTHOR, o.diary_id)]


def _photo(o):
    if getattr(o, "diary_id", None):
        return [f"d:{o.diary_id}", "town"], [(_FRIENDS_OF, o.owner_id)]
    return ["site"], []


def _pair(a: str, b: str):
    return lambda o: ([f"u:{getattr(o, a)}", f"u:{getattr(o, b)}"], [])


def _user(o):
    return [f"u:{o.id}"], [(_FRIENDS_OF, o.id)]


def _checkin(o):
    return [f"u:{o.user_id}"], [(_FRIENDS_OF, o.user_id)]


def _community_part(o):
    return [f"c:{o.community_id}"], []


def _in_topic(o):
    return [], [(_TOPIC_COMMUNITY, o.topic_id)]


RULES: dict[str, Callable[[Any], tuple[list[str], list[tuple[str, str]]]]] = {
    "diary": _diary,
    "comment": _comment,
    "photo": _photo,
    "friendship": _pair("user_id", "friend_id"),
    "block": _pair("blocker_id", "blocked_id"),
    "user": _user,
    "safety_checkin": _checkin,
    "community": lambda o: ([f"c:{o.id}"], []),
    "membership": lambda o: ([f"c:{o.community_id}", f"u:{o.user_id}"], []),
    "topic": _community_part,
    "reply": _in_topic,
    "topic_follow": _in_topic,
    "notice": lambda o: (["town"], []),
    # My page's "My open requests" (sns/web/my_requests.py) is kept per reader under their own number: an
    # inquiry or a street report of theirs that changes bumps it (their appointments bump it by hand, in
    # sns/services/appointments.py: the table is local, not journaled)
    "inquiry": lambda o: ([f"u:{o.resident_id}"], []),
    "street_report": lambda o: ([f"u:{o.author_id}"], []),
}


def keys_for(kind: str, obj: Any) -> tuple[list[str], list[tuple[str, str]]]:
    """The keys a change to `obj` bumps: (direct keys, [(SQL selecting more keys, its one parameter)])."""
    if kind in NOT_SHOWN:
        return [], []
    rule = RULES.get(kind)
    return rule(obj) if rule else (["site"], [])  # SITE_WIDE, and a kind nobody has decided on yet


_UPSERT = "ON CONFLICT (key) DO UPDATE SET n = view_versions.n + 1"


async def bump(conn: Any, keys: Iterable[str], selects: Iterable[tuple[str, str]] = ()) -> None:
    """Add one to each key (made at 1 when new), in the caller's transaction. Keys are taken in sorted
    order; the journal's counter row, locked first by every journaled write, keeps two writers from
    taking the same keys in opposite orders (PostgreSQL would abort one)."""
    postgres = conn.capabilities.dialect != "sqlite"
    keys = sorted(set(keys))
    if keys:
        marks = ", ".join(f"(${i + 1}, 1)" if postgres else "(?, 1)" for i in range(len(keys)))
        await conn.execute_query(f"INSERT INTO view_versions (key, n) VALUES {marks} {_UPSERT}", keys)
    for select, param in selects:
        sql = select.format(p="$1" if postgres else "?")
        # (SQLite needs the WHERE to tell the upsert's ON from a join's)
        await conn.execute_query(f"INSERT INTO view_versions (key, n) SELECT k, 1 FROM ({sql}) AS s "
                                 f"WHERE k IS NOT NULL ORDER BY k {_UPSERT}", [param])


async def bump_for(kind: str, obj: Any, conn: Any) -> None:
    """The bumps one journaled change calls for (see the table above)."""
    keys, selects = keys_for(kind, obj)
    await bump(conn, keys, selects)

