"""Who is calling the API: `Authorization: Bearer TOKEN`, or nobody (the anonymous viewer).

The API never reads the session cookie, so a page open in a browser cannot be
made to call it on someone's behalf (that is why CSRF checks can skip /api/).
"""

from __future__ import annotations

from starlette.requests import Request

from sns import i18n
from sns.context import Ctx
from sns.errors import ServiceError
from sns.i18n import N_
from sns.policies import is_signed_in, load_viewer
from sns.services.tokens import user_for_token

MAX_TOKEN_CHARS = 200


class Unauthenticated(ServiceError):
    """No usable credentials: answered with 401 and `WWW-Authenticate: Bearer`."""

    status = 401


def _bearer(request: Request) -> str | None:
    """The token from the Authorization header; None when there is no header at all."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, secret = header.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or len(secret) > MAX_TOKEN_CHARS:
        raise Unauthenticated(N_("Send your API token in the header Authorization: Bearer TOKEN."))
    return secret


async def api_ctx(request: Request) -> Ctx:
    """The caller as a service context (token -> user -> friends and blocks)."""
    state = request.scope.setdefault("state", {})
    if "api_ctx" in state:
        return state["api_ctx"]
    secret = _bearer(request)
    user = None
    if secret is not None:
        user = await user_for_token(secret)
        if user is None:
            raise Unauthenticated(N_("This API token is not valid: it was revoked, or its account is suspended."))
        if user.locale and "accept-language" not in request.headers:
            i18n.set_locale(user.locale)  # an explicit Accept-Language wins for API clients
    app_state = request.app.state
    client = request.client.host if request.client else ""
    ctx = Ctx(app_state.settings, app_state.limits, await load_viewer(user), client, site=app_state.site)
    state["api_ctx"] = ctx
    return ctx


def require_user(ctx: Ctx) -> None:
    """Calls that act as someone need a token (authorization itself stays with the services)."""
    if not is_signed_in(ctx.viewer):
        raise Unauthenticated(N_("Send your API token in the header Authorization: Bearer TOKEN."))
