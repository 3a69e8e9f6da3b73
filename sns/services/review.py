"""The moderators' review queue: approve, remove, mask, warn, suspend, false alarm; reports and appeals.

Every action is authorized by `policies`, changes the text through a journaled save, resolves the
item's open flags and appends one row to the audit log, all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sns import events, mail
from sns.context import Ctx
from sns.errors import Conflict, Invalid, NotFound
from sns.fediverse import publishing as fediverse
from sns.i18n import N_, gettext, using_locale
from sns.models import Comment, Diary, Flag, ModerationLog, Notice, Session, User
from sns.models.base import utcnow
from sns.policies import (
    can_appeal, can_moderate, can_read_moderation_log, can_report, can_suspend_for_moderation, can_view_comment,
    can_view_diary,
)
from sns.services.base import clean_text, rate_limit_post, require, save_change, transaction
from sns.services.moderate import current_filter, tell_moderators
from sns.services.review_kinds import Reviewable, text_fields
from sns.services.shared import public_changed



async def _diary_visible(viewer, diary) -> bool:
    return can_view_diary(viewer, diary)


async def _comment_visible(viewer, comment) -> bool:
    diary = await Diary.get_or_none(id=comment.diary_id)
    return diary is not None and can_view_comment(viewer, comment, diary)


# The kinds of text of the diaries and notices areas; every other area hands over its own (a `REVIEWABLE`
# in its service module). The manifest (sns/areas.py) names them all; the queue reads `ctx.site.review_kinds`.
DIARY = Reviewable(Diary, N_("Diary entry"), _diary_visible, lambda d: f"/diaries/{d.id}",
                   decided=fediverse.diary_decided)  # followers elsewhere hear of an approval or removal
COMMENT = Reviewable(Comment, N_("Comment"), _comment_visible, lambda c: f"/diaries/{c.diary_id}")
NOTICE = Reviewable(Notice, N_("Notice"), None, lambda n: f"/notices/{n.id}", decided=fediverse.notice_decided)
ACTIONS = ("approve", "remove", "mask", "warn", "suspend", "false_alarm")
# Warning or suspending the writer decides nothing about the text: it stays in the queue (a held
# text stays hidden) until a moderator approves, masks or removes it.
KEEP_OPEN = frozenset({"warn", "suspend"})


@dataclass
class QueueItem:
    flag: Flag
    target: object | None
    author: User | None
    flags: list[Flag]  # every open flag on the same text (filter, reports...)

    @property
    def terms(self) -> list[str]:
        return sorted({t for f in self.flags for t in f.terms})


async def waiting_count() -> int:
    return await Flag.filter(resolved_at=None).count()


async def _target(ctx: Ctx, kind: str, target_id: str, conn=None):
    kind_of = ctx.site.review_kinds.get(kind)
    if kind_of is None:
        return None
    q = kind_of.model.filter(id=target_id)
    return await (q.using_db(conn) if conn else q).first()


async def queue(ctx: Ctx, limit: int = 100) -> list[QueueItem]:
    require(can_moderate(ctx.viewer))
    flags = await Flag.filter(resolved_at=None).order_by("created_at").limit(limit * 3).select_related(
        "author", "reporter")
    items: dict[tuple[str, str], QueueItem] = {}
    for f in flags:
        key = (f.kind, f.target_id)
        if key in items:
            items[key].flags.append(f)
            continue
        if len(items) >= limit:
            continue
        items[key] = QueueItem(f, await _target(ctx, f.kind, f.target_id), f.author, [f])
    return list(items.values())


def highlight_spans(text: str, terms_filter) -> list[tuple[str, bool]]:
    """`text` cut into (piece, matched) pairs, for a template to escape and mark."""
    verdict = terms_filter.scan(text)
    out, at = [], 0
    for m in sorted(verdict.matches, key=lambda m: m.start):
        if m.severity < 1 or m.start < at:
            continue
        out.append((text[at:m.start], False))
        out.append((text[m.start:m.end], True))
        at = m.end
    out.append((text[at:], False))
    return [(piece, hit) for piece, hit in out if piece]


async def _log(ctx: Ctx, action: str, flag: Flag, terms, note: str, conn) -> ModerationLog:
    return await ModerationLog.create(moderator_id=ctx.user.id, action=action, kind=flag.kind,
                                      target_id=flag.target_id, subject_id=flag.author_id, terms=list(terms),
                                      note=note, using_db=conn)


async def act(ctx: Ctx, flag_id: str, action: str, note: str = "") -> Flag:
    require(can_moderate(ctx.viewer))
    if action not in ACTIONS:
        raise Invalid(N_("Choose an action."), field="action")
    note = clean_text(note, field="note", max_chars=2000, required=False)
    flag = await Flag.get_or_none(id=flag_id).select_related("author")
    if flag is None:
        raise NotFound(N_("This item is no longer in the queue."))
    if flag.resolved_at is not None:
        raise Conflict(N_("Another moderator has already dealt with this item."))
    author = flag.author
    if action == "suspend":
        require(can_suspend_for_moderation(ctx.viewer, author), N_("You cannot suspend this account."))
    filt = await current_filter()
    async with transaction() as tx:
        open_flags = await Flag.filter(kind=flag.kind, target_id=flag.target_id, resolved_at=None).using_db(tx)
        terms = sorted({t for f in open_flags for t in f.terms})
        target = await _target(ctx, flag.kind, flag.target_id, tx)
        after_commit = None
        if target is not None:
            before = getattr(target, "state", "published")
            await _apply(ctx, action, flag, target, filt, tx)
            kind_of = ctx.site.review_kinds.get(flag.kind)
            if kind_of is not None and kind_of.decided is not None:
                after_commit = await kind_of.decided(ctx, target, before, tx)
        if action == "suspend":
            author.state = "suspended"
            await save_change(author, tx)
            await Session.filter(user_id=author.id).using_db(tx).delete()
        if action not in KEEP_OPEN:
            now = utcnow()
            for f in open_flags:
                f.resolved_at, f.resolution = now, action
                await f.save(using_db=tx, update_fields=["resolved_at", "resolution"])
        await _log(ctx, action, flag, terms, note, tx)
        if action == "warn" and author.email:
            with using_locale(author.locale or ctx.settings.default_locale):
                await mail.queue(tx, ctx.settings, author.email, gettext("A note from the site team"),
                                 gettext("The site team looked at one of your posts and asks you to keep to the "
                                         "community rules.\n\n%(note)s", note=note or "-"))
    if after_commit is not None:
        await after_commit()
    public_changed()
    await events.publish("moderation.resolved", {"kind": flag.kind, "id": flag.target_id, "action": action})
    return flag


async def _apply(ctx: Ctx, action: str, flag: Flag, target, filt, tx) -> None:
    """What an action does to the text itself. Only approve, mask and false alarm publish a held
    text; warn and suspend leave it as it is (a held text stays hidden)."""
    if action in ("approve", "false_alarm", "restore"):
        if getattr(target, "state", "published") != "published" or target.deleted_at is not None:
            if hasattr(target, "state"):
                target.state = "published"
            target.deleted_at = None
            await save_change(target, tx)
    elif action == "mask":
        for name in text_fields(ctx.site.review_kinds, flag.kind, target):
            setattr(target, name, filt.censor(getattr(target, name)))
        if hasattr(target, "state"):
            target.state = "published"
        await save_change(target, tx)
    elif action == "remove":
        if hasattr(target, "state"):
            target.state = "removed"
        target.deleted_at = utcnow()
        await save_change(target, tx)


async def report(ctx: Ctx, kind: str, target_id: str, reason) -> Flag:
    """A resident reports a text they can see; it stays visible until a moderator decides."""
    reason = clean_text(reason, field="reason", max_chars=1000)
    kind_of = ctx.site.review_kinds.get(kind)
    target = await _target(ctx, kind, target_id) if kind_of is not None and kind_of.visible else None
    if target is None or not await kind_of.visible(ctx.viewer, target):
        raise NotFound(N_("This post does not exist."))
    require(can_report(ctx.viewer, target.author_id), N_("You cannot report your own post."))
    earlier = await Flag.get_or_none(kind=kind, target_id=target.id, reason="report", reporter_id=ctx.user.id,
                                     resolved_at=None)
    if earlier is not None:  # reported twice (or the form sent twice): one report
        return earlier
    await rate_limit_post(ctx)
    flag = await Flag.create(kind=kind, target_id=target.id, author_id=target.author_id, reason="report",
                             reporter_id=ctx.user.id, note=reason)
    await tell_moderators(ctx, flag)
    return flag


async def appeal(ctx: Ctx, flag_id: str, words) -> Flag:
    """The author asks once for a removal to be looked at again."""
    words = clean_text(words, field="appeal", max_chars=2000)
    removed = await Flag.get_or_none(id=flag_id, resolution="remove")
    if removed is None:
        raise NotFound(N_("There is no removal to appeal."))
    require(can_appeal(ctx.viewer, removed.author_id))
    if await Flag.filter(kind=removed.kind, target_id=removed.target_id, reason="appeal").exists():
        raise Conflict(N_("You have already appealed this removal."))
    flag = await Flag.create(kind=removed.kind, target_id=removed.target_id, author_id=removed.author_id,
                             reason="appeal", terms=removed.terms, note=words)
    await tell_moderators(ctx, flag)
    return flag


async def my_items(ctx: Ctx) -> dict:
    """What the signed-in author has waiting or removed, and the warnings they received."""
    me = ctx.user.id
    waiting = await Flag.filter(author_id=me, resolved_at=None).exclude(reason="report").order_by("-created_at")
    removed = await Flag.filter(author_id=me, resolution="remove").order_by("-created_at").limit(50)
    appealed = set(await Flag.filter(author_id=me, reason="appeal").values_list("target_id", flat=True))
    warnings = await ModerationLog.filter(subject_id=me, action="warn").order_by("-created_at").limit(20)
    return {"waiting": waiting, "removed": removed, "appealed": appealed, "warnings": warnings}


async def log_entries(ctx: Ctx, limit: int = 200) -> list[ModerationLog]:
    require(can_read_moderation_log(ctx.viewer))
    return await ModerationLog.all().order_by("-created_at").limit(limit).select_related("moderator", "subject")


async def allow_suggestions(ctx: Ctx) -> list[str]:
    """Terms moderators marked as false alarms: candidates for the instance's allow-list."""
    require(can_moderate(ctx.viewer))
    rows = await ModerationLog.filter(action="false_alarm").order_by("-created_at").limit(200).values_list(
        "terms", flat=True)
    return sorted({t for terms in rows for t in (terms or [])})
