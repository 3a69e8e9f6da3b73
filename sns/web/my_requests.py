"""My requests (/my/requests): every inquiry, street report and appointment I made, with the answer times
promised and the overdue ones marked; and My page's section of my open requests (sns/web/front.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns import i18n
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


def open_requests_part(ctx, lang: str, section, first):
    """A filler for My page's `fill_later` (sns/web/reader_pages.py): my open requests as they are now (an
    inquiry's answer bumps no version number the kept page depends on), in the page's language; `first`,
    read for the page itself, the first time."""
    unused = [first]

    async def fill(read) -> str:
        rows = unused.pop() if unused else await my_requests.my_open_requests(ctx)
        with i18n.using_locale(lang):
            return str(section(rows, name_of))
    return fill


ROUTES = [
    Route("/my/requests", my_requests_page, methods=["GET"]),
]
