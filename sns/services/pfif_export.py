"""Exporting safety check-ins to a partner person finder as one PFIF 1.4 document (docs/pfif.md).

The disaster desk downloads it during disaster mode and hands it to a registry (Person Finder and its
kind). It holds the current check-ins of the residents who ticked "share with other person-finder
registries" on them (`sns.policies.pfif.is_shareable_checkin`), one `person` per resident with one `note`
(the check-in), and only what they agreed to share:

- person: our record id, entry and source dates (the check-in's), an expiry date (`pfif_expiry_days` from
  now), the city as author and source, the resident's display name, and their home district only when
  their profile shows it to visitors. Never an e-mail address, a username or an address.
- note: the check-in's status mapped by `pfif_format.STATUS_OF_CHECKIN`, `author_made_contact` true (the
  resident checked in themself), their message as the word filter would publish it (a message it would
  hold never leaves: the status in words stands in for it), and where they said they are when they gave it.

Every export is written to the staff action log (who, when, how many records) in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from lxml import etree
from moderation import Filter, grey

from sns.context import Ctx
from sns.i18n import N_, gettext
from sns.models import SafetyCheckin, User
from sns.models.base import utcnow
from sns.policies import ANONYMOUS, can_view_profile_field
from sns.policies.pfif import can_exchange_pfif, is_shareable_checkin
from sns.services import audit
from sns.services.base import require, transaction
from sns.services.disaster import current_event
from sns.services.moderate import current_filter
from sns.services.pfif_format import NS, STATUS_OF_CHECKIN, note_record_id, person_record_id, utc_text, xml_text
from sns.services.safety import STATUS_LABELS
from sns.services.site import load_site

REFUSED = N_("Only the disaster desk and administrators exchange check-ins with other person finders, and only "
             "while disaster mode is on.")
MEDIA_TYPE = "application/xml"


@dataclass
class Export:
    body: bytes  # the document, UTF-8
    count: int  # persons (and notes) in it
    filename: str


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _add(parent, name: str, value: str | None) -> None:
    """One field, left out when empty (PFIF's optional fields are omitted, not written empty)."""
    value = xml_text(value or "")
    if value:
        etree.SubElement(parent, _q(name)).text = value


def shared_message(message: str, user: User, filt: Filter, ctx: Ctx, now: datetime) -> str:
    """The check-in's message as the word filter would publish it: as written, masked in mask mode, and
    nothing when the filter would hold it (hold mode, or a writer whose posts all wait)."""
    if not message:
        return ""
    s = ctx.settings
    if grey.is_grey(user.grey_score or 0.0, user.grey_updated_at, now, half_life=s.grey_half_life_hours * 3600,
                    threshold=s.grey_threshold):
        return ""
    if not filt.scan(message).flagged:
        return message
    return filt.censor(message) if s.moderation_mode == "mask" else ""


def _place(checkin: SafetyCheckin) -> str:
    """Where they said they are: the words, and the point on the map when they gave one."""
    point = f"{checkin.lat:.5f} {checkin.lon:.5f}" if checkin.lat is not None and checkin.lon is not None else ""
    return " · ".join(part for part in (checkin.place, point) if part)


def _person(ctx: Ctx, checkin: SafetyCheckin, city: str, filt: Filter, now: datetime, expiry: datetime):
    user = checkin.user
    person = etree.Element(_q("person"))
    _add(person, "person_record_id", person_record_id(ctx.origin, user.id))
    _add(person, "entry_date", utc_text(checkin.created_at))
    _add(person, "expiry_date", utc_text(expiry))
    _add(person, "author_name", city)
    _add(person, "source_name", ctx.origin)
    _add(person, "source_date", utc_text(checkin.created_at))
    _add(person, "source_url", f"{ctx.settings.base_url}/disaster")
    _add(person, "full_name", user.display_name or user.username)
    district = user.district
    if district is not None and district.deleted_at is None and can_view_profile_field(ANONYMOUS, user, "district"):
        _add(person, "home_neighborhood", district.name)
    note = etree.SubElement(person, _q("note"))
    _add(note, "note_record_id", note_record_id(ctx.origin, checkin.id))
    _add(note, "person_record_id", person_record_id(ctx.origin, user.id))
    _add(note, "entry_date", utc_text(checkin.created_at))
    _add(note, "author_name", user.display_name or user.username)
    _add(note, "source_date", utc_text(checkin.created_at))
    _add(note, "author_made_contact", "true")
    _add(note, "status", STATUS_OF_CHECKIN[checkin.status])
    _add(note, "last_known_location", _place(checkin))
    text = shared_message(checkin.message, user, filt, ctx, now) or gettext(STATUS_LABELS[checkin.status])
    etree.SubElement(note, _q("text")).text = xml_text(text)  # required, so always written
    return person


async def shareable_checkins(ctx: Ctx, event) -> list[SafetyCheckin]:
    """The check-ins an export of `event` holds: one per resident (their newest current one), each allowed
    by `is_shareable_checkin`; oldest first."""
    rows = await SafetyCheckin.filter(event_id=event.id, current=True, deleted_at=None, share_pfif=True,
                                      user__state="active", user__deleted_at=None) \
        .order_by("-id").select_related("user", "user__district")
    newest: dict[str, SafetyCheckin] = {}
    for checkin in rows:
        if checkin.status in STATUS_OF_CHECKIN and is_shareable_checkin(checkin, event, checkin.user):
            newest.setdefault(checkin.user_id, checkin)
    return sorted(newest.values(), key=lambda c: c.id)


async def export_checkins(ctx: Ctx) -> Export:
    """The PFIF 1.4 document of the event that is on, logged as exported by the caller."""
    event = await current_event(ctx)
    require(can_exchange_pfif(ctx.viewer, event), REFUSED)
    checkins = await shareable_checkins(ctx, event)
    now = utcnow()
    expiry = now + timedelta(days=max(1, ctx.settings.pfif_expiry_days))
    city = (await load_site()).town_name or ctx.origin
    filt = await current_filter()
    root = etree.Element(_q("pfif"), nsmap={"pfif": NS})
    for checkin in checkins:
        root.append(_person(ctx, checkin, city, filt, now, expiry))
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    async with transaction() as tx:
        await audit.record(tx, ctx, "pfif.export", "disaster", event.id,
                           detail=f"{len(checkins)} records, expiry {utc_text(expiry)}")
    local = now.astimezone(ZoneInfo(ctx.settings.timezone))
    return Export(body, len(checkins), f"pfif-{ctx.origin}-{local:%Y%m%d-%H%M}.xml")
