"""The external CAP 1.2 sources administrators configure: add, pause and resume, remove, poll now.

Sources are local records (not mirrored, not journaled): each instance fetches its own. Polling
itself is sns/services/cap_poll.py; this module checks who asks and what they typed.
"""

from __future__ import annotations

import asyncio
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError

from sns import tasks
from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.i18n import N_
from sns.models.cap_sources import MAX_URL_CHARS, CapPollLog, CapSource
from sns.policies import can_manage_alert_sources, can_read_alert_sources
from sns.services.base import clean_text, require
from sns.services.cap_poll import Outcome, poll_sources

MIN_SECONDS, MAX_SECONDS = 10, 86_400
_background: set[asyncio.Task] = set()  # "poll now" rounds still running after the page answered


def check_url(value: Any) -> str:
    url = clean_text(value, field="url", max_chars=MAX_URL_CHARS, single_line=True)
    if any(ch.isspace() for ch in url) or not url.isascii():
        raise Invalid(N_("Type the address without spaces; a Japanese domain name in its xn-- form."), field="url")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise Invalid(N_("This is not a web address (http:// or https://)."), field="url") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise Invalid(N_("This is not a web address (http:// or https://)."), field="url")
    if parts.username or parts.password:
        raise Invalid(N_("Leave out a user name and password: they would be shown on this page."), field="url")
    return url


def check_seconds(value: Any) -> int | None:
    raw = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or not MIN_SECONDS <= int(raw) <= MAX_SECONDS:
        raise Invalid(N_("Give the interval in whole seconds, from %(min)d to %(max)d, or leave it empty."),
                      field="poll_seconds", min=MIN_SECONDS, max=MAX_SECONDS)
    return int(raw)


async def list_sources(ctx: Ctx) -> list[CapSource]:
    require(can_read_alert_sources(ctx.viewer))
    return await CapSource.all().order_by("created_at", "id")


async def poll_log(ctx: Ctx, limit: int = 30) -> list[CapPollLog]:
    """The newest refusals and failures, each with its source (None once the source is removed)."""
    require(can_read_alert_sources(ctx.viewer))
    return await CapPollLog.all().order_by("-created_at", "-id").limit(limit).select_related("source")


async def _get(ctx: Ctx, source_id: str) -> CapSource:
    require(can_manage_alert_sources(ctx.viewer), N_("Only administrators change the alert sources."))
    source = await CapSource.get_or_none(id=source_id)
    if source is None:
        raise NotFound(N_("This alert source does not exist."))
    return source


async def add_source(ctx: Ctx, *, url, label, poll_seconds="") -> CapSource:
    require(can_manage_alert_sources(ctx.viewer), N_("Only administrators change the alert sources."))
    errors: list[Invalid] = []
    checked: dict[str, Any] = {}
    for name, check in (("url", lambda: check_url(url)),
                        ("label", lambda: clean_text(label, field="label", max_chars=100, single_line=True)),
                        ("poll_seconds", lambda: check_seconds(poll_seconds))):
        try:
            checked[name] = check()
        except Invalid as exc:
            errors.append(exc)
    if errors:
        raise errors[0]
    if await CapSource.exists(url=checked["url"]):
        raise Invalid(N_("This address is already in the list."), field="url")
    try:
        source = await CapSource.create(**checked, created_by_id=ctx.user.id)
    except IntegrityError:  # the same form sent twice at once
        raise Invalid(N_("This address is already in the list."), field="url") from None
    tasks.nudge("cap_poll")  # the running site polls a new source at once
    return source


async def set_enabled(ctx: Ctx, source_id: str, enabled: bool) -> CapSource:
    source = await _get(ctx, source_id)
    await CapSource.filter(id=source.id).update(enabled=bool(enabled))
    source.enabled = bool(enabled)
    if enabled:
        tasks.nudge("cap_poll")
    return source


async def remove_source(ctx: Ctx, source_id: str) -> None:
    """The source goes; the alerts it brought stay (they are part of the town's record), as does its log."""
    source = await _get(ctx, source_id)
    await source.delete()


async def poll_now(ctx: Ctx, source_id: str) -> Outcome | None:
    """Poll one source now, paused or not, and wait for the result: None when another worker has it, or
    when it takes longer than one fetch may (a feed with many slow links), then it finishes in the background."""
    source = await _get(ctx, source_id)
    task = asyncio.ensure_future(poll_sources(ctx.settings, source_ids=[source.id], force=True))
    done, _ = await asyncio.wait({task}, timeout=3 * ctx.settings.cap_timeout_seconds + 2)
    if not done:
        _background.add(task)
        task.add_done_callback(_background.discard)
        return None
    found = task.result()
    return found[0] if found and found[0].result != "busy" else None


def health(source: CapSource) -> str:
    """"ok", "failing" (the last round failed), "warning" (it refused some entries), "new" or "paused"."""
    if not source.enabled:
        return "paused"
    if source.last_polled_at is None:
        return "new"
    if source.last_error and (source.last_success_at is None or source.last_error_at > source.last_success_at):
        return "failing"
    return "warning" if source.last_error else "ok"

