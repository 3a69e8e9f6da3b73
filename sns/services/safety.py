"""Safety check-ins during disaster mode: a resident marks "I'm safe" or "I need help", with an optional
message and place. The newest check-in of a resident in an event counts; the earlier ones stay (`current`
is turned off, journaled like any change). Friends see it on their My page; the staff see the counts per
district and the list of those who need help. Nobody else ever sees a check-in (`sns.policies.disaster`).

A check-in is not held by the word filter: a call for help must never wait for a moderator, and only
friends and staff read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count

from sns import events
from sns.context import Ctx
from sns.errors import Conflict, Invalid
from sns.geo import parse_location
from sns.i18n import N_, gettext
from sns.models import CHECKIN_STATUSES, DisasterEvent, District, SafetyCheckin, User
from sns.policies import can_check_in, can_see_safety_counts, checkin_scope
from sns.services.base import clean_text, idempotency_key, rate_limit_post, require, save_change, save_new, \
    transaction
from sns.services.disaster import current_event

MAX_MESSAGE = 1000
STATUS_LABELS = {"safe": N_("I'm safe"), "need_help": N_("I need help")}
SHOWN_LABELS = {"safe": N_("Safe"), "need_help": N_("Needs help")}


def status_label(status: str) -> str:
    return gettext(SHOWN_LABELS.get(status, status))


async def check_in(ctx: Ctx, *, status, message="", place="", lat=None, lon=None, share_pfif: bool = False,
                   client_token: str | None = None) -> SafetyCheckin:
    """Check in to the event that is on. `share_pfif`: the resident ticked "share with other person-finder
    registries" (docs/pfif.md); off unless they did, and asked again on every check-in."""
    client_token = idempotency_key(client_token)
    event = await current_event(ctx)
    if ctx.user is not None and event is None:
        raise Conflict(N_("Disaster mode is not on: there is nothing to check in to now."), field="_")
    require(can_check_in(ctx.viewer, event), N_("Please sign in to check in."))
    if client_token:
        earlier = await SafetyCheckin.get_or_none(client_token=client_token, user_id=ctx.user.id)
        if earlier is not None:  # a double-submitted form checks in once
            return earlier
    if status not in CHECKIN_STATUSES:
        raise Invalid(N_("Choose “I'm safe” or “I need help”."), field="status")
    message = clean_text(message, field="message", max_chars=MAX_MESSAGE, required=False)
    place = clean_text(place, field="place", max_chars=200, single_line=True, required=False)
    lat, lon = parse_location(lat, lon)
    await rate_limit_post(ctx)
    try:
        async with transaction() as tx:
            for earlier in await SafetyCheckin.filter(event_id=event.id, user_id=ctx.user.id, current=True) \
                    .using_db(tx):
                earlier.current = False
                await save_change(earlier, tx)
            checkin = await save_new(SafetyCheckin(event_id=event.id, user_id=ctx.user.id, status=status,
                                                   message=message, place=place, lat=lat, lon=lon, current=True,
                                                   share_pfif=share_pfif is True, client_token=client_token,
                                                   origin=ctx.origin), tx)
    except IntegrityError:  # the same form, submitted twice at once: the first one won
        return await SafetyCheckin.get(client_token=client_token, user_id=ctx.user.id)
    await events.publish("checkin", {"event": event.id})  # no content: who checked in is not for everyone
    return checkin


async def my_checkin(ctx: Ctx, event: DisasterEvent | None) -> SafetyCheckin | None:
    if event is None or ctx.user is None:
        return None
    return await SafetyCheckin.filter(event_id=event.id, user_id=ctx.user.id, current=True, deleted_at=None) \
        .order_by("-id").first()


async def visible_checkins(ctx: Ctx, event: DisasterEvent, *, user_ids: list[str] | None = None,
                           limit: int = 500) -> list[SafetyCheckin]:
    """The current check-ins in the event that the viewer may see (their own, their friends', all for the
    staff), newest first, optionally only those of `user_ids` (one query)."""
    q = SafetyCheckin.filter(checkin_scope(ctx.viewer), event_id=event.id, current=True)
    if user_ids is not None:
        q = q.filter(user_id__in=user_ids)
    return await q.order_by("-id").limit(limit).select_related("user")


async def friends_checkins(ctx: Ctx, event: DisasterEvent | None) -> list[SafetyCheckin]:
    """My friends' current check-ins in the event, those who need help first (one query)."""
    v = ctx.viewer
    friends = sorted(set(v.friend_ids) - set(v.blocked_ids))
    if event is None or not friends:
        return []
    rows = await visible_checkins(ctx, event, user_ids=friends)
    return sorted(rows, key=lambda c: c.status != "need_help")


@dataclass
class DistrictCount:
    name: str
    safe: int = 0
    need_help: int = 0
    residents: int = 0

    @property
    def not_checked_in(self) -> int:
        return max(self.residents - self.safe - self.need_help, 0)


@dataclass
class SafetyCounts:
    districts: list[DistrictCount] = field(default_factory=list)
    need_help: list[SafetyCheckin] = field(default_factory=list)

    @property
    def total(self) -> DistrictCount:
        out = DistrictCount(gettext(N_("All districts")))
        for d in self.districts:
            out.safe, out.need_help, out.residents = (out.safe + d.safe, out.need_help + d.need_help,
                                                      out.residents + d.residents)
        return out


async def counts(ctx: Ctx, event: DisasterEvent, *, with_list: bool = True) -> SafetyCounts:
    """Safe / need help / not checked in per district (the accounts' districts; "No district" last), and
    who needs help with their message and place, newest first. Four queries whatever the town's size."""
    require(can_see_safety_counts(ctx.viewer), N_("Only the staff see the counts and who needs help."))
    names = {d.id: d.name for d in await District.filter(deleted_at=None).order_by("position", "name")}
    table = {key: DistrictCount(name) for key, name in names.items()}
    table[None] = DistrictCount(gettext(N_("No district")))
    for district_id, n in await User.filter(state="active", deleted_at=None).annotate(n=Count("id")) \
            .group_by("district_id").values_list("district_id", "n"):
        table.setdefault(district_id if district_id in names else None, table[None]).residents += n
    latest: dict[str, tuple[str, str | None]] = {}
    for user_id, status, district_id in await SafetyCheckin.filter(event_id=event.id, current=True,
                                                                   deleted_at=None).order_by("id").values_list(
            "user_id", "status", "user__district_id"):
        latest[user_id] = (status, district_id)
    for status, district_id in latest.values():
        row = table[district_id if district_id in names else None]
        setattr(row, status, getattr(row, status) + 1)
    out = SafetyCounts(districts=[table[k] for k in names] + [table[None]])
    if with_list:
        out.need_help = await SafetyCheckin.filter(event_id=event.id, current=True, status="need_help",
                                                   deleted_at=None).order_by("-id").limit(500) \
            .select_related("user")
        for c in out.need_help:
            c.district_name = names.get(c.user.district_id, "")
    return out
