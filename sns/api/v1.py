"""The JSON API, version 1: the site's operations (each area's `API`, in the manifest's order: sns/areas.py),
the document describing them, and a JSON answer for any other address under /api/. The pages and the API
share services and policies."""

from __future__ import annotations

from typing import Iterable

from starlette.requests import Request
from starlette.routing import Match, Route

from sns.api import openapi
from sns.api.declare import Media, Operation, Operations
from sns.api.http import answer, error_response
from sns.context import Ctx
from sns.errors import NotFound, ServiceError
from sns.i18n import N_

EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
API = Operations("meta")  # this module's own operation: the document of all of them


@API.get("/api/v1/openapi.json", answer=Media("application/json", {"type": "object", "description": "This document."}),
         errors=())
async def openapi_document(ctx: Ctx, request: Request):
    """This API described as an OpenAPI 3.1 document."""
    state = request.app.state  # the same app, the same operations and settings: built once (about 40 ms)
    if getattr(state, "openapi_document", None) is None:
        state.openapi_document = openapi.build(list(ctx.site.operations), ctx.settings)
    return answer(state.openapi_document)


class MethodNotAllowed(ServiceError):
    status = 405


def _fallback(routes: list[Route]):
    async def unknown(request: Request):
        """Anything else under /api/: a JSON 404, or 405 with Allow when only the method is wrong."""
        allowed: set[str] = set()
        first = None  # the address is the first route's that matches it ({id} also matches "x.cap")
        for route in routes:
            match, _ = route.matches(request.scope)
            if match is Match.PARTIAL and first in (None, route.path):
                first = route.path
                allowed |= route.methods or set()
        if allowed:
            response = error_response(MethodNotAllowed(N_("This address does not accept this method.")))
            response.headers["Allow"] = ", ".join(sorted(allowed))
            return response
        return error_response(NotFound(N_("There is no such API address.")))

    return unknown


def api_routes(operations: Iterable[Operation]) -> list[Route]:
    """The site's operations in the order they are matched (the manifest's), then an answer for anything
    else under /api/."""
    routes = [op.route() for op in operations]
    return [*routes, Route("/api/{rest:path}", _fallback(routes), methods=EVERY_METHOD, name="api_fallback")]
