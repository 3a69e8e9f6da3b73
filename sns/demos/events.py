"""Demo events (see sns/demos/__init__.py): the town's official drill, a community's walk, a small
cooking class that is full with a waiting list, and a resident's members-only tea."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sns.models import Community, Membership
from sns.services import rsvps
from sns.services.events import post_event


def _at(ctx, days: int, hour: int, minute: int = 0) -> datetime:
    """`days` from today at a local time in the site's time zone, as UTC."""
    zone = ZoneInfo(ctx.settings.timezone)
    day = (datetime.now(timezone.utc).astimezone(zone) + timedelta(days=days)).date()
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(timezone.utc)


async def seed(as_user, users) -> None:
    city = await as_user("cityhall")
    drill = await post_event(
        city, title="Autumn evacuation drill / 秋の避難訓練", official=True, visibility="public",
        starts_at=_at(city, 10, 10), ends_at=_at(city, 10, 12), place="Minato Elementary School / 港小学校",
        lat=32.5073, lon=130.6016,
        description="Bring your emergency bag. Wheelchair access by the east gate.\n\n"
                    "非常持出袋をお持ちください。車いすの方は東門からどうぞ。")
    for name in ("hanako", "taro", "ken"):
        if name in users:
            await rsvps.answer_event(await as_user(name), drill.id, "going")
    club = await Community.filter(name__startswith="Riverside", deleted_at=None).first()
    if club is not None:
        member = await Membership.filter(community_id=club.id, state="active").order_by("created_at").first()
        if member is not None:
            who = await as_user(next(n for n, u in users.items() if u.id == member.user_id))
            walk = await post_event(
                who, title="Saturday river walk / 土曜の川沿い散歩", community_id=club.id,
                starts_at=_at(who, 5, 7), ends_at=_at(who, 5, 9), place="North bridge / 北橋",
                description="About 5 km at an easy pace. 約5キロ、ゆっくり歩きます。")
            for name in ("yuki", "hanako"):
                if name in users:
                    await rsvps.answer_event(await as_user(name), walk.id, "maybe")
    yuki = await as_user("yuki")
    cooking = await post_event(
        yuki, title="Local fish cooking class / 地魚料理教室", capacity=2, visibility="members",
        starts_at=_at(yuki, 7, 14), ends_at=_at(yuki, 7, 16), place="Community centre kitchen / 公民館調理室",
        description="Only two places: the kitchen is small. 調理室が狭いので2名までです。")
    for name in ("hanako", "taro", "ken"):  # the third is on the waiting list
        if name in users:
            await rsvps.answer_event(await as_user(name), cooking.id, "going")
    ken = await as_user("ken")
    await post_event(ken, title="Tea on the veranda / 縁側でお茶", visibility="friends",
                     starts_at=_at(ken, 3, 15), ends_at=_at(ken, 3, 17), place="Ken's house / 健の家")
