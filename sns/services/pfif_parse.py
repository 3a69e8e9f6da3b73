"""Reading a partner's PFIF 1.4 document safely (docs/pfif.md): the notes in it, or a refusal.

`parse_notes(data, max_bytes)` never raises anything but `PfifRefused`, whose `message` is a msgid to show
next to the file field (with its `params`): a document over the size limit, one with a DOCTYPE (entities,
"billion laughs", external files), one that is not well-formed XML or not UTF-8, and one whose root is not
PFIF 1.4's `pfif` (another XML, an older PFIF) are refused whole, before anything is stored. lxml parses it
with entities unresolved, no network, no DTD and no huge trees.

A well-formed PFIF 1.4 document gives its notes: those inside a `person` (which take that person's id and
expiry date) and those standing on their own. A note missing a required field, with a date that is not
PFIF's, an unknown status or an over-long field is counted as invalid and left out, not stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from lxml import etree

from sns.i18n import N_
from sns.services.pfif_format import NOTE_STATUSES, NS, OLDER_NS

DATE_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z$")
LIMITS = {"note_record_id": 500, "person_record_id": 500, "author_name": 200, "last_known_location": 500,
          "text": 10_000, "status": 32}


class PfifRefused(Exception):
    """A document refused whole; `message` is a msgid, `params` fill it in."""

    def __init__(self, message: str, **params) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass
class ParsedNote:
    note_record_id: str
    person_record_id: str
    author_name: str
    source_date: datetime
    text: str
    status: str = ""
    author_made_contact: bool | None = None
    last_known_location: str = ""
    entry_date: datetime | None = None
    expiry_date: datetime | None = None  # the enclosing person's; None when the document gives none


@dataclass
class Parsed:
    notes: list[ParsedNote]
    invalid: int  # notes left out because a field was missing or wrong


def _root(data: bytes, max_bytes: int):
    if not isinstance(data, (bytes, bytearray)) or not data.strip():
        raise PfifRefused(N_("Choose a PFIF file to import: the file was empty."))
    if len(data) > max_bytes:
        raise PfifRefused(N_("The file is too large (%(size)s bytes; at most %(limit)s)."), size=len(data),
                          limit=max_bytes)
    raw = bytes(data)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:200]:
        raise PfifRefused(N_("The file is not in UTF-8. PFIF documents are read in UTF-8 only."))
    if b"<!doctype" in raw.lower() or b"<!entity" in raw.lower():
        raise PfifRefused(N_("The file declares a DOCTYPE or entities, which are not accepted in a PFIF "
                             "document."))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False, remove_pis=True, remove_comments=True)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        if "encoding" in str(exc).lower() or "utf-8" in str(exc).lower():
            raise PfifRefused(N_("The file is not in UTF-8. PFIF documents are read in UTF-8 only.")) from None
        raise PfifRefused(N_("The file is not well-formed XML (%(reason)s)."), reason=str(exc)[:200]) from None
    except Exception:  # lxml's other refusals (an encoding it does not know...)
        raise PfifRefused(N_("The file is not in UTF-8. PFIF documents are read in UTF-8 only.")) from None
    tree = root.getroottree()
    if tree.docinfo.doctype:
        raise PfifRefused(N_("The file declares a DOCTYPE or entities, which are not accepted in a PFIF "
                             "document."))
    if (tree.docinfo.encoding or "UTF-8").upper().replace("_", "-") not in ("UTF-8", "UTF8"):
        raise PfifRefused(N_("The file is not in UTF-8. PFIF documents are read in UTF-8 only."))
    return root


def _check_root(root) -> None:
    qname = etree.QName(root)
    if qname.namespace in OLDER_NS and qname.localname == "pfif":
        raise PfifRefused(N_("This is an older PFIF document (%(namespace)s). Please ask the registry for PFIF "
                             "1.4."), namespace=qname.namespace)
    if qname.namespace != NS or qname.localname != "pfif":
        raise PfifRefused(N_("This is not a PFIF 1.4 document: its root element is not pfif in the namespace "
                             "%(namespace)s."), namespace=NS)


def _field(record, name: str) -> str | None:
    """The one value of a field (stripped), "" when absent; None when it is given twice or is too long."""
    found = [el for el in record if isinstance(el.tag, str) and el.tag == f"{{{NS}}}{name}"]
    if len(found) > 1:
        return None
    value = "".join(found[0].itertext()).strip() if found else ""
    return None if len(value) > LIMITS.get(name, 1000) else value


def parse_date(value: str) -> datetime | None:
    match = DATE_RE.match(value or "")
    if not match:
        return None
    try:
        return datetime(*(int(g) for g in match.groups()[:6]), tzinfo=timezone.utc)
    except ValueError:
        return None


def _note(el, person_id: str, expiry: datetime | None) -> ParsedNote | None:
    values = {name: _field(el, name) for name in ("note_record_id", "person_record_id", "author_name", "source_date",
                                                  "entry_date", "text", "status", "author_made_contact",
                                                  "last_known_location")}
    if any(v is None for v in values.values()):
        return None
    person = values["person_record_id"] or person_id
    if person_id and values["person_record_id"] and values["person_record_id"] != person_id:
        return None  # a note inside one person about another
    source_date = parse_date(values["source_date"])
    entry = values["entry_date"]
    contact = values["author_made_contact"]
    if (not values["note_record_id"] or not person or not values["author_name"] or source_date is None
            or values["status"] not in ("", *NOTE_STATUSES) or contact not in ("", "true", "false")
            or (entry and parse_date(entry) is None)):
        return None
    return ParsedNote(values["note_record_id"], person, values["author_name"], source_date, values["text"],
                      status=values["status"], author_made_contact=None if not contact else contact == "true",
                      last_known_location=values["last_known_location"],
                      entry_date=parse_date(entry) if entry else None, expiry_date=expiry)


def parse_notes(data: bytes, max_bytes: int) -> Parsed:
    """Every note of a PFIF 1.4 document, with how many were invalid; `PfifRefused` for a document refused
    whole."""
    root = _root(data, max_bytes)
    _check_root(root)
    notes: list[ParsedNote] = []
    invalid = 0
    for record in root:
        if not isinstance(record.tag, str):
            continue
        if record.tag == f"{{{NS}}}note":
            found = [(record, "", None)]
        elif record.tag == f"{{{NS}}}person":
            person_id, expiry_text = _field(record, "person_record_id"), _field(record, "expiry_date")
            expiry = parse_date(expiry_text) if expiry_text else None
            children = [el for el in record if isinstance(el.tag, str) and el.tag == f"{{{NS}}}note"]
            if person_id is None or not person_id or (expiry_text and expiry is None):
                invalid += len(children)
                continue
            found = [(el, person_id, expiry) for el in children]
        else:
            continue  # anything else (another namespace's extension) is not ours to read
        for el, person_id, expiry in found:
            note = _note(el, person_id, expiry)
            if note is None:
                invalid += 1
            else:
                notes.append(note)
    return Parsed(notes, invalid)
