"""Accounts: creating users, signing in and out, passwords, roles, suspension."""

from __future__ import annotations

import re
from datetime import timedelta

from tortoise.exceptions import IntegrityError

from sns import events, mail
from sns.context import Ctx
from sns.errors import Conflict, Forbidden, Invalid, NotFound, TooMany
from sns.i18n import LOCALES, N_, current_locale, gettext, using_locale
from sns.models import ROLES, PasswordReset, Session, User
from sns.models.base import utcnow
from sns.services.moderate import refuse_flagged_fields, screen
from sns.policies import can_administer
from sns.security import hash_password, needs_rehash, new_token, token_hash, verify_password
from sns.services import account_log, audit
from sns.services.base import clean_text, require, save_change, save_new, transaction

USERNAME_RE = re.compile(r"^[a-z0-9_]{3,32}$")
MIN_PASSWORD = 10


def check_username(username: str) -> str:
    username = (username or "").strip().lower()
    if not USERNAME_RE.match(username):
        raise Invalid(N_("Use 3 to 32 lowercase letters, digits or underscores."), field="username")
    return username


def check_password(password: str, field: str = "password") -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise Invalid(N_("Use a password of at least %(n)d characters."), field=field, n=MIN_PASSWORD)
    if len(password) > 1024:
        raise Invalid(N_("This password is too long."), field=field)
    return password


def check_email(email: str, required: bool = False) -> str:
    email = (email or "").strip()
    if not email and not required:
        return ""
    if len(email) > 254 or not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        raise Invalid(N_("Please enter a valid e-mail address."), field="email")
    return email


async def _screen_names(ctx: Ctx, username: str, display: str) -> None:
    """A newcomer's names pass the word filter too. A name has no waiting state, so the form comes
    back with the words named and everything typed kept (in mask mode too: a masked username
    would be no name at all); nothing counts toward a grey score, since nothing was posted."""
    screening = await screen(ctx, username, display, may_hold=False, counts=False)
    refuse_flagged_fields(screening, ("username", "display_name"))


async def create_user(
    ctx: Ctx, *, username: str, password: str, display_name: str = "", email: str = "",
    role: str = "resident", state: str = "active", conn=None,
) -> User:
    username = check_username(username)
    check_password(password)
    if role not in ROLES:
        raise Invalid(N_("Unknown role."), field="role")
    display = clean_text(display_name or username, field="display_name", max_chars=64, single_line=True)
    await _screen_names(ctx, username, display)
    taken = N_("That username is taken.")
    if await User.filter(username=username).using_db(conn).exists():
        raise Conflict(taken, field="username")
    user = User(
        username=username, display_name=display, email=check_email(email), role=role, state=state,
        password_hash=hash_password(password), origin=ctx.origin,
        field_visibility={"district": "members", "introduction": "members", "avatar": "members"},
    )
    try:
        if conn is not None:
            return await save_new(user, conn)
        async with transaction() as tx:
            return await save_new(user, tx)
    except IntegrityError:
        if await User.filter(username=username).exists():  # taken between the check and the insert
            raise Conflict(taken, field="username") from None
        raise


async def authenticate(ctx: Ctx, username: str, password: str) -> User:
    """Check a password, rate-limited per client address and per username."""
    key_ip, key_user = f"ip:{ctx.client_ip}", f"user:{(username or '').lower()}"
    if await ctx.limits.logins.blocked(key_ip) or await ctx.limits.logins.blocked(key_user):
        raise TooMany(N_("Too many sign-in attempts. Please wait 15 minutes and try again."))
    user = await User.filter(username=(username or "").strip().lower(), deleted_at=None).first()
    ok = verify_password(user.password_hash if user else "", password or "")
    if not ok or user is None or user.state == "system":  # the mail-intake account: nobody signs in as it
        await ctx.limits.logins.hit(key_ip)
        await ctx.limits.logins.hit(key_user)
        raise Invalid(N_("The username or password is not right."), field="password")
    if user.state == "suspended":
        raise Forbidden(N_("This account is suspended. Please contact the site administrator."))
    if user.state == "pending":
        raise Forbidden(N_("This account is waiting for an administrator's approval."))
    await ctx.limits.logins.reset(key_user)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        await user.save(update_fields=["password_hash"])
    return user


async def start_session(user: User, user_agent: str = "", ip: str = "", stage: str = "signed_in",
                        how: str = "password") -> Session:
    """A new session id at every sign-in (no fixation). `stage="password"`: the password was right and the
    second factor is still to come; such a session signs nobody in (sns/web/session_read.py)."""
    return await Session.create(id=new_token(), user=user, csrf_token=new_token(), user_agent=user_agent[:200],
                                ip=ip[:64], stage=stage, how=how)


async def end_session(session_id: str) -> None:
    await Session.filter(id=session_id).delete()


async def change_password(ctx: Ctx, current: str, new: str, keep_session: str | None = None) -> None:
    user = ctx.user
    require(user is not None)
    if not verify_password(user.password_hash, current or ""):
        raise Invalid(N_("Your current password is not right."), field="current_password")
    check_password(new, "new_password")
    async with transaction() as tx:
        user = await User.get(id=user.id).using_db(tx)
        user.password_hash = hash_password(new)
        # Journaled (the hash itself never travels openly): the neighbours' sealed copy then holds the new
        # password, which is what a restore from them gives back (sns/mirror/restore.py).
        await save_change(user, tx)
        # Other browsers signed in with the old password are signed out.
        await Session.filter(user_id=user.id).exclude(id=keep_session or "").using_db(tx).delete()
        await account_log.record(user.id, "password_changed", ip=ctx.client_ip, conn=tx)


async def request_password_reset(ctx: Ctx, email_or_username: str) -> None:
    """Mail a reset link if the account exists; the answer is the same either way."""
    key = (email_or_username or "").strip().lower()
    if not key or not await ctx.limits.resets.hit(f"reset:{ctx.client_ip}"):
        return
    user = await User.filter(deleted_at=None, state="active").filter(username=key).first()
    if user is None:
        user = await User.filter(deleted_at=None, state="active", email__iexact=key).first()
    if user is None or not user.email:
        return
    token = new_token()
    link = f"{ctx.settings.base_url}/password/reset/{token}"
    with using_locale(user.locale or current_locale()):  # the resident's own language when saved
        subject = gettext("Resetting your password")
        body = gettext("Someone (we hope you) asked to reset the password of %(user)s.\n\n"
                       "Open this link within %(hours)d hours to choose a new one:\n%(link)s\n\n"
                       "If it was not you, ignore this message; your password stays as it is.",
                       user=user.username, hours=ctx.settings.password_reset_hours, link=link)
    async with transaction() as tx:  # the link works exactly when its mail is in the outbox
        await PasswordReset.create(
            token_hash=token_hash(token), user=user,
            expires_at=utcnow() + timedelta(hours=ctx.settings.password_reset_hours), using_db=tx,
        )
        await mail.queue(tx, ctx.settings, user.email, subject, body)


async def reset_password(ctx: Ctx, token: str, new: str) -> User:
    reset = await PasswordReset.filter(token_hash=token_hash(token or ""), used_at=None).first()
    if reset is None or reset.expires_at < utcnow():
        raise NotFound(N_("This link has expired or was already used. Please ask for a new one."))
    check_password(new, "new_password")
    async with transaction() as tx:
        user = await User.get(id=reset.user_id).using_db(tx)
        user.password_hash = hash_password(new)
        await save_change(user, tx)  # journaled, like a changed password (see change_password)
        reset.used_at = utcnow()
        await reset.save(update_fields=["used_at"], using_db=tx)
        await Session.filter(user_id=user.id).using_db(tx).delete()
        await account_log.record(user.id, "password_reset", ip=ctx.client_ip, conn=tx)
    return user


async def set_role(ctx: Ctx, user_id: str, role: str) -> User:
    require(can_administer(ctx.viewer))
    if role not in ROLES:
        raise Invalid(N_("Unknown role."), field="role")
    async with transaction() as tx:
        user = await User.get_or_none(id=user_id).using_db(tx)
        if user is None:
            raise NotFound(N_("No such user."))
        if user.id == ctx.user.id and role != "admin":
            raise Invalid(N_("You cannot take away your own administrator role."), field="role")
        before, user.role = user.role, role
        await save_change(user, tx)
        if before != role:
            await audit.record(tx, ctx, "user.role", "user", user.id, f"{before} -> {role}")
    await events.publish("user.role", {"id": user.id})
    return user


async def set_state(ctx: Ctx, user_id: str, state: str) -> User:
    """Suspend, reinstate or approve an account. Suspension ends its sessions at once."""
    require(can_administer(ctx.viewer))
    if state not in ("active", "suspended"):
        raise Invalid(N_("Unknown account state."), field="state")
    async with transaction() as tx:
        user = await User.get_or_none(id=user_id).using_db(tx)
        if user is None:
            raise NotFound(N_("No such user."))
        if user.id == ctx.user.id:
            raise Invalid(N_("You cannot suspend yourself."))
        before, user.state = user.state, state
        await save_change(user, tx)
        if before != state:
            action = ("user.suspend" if state == "suspended" else "user.approve" if before == "pending"
                      else "user.reinstate")
            await audit.record(tx, ctx, action, "user", user.id)
        if state == "suspended":
            await Session.filter(user_id=user.id).using_db(tx).delete()
    return user


async def set_locale(ctx: Ctx, locale: str) -> None:
    if ctx.user is None or locale not in LOCALES:
        return
    ctx.user.locale = locale
    await ctx.user.save(update_fields=["locale"])
