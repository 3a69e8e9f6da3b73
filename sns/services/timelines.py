"""What pages list: each function runs a fixed number of queries whatever the data size.

Every list filters through a scope from `sns.policies`, so a list never shows
what the detail page would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from tortoise.expressions import Q

from sns.context import Ctx
from sns.ids import is_id
from sns.models import Diary, Notice, Photo, User
from sns.models.base import utcnow
from sns.policies import can_view_diary, diary_scope, public_diary_scope
from sns.services import diary_reads, notice_reach, rows
from sns.services.shared import SharedCache, database_of

# The shared "new in town" list keeps more entries than a page shows, so that after leaving
# out a reader's blocked neighbours and their own entries there are usually still enough.
SHARED_TOWN_DIARIES = 30
# My page remembers the visit ("new since last visit") at most once a minute: a reload within
# a minute neither writes nor moves the mark, so its counts stay those of the visit before.
SEEN_AGAIN_AFTER = timedelta(seconds=60)

_shared = SharedCache(on_kept_pages=False)  # kept pages showing it depend on `town`


@dataclass
class Page:
    items: list
    next_before: str | None = None  # keyset pagination: ids are ordered by time


def _before(before: str | None) -> Q:
    return Q(id__lt=before) if before and is_id(before) else Q()


async def _page(query, limit: int) -> Page:
    rows = await query.limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1].id if more and rows else None)


async def diaries(ctx: Ctx, *, author_id: str | None = None, before: str | None = None,
                  limit: int | None = None) -> Page:
    """Diaries the viewer may see, newest first (one query)."""
    q = Diary.filter(diary_scope(ctx.viewer) & _before(before))
    if author_id:
        q = q.filter(author_id=author_id)
    return await _page(q.order_by("-id").select_related("author"), limit or ctx.settings.page_size)


async def public_diaries(*, author_id: str | None = None, limit: int = 50) -> list[rows.DiaryRow]:
    """What a visitor may see, newest first (one query): for feeds."""
    q = Diary.filter(public_diary_scope())
    if author_id:
        q = q.filter(author_id=author_id)
    return await rows.diaries(q.order_by("-id").limit(limit))


async def town_diaries(ctx: Ctx, limit: int = 10) -> list[rows.DiaryRow]:
    """The town's newest public entries that this reader may see, not their own.

    The newest public entries are the same for everyone and kept shared for a few seconds
    (`sns.services.shared`); the reader's blocks are applied here through `can_view_diary`.
    When they leave too few, the reader's own list comes from the database (one query).
    """
    v = ctx.viewer
    shared = await _shared.get((database_of(ctx.settings), "town_diaries"), ctx.settings.shared_cache_seconds,
                               lambda: public_diaries(limit=SHARED_TOWN_DIARIES), ctx.versions.get("town"))
    mine = [d for d in shared if d.author_id != v.id and can_view_diary(v, d)][:limit]
    if len(mine) == limit or len(shared) < SHARED_TOWN_DIARIES:
        return mine
    return await diary_reads.town_diaries(v, limit)


async def newest_notices(ctx: Ctx, limit: int = 5) -> list[rows.NoticeRow]:
    """The newest official notices (everyone sees the same; kept shared for a few seconds)."""
    return await _shared.get((database_of(ctx.settings), "notices", limit), ctx.settings.shared_cache_seconds,
                             lambda: rows.notices(Notice.filter(deleted_at=None).order_by("-id").limit(limit)),
                             ctx.versions.get("town"))


async def notices(limit: int = 5, before: str | None = None) -> Page:
    return await _page(Notice.filter(Q(deleted_at=None) & _before(before)).order_by("-id").select_related("author"),
                       limit)


async def photos_of(diary_ids: list[str]) -> dict[str, list[Photo]]:
    """Photos for several diaries in one query."""
    out: dict[str, list[Photo]] = {d: [] for d in diary_ids}
    if diary_ids:
        for photo in await Photo.filter(diary_id__in=diary_ids, deleted_at=None).order_by("position"):
            out[photo.diary_id].append(photo)
    return out


@dataclass(frozen=True)
class Counts:
    new_friend_diaries: int = 0
    new_comments: int = 0
    friend_requests: int = 0


@dataclass
class MyPage:
    friends_diaries: list = field(default_factory=list)
    town_diaries: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)


async def my_page(ctx: Ctx) -> MyPage:
    """Home after sign-in: three statements of its own, in SQL written by hand (`sns.services.diary_reads`;
    the town's newest entries are shared, see `town_diaries`; the notices near my home are one more), and the visit time is
    remembered (1 write, once a minute)."""
    v, me = ctx.viewer, ctx.user
    since = me.last_seen_home_at
    page = MyPage()
    if v.friend_ids:
        page.friends_diaries = await diary_reads.friends_newest_diaries(v, 10)
    page.town_diaries = await town_diaries(ctx, 10)
    page.notices = await notice_reach.near_me(me, 5)  # near my home: the town's, my district's, around my home
    page.comments = await diary_reads.received_comments(v, 10)
    page.counts = await new_since(ctx, since)
    if visit_to_remember(since):
        await User.filter(id=me.id).update(last_seen_home_at=utcnow())
    return page


def visit_to_remember(since) -> bool:
    """Whether a visit now is remembered (the mark "new since" counts from moves): at most once a minute."""
    return since is None or utcnow() - since >= SEEN_AGAIN_AFTER


async def new_since(ctx: Ctx, since) -> Counts:
    """What is new for me since `since` (my last visit remembered): one statement."""
    found = await diary_reads.home_counts(ctx.viewer, since)
    return Counts(found["new_friend_diaries"], found["new_comments"], found["friend_requests"])


def forget_shared() -> None:
    """Drop what `town_diaries` and `newest_notices` keep (the app does this when it starts)."""
    _shared.forget()


async def residents(ctx: Ctx, query: str = "", before: str | None = None) -> Page:
    q = User.filter(Q(deleted_at=None, state="active") & _before(before))
    if ctx.viewer.blocked_ids:
        q = q.exclude(id__in=list(ctx.viewer.blocked_ids))
    if query:
        q = q.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    return await _page(q.order_by("-id"), ctx.settings.page_size)
