"""Delete my account (docs/privacy.md, "Leaving"): asking, cancelling, and carrying it out.

Asking takes the password again (and a second-factor code when the account has one), writes an
`AccountDeletion` due after `account_deletion_days`, signs the account out everywhere (its sessions and its
API tokens end at once) and mails the person the date and how to cancel: signing in during the grace period
cancels it (`cancel_deletion`, called by every finished sign-in, sns/web/signing_in.py). The job
"account_deletion" carries out what is due (sns/services/erasure.py: one transaction per kind of record,
each removal a journaled tombstone that travels to the neighbours), and marks the deletion done at the end,
so a round killed half-way is simply resumed by the next one.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sns import mail, tasks
from sns.context import Ctx
from sns.errors import Invalid, TooMany
from sns.fediverse import publishing as fediverse
from sns.i18n import N_, format_time, gettext, using_locale
from sns.models import AccountDeletion, ApiToken, Session, User
from sns.models.base import utcnow
from sns.policies.leaving import can_ask_deletion
from sns.security import verify_password
from sns.services import account_log, erasure, second_factor
from sns.services.base import require, transaction
from sns.settings import Settings

log = logging.getLogger(__name__)
JOB_NAME = "account_deletion"
ROUND_SECONDS = 300.0  # how often the job looks for deletions that are due
LAST_ADMIN = N_("You are the only administrator: make someone else an administrator before you leave.")


async def pending_deletion(user_id: str) -> AccountDeletion | None:
    """The account's deletion waiting for its date, if any."""
    return await AccountDeletion.filter(user_id=user_id, state="waiting").order_by("-created_at").first()


async def other_active_admins(user_id: str) -> int:
    return await User.filter(role="admin", state="active", deleted_at=None).exclude(id=user_id).count()


async def may_ask(ctx: Ctx) -> bool:
    return ctx.user is not None and can_ask_deletion(ctx.viewer, other_active_admins=await other_active_admins(ctx.user.id))


async def _check_password(ctx: Ctx, user: User, password: str) -> None:
    """The password again, counted by the sign-in rate limit like a sign-in."""
    key = f"user:{user.username}"
    if await ctx.limits.logins.blocked(key) or await ctx.limits.logins.blocked(f"ip:{ctx.client_ip}"):
        raise TooMany(N_("Too many sign-in attempts. Please wait 15 minutes and try again."))
    if not verify_password(user.password_hash, password or ""):
        await ctx.limits.logins.hit(key)
        await ctx.limits.logins.hit(f"ip:{ctx.client_ip}")
        raise Invalid(N_("Your password is not right."), field="password")


def _confirmation(settings: Settings, user: User, due_at) -> tuple[str, str]:
    link = settings.base_url + "/login"
    with using_locale(user.locale or settings.default_locale):
        subject = gettext("Your account will be deleted")
        body = gettext(
            "You asked us to delete your account %(user)s. It will be deleted on %(date)s.\n\n"
            "You have been signed out everywhere. If you change your mind, sign in before that date and "
            "the deletion is cancelled:\n%(link)s\n\n"
            "If it was not you who asked, sign in now and change your password.",
            user=user.username, date=format_time(due_at, "long"), link=link)
    return subject, body


async def ask_deletion(ctx: Ctx, *, password: str, keep_public: bool, code: str = "") -> AccountDeletion:
    """Ask for the account to be deleted after the grace period; the account is signed out everywhere.
    Asking again while a deletion waits returns that one."""
    user = ctx.user
    require(user is not None)
    require(await may_ask(ctx), LAST_ADMIN)
    user = await User.get(id=user.id)
    await _check_password(ctx, user, password)
    if await second_factor.has_second_factor(user.id):
        if not (code or "").strip():
            raise Invalid(N_("Enter a code from your authenticator app, or a recovery code."), field="code")
        await second_factor.check_code(ctx, user, code)
    earlier = await pending_deletion(user.id)
    if earlier is not None:
        return earlier
    due_at = utcnow() + timedelta(days=max(0, ctx.settings.account_deletion_days))
    async with transaction() as tx:
        deletion = await AccountDeletion.create(user_id=user.id, user_ref=user.id, keep_public=bool(keep_public),
                                                due_at=due_at, using_db=tx)
        await Session.filter(user_id=user.id).using_db(tx).delete()
        await ApiToken.filter(user_id=user.id).using_db(tx).delete()
        await account_log.record(user.id, "deletion_asked", ip=ctx.client_ip, conn=tx)
        if user.fediverse_followable:  # followers elsewhere are told now, while the actor's key can still sign
            await fediverse.actor_withdrawn(tx, ctx.settings, user)
            await User.filter(id=user.id).using_db(tx).update(fediverse_followable=False)
        if user.email:
            subject, body = _confirmation(ctx.settings, user, due_at)
            await mail.queue(tx, ctx.settings, user.email, subject, body)
    if due_at <= utcnow():
        tasks.nudge(JOB_NAME)  # no grace period: carried out now
    return deletion


async def cancel_deletion(user_id: str, *, ip: str = "", user_agent: str = "") -> bool:
    """Signing in during the grace period cancels the deletion (True when one was cancelled). Once the date
    has passed the deletion is under way and is not cancelled."""
    async with transaction() as tx:
        cancelled = await AccountDeletion.filter(user_id=user_id, state="waiting", due_at__gt=utcnow()) \
            .using_db(tx).update(state="cancelled", finished_at=utcnow())
        if cancelled:
            await account_log.record(user_id, "deletion_cancelled", ip=ip, user_agent=user_agent, conn=tx)
    return bool(cancelled)


async def carry_out_due(settings: Settings, site=None) -> int:
    """One round of the job: carry out every deletion whose date has passed; returns how many were done.
    One that fails is tried again in the next round (the others still go ahead)."""
    due = await AccountDeletion.filter(state="waiting", due_at__lte=utcnow()).order_by("due_at") \
        .values_list("id", flat=True)
    done, failed = 0, []
    for deletion_id in due:
        try:
            if await erasure.carry_out(settings, deletion_id):
                done += 1
        except Exception as exc:
            log.exception("account deletion %s failed; tried again in the next round", deletion_id)
            failed.append(f"{deletion_id}: {type(exc).__name__}")
    if failed:
        raise RuntimeError("account deletions failed: " + ", ".join(failed))
    return done


async def _round(settings: Settings, site) -> None:
    await carry_out_due(settings, site)


JOB = tasks.Job(JOB_NAME, _round, lambda s: ROUND_SECONDS)  # (sns/areas.py)
