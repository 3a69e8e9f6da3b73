"""The browsers an account has signed in from, and the mail that tells its owner of a sign-in from any other.

A browser carries a long-lived random cookie (`COOKIE`, set by sns/web/signing_in.py); the account keeps its
hash (`KnownBrowser`). A finished sign-in from a browser the account does not know is written to the
account's log as "sign_in_new_browser" and mailed to the owner, in their language: when, which browser,
roughly where from, and what to do if it was not them. The first browser an account is ever seen from (its
joining, or its first sign-in since browsers were remembered) is learnt without a mail: there is nothing
yet to compare it with."""

from __future__ import annotations

import re

from tortoise.exceptions import IntegrityError

from sns import mail
from sns.context import Ctx
from sns.i18n import format_time, gettext, using_locale
from sns.models import KnownBrowser, User
from sns.models.base import utcnow
from sns.security import new_token, token_hash
from sns.services import account_log
from sns.services.base import transaction
from sns.services.sessions import browser_or_unknown, short_address

COOKIE = "sns_browser"
COOKIE_DAYS = 5 * 365
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def browser_token(cookie: str | None) -> tuple[str, bool]:
    """This browser's token from its cookie, or a new one (then True: the cookie is to be set)."""
    if cookie and _TOKEN.match(cookie):
        return cookie, False
    return new_token(), True


async def signed_in_from(ctx: Ctx, user: User, token: str, user_agent: str, how: str) -> str:
    """Log a finished sign-in of `user` from the browser holding `token`; a new browser is remembered and
    mailed about. Returns the log's kind ("sign_in" or "sign_in_new_browser")."""
    digest = token_hash(token)
    if await KnownBrowser.filter(user_id=user.id, browser_hash=digest).update(last_seen_at=utcnow()):
        await account_log.record(user.id, "sign_in", ip=ctx.client_ip, user_agent=user_agent, detail=how)
        return "sign_in"
    first = not await KnownBrowser.filter(user_id=user.id).exists()
    kind = "sign_in" if first else "sign_in_new_browser"
    try:
        async with transaction() as tx:
            await KnownBrowser.create(user_id=user.id, browser_hash=digest, using_db=tx)
            await account_log.record(user.id, kind, ip=ctx.client_ip, user_agent=user_agent, detail=how, conn=tx)
            if not first and user.email:
                subject, body = new_browser_mail(ctx, user, user_agent)
                await mail.queue(tx, ctx.settings, user.email, subject, body)
    except IntegrityError:  # the same browser signing in twice at once: the other request told of it
        await account_log.record(user.id, "sign_in", ip=ctx.client_ip, user_agent=user_agent, detail=how)
        return "sign_in"
    return kind


def new_browser_mail(ctx: Ctx, user: User, user_agent: str) -> tuple[str, str]:
    """The subject and body, in the account's language (else the site's)."""
    sessions, forgot = f"{ctx.settings.base_url}/settings/sessions", f"{ctx.settings.base_url}/password/forgot"
    with using_locale(user.locale or ctx.settings.default_locale):
        subject = gettext("A sign-in to your account from a new browser")
        body = gettext(
            "Someone (we hope you) signed in to your account %(user)s from a browser it was not used from "
            "before.\n\nWhen: %(when)s\nBrowser: %(browser)s\nFrom: %(where)s\n\n"
            "If it was you, there is nothing to do.\n\n"
            "If it was not you, sign that browser out and choose a new password at once:\n"
            "your sessions: %(sessions)s\n"
            "a new password: %(forgot)s",
            user=user.username, when=format_time(utcnow(), "long"), browser=browser_or_unknown(user_agent),
            where=short_address(ctx.client_ip) or "-", sessions=sessions,
            forgot=forgot)
    return subject, body
