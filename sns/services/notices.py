"""Official notices that municipal staff post to every resident's My page."""

from __future__ import annotations

from sns import events, tasks
from sns.context import Ctx
from sns.errors import NotFound
from sns.fediverse import publishing as fediverse
from sns.i18n import N_
from sns.models import Notice
from sns.policies import can_post_notice
from sns.policies.notices import can_post_area_notice
from sns.services.base import clean_text, require, save_new, tombstone, transaction
from sns.services.moderate import open_flag, screen, tell_moderators
from sns.services.notice_areas import check_area
from sns.services.notice_telling import JOB_NAME as TELLING_JOB
from sns.services.shared import public_changed


def notice_fields(ctx: Ctx, title, body) -> tuple[str, str]:
    """A notice's title and text, checked (shared with acting on behalf: sns/mirror/behalf.py)."""
    return (clean_text(title, field="title", max_chars=200, single_line=True),
            clean_text(body, field="body", max_chars=ctx.settings.max_body_chars))


async def post_notice(ctx: Ctx, *, title, body, scope="town", district_ids=None, lat=None, lon=None, radius_m=None,
                      category="") -> Notice:
    """Post a notice for the whole town, some districts or a circle around a point (sns/services/notice_areas.py);
    the residents it concerns who asked are told by the job "notice_telling"."""
    require(can_post_notice(ctx.viewer), N_("Only municipal staff can post official notices."))
    title, body = notice_fields(ctx, title, body)
    area = await check_area(scope=scope, district_ids=district_ids, lat=lat, lon=lon, radius_m=radius_m,
                            category=category)
    if area.scope != "town":
        require(can_post_area_notice(ctx.viewer), N_("Only municipal staff can post official notices."))
    # Staff notices are scanned but never held or masked (an urgent notice must not wait, and staff
    # answer for what they post); a flagged one still goes to the review queue for a second look.
    screening = await screen(ctx, title, body, may_hold=False, counts=False)
    screening.texts = (title, body)
    async with transaction() as tx:
        notice = await save_new(Notice(author_id=ctx.user.id, title=title, body=body, origin=ctx.origin,
                                          **area.columns()), tx)
        flag = await open_flag(screening, "notice", notice.id, ctx.user.id, tx)
        await fediverse.notice_changed(tx, ctx.settings, notice, False)  # the city's followers elsewhere
    await tell_moderators(ctx, flag)
    public_changed()
    await events.publish("notice.created", {"id": notice.id})
    if area.scope != "town":
        tasks.nudge(TELLING_JOB)
    return notice


async def get_notice(notice_id: str) -> Notice:
    notice = await Notice.get_or_none(id=notice_id, deleted_at=None).select_related("author")
    if notice is None:
        raise NotFound(N_("This notice does not exist."))
    return notice


async def delete_notice(ctx: Ctx, notice_id: str) -> None:
    require(can_post_notice(ctx.viewer))
    notice = await get_notice(notice_id)
    async with transaction() as tx:
        await tombstone(notice, tx)
        await fediverse.notice_changed(tx, ctx.settings, notice, True)
    public_changed()
