"""What our PFIF 1.4 documents and the partners' share (docs/pfif.md): the namespace, our record ids, the
way dates are written, and how our check-in statuses map to PFIF's note statuses.

Our records' ids start with the instance's origin, PFIF's "domain name of the original repository":
`<origin>/person.<user id>` for a resident and `<origin>/note.<check-in id>` for a check-in. A partner's
note about one of our residents carries our person_record_id, which is how an import knows whom it is about.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from sns.i18n import N_, gettext

NS = "http://zesty.ca/pfif/1.4"
OLDER_NS = ("http://zesty.ca/pfif/1.1", "http://zesty.ca/pfif/1.2", "http://zesty.ca/pfif/1.3")

# Our check-in status -> PFIF 1.4 note status. The resident wrote the check-in about themself, so "safe" is
# PFIF's is_note_author ("the author of this note is the missing person"); "need help" says they are alive
# (they checked in) but not that they are fine, so it is believed_alive and the note's text says more.
STATUS_OF_CHECKIN = {"safe": "is_note_author", "need_help": "believed_alive"}

# PFIF's note statuses, as a reader of a partner's note is told them.
NOTE_STATUSES = ("information_sought", "is_note_author", "believed_alive", "believed_missing", "believed_dead")
SAFE_STATUSES = frozenset({"is_note_author", "believed_alive"})
STATUS_LABELS = {
    "information_sought": N_("Someone is looking for them"),
    "is_note_author": N_("They wrote this note themselves"),
    "believed_alive": N_("Believed to be alive"),
    "believed_missing": N_("Believed to be missing"),
    "believed_dead": N_("Believed to have died"),
}

_XML_UNSAFE = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def person_record_id(origin: str, user_id: str) -> str:
    return f"{origin}/person.{user_id}"


def note_record_id(origin: str, checkin_id: str) -> str:
    return f"{origin}/note.{checkin_id}"


def user_id_of(origin: str, record_id: str) -> str | None:
    """The user id in one of our person_record_ids; None for anyone else's."""
    prefix = f"{origin}/person."
    if not record_id.startswith(prefix):
        return None
    rest = record_id[len(prefix):]
    return rest if 0 < len(rest) <= 36 else None


def utc_text(moment: datetime) -> str:
    """A time as PFIF writes it: yyyy-mm-ddThh:mm:ssZ, in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def xml_text(value: str) -> str:
    """The text with what XML 1.0 cannot hold removed (lxml refuses it)."""
    return _XML_UNSAFE.sub("", value or "")


def status_label(status: str) -> str:
    return gettext(STATUS_LABELS[status]) if status in STATUS_LABELS else ""
