"""The API for search (see sns/api/v1.py): the same service, scopes and policies as the page."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field
from starlette.requests import Request

from sns.api.declare import Operations, Output, Query
from sns.api.fields import Before, Id, Limit, Next, Time, Url, page_limit
from sns.api.http import absolute
from sns.api.refusals import Reported
from sns.api.shapes import Person, person_brief
from sns.context import Ctx
from sns.i18n import N_
from sns.services import search as search_service

API = Operations("search")
KIND = "(?:%s)" % "|".join(search_service.KINDS)
KIND_LIST = r"^\s*(?:%s\s*)?(?:,\s*(?:%s\s*)?)*$" % (KIND, KIND)  # "diary, topic": commas, spaces around
Order = Literal[search_service.ORDERS]  # type: ignore[valid-type]


class SearchExcerpt(Output):
    text: str
    marks: list[tuple[int, int]] = Field(
        description="Where the searched words are in `text`: [start, end) character offsets.")


class SearchHit(Output):
    kind: Literal[search_service.KINDS]  # type: ignore[valid-type]
    id: Id
    url: Url
    title: SearchExcerpt
    excerpt: SearchExcerpt
    author: Person | None
    place: str | None = Field(description="The community of a topic, reply or event.")
    created_at: Time


class SearchResults(Output):
    query: str = Field(description="The query as searched (spaces tidied).")
    order: Order
    searched: bool = Field(description="False when the query held no word to look for.")
    items: list[SearchHit]
    next: Next


class SearchQuery(Query):
    q: str | None = Field(None, max_length=search_service.MAX_QUERY, description=(
        "Words to look for (all of them). Operators and punctuation are ignored, never interpreted."))
    kinds: Annotated[str | None, Field(
        pattern=KIND_LIST, examples=["diary,topic"],
        description="Comma-separated kinds to search among: " + ", ".join(search_service.KINDS)
                    + " (all by default)."),
        Reported(message=N_("Choose among diaries, topics, replies, events and communities."))] = None
    order: Order | None = Field(None, description="newest (default), or relevant: the newest %d matches ranked "
                                                  "by relevance." % search_service.RELEVANCE_WINDOW)
    before: Before = None
    page: int | None = Field(None, ge=1, le=search_service.MAX_PAGE,
                             description="With order=relevant: the page (follow the `next` link).")
    limit: Limit = None


def _excerpt_json(excerpt) -> dict[str, Any]:
    return {"text": excerpt.text, "marks": [list(span) for span in excerpt.marks]}


def hit_json(ctx: Ctx, hit) -> dict[str, Any]:
    return {
        "kind": hit.kind, "id": hit.id, "url": absolute(ctx, hit.url),
        "title": _excerpt_json(hit.title), "excerpt": _excerpt_json(hit.excerpt),
        "author": person_brief(ctx, hit.author) if hit.author else None,
        "place": hit.place or None, "created_at": hit.created_at.isoformat(),
    }


def _kinds(request: Request) -> list[str]:
    """The kinds asked for: comma-separated, and `kinds` may also be given more than once."""
    kinds = []
    for value in request.query_params.getlist("kinds"):
        kinds.extend(k.strip() for k in value.split(",") if k.strip())
    return kinds


@API.get("/api/v1/search", answer=SearchResults, query=SearchQuery, errors=(400, 401), name="api_search")
async def search(ctx: Ctx, query: SearchQuery, request: Request):
    """Search diaries, topics, replies, events and communities the caller may see.

    Japanese works without spaces between words (a search for 火事 finds 近所で火事がありました).
    Every word must be found. Newest first, or `order=relevant`.
    """
    limit = page_limit(ctx, query.limit)
    results = await search_service.search(ctx, query.q, kinds=_kinds(request), order=query.order,
                                          before=query.before, page=str(query.page or 1), limit=limit)
    common = {"q": results.query, "kinds": ",".join(results.kinds) or None, "order": results.order, "limit": limit}
    next_url = None
    if results.next_before:
        next_url = absolute(ctx, "/api/v1/search", **common, before=results.next_before)
    elif results.next_page:
        next_url = absolute(ctx, "/api/v1/search", **common, page=results.next_page)
    return {"query": results.query, "order": results.order, "searched": results.searched,
            "items": [hit_json(ctx, h) for h in results.items], "next": next_url}
