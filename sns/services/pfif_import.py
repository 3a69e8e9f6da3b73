"""Importing a partner registry's PFIF 1.4 notes about our residents (docs/pfif.md).

The disaster desk uploads a partner's document during disaster mode and names where it came from. It is
parsed safely (`sns.services.pfif_parse`: a hostile or malformed document is refused whole and nothing is
stored). Each note whose person_record_id is one of ours (`<origin>/person.<user id>` of an active
resident) and that has not expired (the enclosing person's expiry date, else `pfif_expiry_days` from now)
becomes a `PfifNote`, once: a note_record_id already stored is not stored again, so importing the same
document twice stores nothing new. Everything else is counted as skipped.

Every import, refused ones too, is written to the staff action log. Storing the notes bumps the version
numbers of the residents concerned and of their friends in the same transaction (the notes are shown where
their check-ins are, so they move the same numbers), so a kept My page shows them on the next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

from tortoise.exceptions import IntegrityError

from sns import view_versions
from sns.context import Ctx
from sns.errors import Invalid
from sns.models import PfifNote, User
from sns.models.base import utcnow
from sns.policies.pfif import can_exchange_pfif
from sns.services import audit
from sns.services.base import clean_text, rate_limit_post, require, transaction
from sns.services.disaster import current_event
from sns.services.pfif_export import REFUSED
from sns.services.pfif_format import user_id_of
from sns.services.pfif_parse import ParsedNote, PfifRefused, parse_notes

CHUNK = 500  # ids asked about in one query


@dataclass
class ImportResult:
    stored: int  # new notes about our residents
    already: int  # notes about our residents stored by an earlier import
    skipped: int  # about nobody of ours, expired, or invalid

    @property
    def total(self) -> int:
        return self.stored + self.already + self.skipped


async def _existing(model_field: str, values: list[str], query) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(values), CHUNK):
        found.update(await query.filter(**{f"{model_field}__in": values[start:start + CHUNK]})
                     .values_list(model_field, flat=True))
    return found


async def _ours(ctx: Ctx, notes: list[ParsedNote]) -> dict[str, str]:
    """person_record_id -> user id, for the notes about our active residents."""
    wanted = {n.person_record_id: user_id_of(ctx.origin, n.person_record_id) for n in notes}
    ids = sorted({u for u in wanted.values() if u})
    active = await _existing("id", ids, User.filter(state="active", deleted_at=None))
    return {record: user for record, user in wanted.items() if user in active}


async def _store(ctx: Ctx, event, notes: list[ParsedNote], ours: dict[str, str], source: str, now) -> int:
    known = await _existing("note_record_id", sorted({n.note_record_id for n in notes}), PfifNote.all())
    default_expiry = now + timedelta(days=max(1, ctx.settings.pfif_expiry_days))
    stored, people = 0, set()
    async with transaction() as tx:
        for note in notes:
            if note.note_record_id in known:
                continue
            known.add(note.note_record_id)
            user_id = ours[note.person_record_id]
            await PfifNote.create(using_db=tx, note_record_id=note.note_record_id,
                                  person_record_id=note.person_record_id, user_id=user_id, event_id=event.id,
                                  source=source, author_name=note.author_name, status=note.status,
                                  author_made_contact=note.author_made_contact,
                                  last_known_location=note.last_known_location, text=note.text,
                                  source_date=note.source_date, entry_date=now,
                                  expiry_date=note.expiry_date or default_expiry, imported_by_id=ctx.user.id,
                                  imported_at=now)
            stored += 1
            people.add(user_id)
        for user_id in sorted(people):  # shown where the check-in is: the same numbers move
            keys, selects = view_versions.keys_for("safety_checkin", SimpleNamespace(user_id=user_id))
            await view_versions.bump(tx, keys, selects)
        await audit.record(tx, ctx, "pfif.import", "disaster", event.id,
                           detail=f"{source}: {stored} stored, {len(notes) - stored} already stored")
    return stored


async def import_notes(ctx: Ctx, *, data: bytes, source: str) -> ImportResult:
    """Store the notes about our residents in a partner's PFIF 1.4 document from `source`."""
    event = await current_event(ctx)
    require(can_exchange_pfif(ctx.viewer, event), REFUSED)
    source = clean_text(source, field="source", max_chars=255, single_line=True)
    await rate_limit_post(ctx)
    try:
        parsed = parse_notes(data, ctx.settings.pfif_max_import_bytes)
    except PfifRefused as refused:
        reason = refused.message % refused.params if refused.params else refused.message
        await audit.record(None, ctx, "pfif.import", "disaster", event.id, detail=f"{source}: refused ({reason})")
        raise Invalid(refused.message, field="document", **refused.params) from None
    now = utcnow()
    ours = await _ours(ctx, parsed.notes)
    wanted = [n for n in parsed.notes
              if n.person_record_id in ours and (n.expiry_date is None or n.expiry_date > now)]
    skipped = len(parsed.notes) + parsed.invalid - len(wanted)
    try:
        stored = await _store(ctx, event, wanted, ours, source, now)
    except IntegrityError:  # another import of the same notes at the same moment: what it stored is known now
        stored = await _store(ctx, event, wanted, ours, source, now)
    return ImportResult(stored=stored, already=len(wanted) - stored, skipped=skipped)
