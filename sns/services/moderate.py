"""The moderation hook every resident text passes through in the service layer.

`screen(ctx, *texts)` scans the texts with the instance's filter (the shipped
lists plus the administrators' own, cached), updates the writer's grey-person
score, and says what to save: the texts as written and state "held" (mode
`hold`, or a grey writer), or the texts masked and "published" (mode `mask`).
After the write, `open_flag` puts the item in the review queue in the same
transaction, and `tell_moderators` mails the administrators and the helper.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import moderation
from moderation import Filter, grey
from sns import mail
from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_, gettext, using_locale
from sns.models import Flag, SiteSetting, User
from sns.models.base import utcnow
from sns.services.review_kinds import kind_label

WORD_LIST_KEY = "word_list"
_cache: dict[str, object] = {}


@dataclass
class Screening:
    state: str = "published"
    reason: str | None = None  # "filter" or "grey" when the text goes to the review queue
    terms: list[str] = field(default_factory=list)
    texts: tuple[str, ...] = ()  # what to save: as written, or masked in mask mode
    flagged: tuple[bool, ...] = ()  # per text


RECHECK_SECONDS = 30  # other server processes notice an edited list within this time


async def word_list_text() -> str:
    """The administrators' own list, in the library's text format."""
    row = await SiteSetting.get_or_none(key=WORD_LIST_KEY)
    return (row.value or {}).get("text", "") if row else ""


async def current_filter() -> Filter:
    """The effective filter: the shipped lists plus the instance's list. Built once per change of the
    list (never per request); the stored list is looked at again at most every RECHECK_SECONDS."""
    now = time.monotonic()
    if "filter" not in _cache or now - _cache["checked"] > RECHECK_SECONDS:  # type: ignore[operator]
        text = await word_list_text()
        if "filter" not in _cache or text != _cache["text"]:
            _cache["filter"] = Filter.from_text(text, base=Filter.default()) if text.strip() else Filter.default()
            _cache["text"] = text
        _cache["checked"] = now
    return _cache["filter"]  # type: ignore[return-value]


def forget_filter() -> None:
    _cache.clear()


def _is_grey(user: User, ctx: Ctx, now) -> bool:
    s = ctx.settings
    return grey.is_grey(user.grey_score or 0.0, user.grey_updated_at, now,
                        half_life=s.grey_half_life_hours * 3600, threshold=s.grey_threshold)


async def _add_to_grey_score(ctx: Ctx, score: float, now) -> bool:
    user, s = ctx.user, ctx.settings
    state = grey.update(user.grey_score or 0.0, user.grey_updated_at, score, now,
                        half_life=s.grey_half_life_hours * 3600, threshold=s.grey_threshold)
    user.grey_score, user.grey_updated_at = state.score, now
    await User.filter(id=user.id).update(grey_score=state.score, grey_updated_at=now)
    return state.grey


async def screen(ctx: Ctx, *texts: str, may_hold: bool = True, counts: bool = True) -> Screening:
    """Scan what a resident wrote. `may_hold=False` for texts that have no waiting state
    (staff notices); `counts=False` when the writer's grey score must not change."""
    filt = await current_filter()
    verdicts = [filt.scan(t) for t in texts]
    flagged = tuple(v.flagged for v in verdicts)
    terms = sorted({m.term for v in verdicts for m in v.matches if v.flagged and m.severity >= 1})
    score = sum(v.score for v in verdicts if v.flagged)
    now = utcnow()
    is_grey = False
    if ctx.user is not None and counts:
        is_grey = await _add_to_grey_score(ctx, score, now) if score else _is_grey(ctx.user, ctx, now)
    out = Screening(texts=tuple(texts), flagged=flagged, terms=terms)
    if any(flagged):
        out.reason = "filter"
        if ctx.settings.moderation_mode == "mask" or not may_hold:
            if ctx.settings.moderation_mode == "mask":
                out.texts = tuple(filt.censor(t) if f else t for t, f in zip(texts, flagged))
        else:
            out.state = "held"
    if is_grey and may_hold:
        out.state = "held"
        out.reason = out.reason or "grey"
    return out


def refuse_flagged_fields(screening: Screening, fields: tuple[str, ...]) -> None:
    """For texts with no waiting state (a profile) in hold mode: send the form back, all kept."""
    for name, was_flagged in zip(fields, screening.flagged):
        if was_flagged:
            raise Invalid(N_("A word filter (not other residents) stopped some words here: %(terms)s. "
                             "Please change them; everything else you typed is kept."),
                          field=name, terms=", ".join(screening.terms))


async def screen_without_waiting(ctx: Ctx, **texts: str) -> dict[str, str]:
    """For texts that have no waiting state (a profile, a photo caption): in mask mode the flagged
    words are masked (and count toward the grey score); in hold mode the form comes back with the
    words named and everything kept (nothing was saved, so nothing counts). Returns what to save."""
    mask = ctx.settings.moderation_mode == "mask"
    screening = await screen(ctx, *texts.values(), may_hold=False, counts=mask)
    if not mask:
        refuse_flagged_fields(screening, tuple(texts))
    return dict(zip(texts, screening.texts))


async def open_flag(screening: Screening, kind: str, target_id: str, author_id: str, conn) -> Flag | None:
    if screening.reason is None:
        return None
    earlier = await Flag.get_or_none(kind=kind, target_id=target_id, reason=screening.reason,
                                     resolved_at=None).using_db(conn)
    if earlier is not None:  # an edit of a text that already waits: one item, the words brought up to date
        earlier.terms = sorted(set(earlier.terms) | set(screening.terms))
        await earlier.save(using_db=conn, update_fields=["terms"])
        return None  # the moderators were told already
    return await Flag.create(kind=kind, target_id=target_id, author_id=author_id, reason=screening.reason,
                             terms=screening.terms, using_db=conn)


async def tell_moderators(ctx: Ctx, flag: Flag | None, conn=None) -> None:
    """Mail every administrator and the designated helper, through the outbox: in `conn`'s transaction
    (the one that opened the flag) when the caller passes it, else right after its commit."""
    if flag is None:
        return
    admins = await User.filter(role="admin", state="active", deleted_at=None).exclude(email="").using_db(
        conn).values_list("email", flat=True)
    recipients = sorted(set(admins) | ({ctx.settings.moderation_helper_email} - {""}))
    link = f"{ctx.settings.base_url}/moderation"
    with using_locale(ctx.settings.default_locale):
        reasons = {"filter": gettext("the word filter held it"), "grey": gettext("its writer's posts wait for now"),
                   "report": gettext("a resident reported it"), "appeal": gettext("its writer appeals a removal")}
        subject = gettext("A post waits for review")
        body = gettext("Waiting for review: %(kind)s (%(reason)s).\nWords: %(terms)s\n\nOpen the review queue: %(link)s",
                       kind=kind_label(ctx.site.review_kinds, flag.kind),
                       reason=reasons.get(flag.reason, flag.reason),
                       terms=", ".join(flag.terms) or "-", link=link)
    for to in recipients:
        await mail.queue(conn, ctx.settings, to, subject, body)


__all__ = ["Screening", "screen", "screen_without_waiting", "open_flag", "tell_moderators", "current_filter", "forget_filter",
           "refuse_flagged_fields", "moderation"]
