"""What calendars show: a month of my events, my communities' and the town's; upcoming events; the
iCalendar feeds (the town's public one, and each resident's secret, revocable address).

Every list filters through `sns.policies.event_scope`, so no calendar shows what the event's own page
would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from tortoise.expressions import Q, Subquery

from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_
from sns.models import CalendarFeed, Event, Rsvp, User
from sns.models.base import utcnow
from sns.policies import ANONYMOUS, Viewer, event_scope, is_signed_in, load_viewer
from sns.security import new_token, token_hash
from sns.services.base import require
from sns.services.event_access import my_community_ids, readable_community_ids
from sns.services.events import FIRST_YEAR, LAST_YEAR, zone_of

MAX_FEEDS = 5
FEED_PAST, FEED_AHEAD = timedelta(days=90), timedelta(days=400)
MAX_IN_CALENDAR = 500


@dataclass
class Month:
    year: int
    month: int
    start: datetime  # the first moment of the month in the site's zone, as UTC
    end: datetime

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def previous(self) -> str:
        return f"{self.year - (self.month == 1):04d}-{12 if self.month == 1 else self.month - 1:02d}"

    @property
    def next(self) -> str:
        return f"{self.year + (self.month == 12):04d}-{1 if self.month == 12 else self.month + 1:02d}"

    def days(self) -> list[date]:
        first = date(self.year, self.month, 1)
        return [first + timedelta(days=n) for n in range(31) if (first + timedelta(days=n)).month == self.month]


def month_of(ctx: Ctx, text: str | None) -> Month:
    """`YYYY-MM` in the site's time zone; empty: this month."""
    zone = zone_of(ctx)
    if not text:
        today = utcnow().astimezone(zone)
        year, month = today.year, today.month
    else:
        parts = text.split("-") if len(text) <= 7 else []
        if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
            raise Invalid(N_("Give the month as year-month, such as 2026-05."), field="month")
        year, month = int(parts[0]), int(parts[1])
        if not (FIRST_YEAR < year < LAST_YEAR and 1 <= month <= 12):
            raise Invalid(N_("Give the month as year-month, such as 2026-05."), field="month")
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + (month == 12), 1 if month == 12 else month + 1, 1, tzinfo=zone)
    return Month(year, month, start.astimezone(timezone.utc), end.astimezone(timezone.utc))


async def _mine_or_town(v: Viewer) -> Q:
    """My events (organized, or answered going/maybe), my communities' events, and the town's."""
    town = Q(community_id=None, visibility="public") | Q(official=True)
    if not v.id:
        return town
    answered = Subquery(Rsvp.filter(user_id=v.id, answer__in=("going", "maybe"), deleted_at=None)
                        .values("event_id"))
    mine = Q(organizer_id=v.id) | Q(id__in=answered)
    communities = await my_community_ids(v)
    if communities:
        mine |= Q(community_id__in=communities)
    return town | mine


async def between(v: Viewer, start: datetime, end: datetime, limit: int = MAX_IN_CALENDAR) -> list[Event]:
    """The calendar's events that overlap [start, end), soonest first."""
    scope = event_scope(v, await readable_community_ids(v)) & await _mine_or_town(v)
    return await Event.filter(scope, starts_at__lt=end, ends_at__gte=start).order_by("starts_at", "id") \
        .limit(limit)


async def month_events(ctx: Ctx, month: Month) -> dict[date, list[Event]]:
    """Each day of the month with the events on it (an event of several days shows on each)."""
    zone = zone_of(ctx)
    days: dict[date, list[Event]] = {d: [] for d in month.days()}
    for event in await between(ctx.viewer, month.start, month.end):
        first = event.starts_at.astimezone(zone).date()
        last = max(first, event.ends_at.astimezone(zone).date())
        for day in days:
            if first <= day <= last:
                days[day].append(event)
    return days


async def upcoming(ctx: Ctx, page: int = 1, *, community_id: str | None = None) -> tuple[list[Event], bool]:
    """Events not yet over that the viewer may see, soonest first; and whether there are more."""
    size = ctx.settings.page_size
    q = Event.filter(event_scope(ctx.viewer, await readable_community_ids(ctx.viewer)), ends_at__gte=utcnow())
    if community_id:
        q = q.filter(community_id=community_id)
    rows = await q.order_by("starts_at", "id").offset((page - 1) * size).limit(size + 1).select_related("organizer")
    return rows[:size], len(rows) > size


async def town_events() -> list[Event]:
    """The public town calendar: public events of residents and staff (the official ones among them)."""
    now = utcnow()
    return await Event.filter(event_scope(ANONYMOUS), community_id=None, visibility="public",
                              ends_at__gte=now - FEED_PAST, starts_at__lt=now + FEED_AHEAD) \
        .order_by("starts_at", "id").limit(MAX_IN_CALENDAR)


# --- personal feeds -------------------------------------------------------------------------------

async def create_feed(ctx: Ctx) -> tuple[CalendarFeed, str]:
    """A new secret address (shown once, stored hashed)."""
    require(is_signed_in(ctx.viewer), N_("Please sign in."))
    if await CalendarFeed.filter(user_id=ctx.user.id, revoked_at=None).count() >= MAX_FEEDS:
        raise Invalid(N_("You have too many calendar addresses; revoke one first."), field="feed")
    secret = new_token(24)
    feed = await CalendarFeed.create(user_id=ctx.user.id, token_hash=token_hash(secret))
    return feed, secret


async def revoke_feed(ctx: Ctx, feed_id: str) -> None:
    require(is_signed_in(ctx.viewer), N_("Please sign in."))
    await CalendarFeed.filter(id=feed_id, user_id=ctx.user.id, revoked_at=None).update(revoked_at=utcnow())


async def my_feeds(ctx: Ctx) -> list[CalendarFeed]:
    if ctx.user is None:
        return []
    return await CalendarFeed.filter(user_id=ctx.user.id, revoked_at=None).order_by("created_at")


async def feed_events(secret: str) -> tuple[User, list[Event]] | None:
    """What the feed's resident may see of their calendar; None for an unknown or revoked address."""
    if not secret or len(secret) > 100 or not secret.isascii():
        return None
    feed = await CalendarFeed.get_or_none(token_hash=token_hash(secret), revoked_at=None).select_related("user")
    if feed is None or feed.user.state != "active" or feed.user.deleted_at is not None:
        return None
    viewer = await load_viewer(feed.user)
    now = utcnow()
    return feed.user, await between(viewer, now - FEED_PAST, now + FEED_AHEAD)
