"""The API for search (see sns/api/v1.py): the same service, scopes and policies as the page."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from sns.api.http import absolute, answer, endpoint
from sns.api.inputs import query_limit
from sns.api.openapi import BEFORE, LIMIT, op
from sns.api.schemas import ID, NEXT, TEXT, TIME, URL, obj, ref
from sns.api.shapes import person_brief
from sns.context import Ctx
from sns.services import search as search_service


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
    kinds = []
    for value in request.query_params.getlist("kinds"):
        kinds.extend(k.strip() for k in value.split(",") if k.strip())
    return kinds


@endpoint
async def search(request: Request, ctx: Ctx):
    """Search diaries, topics, replies, events and communities the caller may see.

    Japanese works without spaces between words (a search for 火事 finds 近所で火事がありました).
    Every word must be found. Newest first, or `order=relevant`.
    """
    params = request.query_params
    limit = query_limit(request, ctx)
    results = await search_service.search(ctx, params.get("q"), kinds=_kinds(request), order=params.get("order"),
                                          before=params.get("before"), page=params.get("page"), limit=limit)
    common = {"q": results.query, "kinds": ",".join(results.kinds) or None, "order": results.order, "limit": limit}
    next_url = None
    if results.next_before:
        next_url = absolute(ctx, "/api/v1/search", **common, before=results.next_before)
    elif results.next_page:
        next_url = absolute(ctx, "/api/v1/search", **common, page=results.next_page)
    return answer({"query": results.query, "order": results.order, "searched": results.searched,
                   "items": [hit_json(ctx, h) for h in results.items], "next": next_url})


ENDPOINTS: list[Route] = [Route("/api/v1/search", search, methods=["GET"], name="api_search")]

QUERY = [
    {"name": "q", "in": "query", "required": True,
     "schema": {"type": "string", "maxLength": search_service.MAX_QUERY},
     "description": "Words to look for (all of them). Operators and punctuation are ignored, never interpreted."},
    {"name": "kinds", "in": "query", "required": False,
     "schema": {"type": "string", "example": "diary,topic"},
     "description": "Comma-separated kinds to search among: " + ", ".join(search_service.KINDS) + " (all by default)."},
    {"name": "order", "in": "query", "required": False,
     "schema": {"type": "string", "enum": list(search_service.ORDERS)},
     "description": "newest (default), or relevant: the newest %d matches ranked by relevance."
                    % search_service.RELEVANCE_WINDOW},
    BEFORE,
    {"name": "page", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": search_service.MAX_PAGE},
     "description": "With order=relevant: the page (follow the `next` link)."},
    LIMIT,
]
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/v1/search"): op("search", (200, "SearchResults"), query=QUERY, errors=(400, 401)),
}
EXCERPT = obj({"text": TEXT, "marks": {"type": "array", "items": {
    "type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
    "description": "Where the searched words are in `text`: [start, end) character offsets."}})
SCHEMAS: dict[str, Any] = {
    "SearchExcerpt": EXCERPT,
    "SearchHit": obj({
        "kind": {"type": "string", "enum": list(search_service.KINDS)}, "id": ID, "url": URL,
        "title": ref("SearchExcerpt"),
        "excerpt": ref("SearchExcerpt"),
        "author": {"oneOf": [ref("Person"), {"type": "null"}]},
        "place": {"type": ["string", "null"], "description": "The community of a topic, reply or event."},
        "created_at": TIME,
    }),
    "SearchResults": obj({
        "query": {"type": "string", "description": "The query as searched (spaces tidied)."},
        "order": {"type": "string", "enum": list(search_service.ORDERS)},
        "searched": {"type": "boolean", "description": "False when the query held no word to look for."},
        "items": {"type": "array", "items": ref("SearchHit")}, "next": NEXT,
    }),
}
PATH_PARAMS: dict[str, Any] = {}
