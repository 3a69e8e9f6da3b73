"""Street reports over Open311 GeoReport v2 (docs/open311.md): the city's report categories as services, its
street reports as service requests, and a partner's new request made into a street report like any other.

What is read is what a visitor may see (`sns/policies/partners.py`: `open311_scope`, `open311_may_show`); the
reporter's account, name, e-mail and phone never leave. A request is returned as a plain dict whose keys are the
specification's field names, in its order; `sns/web/open311_format.py` writes it as JSON or XML.

Creating: `create_request(ctx, key, fields, media)` checks the key (`key_may_file`), counts it against the
key's hourly limit, and files through `reports.write_report` as the key's system account with
`reports.Partner(...)`: moderated by the word filter (a held one is created but not listed), routed to its
category's department, photographed through the photo pipeline. `media_url` is never fetched (see the docs).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Mapping
from zoneinfo import ZoneInfo

from sns.context import Ctx
from sns.errors import Forbidden, Invalid, NotFound, TooMany
from sns.i18n import N_, gettext
from sns.ids import is_id
from sns.models import Photo, ReportCategory, ReportUpdate, StreetReport
from sns.models.base import utcnow
from sns.policies import Viewer
from sns.policies.partners import key_may_file, open311_may_show, open311_scope
from sns.services import answer_targets, partner_keys, reports
from sns.services.base import clean_text
from sns.services.report_lists import category_name

WINDOW = timedelta(days=90)  # the specification's default span of a list, and the longest one asked for
MAX_LIST = 1000  # "first 1000 requests returned" (the specification's default limit)
MAX_IDS = 200  # service_request_id=a,b,c...: at most this many ids at once
MAX_DESCRIPTION = 4000  # "free form text limited to 4,000 characters"
TITLE_CHARS = 80
OPEN = ("received", "in_progress")  # our statuses that Open311 calls "open"; the rest are "closed"
STATUS_OF = {"received": "open", "in_progress": "open", "resolved": "closed", "closed": "closed"}
MARKUP = re.compile(r"<\s*[A-Za-z!/?]")  # "not html or code": a tag, a comment, a declaration


def open311_status(status: str) -> str:
    return STATUS_OF.get(status, "open")


def w3c(moment: datetime | None, tz: str) -> str:
    """A W3C date and time with its offset, in the city's time zone (2010-04-14T06:37:38+09:00)."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(tz)).replace(microsecond=0).isoformat()


def parse_w3c(value: str, field: str, tz: str) -> datetime:
    """A W3C date or date and time; one without an offset is taken in the city's time zone."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z")) if 0 < len(text) <= 40 else None
    except ValueError:
        moment = None
    if moment is None:
        raise Invalid(N_("%(name)s must be a W3C date and time, such as 2010-01-01T00:00:00Z."), field=field,
                      name=field)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))


# --- services: the city's report categories --------------------------------------------------------

async def services(locale: str) -> list[dict]:
    """GET services: every active category, in the city's order, named in `locale`."""
    rows = await ReportCategory.filter(deleted_at=None, active=True).order_by("position", "name") \
        .select_related("department")
    return [_service(c, locale) for c in rows]


def _service(category: ReportCategory, locale: str) -> dict:
    department = category.department if category.department and category.department.deleted_at is None else None
    group = (department.name_ja or department.name) if department and locale == "ja" else \
        (department.name if department else "")
    keywords = sorted({category.name, category.name_ja} - {""})
    return {"service_code": category.id, "service_name": category_name(category, locale),
            "description": gettext("Street reports of this kind go to %(department)s.", department=group)
            if group else "", "metadata": False, "type": "realtime", "keywords": ", ".join(keywords),
            "group": group}


async def definition(code: str) -> dict:
    """GET a service definition: none of our services asks for more than the standard fields."""
    category = await ReportCategory.get_or_none(id=code, deleted_at=None, active=True) if is_id(code) else None
    if category is None:
        raise NotFound(N_("There is no service with this service_code."))
    return {"service_code": category.id, "attributes": []}


# --- requests: the city's street reports as a visitor sees them ---------------------------------------

@dataclass(frozen=True)
class Query:
    ids: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None


def _listed(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))


def parse_query(params: Mapping[str, str], tz: str) -> Query:
    """The list's filters, checked: ids and codes comma-separated, status open/closed, W3C dates."""
    ids = _listed(params.get("service_request_id", ""))
    if len(ids) > MAX_IDS:
        raise Invalid(N_("Ask for at most %(n)d service_request_id values at once."), field="service_request_id",
                      n=MAX_IDS)
    if ids:  # "This overrides all other arguments"
        return Query(ids=tuple(i for i in ids if is_id(i)) or ("-",))
    statuses = _listed(params.get("status", "").lower())
    if any(s not in ("open", "closed") for s in statuses):
        raise Invalid(N_("status must be open, closed, or both separated by a comma."), field="status")
    start = parse_w3c(params["start_date"], "start_date", tz) if params.get("start_date") else None
    end = parse_w3c(params["end_date"], "end_date", tz) if params.get("end_date") else None
    if start is None and end is None:
        end = utcnow()
    try:
        start, end = start or end - WINDOW, end or start + WINDOW
    except OverflowError:  # a date at the end of the calendar
        raise Invalid(N_("start_date and end_date may be at most 90 days apart."), field="end_date") from None
    if start > end:
        raise Invalid(N_("start_date must be before end_date."), field="start_date")
    if end - start > WINDOW:
        raise Invalid(N_("start_date and end_date may be at most 90 days apart."), field="end_date")
    return Query(codes=tuple(c for c in _listed(params.get("service_code", "")) if is_id(c)) or (
        ("-",) if params.get("service_code", "").strip() else ()), statuses=statuses, start=start, end=end)


async def list_requests(ctx: Ctx, query: Query) -> list[dict]:
    """GET requests: newest first, at most `MAX_LIST`, only what a visitor may see."""
    q = StreetReport.filter(open311_scope())
    if query.ids:
        q = q.filter(id__in=list(query.ids))
    else:
        q = q.filter(created_at__gte=query.start, created_at__lte=query.end)
        if query.codes:
            q = q.filter(category_id__in=list(query.codes))
        if query.statuses and len(query.statuses) == 1:
            ours = list(OPEN) if query.statuses[0] == "open" else ["resolved", "closed"]
            q = q.filter(status__in=ours)
    rows = await q.order_by("-created_at", "-id").limit(MAX_LIST).select_related("category", "department")
    return await _shape(ctx, rows)


async def one_request(ctx: Ctx, request_id: str) -> dict:
    report = await StreetReport.get_or_none(id=request_id).select_related("category", "department") \
        if is_id(request_id) else None
    if report is None or not open311_may_show(report):
        raise NotFound(N_("There is no service request with this service_request_id."))
    return (await _shape(ctx, [report]))[0]


async def _shape(ctx: Ctx, rows: list[StreetReport]) -> list[dict]:
    """Each report as the specification's fields (three queries whatever the number: notes, photos, holidays)."""
    ids = [r.id for r in rows]
    notes: dict[str, str] = {}
    if ids:
        for u in await ReportUpdate.filter(report_id__in=ids, deleted_at=None).exclude(comment="").order_by("id"):
            notes[u.report_id] = u.comment  # the latest public comment wins
    photos: dict[str, str] = {}
    if ids:
        for p in await Photo.filter(purpose="report", parent_id__in=ids, deleted_at=None).order_by("-position"):
            photos[p.parent_id] = p.id  # the first one wins
    targets = await answer_targets.for_reports(rows, ctx.settings.timezone) if rows else {}
    base, tz = ctx.settings.base_url, ctx.settings.timezone
    out = []
    for r in rows:
        department = r.department if r.department and r.department.deleted_at is None else None
        target = targets.get(r.id, answer_targets.NONE)
        out.append({
            "service_request_id": r.id, "status": open311_status(r.status), "status_notes": notes.get(r.id, ""),
            "service_name": category_name(r.category), "service_code": r.category_id,
            "description": r.body if r.body.startswith(r.title) else f"{r.title}\n\n{r.body}".strip(),
            "agency_responsible": department.name if department else "",
            "service_notice": _notice(department),
            "requested_datetime": w3c(r.created_at, tz),
            "updated_datetime": w3c(r.last_activity_at or r.updated_at, tz),
            "expected_datetime": w3c(target.close_due, tz) if r.status in OPEN else "",
            "address": r.place, "lat": r.lat, "long": r.lon,
            "media_url": f"{base}/photos/{photos[r.id]}.jpg" if r.id in photos else "",
        })
    return out


def _notice(department) -> str:
    if department is None or not department.close_days:
        return ""
    return gettext("%(department)s aims to close a report within %(days)d working days.",
                   department=department.name, days=department.close_days)


# --- creating: a partner's request becomes a street report ------------------------------------------

async def check_key(plain) -> partner_keys.PartnerKey:
    key = await partner_keys.key_for(plain)
    if not key_may_file(key):
        raise Forbidden(N_("Invalid api_key: ask the city's administrators for a key."),
                        field="api_key")
    return key


def _title(description: str) -> str:
    first = description.split("\n", 1)[0].strip()
    return first if len(first) <= TITLE_CHARS else first[:TITLE_CHARS - 1].rstrip() + "…"


def _contact(fields: Mapping[str, str]) -> tuple[str, str, str]:
    name = " ".join(p for p in (clean_text(fields.get("first_name"), field="first_name", max_chars=80,
                                           single_line=True, required=False),
                                clean_text(fields.get("last_name"), field="last_name", max_chars=80,
                                           single_line=True, required=False)) if p)
    phone = clean_text(fields.get("phone"), field="phone", max_chars=30, single_line=True, required=False)
    email = clean_text(fields.get("email"), field="email", max_chars=254, single_line=True, required=False)
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise Invalid(N_("email must be an e-mail address, such as someone@example.org."), field="email")
    return name[:200], email, phone


def _request_key(fields: Mapping[str, str], header: str) -> str | None:
    """One report per device_id and the client's own request id (`client_token` or `X-Request-Id`)."""
    device = str(fields.get("device_id") or "").strip()
    asked = str(fields.get("client_token") or header or "").strip()
    if not asked:
        return None
    return "o311-" + hashlib.sha256(f"{device}\n{asked}".encode("utf-8", "replace")).hexdigest()[:48]


async def create_request(ctx: Ctx, plain_key, fields: Mapping[str, str], media: list[bytes],
                         request_id_header: str = "") -> dict:
    """POST requests: a street report filed by the key's partner. Nothing is stored when anything is wrong."""
    key = await check_key(plain_key)
    account = await partner_keys.account_of(key)
    if account is None:
        raise Forbidden(N_("Invalid api_key: ask the city's administrators for a key."),
                        field="api_key")
    code = str(fields.get("service_code") or "").strip()
    if not code:
        raise Invalid(N_("service_code is required: one of the codes services.json lists."), field="service_code")
    if not is_id(code) or not await ReportCategory.filter(id=code, deleted_at=None, active=True).exists():
        raise NotFound(N_("There is no service with this service_code."), field="service_code")
    lat, lon = str(fields.get("lat") or "").strip(), str(fields.get("long") or "").strip()
    if not (lat and lon):
        raise Invalid(N_("lat and long are required: this city does not look addresses up "
                         "(address_string alone cannot be placed)."), field="lat")
    raw = fields.get("description")
    if isinstance(raw, str) and len(raw) > MAX_DESCRIPTION:
        raise Invalid(N_("description may be at most %(n)d characters."), field="description", n=MAX_DESCRIPTION)
    description = clean_text(raw, field="description", max_chars=MAX_DESCRIPTION)
    if MARKUP.search(description):
        raise Invalid(N_("description must be plain text, without HTML or XML markup."), field="description")
    address = clean_text(fields.get("address_string"), field="address_string", max_chars=200, single_line=True,
                         required=False)
    contact_name, contact_email, contact_phone = _contact(fields)
    reports.check_place(lat, lon, False)  # refused here, before the key's hour is counted
    if not await ctx.limits.partners.hit(key.id):
        raise TooMany(N_("Too many requests with this api_key: at most %(n)d an hour."),
                      n=ctx.settings.open311_requests_per_hour)
    await partner_keys.note_use(key)
    as_partner = ctx.as_viewer(Viewer(user=account))
    report = await reports.write_report(
        as_partner, category=code, title=_title(description), body=description, lat=lat, lon=lon, place=address,
        photos=media, client_token=_request_key(fields, request_id_header),
        partner=reports.Partner(key.id, contact_name, contact_email, contact_phone))
    notice = gettext("Thank you: the city received this report.") if report.state == "published" else \
        gettext("Thank you: this report waits for a moderator before it is shown.")
    return {"service_request_id": report.id, "service_notice": notice, "account_id": None}
