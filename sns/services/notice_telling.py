"""Telling residents of a notice near their home (the job "notice_telling", named in sns/areas.py).

Each round looks at this city's notices for districts or around a point posted in the last TELL_WITHIN
(a notice our staff posted on a neighbour while we were down counts when it arrives), finds the residents
each concerns who asked to be told (`notice_reach.residents_to_tell`, one query per notice) and tells them
through sns/services/telling.py under the key "notice:<id>": once per resident and channel, however many
rounds or workers decide it. Safe to repeat: who was told is left out before the texts are made.
"""

from __future__ import annotations

from datetime import timedelta

from sns import tasks
from sns.i18n import gettext
from sns.models import Notice, User
from sns.models.base import utcnow
from sns.models.reminders import Telling
from sns.services import notice_reach, telling
from sns.services.notice_areas import area_label, category_label, district_names
from sns.settings import Settings

JOB_NAME = "notice_telling"
TELL_WITHIN = timedelta(days=2)  # a notice older than this when found is not told any more
ROUND_SECONDS = 60.0  # nudged when a notice is posted; the pace catches what arrives by mirroring


def notice_key(notice_id: str) -> str:
    return f"notice:{notice_id}"


def _texts(notice: Notice, names: dict[str, str], settings: Settings):
    def texts() -> tuple[str, str]:
        kind = category_label(notice.category)
        subject = gettext("Notice near your home: %(title)s", title=notice.title)
        lines = [f"{kind}: {notice.title}" if kind else notice.title, area_label(notice, names), "",
                 notice.body[:2000], "",
                 gettext("You get this because you asked to be told of notices near your home (%(link)s).",
                         link=settings.base_url + "/settings/alerts")]
        return subject, "\n".join(lines)
    return texts


async def tell_notice(settings: Settings, notice: Notice) -> int:
    """Tell the residents `notice` concerns who asked and were not told yet; returns how many channels were
    newly written."""
    wanted = await notice_reach.residents_to_tell(notice)
    if not wanted:
        return 0
    key = notice_key(notice.id)
    told = set(await Telling.filter(key=key, user_id__in=[w["user_id"] for w in wanted])
               .values_list("user_id", flat=True))
    wanted = [w for w in wanted if w["user_id"] not in told]
    people = {u.id: u for u in await User.filter(id__in=[w["user_id"] for w in wanted])}
    names = await district_names([notice])
    written = 0
    for want in wanted:
        user = people.get(want["user_id"])
        if user is not None:
            written += await telling.tell(settings, user, key, _texts(notice, names, settings),
                                          url=f"/notices/{notice.id}", email=want["email"], push=want["push"])
    return written


async def run_round(settings: Settings, site=None) -> None:
    notices = await Notice.filter(deleted_at=None, origin=settings.origin, scope__in=("districts", "radius"),
                                  created_at__gte=utcnow() - TELL_WITHIN).order_by("id")
    for notice in notices:
        await tell_notice(settings, notice)


JOB = tasks.Job(JOB_NAME, run_round, lambda s: ROUND_SECONDS)  # (sns/areas.py)
