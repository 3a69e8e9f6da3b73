"""Mail to the city becomes an inquiry. The SMTP server (sns/intake_smtp.py) and the IMAP job
(sns/services/mail_intake_imap.py) both end in `receive(settings, raw, mail_from=, rcpt_to=, via=)`.

Every message leaves an `IncomingMail` row saying what became of it, with the reason:

- refused: larger than `intake_max_bytes`, not addressed to the city or one of its departments, more than
  `intake_mails_per_hour` from one sender, or a repeat of a Message-ID already received (stored once);
- quarantined, its bytes kept in `<media_dir>/intake/` (shared by the machines of a city, like photos) for
  an administrator to release or delete: a message whose structure cannot be read, and one whose From names
  a resident's address without our receiving server having proven it (`mail_intake_parse.sender_proven`):
  it is not attached to the resident's account;
- accepted: a new inquiry for the department the mail was sent to (the city's general address goes to
  `intake_department`), channel "mail", its text screened like a resident's, its pictures through the photo
  pipeline (re-encoded, EXIF stripped, limits), other attachments dropped with a note; or a new entry of the
  thread a reply belongs to (In-Reply-To/References naming a mail of that thread, or the reply address
  `<local>+<key>@<domain>`). A resident (the From is their registered address, proven) owns the inquiry and
  is told by mail where to follow it; anyone else's goes to the mail-intake account with their address as
  the contact, and they get an acknowledgement without a link (nothing there they could open).

Several machines may receive the same message (two MX, a retried delivery): the inquiry and its entry carry a
key made from the Message-ID, unique in the database, so it is stored once.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import anyio
from tortoise.exceptions import IntegrityError

from sns import events, mail, media
from sns.context import Ctx, Limits
from sns.errors import Invalid, NotFound
from sns.i18n import N_, gettext, using_locale
from sns.ids import is_id, uuid7
from sns.models import Department, IncomingMail, Inquiry, InquiryEntry, Photo, User
from sns.policies import Viewer
from sns.policies.mail_intake import can_manage_mail_intake
from sns.services import telling
from sns.services.base import clean_text, require, save_new, transaction
from sns.services.inquiries import MAX_BODY, inquiry_url, reached_department
from sns.services.mail_intake_answers import SYSTEM_STATE, city_address, intake_account, new_mail_key, reply_address
from sns.services.mail_intake_parse import (
    ReadMail, Unreadable, headers_of, read_mail, recipients_of, sender_proven,
)
from sns.services.moderate import open_flag, screen, tell_moderators
from sns.services.photos import store_photos
from sns.settings import Settings

log = logging.getLogger(__name__)
QUARANTINE_DIR = "intake"


@dataclass
class Outcome:
    state: str  # accepted, quarantined, refused
    reason: str
    inquiry_id: str | None = None
    repeat: bool = False  # a Message-ID already received: the sender should not try again


@dataclass
class Target:
    department_id: str
    address: str
    inquiry: Inquiry | None = None  # a reply to this thread


async def receive(settings: Settings, raw: bytes, *, mail_from: str = "", rcpt_to=(), via: str = "smtp",
                  limiter=None) -> Outcome:
    """What becomes of one message (see the module). `limiter`: a RateLimiter per sender address."""
    seen = dict(via=via, mail_from=mail_from[:320], size=len(raw),
                to_addr=(list(rcpt_to)[0] if rcpt_to else "")[:320])
    if len(raw) > settings.intake_max_bytes:
        return await _log("refused", f"too large: {len(raw)} bytes (at most {settings.intake_max_bytes})", **seen)
    try:
        read = read_mail(raw)
    except Unreadable as exc:
        return await _quarantine(settings, raw, str(exc), **seen, **headers_of(raw))
    seen.update(message_id=read.message_id[:255], from_addr=read.from_addr[:320], subject=read.subject[:300])
    target = await find_target(settings, read, [a.lower() for a in rcpt_to] or recipients_of(read.msg))
    if target is None:
        return await _log("refused", "not addressed to the city or one of its departments", **seen)
    seen["to_addr"] = target.address[:320]
    if read.message_id and await IncomingMail.filter(message_id=read.message_id, state="accepted").exists():
        return await _log("refused", "a repeat of a message already received", repeat=True, **seen)
    if limiter is not None and not await limiter.hit(f"intake:{read.from_addr}"):
        return await _log("refused", f"more than {settings.intake_mails_per_hour} mails an hour from this sender",
                          **seen)
    resident = await User.get_or_none(email__iexact=read.from_addr, state="active", deleted_at=None)
    if resident is not None and not sender_proven(read.msg, read.from_addr, settings.intake_authserv_id):
        return await _quarantine(settings, raw, "From names a resident's address, but the mail is not "
                                 "authenticated (possibly forged): not attached to the account", **seen)
    author = resident or await intake_account(settings)
    if target.inquiry is not None and not _may_add_to(target.inquiry, author, read):
        return await _quarantine(settings, raw, "a reply to a thread from someone else's address", **seen)
    return await accept(settings, read, target, author, seen)


async def _log(state: str, reason: str, *, repeat: bool = False, **seen) -> Outcome:
    await IncomingMail.create(state=state, reason=reason[:300], **seen)
    log.info("mail to the city %s: %s (%s)", state, reason, seen.get("message_id", ""))
    return Outcome(state, reason, repeat=repeat)


async def _quarantine(settings: Settings, raw: bytes, reason: str, **seen) -> Outcome:
    row_id = uuid7()
    folder = settings.media_dir / QUARANTINE_DIR
    await anyio.to_thread.run_sync(lambda: (folder.mkdir(parents=True, exist_ok=True),
                                            (folder / f"{row_id}.eml").write_bytes(raw)))
    await IncomingMail.create(id=row_id, state="quarantined", reason=reason[:300], raw_name=f"{row_id}.eml", **seen)
    log.warning("mail to the city quarantined: %s (%s)", reason, seen.get("message_id", ""))
    return Outcome("quarantined", reason)


def _may_add_to(inquiry: Inquiry, author: User, read: ReadMail) -> bool:
    """A reply joins a thread only from its owner: the resident (proven), or the stranger's own address."""
    if author.state == SYSTEM_STATE:
        return inquiry.resident_id == author.id and inquiry.contact_email.lower() == read.from_addr
    return inquiry.resident_id == author.id


async def default_department(settings: Settings) -> Department | None:
    wanted = settings.intake_department.strip()
    active = Department.filter(deleted_at=None, active=True)
    if wanted:
        found = await (active.filter(id=wanted) if is_id(wanted) else active.filter(name__iexact=wanted)).first()
        if found is not None:
            return found
    return await active.order_by("position", "id").first()


async def find_target(settings: Settings, read: ReadMail | None, recipients: list[str]) -> Target | None:
    """The thread a reply belongs to, else the department the mail was sent to (None: not ours)."""
    for ref in reversed(read.refers_to if read else []):
        entry = await InquiryEntry.filter(mail_message_id=ref, deleted_at=None).first()
        inquiry = await Inquiry.get_or_none(id=entry.inquiry_id, deleted_at=None) if entry else None
        if inquiry is not None:
            return Target(inquiry.department_id, recipients[0] if recipients else "", inquiry)
    departments = await Department.filter(deleted_at=None, active=True).exclude(mail_address="")
    by_address = {d.mail_address.strip().lower(): d for d in departments}
    city = city_address(settings)
    for address in recipients:
        local, _, domain = address.partition("@")
        base, plus, key = local.partition("+")
        if plus and key and (f"{base}@{domain}" == city or f"{base}@{domain}" in by_address):
            inquiry = await Inquiry.get_or_none(mail_key=key.lower(), deleted_at=None)
            if inquiry is not None:
                return Target(inquiry.department_id, address, inquiry)
        if address in by_address:
            return Target(by_address[address].id, address)
        if city and address == city:
            department = await default_department(settings)
            if department is not None:
                return Target(department.id, address)
    return None


def _key(read: ReadMail) -> str:
    return "mail:" + hashlib.sha256((read.message_id or read.text + read.subject).encode()).hexdigest()[:40]


async def _pictures(settings: Settings, read: ReadMail, room: int) -> tuple[list, list[str]]:
    """Image attachments re-encoded like any upload; what was not kept, named for the note."""
    kept, dropped = [], [f"{a.name or '?'} ({a.type})" for a in read.others]
    for item in read.images:
        if len(kept) >= room:
            dropped.append(f"{item.name or '?'} ({item.type})")
            continue
        try:
            kept.append(await anyio.to_thread.run_sync(lambda d=item.data: media.process_image(
                d, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels)))
        except Invalid:
            dropped.append(f"{item.name or '?'} ({item.type})")
    return kept, dropped


def _texts(settings: Settings, read: ReadMail, dropped: list[str]) -> tuple[str, str]:
    with using_locale(settings.default_locale):
        subject = clean_text(read.subject[:200], field="subject", max_chars=200, single_line=True,
                             required=False) or gettext("(no subject)")
        body = clean_text(read.text[:MAX_BODY - 1000], field="body", max_chars=MAX_BODY, required=False) \
            or gettext("(no text)")
        if dropped:
            body += "\n\n" + gettext("Attachments not kept: %(names)s", names=", ".join(dropped)[:800])
    return subject, body


async def accept(settings: Settings, read: ReadMail, target: Target, author: User, seen: dict,
                 row: IncomingMail | None = None) -> Outcome:
    """Write the inquiry (or the thread's new entry), its photos and the log row in one transaction."""
    ctx = Ctx(settings, Limits.unlimited(), Viewer(user=author), site=None)
    thread = target.inquiry if target.inquiry is not None and target.inquiry.status != "closed" else None
    have = await Photo.filter(purpose="inquiry", parent_id=thread.id, deleted_at=None).count() if thread else 0
    images, dropped = await _pictures(settings, read, max(0, settings.max_photos_per_post - have))
    subject, body = _texts(settings, read, dropped)
    counts = author.state != SYSTEM_STATE  # strangers' words do not make the shared account "grey"
    if thread is None:
        screening = await screen(ctx, subject, body, counts=counts)
        subject, body = screening.texts
    else:
        screening = await screen(ctx, body, counts=counts)
        (body,) = screening.texts
    key = _key(read)
    try:
        async with transaction() as tx:
            if thread is None:
                thread = await save_new(Inquiry(
                    department_id=target.department_id, resident_id=author.id, subject=subject, channel="mail",
                    contact_email=read.from_addr, contact_name=read.from_name, mail_key=new_mail_key(),
                    client_token=key, origin=settings.origin), tx)
                new = True
            else:
                new = False
            entry = await save_new(InquiryEntry(
                inquiry_id=thread.id, author_id=author.id, kind="message", body=body, state=screening.state,
                channel="mail", mail_message_id=read.message_id[:255], client_token=key, origin=settings.origin), tx)
            await store_photos(ctx, images, tx, parent_id=thread.id, purpose="inquiry", start=have)
            flag = await open_flag(screening, "inquiry_entry", entry.id, author.id, tx)
            if screening.state == "published":
                await reached_department(ctx, thread, entry, tx)
            reason = ("a reply added to its thread" if not new else "a new inquiry") + (
                "; held for moderation" if screening.state == "held" else "") + (
                f"; {len(dropped)} attachment(s) dropped" if dropped else "")
            if row is not None:
                reason = "released by an administrator: " + reason
                await IncomingMail.filter(id=row.id).using_db(tx).update(state="accepted", reason=reason[:300],
                                                                           inquiry_id=thread.id)
            else:
                await IncomingMail.create(state="accepted", reason=reason[:300], inquiry_id=thread.id,
                                          using_db=tx, **seen)
            if new and not read.automatic and seen.get("mail_from", "x") != "<>":
                await _acknowledge(settings, thread, author, read, tx)
    except IntegrityError:  # the same message stored by another machine or an earlier delivery
        return await _log("refused", "a repeat of a message already received", repeat=True, **seen)
    await tell_moderators(ctx, flag)
    await events.publish("inquiry.created" if new else "inquiry.entry", {"id": thread.id})
    return Outcome("accepted", reason, inquiry_id=thread.id)


async def _acknowledge(settings: Settings, inquiry: Inquiry, author: User, read: ReadMail, tx) -> None:
    """A resident is told where to follow it; anyone else gets a receipt they can reply to."""
    department = await Department.get(id=inquiry.department_id).using_db(tx)
    if author.state != SYSTEM_STATE:
        def texts():
            return (gettext("We received your message: %(subject)s", subject=inquiry.subject),
                    gettext("Your mail to %(department)s is now a request. Follow it and read the answer "
                            "here:", department=department.name))
        await telling.tell(settings, author, f"mail-intake:{inquiry.id}", texts, url=inquiry_url(inquiry.id),
                           email=True, conn=tx)
        return
    with using_locale(settings.default_locale):
        subject = gettext("We received your message: %(subject)s", subject=inquiry.subject)
        body = gettext("Your mail to %(department)s has reached the city. Staff will answer you by mail; "
                       "reply to this mail to add to it.", department=department.name)
    headers = {"In-Reply-To": read.message_id, "References": read.message_id} if read.message_id else {}
    if reply_address(settings, inquiry):
        headers["Reply-To"] = reply_address(settings, inquiry)
    await mail.queue(tx, settings, read.from_addr, subject, body, headers=headers)


# --- what administrators do with the log (/admin/mail-intake) -----------------

async def intake_log(ctx: Ctx, state: str = "", limit: int = 200) -> list[IncomingMail]:
    require(can_manage_mail_intake(ctx.viewer))
    q = IncomingMail.all()
    if state in ("accepted", "quarantined", "refused"):
        q = q.filter(state=state)
    return await q.order_by("-received_at", "-id").limit(limit)


async def _quarantined(ctx: Ctx, incoming_id: str) -> IncomingMail:
    require(can_manage_mail_intake(ctx.viewer))
    row = await IncomingMail.get_or_none(id=incoming_id, state="quarantined") if is_id(incoming_id) else None
    if row is None:
        raise NotFound(N_("This message is not in quarantine."))
    return row


async def release(ctx: Ctx, incoming_id: str) -> Outcome:
    """An administrator releases a quarantined message into an inquiry, as from someone without an account
    (a forged resident's address is never attached to the account by a release)."""
    row = await _quarantined(ctx, incoming_id)
    path = ctx.settings.media_dir / QUARANTINE_DIR / row.raw_name
    raw = await anyio.to_thread.run_sync(path.read_bytes) if row.raw_name and path.exists() else b""
    try:
        read = read_mail(raw)
    except Unreadable:
        read = ReadMail(None, row.message_id, row.from_addr or "unknown@invalid", "", row.subject,
                        raw.decode("utf-8", "replace"))
    target = await find_target(ctx.settings, None, [row.to_addr]) or Target(
        getattr(await default_department(ctx.settings), "id", ""), row.to_addr)
    if not target.department_id:
        raise Invalid(N_("There is no department to give it to."), field="release")
    read.automatic = True  # a person decided: no automatic receipt to an address that may be forged
    outcome = await accept(ctx.settings, read, target, await intake_account(ctx.settings), {}, row=row)
    if outcome.state == "accepted" and row.raw_name:
        await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))
    return outcome


async def delete(ctx: Ctx, incoming_id: str) -> None:
    """An administrator deletes a quarantined message: its bytes and its row."""
    row = await _quarantined(ctx, incoming_id)
    if row.raw_name:
        path = ctx.settings.media_dir / QUARANTINE_DIR / row.raw_name
        await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))
    await IncomingMail.filter(id=row.id).delete()
