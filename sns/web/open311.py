"""Open311 GeoReport v2 under /open311/v2/ (docs/open311.md): discovery, services, service definitions, service
requests (list, one, create), each as .json or .xml.

These are protocol routes like the mirror's, not operations of /api/v1 (sns/api/declare.py): the standard fixes
the paths (a format suffix), the form-encoded POST with its `api_key` field, the error array and the XML, none of
which the API's JSON declarations describe. The routes parse, call `sns/services/open311.py` and write the answer
(`open311_format.py`); an error of any kind is the specification's error array, never a page or a 500.

CSRF: the app exempts /open311/v2/ (a partner's server has no cookie; the `api_key` it sends is what authorizes
the one unsafe request, as a bearer token does for /api/v1). So the form is read here, bounded like the CSRF
middleware bounds every other form.
"""

from __future__ import annotations

import logging

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.routing import Route

from sns.context import Ctx
from sns.errors import Invalid, ServiceError
from sns.policies import ANONYMOUS
from sns.i18n import LOCALES, N_, current_locale, gettext, using_locale
from sns.services import open311
from sns.web.open311_format import FORMATS, answer, error

log = logging.getLogger(__name__)
SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-07T00:00:00Z"  # when these endpoints last changed what they answer
LISTS = "public, max-age=30"  # requests: what a visitor sees, a little stale at most
CATALOGUE = "public, max-age=300"  # discovery and services: they change when an administrator edits them
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class TooLarge(ServiceError):
    status = 413


def visitor_ctx(request: Request) -> Ctx:
    """Every Open311 request is read as a visitor's, whatever cookies a browser sends along: no session is read,
    so a resident's or staff member's session never widens what is shown (nor changes its language)."""
    state = request.app.state
    return Ctx(state.settings, state.limits, ANONYMOUS, request.client.host if request.client else "", {}, state.site)


def _fmt(request: Request) -> str:
    return request.path_params.get("fmt", "").lower()


def _locale(request: Request) -> str:
    asked = (request.query_params.get("locale") or request.query_params.get("lang") or "").lower()[:8]
    asked = asked.replace("_", "-").split("-")[0]
    return asked if asked in LOCALES else current_locale()


def _protocol(handler):
    """Runs a handler in the asked language, with the format checked; every failure becomes the error array."""
    async def endpoint(request: Request):
        fmt = _fmt(request)
        with using_locale(_locale(request)):
            if fmt not in FORMATS:
                return error("json", 404, gettext("Ask for .json or .xml."))
            try:
                return await handler(request, fmt)
            except ServiceError as exc:
                return error(fmt, exc.status, exc.text())
            except Exception:  # noqa: BLE001 - a partner gets the error array, never a page
                log.exception("open311: %s %s failed", request.method, request.url.path)
                return error(fmt, 500, gettext("Something went wrong on our side."))
    endpoint.__name__ = f"open311_{handler.__name__}"
    return endpoint


async def discovery(request: Request, fmt: str):
    ctx = visitor_ctx(request)
    base = ctx.settings.base_url
    contact = ctx.settings.open311_contact or gettext("Ask the city's administrators.")
    return answer(fmt, "discovery", {
        "changeset": CHANGESET, "contact": contact,
        "key_service": gettext("Partners ask the city's administrators for a key; each partner gets its own."),
        "endpoints": [{"specification": SPEC, "url": f"{base}/open311/v2", "changeset": CHANGESET,
                       "type": "production", "formats": ["text/xml", "application/json"]}],
    }, cache=CATALOGUE)


async def services(request: Request, fmt: str):
    return answer(fmt, "services", await open311.services(current_locale()), cache=CATALOGUE)


async def definition(request: Request, fmt: str):
    return answer(fmt, "service_definition", await open311.definition(request.path_params["code"]),
                  cache=CATALOGUE)


async def requests_list(request: Request, fmt: str):
    ctx = visitor_ctx(request)
    query = open311.parse_query(request.query_params, ctx.settings.timezone)
    return answer(fmt, "service_requests", await open311.list_requests(ctx, query), cache=LISTS)


async def one_request(request: Request, fmt: str):
    ctx = visitor_ctx(request)
    return answer(fmt, "service_requests", [await open311.one_request(ctx, request.path_params["id"])], cache=LISTS)


async def _bounded_form(request: Request, limit: int) -> FormData:
    if not request.headers.get("content-type", "").startswith(FORM_TYPES):
        raise Invalid(N_("Send the request form-encoded (application/x-www-form-urlencoded or multipart/form-data)."))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(N_("What you sent is too large. Photos may be at most %(mb)d MB in all."),
                       mb=limit // (1024 * 1024))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(N_("What you sent is too large. Photos may be at most %(mb)d MB in all."),
                           mb=limit // (1024 * 1024))
        chunks.append(chunk)
    request._body = b"".join(chunks)  # read once, bounded; the form parser reads it from here
    try:
        return await request.form(max_files=10, max_fields=60, max_part_size=limit)
    except Exception:  # noqa: BLE001 - a malformed body of any kind
        raise Invalid(N_("The form could not be read. Please go back and try again.")) from None


async def create(request: Request, fmt: str):
    ctx = visitor_ctx(request)
    s = ctx.settings
    form = await _bounded_form(request, s.max_upload_bytes * s.max_photos_per_post + 1024 * 1024)
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    media = [await f.read() for f in form.getlist("media") if isinstance(f, UploadFile) and (f.filename or f.size)]
    key = fields.get("api_key") or request.query_params.get("api_key", "")
    created = await open311.create_request(ctx, key, fields, media, request.headers.get("x-request-id", "")[:200])
    return answer(fmt, "service_requests", [created])


async def requests_endpoint(request: Request, fmt: str):
    return await (create(request, fmt) if request.method == "POST" else requests_list(request, fmt))


ROUTES = (
    Route("/open311/v2/discovery.{fmt}", _protocol(discovery), methods=["GET"]),
    Route("/open311/v2/services.{fmt}", _protocol(services), methods=["GET"]),
    Route("/open311/v2/services/{code}.{fmt}", _protocol(definition), methods=["GET"]),
    Route("/open311/v2/requests.{fmt}", _protocol(requests_endpoint), methods=["GET", "POST"]),
    Route("/open311/v2/requests/{id}.{fmt}", _protocol(one_request), methods=["GET"]),
)
