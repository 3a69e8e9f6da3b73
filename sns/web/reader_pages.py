"""Pages kept per reader until what they show changes: My page, a diary page, a community's topic list.

A signed-in resident reloads the same few pages, and on a busy day most reloads find nothing changed.
`ReaderPages` (a middleware, beside `VisitorPages`) keeps such a page's answer per session, path, query
and language, with the version numbers (sns/view_versions.py) it was made under, and answers a reload
with one query: the same statement that loads every signed-in request (sns/web/session_read.py) reads
the session, the user and the numbers again, and the kept page is sent only if all of them are as they
were. Writes bump the numbers in their own transaction, so a block, an unfriending, a post made
friends-only or held, a suspension (the session is gone) or a role change takes effect on the very next
request, on every worker and every machine. Per-visitor tokens (CSRF, the forms' client token) are put
in after, as `VisitorPages` does.

A page takes part by calling `keep_for_reader(request, *keys, base=...)` before `load_ctx`: `keys` are its
own (`d:<diary id>`, `c:<community id>`), `base` the reader's (`u`, `f`, `town`, `site`) it depends on.
What else keeps it right:

- only GET, with a session cookie, without a flash message; only complete 200 `text/html` answers, and
  not for moderators (the review queue's count in their navigation has no version number);
- the reader as the page saw them (role, name, language, unread count, session start, last visit) must
  be unchanged too, and the session not expired;
- a kept page is not reused once something shared among readers that it shows (sns/services/shared.py:
  the alerts and disaster banners, ...) was loaded with a different value in this process, and at most
  `reader_page_seconds` (default 60): what has no number of its own (a commenter's new display name, the
  day a time is shown relative to) is never older than that;
- at most `KEEP_BYTES` of pages per process, the least recently used dropped first.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Awaitable, Callable

from itsdangerous import BadSignature, Signer
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sns.security import new_token
from sns.services import shared
from sns.web.http import CLIENT_TOKEN_SLOT, CSRF_SLOT, FLASH_COOKIE, SESSION_COOKIE
from sns.web.middleware import CSRF_COOKIE, csrf_token_for, new_csrf_cookie
from sns.web.session_read import SessionRead, read_session
from sns.web.visitors import answer_of, cookies_and_language, send_with_tokens

KEEP_BYTES = 64 * 1024 * 1024  # what the kept pages of one process may hold (My page is about 16 KB)
Filler = Callable[["SessionRead"], Awaitable[str]]
_DROPPED = {b"content-length", b"set-cookie"}


@dataclass(slots=True)
class _Kept:
    names: tuple[str, ...]  # the version numbers it depends on: the reader's, then the page's own keys
    keys: tuple[str, ...]  # the page's own keys (read with the session when it is asked for again)
    versions: tuple[int, ...]
    fingerprint: tuple
    generation: int
    until: float
    headers: list
    body: bytes
    fills: list  # (slot, Filler) put in each time it is sent
    still: Callable | None  # keep_while


def keep_for_reader(request: Request, *keys: str, base: tuple[str, ...] = ("u", "site")) -> None:
    """This page may be kept for its reader under the version numbers of `keys` and `base` (see above).
    Call before `load_ctx`, which reads them with the session."""
    state = request.scope.setdefault("state", {})
    if "ctx" in state:
        raise RuntimeError("keep_for_reader must come before load_ctx")
    state["reader_keys"], state["reader_base"] = keys, base


def fills_later(request: Request) -> bool:
    """Whether this page is being made for keeping: then its parts every reader sees alike go in as slots
    (`fill_later`), filled each time the page is sent."""
    return "reader_base" in request.scope.get("state", {}) and bool(request.scope["state"].get("token_slots"))


def fill_later(request: Request, slot: str, fill: Filler) -> None:
    """Put `await fill(read)` (HTML) where `slot` stands, each time the page is sent, with the reader as read
    for that request (`SessionRead`: their version numbers, their last visit): a part shared by many readers,
    such as the town's newest entries, is then as new as its own number says, while the rest of the page
    stays kept."""
    request.scope["state"].setdefault("reader_fills", []).append((slot.encode(), fill))


def keep_while(request: Request, still: Callable[["SessionRead"], bool]) -> None:
    """The kept page may be sent only while `still(read)` holds for the reader as read for that request
    (My page: until its visit is to be remembered again, which only the page itself does)."""
    request.scope.setdefault("state", {})["reader_still"] = still


class ReaderPages:
    def __init__(self, app: ASGIApp, *, paths: tuple[str, ...], settings, secret: bytes) -> None:
        self.app, self.settings, self.secret = app, settings, secret
        self.exact = frozenset(p for p in paths if not p.endswith("/"))
        self.prefixes = tuple(p for p in paths if p.endswith("/"))
        self.database = shared.database_of(settings)
        self.signer = Signer(secret, salt="session")
        self.kept: OrderedDict[tuple, _Kept] = OrderedDict()
        self.held = 0  # bytes of the pages kept
        secure = "; secure" if settings.secure_cookies else ""
        self.cookie_format = f"{CSRF_COOKIE}=%s; HttpOnly; Path=/; SameSite=lax{secure}"

    def _drop(self, key: tuple) -> None:
        old = self.kept.pop(key, None)
        if old is not None:
            self.held -= len(old.body)

    def _handles(self, path: str) -> bool:
        if path in self.exact:
            return True
        for prefix in self.prefixes:
            if path.startswith(prefix) and "/" not in path[len(prefix):] and len(path) > len(prefix):
                return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or self.settings.reader_page_seconds <= 0 \
                or not self._handles(scope["path"]):
            return await self.app(scope, receive, send)
        cookies, accept_language = cookies_and_language(scope)
        raw = cookies.get(SESSION_COOKIE)
        if not raw or FLASH_COOKIE in cookies:
            return await self.app(scope, receive, send)
        try:
            session_id = self.signer.unsign(raw).decode()
        except (BadSignature, UnicodeDecodeError):
            return await self.app(scope, receive, send)
        key = (self.database, session_id, scope["path"], scope.get("query_string", b""), cookies.get("lang"),
               accept_language)
        csrf = cookies.get(CSRF_COOKIE)
        kept = self.kept.get(key)
        if kept is not None and kept.until > time.monotonic() and kept.generation == shared.generation():
            read = await read_session(session_id, kept.keys)
            if read is not None and self._still(kept, read):
                self.kept.move_to_end(key)
                return await self._send_kept(kept, read, csrf, send)
            if read is not None:  # read a moment ago: the page made now needs not ask again
                scope.setdefault("state", {})["session_read_early"] = read
        await self._make(key, scope, receive, send, csrf)

    def _still(self, kept: _Kept, read: SessionRead) -> bool:
        if read.fingerprint() != kept.fingerprint:
            return False
        if read.expired(self.settings.session_days) or (kept.still is not None and not kept.still(read)):
            return False
        return tuple(read.versions[name] for name in kept.names) == kept.versions

    async def _send_kept(self, kept: _Kept, read: SessionRead, csrf: str | None, send: Send) -> None:
        new = not csrf
        if new:
            csrf = new_csrf_cookie()
        body = await _filled(kept.body, kept.fills, read)
        body = body.replace(CSRF_SLOT, csrf_token_for(self.secret, csrf).encode()) \
            .replace(CLIENT_TOKEN_SLOT, new_token(16).encode())
        headers = kept.headers + [(b"content-length", str(len(body)).encode())]
        if new:
            headers.append((b"set-cookie", (self.cookie_format % csrf).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _make(self, key: tuple, scope: Scope, receive: Receive, send: Send, csrf: str | None) -> None:
        """Render the page with slots for the tokens, keep it when it may be kept, send it filled in."""
        state = scope.setdefault("state", {})
        state["token_slots"] = True
        generation, started = shared.generation(), time.monotonic()
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, keep)
        start, body = answer_of(messages)
        if start is None:
            return
        read: SessionRead | None = state.get("session_read")
        headers = dict(start.get("headers", []))
        if read is not None and "reader_base" in state and not state.get("not_kept") and start["status"] == 200 \
                and headers.get(b"content-type", b"").startswith(b"text/html") and len(messages) == 2:
            names = (*state["reader_base"], *state["reader_keys"])
            until = started + self.settings.reader_page_seconds
            self._drop(key)
            self.kept[key] = _Kept(names, state["reader_keys"], tuple(read.versions[n] for n in names), read.fingerprint(), generation,
                                   until, [(k, v) for k, v in start["headers"] if k not in _DROPPED], body,
                                   state.get("reader_fills", []), state.get("reader_still"))
            self.held += len(body)
            while self.held > KEEP_BYTES and self.kept:
                self._drop(next(iter(self.kept)))  # the least recently used
        if read is not None and state.get("reader_fills"):
            body = await _filled(body, state["reader_fills"], read)
        await send_with_tokens(send, start, body, self.secret, csrf or state.get("new_csrf"))


async def _filled(body: bytes, fills: list, read: SessionRead) -> bytes:
    for slot, fill in fills:
        body = body.replace(slot, (await fill(read)).encode())
    return body
