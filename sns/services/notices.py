"""Official notices that municipal staff post to every resident's My page."""

from __future__ import annotations

from sns import events
from sns.context import Ctx
from sns.errors import NotFound
from sns.i18n import N_
from sns.models import Notice
from sns.policies import can_post_notice
from sns.services.base import clean_text, require, save_new, tombstone, transaction
from sns.services.moderate import open_flag, screen, tell_moderators
from sns.services.shared import public_changed


def notice_fields(ctx: Ctx, title, body) -> tuple[str, str]:
    """A notice's title and text, checked (shared with acting on behalf: sns/mirror/behalf.py)."""
    return (clean_text(title, field="title", max_chars=200, single_line=True),
            clean_text(body, field="body", max_chars=ctx.settings.max_body_chars))


async def post_notice(ctx: Ctx, *, title, body) -> Notice:
    require(can_post_notice(ctx.viewer), N_("Only municipal staff can post official notices."))
    title, body = notice_fields(ctx, title, body)
    # Staff notices are scanned but never held or masked (an urgent notice must not wait, and staff
    # answer for what they post); a flagged one still goes to the review queue for a second look.
    screening = await screen(ctx, title, body, may_hold=False, counts=False)
    screening.texts = (title, body)
    async with transaction() as tx:
        notice = await save_new(Notice(author_id=ctx.user.id, title=title, body=body, origin=ctx.origin), tx)
        flag = await open_flag(screening, "notice", notice.id, ctx.user.id, tx)
    await tell_moderators(ctx, flag)
    public_changed()
    await events.publish("notice.created", {"id": notice.id})
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
    public_changed()
