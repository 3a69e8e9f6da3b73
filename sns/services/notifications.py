"""Telling residents what happened that concerns them (new replies, mail, answers from the city...).

Services call `notify` inside their write transaction, so a notification exists exactly when the
thing it announces does; pages show the unread count in the navigation and the list on /notifications.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Iterable

from sns.context import Ctx
from sns.errors import Forbidden
from sns.i18n import N_, gettext
from sns.models import Notification
from sns.models.base import utcnow

_marked_now: ContextVar[int] = ContextVar("notifications_marked", default=0)
KEEP = 200  # the list shows this many; older ones stay in the database until cleaned up
# What each kind says; %(actor)s is who did it, %(subject)s the title of what it is about.
KINDS = {
    "reply": N_("%(actor)s replied in “%(subject)s”"),
    "message": N_("New mail from %(actor)s: “%(subject)s”"),
    "inquiry": N_("The city answered “%(subject)s”"),
    "inquiry_status": N_("The status of “%(subject)s” changed"),
    "inquiry_new": N_("A resident wrote to your department: “%(subject)s”"),
    "inquiry_assigned": N_("%(actor)s passed “%(subject)s” to you"),
    "rsvp": N_("%(actor)s answered your event “%(subject)s”"),
    "waitlist_promoted": N_("A place opened up: you are going to “%(subject)s”"),
    "event_changed": N_("The event “%(subject)s” changed"),
    "event_cancelled": N_("The event “%(subject)s” was cancelled"),
    "membership_request": N_("%(actor)s asks to join “%(subject)s”"),
    "membership_accepted": N_("You are now a member of “%(subject)s”"),
    "community_invite": N_("%(actor)s invites you to “%(subject)s”"),
    "report_status": N_("The street report “%(subject)s” has a new status"),
    "report_new": N_("A new street report for your department: “%(subject)s”"),
}


def describe(note: Notification) -> str:
    """The notification as a sentence in the reader's language."""
    template = KINDS.get(note.kind, N_("Something new: “%(subject)s”"))
    actor = note.actor.display_name if note.actor_id and note.actor else ""
    return gettext(template) % {"actor": actor, "subject": note.subject}


async def notify(user_ids: Iterable[str], kind: str, *, url: str, subject: str = "", actor_id: str | None = None,
                 conn=None) -> int:
    """One notification per person (never to the actor themself); returns how many were made.
    `kind` is one of KINDS."""
    made = 0
    for user_id in dict.fromkeys(user_ids):  # once each, in order
        if user_id is None or user_id == actor_id:
            continue
        await Notification.create(user_id=user_id, kind=kind, url=url, subject=subject[:200], actor_id=actor_id,
                                  using_db=conn)
        made += 1
    return made


async def recent(ctx: Ctx, limit: int = 50) -> list[Notification]:
    if ctx.user is None:
        raise Forbidden(N_("Please sign in."))
    return await Notification.filter(user_id=ctx.user.id).order_by("-id").limit(min(limit, KEEP)).select_related(
        "actor")


async def mark_read(ctx: Ctx, *, url: str | None = None) -> int:
    """Mark everything read, or only what points at `url` (opening the page one was told about)."""
    if ctx.user is None:
        return 0
    q = Notification.filter(user_id=ctx.user.id, read_at=None)
    if url is not None:
        q = q.filter(url=url)
    marked = await q.update(read_at=utcnow())
    if marked:
        _marked_now.set(_marked_now.get() + marked)
    return marked


def new_request() -> None:
    """A request begins (`load_ctx`): nothing marked read in it yet."""
    _marked_now.set(0)


def marked_during_request() -> int:
    """How many notifications this request (this task) marked read: the unread count read with the
    session, less these, is what the page shows."""
    return _marked_now.get()


async def open_one(ctx: Ctx, notification_id: str) -> str | None:
    """Mark one of my notifications read and say where it points (None: not mine, or no such one)."""
    note = await Notification.get_or_none(id=notification_id, user_id=ctx.user.id) if ctx.user else None
    if note is None:
        return None
    if note.read_at is None:
        await Notification.filter(id=note.id).update(read_at=utcnow())
    return note.url if note.url.startswith("/") and not note.url.startswith("//") else None
