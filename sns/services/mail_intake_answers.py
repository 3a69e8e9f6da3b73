"""What mail to the city leaves behind on our side: the mail-intake account, reply addresses, answers by mail.

- `intake_account()`: the one account that holds inquiries from people without an account here. Its state
  is "system": it has no password, cannot sign in (`is_signed_in` asks for "active"), is never listed or
  found (its username is not one a person can type), and nobody is told anything on its behalf.
- `reply_address(settings, inquiry)`: `<local>+<mail_key>@<domain>` of the city's address, which brings a
  reply back to its thread (`mail_key` is random and unique per inquiry).
- `mail_answer(...)`: a staff answer to an inquiry that came by mail goes back by mail, with that reply
  address and threading headers (In-Reply-To, References: the thread's mails), in the caller's transaction;
  the entry records the Message-ID it left with, so a reply naming it finds the thread.
"""

from __future__ import annotations

import secrets

from tortoise.exceptions import IntegrityError

from sns import mail
from sns.i18n import gettext, using_locale
from sns.models import Inquiry, InquiryEntry, User
from sns.settings import Settings

INTAKE_USERNAME = "mail-intake"  # not a username a person can choose (USERNAME_RE has no "-")
SYSTEM_STATE = "system"


async def intake_account(settings: Settings) -> User:
    """The mail-intake account, made the first time it is needed (safe when two machines race)."""
    found = await User.get_or_none(username=INTAKE_USERNAME)
    if found is not None:
        return found
    try:
        return await User.create(username=INTAKE_USERNAME, display_name="Mail to the city", state=SYSTEM_STATE,
                                 password_hash="", email="", origin=settings.origin)
    except IntegrityError:
        return await User.get(username=INTAKE_USERNAME)


def new_mail_key() -> str:
    return secrets.token_hex(10)


def city_address(settings: Settings) -> str:
    return (settings.intake_address or "").strip().lower()


def reply_address(settings: Settings, inquiry: Inquiry) -> str:
    """The address a reply to this inquiry's mail goes to; "" when the city has no address of its own."""
    local, _, domain = city_address(settings).partition("@")
    if not (local and domain and inquiry.mail_key):
        return ""
    return f"{local}+{inquiry.mail_key}@{domain}"


def answer_message_id(settings: Settings, inquiry: Inquiry) -> str:
    """The Message-ID a staff answer will leave with (its entry records it), "" when it is not mailed."""
    return mail.new_message_id(settings) if inquiry.channel == "mail" and inquiry.contact_email else ""


async def threading_headers(settings: Settings, inquiry: Inquiry, conn, *, leaving: str = "") -> dict[str, str]:
    ids = [m for m in await InquiryEntry.filter(inquiry_id=inquiry.id).exclude(mail_message_id="")
           .using_db(conn).order_by("id").values_list("mail_message_id", flat=True) if m != leaving][-10:]
    headers = {}
    if ids:
        headers["In-Reply-To"] = ids[-1]
        headers["References"] = " ".join(ids)
    reply_to = reply_address(settings, inquiry)
    if reply_to:
        headers["Reply-To"] = reply_to
    return headers


async def mail_answer(settings: Settings, inquiry: Inquiry, entry: InquiryEntry, department_name: str,
                      conn) -> None:
    """Staff answered an inquiry that came by mail: the answer goes to whoever wrote, by mail, with the
    Message-ID its entry was saved with (`answer_message_id`)."""
    if not entry.mail_message_id:
        return
    resident = await User.get_or_none(id=inquiry.resident_id).using_db(conn)
    locale = resident.locale if resident is not None and resident.state == "active" else ""
    headers = await threading_headers(settings, inquiry, conn, leaving=entry.mail_message_id)
    with using_locale(locale or settings.default_locale):
        subject = gettext("Re: %(subject)s", subject=inquiry.subject)
        body = gettext("%(department)s answered:", department=department_name) + "\n\n" + entry.body + "\n\n"
        if resident is not None and resident.state == "active":
            link = f"{settings.base_url}/city/{inquiry.id}"
            body += gettext("Follow it here: %(url)s", url=link) + "\n"
        body += gettext("Reply to this mail to add to the same request.") + "\n"
    await mail.queue(conn, settings, inquiry.contact_email, subject, body, message_id=entry.mail_message_id,
                     headers=headers)
