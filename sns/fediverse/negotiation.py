"""Content negotiation: one address, the page for browsers and the ActivityPub object for fediverse servers.

A notice's, an alert's and a diary's page address is also its object's id. A request whose Accept header
prefers `application/activity+json` (or `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`)
to HTML is answered by an `ActivityRoute` placed before the page's own route (the manifest's order,
sns/areas.py); any other request does not match it and reaches the page as before.

`ActivityPages` (a middleware, outside the page caches) keeps the two apart: every answer at such an address
says `Vary: Accept`, so no HTTP cache hands one to the other, and a fediverse request is stripped of cookies
before the caches and the page see it, so it is always answered as a visitor (never from a page kept for a
signed-in reader, sns/web/reader_pages.py) and never gets a kept HTML page.
"""

from __future__ import annotations

import re

from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACTIVITY_JSON = "application/activity+json"
LD_JSON = "application/ld+json"
AS_PROFILE = "https://www.w3.org/ns/activitystreams"
NEGOTIATED = re.compile(r"^/(diaries|notices|alerts)/[^/]+$")


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


def _best(accept: str) -> tuple[float, float]:
    """The highest quality given to ActivityPub's types and to HTML's."""
    best_activity, best_html = 0.0, 0.0
    for item in accept.split(",")[:32]:
        media, *params = item.split(";")
        media = media.strip().lower()
        q = _quality(params)
        if media == ACTIVITY_JSON or (media == LD_JSON and AS_PROFILE in ";".join(params)):
            best_activity = max(best_activity, q)
        elif media in ("text/html", "application/xhtml+xml"):
            best_html = max(best_html, q)
    return best_activity, best_html


def wants_activity(accept: str) -> bool:
    """Whether this Accept header asks for ActivityPub rather than a page (q-values honoured: a browser's
    `text/html` or `*/*` never does). For the addresses that are pages too."""
    best_activity, best_html = _best(accept)
    return best_activity > 0 and best_activity >= best_html


def prefers_html(accept: str) -> bool:
    """Whether this Accept header asks for a page rather than ActivityPub: for addresses that are no page
    (an actor's), where anything else (no Accept, `*/*`, `application/json`) gets the document."""
    best_activity, best_html = _best(accept)
    return best_html > best_activity


def accept_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            return value.decode("latin-1")
    return ""


class ActivityRoute(Route):
    """A route that matches only requests asking for ActivityPub (see `wants_activity`)."""

    def matches(self, scope: Scope):
        if scope["type"] != "http" or not wants_activity(accept_of(scope)):
            return Match.NONE, {}
        return super().matches(scope)


def _with_vary_accept(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    out, found = [], False
    for name, value in headers:
        if name.lower() == b"vary":
            found = True
            if b"accept" not in [v.strip().lower() for v in value.split(b",")]:
                value = value + b", Accept"
        out.append((name, value))
    return out if found else out + [(b"vary", b"Accept")]


class ActivityPages:
    """See the module's text: `Vary: Accept` on negotiated addresses, fediverse requests without cookies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not NEGOTIATED.match(scope["path"]):
            return await self.app(scope, receive, send)
        if wants_activity(accept_of(scope)):
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"cookie"]}

        async def vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _with_vary_accept(list(message.get("headers", [])))}
            await send(message)

        await self.app(scope, receive, vary)
