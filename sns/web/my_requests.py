"""My requests (/my/requests): every inquiry, street report and appointment I made, with the answer times
promised and the overdue ones marked; and My page's section of my open requests (sns/web/front.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.routing import Route

from sns import i18n
from sns.models.base import utcnow
from sns.services import my_requests
from sns.web.departments import name_of
from sns.web.http import render, signed_in

NO_STORE = "private, no-store"


def page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else 1


@signed_in
async def my_requests_page(request: Request, ctx):
    page = page_number(request)
    rows, more = await my_requests.my_requests(ctx, page)
    response = await render(request, "my_requests.html", rows=rows, more=more, page=max(1, page), name_of=name_of)
    response.headers["Cache-Control"] = NO_STORE
    return response


# My page's section, as last made per (reader, language, their `u` number): until `valid_until`.
_made: dict[tuple, tuple[datetime, str]] = {}
KEEP_AT_MOST = timedelta(hours=1)  # what no write shows (a counter renamed) is seen within this


def valid_until(rows: list[my_requests.Request], now: datetime) -> datetime:
    """Until when the section shows the truth without any write: the next moment a request turns overdue or
    an appointment begins (it then leaves the open ones), at most KEEP_AT_MOST."""
    moments = [t for r in rows for t in (r.target.first_answer_due, r.target.close_due, r.starts_at)
               if t is not None and t > now]
    return min([now + KEEP_AT_MOST, *moments])


def open_requests_part(ctx, lang: str, section, first):
    """A filler for My page's `fill_later` (sns/web/reader_pages.py): my open requests as they are now, in
    the page's language. Made again when my `u` number moves (an inquiry, a report or an appointment of mine
    changed: sns/view_versions.py) or time turns one overdue; `first`, read for the page itself, the first
    time."""
    unused = [first]

    async def fill(read) -> str:
        key, now = (lang, ctx.user.id, read.versions["u"]), utcnow()
        kept = _made.get(key)
        if kept is not None and kept[0] > now and not unused:
            return kept[1]
        rows = unused.pop() if unused else await my_requests.my_open_requests(ctx)
        with i18n.using_locale(lang):
            html = str(section(rows, name_of))
        if len(_made) > 5000:
            _made.clear()
        _made[key] = (valid_until(rows, now), html)
        return html
    return fill


ROUTES = [
    Route("/my/requests", my_requests_page, methods=["GET"]),
]
