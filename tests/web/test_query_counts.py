"""Each page runs a fixed number of SQL queries whatever the data size (no N+1).

Queries are counted through Tortoise's `tortoise.db_client` logger: every backend client
(SQLite and asyncpg) logs each statement it executes there at DEBUG, as "%s: %s" with the SQL
first. The pages are rendered once on a small town, then again after adding several times
more residents, friends, diaries, comments, photos and notices.

What every reader sees alike (the town's newest public diaries, the notices, the public
feeds) is kept for a few seconds (`sns.services.shared`); each page is counted twice: "cold",
right after that is forgotten (what a request pays when it has expired), and "warm".
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import timedelta

import pytest

from sns.models import Block, Comment, Diary, Friendship, Notice, Photo, User
from sns.models.base import utcnow
from sns.services.shared import public_changed

STATEMENTS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")

# The most each page may run, cold (the counts today are at or below these).
# A signed-in page also counts the reader's unread notifications (the badge in the navigation), and cold,
# whether disaster mode is on (shared like the active alerts: no query when warm).
# The reader's friends, blocks and departments are one query (`load_viewer`), and My page's three counts one
# more (`diary_reads.home_counts`), and its open requests one per kind when they are made (sns/services/my_requests.py).
BOUNDS = {
    "my page": 13,
    "diary page": 8,
    "diary list": 7,
    "profile": 9,
    "town feed": 1,
    "resident feed": 2,
    "notices feed": 1,
}
# ... and warm: what is shared is not asked for again.
WARM_BOUNDS = {**BOUNDS, "my page": 9, "diary page": 6, "diary list": 5, "profile": 7, "town feed": 0,
               "notices feed": 0}


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        sql = record.args[0] if record.msg == "%s: %s" and record.args else record.msg
        if isinstance(sql, str) and sql.lstrip().split(" ", 1)[0].upper() in STATEMENTS:
            self.statements.append(sql)


@contextmanager
def count_queries():
    logger = logging.getLogger("tortoise.db_client")
    counter = _Counter()
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(counter)
    try:
        yield counter.statements
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
        logger.propagate = propagate


def test_the_counter_sees_queries():
    counter = _Counter()
    counter.handle(logging.LogRecord("tortoise.db_client", logging.DEBUG, "", 0, "%s: %s",
                                     ('SELECT "id" FROM "users"', []), None))
    counter.handle(logging.LogRecord("tortoise.db_client", logging.DEBUG, "", 0, "Created connection %s",
                                     ("x",), None))
    assert counter.statements == ['SELECT "id" FROM "users"']


class Town:
    """A resident `me` with friends, a friend's diary with photos and comments, and a growing town."""

    def __init__(self, site) -> None:
        self.site = site
        self.origin = site.settings.origin
        self.round = 0

    async def start(self) -> None:
        self.me = await self.site.user("qc_me")
        self.friend = await self.site.user("qc_friend")
        self.staff = await self.site.user("qc_staff", role="staff")
        self.blocked = await self.site.user("qc_blocked")
        await self._friends(self.me, [self.friend])
        await Block.create(blocker_id=self.me.id, blocked_id=self.blocked.id, origin=self.origin)
        self.featured = await Diary.create(author_id=self.friend.id, title="Featured entry", body="With **photos**.",
                                           visibility="members", lat=32.5, lon=130.6, origin=self.origin)
        await Diary.create(author_id=self.friend.id, title="Public Entry", body="For the feed.",
                           visibility="public", origin=self.origin)

    async def _friends(self, me: User, others: list[User]) -> None:
        rows = []
        for other in others:
            rows += [Friendship(user_id=me.id, friend_id=other.id, state="accepted", origin=self.origin),
                     Friendship(user_id=other.id, friend_id=me.id, state="accepted", origin=self.origin)]
        await Friendship.bulk_create(rows)

    async def grow(self, n: int) -> None:
        """Add about `n` of each: residents (friends of me), diaries, comments, photos, notices."""
        self.round += 1
        o, r = self.origin, self.round
        people = [User(username=f"qc{r}x{i}", display_name=f"Neighbour {r}.{i}", origin=o) for i in range(n)]
        await User.bulk_create(people)
        await self._friends(self.me, people[: n // 2])
        await Friendship.bulk_create([Friendship(user_id=p.id, friend_id=self.me.id, state="requested", origin=o)
                                      for p in people[n // 2: n // 2 + 2]])
        authors = [self.me, self.friend, *people]
        visibilities = ("public", "members", "friends", "private")
        diaries = [Diary(author_id=authors[i % len(authors)].id, title=f"Entry {r}.{i}", body="Some *text*.",
                         visibility=visibilities[i % 4], origin=o) for i in range(3 * n)]
        await Diary.bulk_create(diaries)
        mine = [d for d in diaries if d.author_id == self.me.id] or diaries[:1]
        comments = [Comment(diary_id=(self.featured if i % 3 == 0 else mine[i % len(mine)] if i % 3 == 1
                                      else diaries[i % len(diaries)]).id,
                            author_id=authors[(i + 1) % len(authors)].id, body=f"Comment {r}.{i}", origin=o)
                    for i in range(6 * n)]
        comments.append(Comment(diary_id=self.featured.id, author_id=self.blocked.id, body="blocked", origin=o))
        await Comment.bulk_create(comments)
        await Photo.bulk_create(
            [Photo(owner_id=self.friend.id, diary_id=self.featured.id, width=800, height=600, bytes=1000,
                   position=10 * r + i, origin=o) for i in range(2)]
            + [Photo(owner_id=d.author_id, diary_id=d.id, width=64, height=48, bytes=100, origin=o)
               for d in diaries[::2]])
        await Notice.bulk_create([Notice(author_id=self.staff.id, title=f"Notice {r}.{i}", body="Please *note*.",
                                         origin=o) for i in range(n // 2)])
        await User.filter(id=self.me.id).update(last_seen_home_at=utcnow() - timedelta(days=1))

    def pages(self) -> dict[str, tuple[str, bool]]:
        """Page name -> (path, signed in)."""
        return {
            "my page": ("/home", True),
            "diary page": (f"/diaries/{self.featured.id}", True),
            "diary list": ("/diaries", True),
            "profile": (f"/people/{self.friend.username}", True),
            "town feed": ("/feeds/diaries.atom", False),
            "resident feed": (f"/feeds/people/{self.friend.username}.atom", False),
            "notices feed": ("/feeds/notices.atom", False),
        }

    async def counts(self, signed_in, visitor) -> dict[str, tuple[int, int]]:
        """Page name -> (queries cold, queries warm)."""
        out = {}
        for name, (path, signed) in self.pages().items():
            client = signed_in if signed else visitor
            assert (await client.get(path)).status_code == 200, path  # warms what is cached (site config)
            counted = []
            for forget in (True, False):
                if forget:
                    public_changed()
                with count_queries() as statements:
                    response = await client.get(path)
                assert response.status_code == 200, path
                assert "Entry" in response.text or "Notice" in response.text or "Featured" in response.text, path
                counted.append(len(statements))
            out[name] = tuple(counted)
        return out


@pytest.fixture(scope="module")
async def measured(site):
    town = Town(site)
    await town.start()
    signed_in, visitor = site.client(), site.client()
    await signed_in.login("qc_me")
    await town.grow(6)
    small = await town.counts(signed_in, visitor)
    await town.grow(30)
    await town.grow(30)
    large = await town.counts(signed_in, visitor)
    home = (await signed_in.get("/home")).text
    return small, large, home


@pytest.mark.parametrize("page", list(BOUNDS))
async def test_query_count_does_not_grow(measured, page):
    small, large, _ = measured
    assert large[page] == small[page], f"{page}: {small[page]} queries on a small town, {large[page]} on a big one"
    cold, warm = small[page]
    assert 0 < cold <= BOUNDS[page], f"{page}: {cold} queries (at most {BOUNDS[page]})"
    assert warm <= WARM_BOUNDS[page], f"{page}: {warm} queries when warm (at most {WARM_BOUNDS[page]})"


async def test_my_page_shows_what_was_counted(measured):
    _, _, home = measured
    assert "Entry" in home and "Notice" in home and "Comment" in home
