"""Pure ASGI middleware: security headers, language, and CSRF on every unsafe request."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sns.i18n import gettext, negotiate, set_locale

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_COOKIE = "sns_csrf"
CSRF_FIELD = "csrf_token"


def content_security_policy(tile_url: str = "", script_hashes: tuple[str, ...] = ()) -> str:
    img = "'self' data:"
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        img += f" {parts.scheme}://{parts.netloc.replace('a.', '*.', 1) if '{s}' in tile_url else parts.netloc}"
    scripts = " ".join(["'self'", *(f"'sha256-{h}'" for h in script_hashes)])
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self'; img-src {img}; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )


class RefuseNul:
    """A NUL character never belongs in an address: answer 404 before any lookup sees it
    (PostgreSQL refuses NUL in text, which would otherwise surface as a server error)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope.get("query_string", b"")):
            message = gettext("This page does not exist or is not shown to you.")
            response = (JSONResponse({"error": message, "field": None}, 404) if scope["path"].startswith("/api/")
                        else PlainTextResponse(message, 404))
            return await response(scope, receive, send)
        await self.app(scope, receive, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, csp: str) -> None:
        self.app, self.csp = app, csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = {
                    b"content-security-policy": self.csp.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"same-origin",
                    b"x-frame-options": b"DENY",
                    b"permissions-policy": b"geolocation=(self), camera=(), microphone=()",
                }
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Language:
    """Sets the reader's language for this request: `lang` cookie, else Accept-Language.
    A signed-in resident's own setting is applied later, once the session is loaded."""

    def __init__(self, app: ASGIApp, default: str = "en") -> None:
        self.app, self.default = app, default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = Headers(scope=scope)
            cookie = SimpleCookie(headers.get("cookie", ""))
            chosen = cookie["lang"].value if "lang" in cookie else None
            set_locale(chosen or negotiate(headers.get("accept-language"), self.default))
        await self.app(scope, receive, send)


def csrf_token_for(secret: bytes, cookie_value: str) -> str:
    return hmac.new(secret, cookie_value.encode(), hashlib.sha256).hexdigest()


def new_csrf_cookie() -> str:
    return secrets.token_urlsafe(24)


class CSRF:
    """Every unsafe request outside the token-authenticated API carries a form field
    (or X-CSRF-Token header) equal to the HMAC of the visitor's random `sns_csrf`
    cookie. The body is read once here (bounded), the parsed form is kept in
    `scope["state"]["form"]` for the route, so a route cannot forget the check."""

    def __init__(self, app: ASGIApp, secret: bytes, max_body: int, exempt_prefixes=("/api/",)) -> None:
        self.app, self.secret, self.max_body = app, secret, max_body
        self.exempt = tuple(exempt_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS or scope["path"].startswith(self.exempt):
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body:
            return await self._refuse(scope, receive, send, 413, gettext(
                "What you sent is too large. Photos may be at most %(mb)d MB in all.",
                mb=self.max_body // (1024 * 1024)))
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_body:
                return await self._refuse(scope, receive, send, 413, gettext(
                    "What you sent is too large. Photos may be at most %(mb)d MB in all.",
                    mb=self.max_body // (1024 * 1024)))
            chunks.append(body)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        request = Request(scope, replay)
        cookie = request.cookies.get(CSRF_COOKIE, "")
        sent = headers.get("x-csrf-token", "")
        form = None
        ctype = headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            try:
                form = await request.form(max_files=20, max_fields=200, max_part_size=self.max_body)
            except Exception:
                return await self._refuse(scope, receive, send, 400, gettext(
                    "The form could not be read. Please go back and try again."))
            sent = sent or str(form.get(CSRF_FIELD, ""))
        expected = csrf_token_for(self.secret, cookie) if cookie else ""
        if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            return await self._refuse(scope, receive, send, 403, gettext(
                "This form has expired or did not come from this site. Please go back, reload the page "
                "and send it again. What you typed is still in the form when you go back."))
        scope.setdefault("state", {})["form"] = form
        replayed = False
        await self.app(scope, replay, send)

    async def _refuse(self, scope, receive, send, status: int, text: str) -> None:
        response = PlainTextResponse(text, status_code=status)
        await response(scope, receive, send)
