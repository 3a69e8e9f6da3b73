"""Pages every visitor sees alike, rendered once every few seconds: the alerts page and the front page.

When an alert goes out, many people who are not signed in open the alerts page and the front page at
once (a link in a message, a radio announcement). For a visitor these pages are the same for everyone
who reads the same language, except for two tokens: the CSRF token of the language form (made from the
visitor's own cookie) and the forms' `client_token`. So `VisitorPages` (a middleware, just inside the
compression) has the page rendered once with a slot for each (`CSRF_SLOT`, `CLIENT_TOKEN_SLOT` in
sns/web/http.py), keeps the answer (headers and body) in a `SharedCache` for `shared_cache_seconds`,
and gives each visitor a copy with their own tokens in the slots and their own CSRF cookie, without
going through the rest of the application.

What keeps it right:

- only the paths it is given, only GET without a query string, and only requests without a flash
  message (anyone with a confirmation to show gets the page rendered for them);
- signed-in residents only on `resident_paths`, and only where the page itself says it names nobody
  (`same_for_every_resident`: the light front page in disaster mode, which differs from the visitors'
  only by "My page" for "Sign in"): their session is checked first (one query: sns/web/session_read.py,
  remembered for `shared_cache_seconds`) and their own language setting chooses the copy; they share a
  copy of their own, apart from visitors';
- the key is the database, the path, the reader's language (as `Language` chooses it, or their
  setting) and whether they are signed in;
- only a complete 200 `text/html` answer is kept; anything else goes to that visitor alone (with their
  tokens in the slots);
- one visitor renders a missing page while the others wait for it (no stampede when it expires);
- it is a `SharedCache`, so `public_changed()` (after an alert, a diary, a notice or a site setting
  changes, and when another worker's alert arrives: sns/services/live.py) forgets it at once.
"""

from __future__ import annotations

import time

from itsdangerous import BadSignature, Signer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sns.i18n import LOCALES, negotiate
from sns.policies.second_factors import held_for_second_factor
from sns.security import new_token
from sns.services.shared import SharedCache, database_of
from sns.web.http import CLIENT_TOKEN_SLOT, CSRF_SLOT, FLASH_COOKIE, SESSION_COOKIE
from sns.web.middleware import CSRF_COOKIE, csrf_token_for, new_csrf_cookie
from sns.web.session_read import read_session

_pages = SharedCache(on_kept_pages=False)
SESSIONS_KEPT = 20_000
_DROPPED = {b"content-length", b"set-cookie"}


def same_for_every_resident(request) -> None:
    """Said by a page whose answer to a signed-in resident names nobody and shows nothing of theirs (the
    light front page in disaster mode: only "My page" instead of "Sign in"): it may be rendered once for
    all residents who read the same language, like the visitors' copy."""
    request.scope.setdefault("state", {})["same_for_residents"] = True


class _NotShared(Exception):
    def __init__(self, messages: list[Message]) -> None:
        self.messages = messages


def cookies_and_language(scope: Scope) -> tuple[dict[str, str], str]:
    """The request's cookies and its Accept-Language header, read straight from the ASGI scope."""
    cookie_header, accept_language = "", ""
    for name, value in scope["headers"]:
        if name == b"cookie":
            cookie_header = value.decode("latin-1")
        elif name == b"accept-language":
            accept_language = value.decode("latin-1")
    return (cookies_of(cookie_header) if cookie_header else {}), accept_language


def cookies_of(raw: str) -> dict[str, str]:
    found = {}
    for part in raw.split(";"):
        name, _, value = part.strip().partition("=")
        found.setdefault(name, value)
    return found


class VisitorPages:
    def __init__(self, app: ASGIApp, *, paths: tuple[str, ...], settings, secret: bytes,
                 resident_paths: tuple[str, ...] = ()) -> None:
        self.app, self.paths, self.settings, self.secret = app, frozenset(paths), settings, secret
        self.resident_paths = frozenset(resident_paths)
        self.signer = Signer(secret, salt="session")
        self.sessions: dict[tuple, tuple[float, str]] = {}  # (session id, lang cookie) -> (until, setting)
        self.database = database_of(settings)
        secure = "; secure" if settings.secure_cookies else ""
        self.cookie_format = f"{CSRF_COOKIE}=%s; HttpOnly; Path=/; SameSite=lax{secure}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in self.paths \
                or scope.get("query_string") or self.settings.shared_cache_seconds <= 0:
            return await self.app(scope, receive, send)
        cookies, accept_language = cookies_and_language(scope)
        if FLASH_COOKIE in cookies:
            return await self.app(scope, receive, send)
        audience, locale = "visitor", ""
        if SESSION_COOKIE in cookies:
            locale = await self._resident(cookies[SESSION_COOKIE], cookies.get("lang")) \
                if scope["path"] in self.resident_paths else None
            if locale is None:
                return await self.app(scope, receive, send)
            audience = "resident"
        chosen = locale or cookies.get("lang")
        lang = chosen if chosen in LOCALES else "en" if chosen else negotiate(accept_language,
                                                                              self.settings.default_locale)

        async def render_once():
            scope.setdefault("state", {})["token_slots"] = True
            messages: list[Message] = []

            async def keep(message: Message) -> None:
                messages.append(message)

            await self.app(scope, receive, keep)
            start = messages[0] if messages else {}
            headers = dict(start.get("headers", []))
            if start.get("status") != 200 or not headers.get(b"content-type", b"").startswith(b"text/html") \
                    or len(messages) != 2 or messages[1].get("more_body") \
                    or (audience == "resident" and not scope["state"].get("same_for_residents")):
                raise _NotShared(messages)
            return [(k, v) for k, v in start["headers"] if k not in _DROPPED], messages[1].get("body", b"")

        csrf = cookies.get(CSRF_COOKIE)
        try:
            headers, body = await _pages.get((self.database, scope["path"], lang, audience),
                                             self.settings.shared_cache_seconds, render_once)
        except _NotShared as exc:
            if scope.get("state", {}).get("token_slots"):  # this request rendered it: its own answer
                return await self._replay(exc.messages, scope, csrf, send)
            return await self.app(scope, receive, send)  # another's was not shareable: render here
        new = not csrf
        if new:
            csrf = new_csrf_cookie()
        body = body.replace(CSRF_SLOT, csrf_token_for(self.secret, csrf).encode()) \
            .replace(CLIENT_TOKEN_SLOT, new_token(16).encode())
        headers = headers + [(b"content-length", str(len(body)).encode())]
        if new:
            headers.append((b"set-cookie", (self.cookie_format % csrf).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _resident(self, raw_cookie: str, lang_cookie: str | None) -> str | None:
        """The language setting of the signed-in resident behind a session cookie ("" for none), or None
        when it is no valid session (then the app answers). Remembered for `shared_cache_seconds`: the
        copy shows nothing of theirs, so a session ended meanwhile costs nothing but a "My page" link
        for those seconds (the page it leads to asks again), and a reload in a surge costs no query.
        A new `lang` cookie (the language form sets it with the setting) asks again."""
        try:
            session_id = self.signer.unsign(raw_cookie).decode()
        except (BadSignature, UnicodeDecodeError):
            return None
        now = time.monotonic()
        known = self.sessions.get((session_id, lang_cookie))
        if known is not None and known[0] > now:
            return known[1]
        read = await read_session(session_id)
        if read is None or not read.active or read.expired(self.settings.session_days) \
                or held_for_second_factor(read.user, read.has_factor, self.settings):
            return None  # the app answers (an account held for its second factor: the setup page)
        if len(self.sessions) >= SESSIONS_KEPT:
            self.sessions.clear()
        self.sessions[(session_id, lang_cookie)] = (now + self.settings.shared_cache_seconds, read.row["u_locale"] or "")
        return read.row["u_locale"] or ""

    async def _replay(self, messages: list[Message], scope: Scope, csrf: str | None, send: Send) -> None:
        """An answer not kept (an error page, a redirect): sent to this visitor alone, with their tokens
        in the slots (a cookie made while rendering is in its own Set-Cookie header)."""
        start, body = answer_of(messages)
        if start is not None:
            await send_with_tokens(send, start, body, self.secret, csrf or scope.get("state", {}).get("new_csrf"))


def answer_of(messages: list[Message]) -> tuple[Message | None, bytes]:
    """The start message and the whole body of an answer the application gave."""
    start = next((m for m in messages if m["type"] == "http.response.start"), None)
    return start, b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")


async def send_with_tokens(send: Send, start: Message, body: bytes, secret: bytes, csrf: str | None) -> None:
    """Send an answer made with slots to one reader alone, with their own tokens in them: the CSRF token
    made from their cookie (a cookie made while rendering is in its own Set-Cookie header), a new client
    token."""
    if csrf:
        body = body.replace(CSRF_SLOT, csrf_token_for(secret, csrf).encode())
    body = body.replace(CLIENT_TOKEN_SLOT, new_token(16).encode())
    headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
    await send({**start, "headers": headers + [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
