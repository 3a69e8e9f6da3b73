"""Reading CAP 1.2 alerts from elsewhere: safe parsing, then applying them to our alerts.

`parse_cap(data)` and `parse_feed(data)` never raise anything but `CapError` (with a reason a log can
show): a document with a DOCTYPE (entity tricks), one over `MAX_BYTES`, the wrong namespace, a
missing or bad required element are all refused before anything is stored. `apply_parsed(...)`
stores a parsed alert (deduplicated by sender and identifier) or applies an Update/Cancel to the
alert it references. The poller (sns/services/cap_poll.py) fetches the configured sources and calls these.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from lxml import etree
from tortoise.exceptions import IntegrityError

from sns.models.alerts import CERTAINTIES, SEVERITIES, URGENCIES, Alert, AlertUpdate
from sns.services.base import save_change, save_new, transaction
from sns.services.shared import public_changed

log = logging.getLogger(__name__)

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
MAX_BYTES = 1_000_000
KINDS = {"Fire": "fire", "Met": "storm", "Geo": "earthquake", "Safety": "other", "Security": "other",
         "Rescue": "other", "Health": "other", "Env": "other", "Transport": "other", "Infra": "other",
         "CBRNE": "other", "Other": "other"}
EVENT_KINDS = ("fire", "flood", "landslide", "earthquake", "tsunami", "storm")
STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")
SENT_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")
LIMITS = {"identifier": 255, "sender": 255, "title": 200}


class CapError(Exception):
    """A CAP document or feed we refuse; `str(error)` says why."""


@dataclass
class ParsedAlert:
    identifier: str
    sender: str
    sent: datetime
    status: str  # CAP's: Actual, Exercise, ...
    msg_type: str  # Alert, Update, Cancel
    references: list[tuple[str, str, str]]  # (sender, identifier, sent) of earlier messages
    kind: str
    title: str
    description: str = ""
    instruction: str = ""
    severity: str = "Unknown"
    urgency: str = "Unknown"
    certainty: str = "Unknown"
    lat: float | None = None
    lon: float | None = None
    radius_m: int | None = None
    polygon: list[list[float]] | None = None
    address: str = ""
    expires: datetime | None = None
    note: str = ""
    texts: dict[str, dict[str, str]] = field(default_factory=dict)  # language -> headline/description/...

    @property
    def exercise(self) -> bool:
        return self.status == "Exercise"


def _parse_xml(data: bytes, max_bytes: int = MAX_BYTES) -> etree._Element:
    if not isinstance(data, (bytes, bytearray)):
        raise CapError("not bytes")
    if len(data) > max_bytes:
        raise CapError(f"document too large ({len(data)} bytes, at most {max_bytes})")
    if b"<!doctype" in bytes(data).lower() or b"<\x00!\x00" in data or b"<!ENTITY" in data:
        raise CapError("a DOCTYPE is not accepted")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False, remove_pis=True)
    try:
        root = etree.fromstring(bytes(data), parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise CapError(f"not well-formed XML: {exc}") from None
    except Exception as exc:  # lxml's other refusals (encodings...)
        raise CapError(f"unreadable XML: {type(exc).__name__}") from None
    if root is None:
        raise CapError("empty document")
    if root.getroottree().docinfo.doctype:
        raise CapError("a DOCTYPE is not accepted")
    return root


def _text(parent, name: str, *, required: bool = False, limit: int = 10_000) -> str:
    el = parent.find(f"{{{CAP_NS}}}{name}")
    value = (el.text or "").strip() if el is not None and isinstance(el.tag, str) else ""
    if required and not value:
        raise CapError(f"missing <{name}>")
    if len(value) > limit:
        raise CapError(f"<{name}> is too long")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
        raise CapError(f"<{name}> has control characters")
    return value


def _time(value: str, name: str) -> datetime:
    if not SENT_RE.match(value):
        raise CapError(f"<{name}> is not a date and time with an offset")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CapError(f"<{name}> is not a valid date and time") from None
    return moment.astimezone(timezone.utc)


def _point(text: str) -> tuple[float, float]:
    try:
        lat_s, lon_s = text.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        raise CapError(f"bad coordinate pair {text[:40]!r}") from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise CapError(f"coordinate out of range {text[:40]!r}")
    return lat, lon


def _area(info, out: ParsedAlert) -> None:
    area = info.find(f"{{{CAP_NS}}}area")
    if area is None:
        raise CapError("missing <area>")
    out.address = _text(area, "areaDesc", required=True, limit=300)
    polygon = _text(area, "polygon", limit=200_000)
    circle = _text(area, "circle", limit=200)
    if polygon:
        points = [_point(p) for p in polygon.split()]
        if len(points) < 4 or points[0] != points[-1]:
            raise CapError("a polygon needs at least four points and must close")
        out.polygon = [[lat, lon] for lat, lon in points]
        ring = points[:-1]
        out.lat = sum(p[0] for p in ring) / len(ring)
        out.lon = sum(p[1] for p in ring) / len(ring)
    if circle:
        parts = circle.split()
        if len(parts) != 2:
            raise CapError("a circle is \"lat,lon radius_km\"")
        lat, lon = _point(parts[0])
        try:
            radius_km = float(parts[1])
        except ValueError:
            raise CapError("bad circle radius") from None
        if not (math.isfinite(radius_km) and 0 <= radius_km <= 1000):
            raise CapError("circle radius out of range")
        out.lat, out.lon = lat, lon
        out.radius_m = round(radius_km * 1000) or None
    if out.lat is None:
        raise CapError("the area has neither a circle nor a polygon")


def _choice(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise CapError(f"<{name}> has an unknown value")
    return value


def _info_blocks(root) -> list:
    blocks = root.findall(f"{{{CAP_NS}}}info")
    english = [b for b in blocks if _text(b, "language", limit=35).lower().startswith("en")]
    return english + [b for b in blocks if b not in english]


def document_kind(data: bytes, *, max_bytes: int = MAX_BYTES) -> str:
    """"cap" for a CAP 1.2 <alert>, "atom" for an Atom feed; else CapError naming what the root is."""
    try:
        root = _parse_xml(data, max_bytes)
    except CapError:
        raise
    except Exception as exc:
        raise CapError(f"unreadable XML: {type(exc).__name__}") from None
    if root.tag == f"{{{CAP_NS}}}alert":
        return "cap"
    if root.tag == f"{{{ATOM_NS}}}feed":
        return "atom"
    name = etree.QName(root).localname if isinstance(root.tag, str) else "?"
    space = etree.QName(root).namespace if isinstance(root.tag, str) else None
    raise CapError(f"neither a CAP 1.2 <alert> nor an Atom feed: the root is <{name[:40]}> "
                   f"in {repr(space[:80]) if space else 'no namespace'}")


def parse_cap(data: bytes, *, max_bytes: int = MAX_BYTES) -> list[ParsedAlert]:
    """The alert in a CAP 1.2 document (a list: one item, so a caller treats feeds and documents alike)."""
    try:
        return [_parse_alert(_parse_xml(data, max_bytes))]
    except CapError:
        raise
    except Exception as exc:  # a last guard: a source's bytes must never crash the caller
        raise CapError(f"unreadable CAP document: {type(exc).__name__}") from None


def _parse_alert(root) -> ParsedAlert:
    if root.tag != f"{{{CAP_NS}}}alert":
        raise CapError("not a CAP 1.2 <alert> (wrong element or namespace)")
    msg_type = _choice(_text(root, "msgType", required=True), MSG_TYPES, "msgType")
    if msg_type not in ("Alert", "Update", "Cancel"):
        raise CapError(f"msgType {msg_type} is not an alert")
    references = []
    for ref in _text(root, "references", limit=20_000).split():
        parts = ref.split(",")
        if len(parts) != 3 or not all(parts):
            raise CapError("<references> must be \"sender,identifier,sent\" triples")
        references.append((parts[0], parts[1], parts[2]))
    if msg_type != "Alert" and not references:
        raise CapError(f"a {msg_type} needs <references>")
    out = ParsedAlert(
        identifier=_text(root, "identifier", required=True, limit=255),
        sender=_text(root, "sender", required=True, limit=255),
        sent=_time(_text(root, "sent", required=True, limit=40), "sent"),
        status=_choice(_text(root, "status", required=True), STATUSES, "status"),
        msg_type=msg_type, references=references, kind="other", title="",
        note=_text(root, "note", limit=5000),
    )
    if any(ch in out.identifier + out.sender for ch in " ,<&"):
        raise CapError("identifier and sender may not contain spaces, commas, < or &")
    blocks = _info_blocks(root)
    if not blocks:
        if msg_type == "Alert":
            raise CapError("missing <info>")
        return out
    info = blocks[0]
    categories = [c.text.strip() for c in info.findall(f"{{{CAP_NS}}}category") if c.text]
    if not categories:
        raise CapError("missing <category>")
    event = _text(info, "event", required=True, limit=200)
    kinds = [KINDS.get(c) for c in categories]
    if None in kinds:
        raise CapError("<category> has an unknown value")
    out.kind = next((k for k in EVENT_KINDS if k in event.lower()), kinds[0])
    out.urgency = _choice(_text(info, "urgency", required=True), URGENCIES, "urgency")
    out.severity = _choice(_text(info, "severity", required=True), SEVERITIES, "severity")
    out.certainty = _choice(_text(info, "certainty", required=True), CERTAINTIES + ("Very Likely",), "certainty")
    if out.certainty == "Very Likely":  # CAP 1.1's word, still sent by some
        out.certainty = "Likely"
    expires = _text(info, "expires", limit=40)
    out.expires = _time(expires, "expires") if expires else None
    out.title = (_text(info, "headline", limit=1000) or event)[: LIMITS["title"]]
    out.description = _text(info, "description", limit=20_000)
    out.instruction = _text(info, "instruction", limit=20_000)
    for block in blocks:
        language = _text(block, "language", limit=35) or "en-US"
        out.texts.setdefault(language, {name: _text(block, name, limit=20_000)
                                        for name in ("headline", "description", "instruction")})
    _area(info, out)
    return out


def parse_feed(data: bytes, *, max_bytes: int = MAX_BYTES) -> list[str | bytes]:
    """An Atom feed of CAP alerts: each entry's CAP document, embedded (as bytes) or linked (its URL)."""
    try:
        root = _parse_xml(data, max_bytes)
        if root.tag != f"{{{ATOM_NS}}}feed":
            raise CapError("not an Atom feed")
        out: list[str | bytes] = []
        for entry in root.findall(f"{{{ATOM_NS}}}entry"):
            content = entry.find(f"{{{ATOM_NS}}}content")
            embedded = content.find(f"{{{CAP_NS}}}alert") if content is not None else None
            if embedded is not None:
                out.append(etree.tostring(embedded))
                continue
            links = entry.findall(f"{{{ATOM_NS}}}link")
            cap = [ln for ln in links if (ln.get("type") or "").startswith("application/cap+xml")]
            for link in cap or [ln for ln in links if (ln.get("href") or "").endswith((".cap", ".xml"))][:1]:
                href = (link.get("href") or "").strip()
                if href.startswith(("https://", "http://")) and len(href) <= 2000:
                    out.append(href)
                    break
        return out
    except CapError:
        raise
    except Exception as exc:
        raise CapError(f"unreadable feed: {type(exc).__name__}") from None


async def _referenced(parsed: ParsedAlert) -> Alert | None:
    for sender, identifier, _sent in parsed.references:
        alert = await Alert.get_or_none(sender=sender, identifier=identifier, deleted_at=None)
        if alert is None:  # a reference to a later message of the same alert
            step = await AlertUpdate.filter(cap_identifier=identifier, deleted_at=None).first()
            if step is not None:
                alert = await Alert.get_or_none(id=step.alert_id, sender=sender, deleted_at=None)
        if alert is not None:
            return alert
    return None


def _fields(parsed: ParsedAlert) -> dict:
    return dict(kind=parsed.kind, title=parsed.title or parsed.identifier[:200], description=parsed.description,
                instruction=parsed.instruction, address=parsed.address[:300], lat=parsed.lat, lon=parsed.lon,
                radius_m=parsed.radius_m, polygon=parsed.polygon, severity=parsed.severity,
                urgency=parsed.urgency, certainty=parsed.certainty, expires_at=parsed.expires)


async def _store_new(parsed: ParsedAlert, source_url: str, origin: str) -> Alert:
    async with transaction() as tx:
        alert = await save_new(Alert(
            **_fields(parsed), status="outbreak", exercise=parsed.exercise, sender=parsed.sender,
            identifier=parsed.identifier, source=source_url[:255], sent_at=parsed.sent, origin=origin), tx)
        await save_new(AlertUpdate(alert=alert, status="outbreak", note=parsed.note,
                                   cap_identifier=parsed.identifier, origin=origin,
                                   created_at=alert.created_at), tx)
    return alert


async def apply_parsed(parsed: ParsedAlert, source_url: str, *, origin: str) -> Alert | None:
    """Store a parsed alert or apply an Update/Cancel; None when it refers to an alert we do not know.

    `origin` is this instance's (settings.origin): imported alerts are our copies of the source's.
    """
    if parsed.msg_type == "Alert":
        existing = await Alert.get_or_none(sender=parsed.sender, identifier=parsed.identifier)
        if existing is not None:
            return existing  # seen before: the same message fetched again
        try:
            alert = await _store_new(parsed, source_url, origin)
        except IntegrityError:  # the same message applied at the same moment by another worker
            return await Alert.get_or_none(sender=parsed.sender, identifier=parsed.identifier)
        public_changed()
        return alert
    alert = await _referenced(parsed)
    if alert is None:
        log.warning("CAP %s %s from %s references no alert we know (%s); ignored", parsed.msg_type,
                    parsed.identifier, parsed.sender, source_url)
        return None
    if await AlertUpdate.filter(alert_id=alert.id, cap_identifier=parsed.identifier).exists():
        return alert  # this update was applied before
    if alert.status == "cancelled":
        log.info("CAP %s %s for cancelled alert %s; ignored", parsed.msg_type, parsed.identifier, alert.id)
        return alert
    if parsed.msg_type == "Cancel":
        status = "cancelled"
    else:
        status = "extinguished" if parsed.urgency == "Past" else alert.status
        if parsed.title:
            for name, value in _fields(parsed).items():
                setattr(alert, name, value)
    async with transaction() as tx:
        # Two workers applying the same message at once: the second waits for the first's row lock
        # (PostgreSQL; SQLite runs one write transaction at a time) and then sees its step.
        await Alert.filter(id=alert.id).using_db(tx).select_for_update().first()
        if await AlertUpdate.filter(alert_id=alert.id, cap_identifier=parsed.identifier).using_db(tx).exists():
            return alert
        alert.status = status
        await save_change(alert, tx)
        await save_new(AlertUpdate(alert=alert, status=status, note=parsed.note,
                                   cap_identifier=parsed.identifier, origin=origin), tx)
    public_changed()
    return alert
