"""The search page: a GET form (works without JavaScript), kinds, order, highlighted excerpts, paging."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.services import search as search_service
from sns.web.http import errors_of, load_ctx, render


def _page_url(query: str, kinds: list[str], order: str, **more) -> str:
    params = [("q", query)] + [("kind", k) for k in kinds] + [("order", order)]
    params += [(k, v) for k, v in more.items() if v]
    return "/search?" + urlencode(params)


async def search_page(request: Request):
    ctx = await load_ctx(request)
    params = request.query_params
    raw_query = params.get("q", "")
    form = {"q": raw_query[:search_service.MAX_QUERY * 2], "kinds": params.getlist("kind"),
            "order": params.get("order") or "newest"}
    if not raw_query.strip():
        return await render(request, "search.html", form=form, results=None)
    try:
        results = await search_service.search(ctx, raw_query, kinds=params.getlist("kind"), order=params.get("order"),
                                              before=params.get("before"), page=params.get("page"))
    except ServiceError as exc:
        return await render(request, "search.html", status=exc.status, form=form, errors=errors_of(exc),
                            results=None)
    next_url = None
    if results.next_before:
        next_url = _page_url(results.query, results.kinds, results.order, before=results.next_before)
    elif results.next_page:
        next_url = _page_url(results.query, results.kinds, results.order, page=results.next_page)
    return await render(request, "search.html", form=form, results=results, next_url=next_url)


ROUTES: list[Route] = [Route("/search", search_page, methods=["GET"], name="search")]
