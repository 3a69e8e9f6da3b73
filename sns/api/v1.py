"""The JSON API, version 1: every operation in the order they are matched (the pages and the API share
services and policies), and a JSON answer for any other address under /api/."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Match, Route

from sns.api import (
    albums, alert_feeds, alerts, communities, departments, diaries, disaster, events, maps, messages, notices, openapi,
    people, reports, search, shelters,
)
from sns.api.declare import Media, Operation, Operations
from sns.api.http import answer, error_response
from sns.context import Ctx
from sns.errors import NotFound, ServiceError
from sns.i18n import N_

EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# Modules whose operations /api/v1 serves (each module's `API`), in the order they are matched.
# alert_feeds before alerts: /api/v1/alerts/{id}.cap must be matched before /api/v1/alerts/{id}.
DECLARED = (diaries, people, notices, communities, events, messages, departments, albums, search, maps, reports,
            shelters, alert_feeds, alerts, disaster)
API = Operations("meta")


@API.get("/api/v1/openapi.json", answer=Media("application/json", {"type": "object", "description": "This document."}),
         errors=())
async def openapi_document(ctx: Ctx):
    """This API described as an OpenAPI 3.1 document."""
    return answer(openapi.build(declared(), ctx.settings))


def declared() -> list[Operation]:
    """Every operation, in the order they are matched."""
    return [*(op for module in DECLARED for op in module.API), *API]


def endpoints() -> list[Route]:
    """The documented API: one Route per path and method."""
    return [op.route() for op in declared()]


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


def api_routes() -> list:
    routes = endpoints()
    return [*routes, Route("/api/{rest:path}", _fallback(routes), methods=EVERY_METHOD, name="api_fallback")]
