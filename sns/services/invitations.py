"""Joining: invitations (the default, as in Open Gorotto) or open sign-up with approval."""

from __future__ import annotations

from datetime import timedelta

from sns import mail
from sns.context import Ctx
from sns.errors import Forbidden, NotFound
from sns.i18n import LOCALES, N_, current_locale, gettext, using_locale
from sns.models import Invitation, User
from sns.models.base import utcnow
from sns.policies import can_invite
from sns.security import new_token, token_hash
from sns.services.accounts import check_email, create_user
from sns.services.base import clean_text, require, transaction
from sns.services.site import load_site


def invitation_link(ctx: Ctx, token: str) -> str:
    return f"{ctx.settings.base_url}/join/{token}"


async def invite(ctx: Ctx, *, email: str = "", note: str = "", send_mail: bool = True) -> tuple[Invitation, str]:
    """Make an invitation; returns it with its secret link (shown once to the inviter)."""
    require(can_invite(ctx.viewer))
    email = check_email(email)
    note = clean_text(note, field="note", max_chars=200, required=False, single_line=True)
    token = new_token()
    link = invitation_link(ctx, token)
    mailed = await _invitation_mail(ctx, link) if email and send_mail else None
    async with transaction() as tx:  # the invitation and its mail, together
        invitation = await Invitation.create(
            token_hash=token_hash(token), email=email, note=note, invited_by_id=ctx.user.id,
            expires_at=utcnow() + timedelta(days=ctx.settings.invitation_days), using_db=tx,
        )
        if mailed is not None:
            await mail.queue(tx, ctx.settings, email, *mailed)
    return invitation, link


async def _invitation_mail(ctx: Ctx, link: str) -> tuple[str, str]:
    """The invitee's language is not known yet: the mail is written in both, the inviter's first."""
    site = await load_site()
    first = current_locale()
    subjects, bodies = [], []
    for locale in (first, *(code for code in LOCALES if code != first)):
        with using_locale(locale):
            town = site.name_for(locale)
            subjects.append(gettext("You are invited to %(town)s", town=town))
            bodies.append(gettext("%(name)s invites you to join %(town)s, the local social network of our town.\n\n"
                                  "Open this link within %(days)d days to create your account:\n%(link)s",
                                  name=ctx.user.display_name, town=town,
                                  days=ctx.settings.invitation_days, link=link))
    return " / ".join(subjects), "\n\n----\n\n".join(bodies)


async def find_invitation(token: str) -> Invitation:
    invitation = await Invitation.filter(token_hash=token_hash(token or ""), used_at=None).first()
    if invitation is None or invitation.expires_at < utcnow():
        raise NotFound(N_("This invitation has expired or was already used. Please ask for a new one."))
    return invitation


async def join_with_invitation(ctx: Ctx, token: str, **fields) -> User:
    async with transaction() as tx:
        invitation = await find_invitation(token)
        claimed = await Invitation.filter(id=invitation.id, used_at=None).using_db(tx).update(used_at=utcnow())
        if not claimed:
            raise NotFound(N_("This invitation has expired or was already used. Please ask for a new one."))
        user = await create_user(ctx, conn=tx, **fields)
        await Invitation.filter(id=invitation.id).using_db(tx).update(used_by_id=user.id)
    return user


async def sign_up(ctx: Ctx, **fields) -> User:
    """Open sign-up, when the administrator allows it: the account waits for approval."""
    site = await load_site()
    if not site.open_signup:
        raise Forbidden(N_("Joining is by invitation only. Please ask a resident or the city for an invitation."))
    return await create_user(ctx, state="pending", **fields)


async def revoke(ctx: Ctx, invitation_id: str) -> None:
    require(can_invite(ctx.viewer))
    await Invitation.filter(id=invitation_id, used_at=None).delete()
