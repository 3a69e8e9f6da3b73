"""Our fediverse inboxes: POST /ap/users/<handle or username>/inbox (the city's, a followable resident's) and
the shared inbox POST /ap/inbox. Other servers post signed activities here (no session, no CSRF token: the
HTTP Signature is the proof, checked by sns/fediverse/inbox.py). This module reads the body, at most
`fediverse_inbox_max_bytes` of it, and answers with the status the check gives, as Mastodon does."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sns.fediverse import inbox
from sns.fediverse.addresses import actor_url
from sns.fediverse.follows import local_actor
from sns.web.http import app_state


async def _bounded_body(request: Request, limit: int) -> tuple[bytes, bool]:
    """The body, read up to `limit` bytes; and whether there was more (the rest is never read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return b"", True
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return b"".join(chunks), True
        chunks.append(chunk)
    return b"".join(chunks), False


def _headers(request: Request) -> dict[str, str]:
    """Lower-case names; a header sent twice is one value joined by ", " (as draft-cavage signs it)."""
    out: dict[str, str] = {}
    for name, value in request.headers.items():
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


async def _receive(request: Request) -> Response:
    state = app_state(request)
    settings = state.settings
    body, too_large = await _bounded_body(request, settings.fediverse_inbox_max_bytes)
    target = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
    if request.url.query:
        target += "?" + request.url.query
    answer = await inbox.receive(settings, state.limits.fediverse_inbox, method=request.method, target=target,
                                 headers=_headers(request), body=body, too_large=too_large,
                                 client=request.client.host if request.client else "", url=str(request.url))
    if answer.status == 202:
        return Response(status_code=202)
    return JSONResponse({"error": answer.reason}, status_code=answer.status,
                        headers={"Retry-After": "60"} if answer.status == 429 else None)


async def actor_inbox(request: Request) -> Response:
    """An actor's own inbox: 404 unless it is the city's or a followable resident's."""
    settings = app_state(request).settings
    if await local_actor(settings, actor_url(settings, request.path_params["name"])) is None:
        return JSONResponse({"error": "no such actor"}, status_code=404)
    return await _receive(request)


async def shared_inbox(request: Request) -> Response:
    return await _receive(request)


ROUTES = [
    Route("/ap/inbox", shared_inbox, methods=["POST"]),
    Route("/ap/users/{name}/inbox", actor_inbox, methods=["POST"]),
]
