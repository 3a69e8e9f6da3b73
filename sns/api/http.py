"""What every API handler shares: the caller, JSON answers, errors and links."""

from __future__ import annotations

import functools
import unicodedata
from typing import Any, Awaitable, Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise.exceptions import ValidationError

from sns.api.auth import Unauthenticated, api_ctx
from sns.context import Ctx
from sns.errors import NotFound, ServiceError
from sns.i18n import N_

Handler = Callable[[Request, Ctx], Awaitable[Response]]


def _headers(ctx: Ctx | None) -> dict[str, str]:
    signed_in = ctx is not None and ctx.user is not None
    return {
        "Cache-Control": "private, no-store" if signed_in else "no-cache",
        "Vary": "Authorization, Accept-Language",
    }


def has_control_chars(value: str) -> bool:
    """NUL and friends, or lone surrogates: no stored key contains them (and PostgreSQL refuses NUL)."""
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value)


def error_response(exc: ServiceError, ctx: Ctx | None = None) -> JSONResponse:
    headers = _headers(ctx)
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return JSONResponse({"error": exc.text(), "field": exc.field}, status_code=exc.status, headers=headers)


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Turn `handler(request, ctx)` into a Starlette endpoint: the caller comes from the
    token, and a refusal from a service becomes `{"error", "field"}` with its status."""

    @functools.wraps(handler)
    async def run(request: Request) -> Response:
        ctx = None
        try:
            ctx = await api_ctx(request)
            if any(has_control_chars(str(v)) for v in request.path_params.values()):
                raise NotFound(N_("This does not exist or is not shared with you."))
            response = await handler(request, ctx)
        except ServiceError as exc:
            return error_response(exc, ctx)
        except ValidationError:  # an id that cannot even be looked up (too long...): nothing is there
            return error_response(NotFound(N_("This does not exist or is not shared with you.")), ctx)
        for name, value in _headers(ctx).items():
            response.headers.setdefault(name, value)
        return response

    return run


def answer(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=headers)



def absolute(ctx: Ctx, path: str, **query: Any) -> str:
    """A link on this instance's public address (`public_url`), whatever host the call came to."""
    params = {k: v for k, v in query.items() if v not in (None, "")}
    return ctx.settings.base_url + path + (("?" + urlencode(params)) if params else "")
