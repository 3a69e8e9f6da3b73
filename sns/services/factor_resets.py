"""Second-factor resets for someone who lost their phone: one administrator asks (with a reason), a second,
different one confirms within `RESET_HOURS` (or either cancels). Only then are the person's second factors
and recovery codes removed, all their sessions ended, their own log told ("factors_reset") and a mail sent
to them, in their language. Every step is in the audit log. The rules: sns/policies/audit.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sns import mail
from sns.context import Ctx
from sns.errors import Forbidden, Invalid, NotFound
from sns.i18n import N_, gettext, using_locale
from sns.models import FactorReset, RecoveryCode, SecondFactor, Session, User
from sns.models.base import utcnow
from sns.policies.audit import (
    can_ask_factor_reset, can_cancel_factor_reset, can_confirm_factor_reset, can_read_audit_log, is_same_person,
)
from sns.services import account_log, audit
from sns.services.base import clean_text, require, transaction

RESET_HOURS = 24


async def ask(ctx: Ctx, user_id: str, reason: str) -> FactorReset:
    """Ask for a reset of `user_id`'s second factors; waits for a second administrator. Asking again while
    one waits gives the waiting one."""
    user = await User.get_or_none(id=user_id or "", deleted_at=None)
    if user is None:
        raise NotFound(N_("No such user."))
    require(can_ask_factor_reset(ctx.viewer, user),
            N_("Another administrator must ask for a reset of your own second factors."))
    reason = clean_text(reason, field="reason", max_chars=200, single_line=True)
    now = utcnow()
    async with transaction() as tx:
        waiting = await FactorReset.filter(user_id=user.id, state="waiting", expires_at__gt=now).using_db(tx).first()
        if waiting is not None:
            return waiting
        reset = await FactorReset.create(user_id=user.id, asked_by_id=ctx.user.id, reason=reason,
                                         expires_at=now + timedelta(hours=RESET_HOURS), using_db=tx)
        await audit.record(tx, ctx, "factor_reset.ask", "user", user.id, reason)
    return reset


async def _waiting_reset(reset_id: str, tx) -> FactorReset:
    reset = await FactorReset.filter(id=reset_id or "").using_db(tx).select_for_update().first()
    if reset is None:
        raise NotFound(N_("No such reset."))
    return reset


async def confirm(ctx: Ctx, reset_id: str) -> FactorReset:
    """The second administrator's yes: the factors go, the sessions end, the person is told."""
    async with transaction() as tx:
        reset = await _waiting_reset(reset_id, tx)
        now = utcnow()
        if not can_confirm_factor_reset(ctx.viewer, reset, now):
            if reset.state != "waiting":
                raise Invalid(N_("This reset was already confirmed or cancelled."))
            if reset.expires_at <= now:
                raise Invalid(N_("This ask has expired. Please ask again."))
            if is_same_person(ctx.viewer, reset.asked_by_id):
                raise Forbidden(N_("A second administrator must confirm the reset you asked for."))
            require(False)
        user = await User.get(id=reset.user_id).using_db(tx)
        reset.state, reset.decided_by_id, reset.decided_at = "done", ctx.user.id, now
        await reset.save(update_fields=["state", "decided_by_id", "decided_at"], using_db=tx)
        factors = await SecondFactor.filter(user_id=user.id).using_db(tx).delete()
        await RecoveryCode.filter(user_id=user.id).using_db(tx).delete()
        await Session.filter(user_id=user.id).using_db(tx).delete()
        await account_log.record(user.id, "factors_reset", detail=str(factors), conn=tx)
        await audit.record(tx, ctx, "factor_reset.confirm", "user", user.id, reset.reason)
        if user.email:
            link = f"{ctx.settings.base_url}/settings/security"
            with using_locale(user.locale or ctx.settings.default_locale):
                subject = gettext("Your second factors were removed")
                body = gettext(
                    "At your request, two administrators removed the second factors (authenticator apps, "
                    "passkeys and recovery codes) of your account %(user)s, and signed it out everywhere.\n\n"
                    "Sign in with your password and set up a second factor again:\n%(link)s\n\n"
                    "If you did not ask for this, please contact the site administrator at once.",
                    user=user.username, link=link)
            await mail.queue(tx, ctx.settings, user.email, subject, body)
    return reset


async def cancel(ctx: Ctx, reset_id: str) -> FactorReset:
    async with transaction() as tx:
        reset = await _waiting_reset(reset_id, tx)
        require(can_cancel_factor_reset(ctx.viewer, reset, utcnow()))
        reset.state, reset.decided_by_id, reset.decided_at = "cancelled", ctx.user.id, utcnow()
        await reset.save(update_fields=["state", "decided_by_id", "decided_at"], using_db=tx)
        await audit.record(tx, ctx, "factor_reset.cancel", "user", reset.user_id, reset.reason)
    return reset


@dataclass
class WaitingReset:
    reset: FactorReset
    user: User
    asked_by: User | None
    may_confirm: bool
    may_cancel: bool


async def waiting(ctx: Ctx) -> list[WaitingReset]:
    """The resets waiting for a second administrator, newest first, with what this one may do to each."""
    require(can_read_audit_log(ctx.viewer))
    now = utcnow()
    rows = await FactorReset.filter(state="waiting", expires_at__gt=now).order_by("-created_at").limit(100)
    ids = {r.user_id for r in rows} | {r.asked_by_id for r in rows if r.asked_by_id}
    people = {u.id: u for u in await User.filter(id__in=list(ids))} if ids else {}
    return [WaitingReset(r, people[r.user_id], people.get(r.asked_by_id), can_confirm_factor_reset(ctx.viewer, r, now),
                         can_cancel_factor_reset(ctx.viewer, r, now)) for r in rows if r.user_id in people]
