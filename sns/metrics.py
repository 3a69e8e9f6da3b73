"""What operators measure (docs/monitoring.md): the counters kept per request and per query, and the
middleware that keeps them.

Per request the middleware does one counter increment and one histogram observation, on children
looked up once per (route, method, status class) and kept: the site is benchmarked, so nothing else
is done per request. Label values are bounded: the route's path template (`/diaries/{id}`, never the
raw path), one label for paths no route matched, and the usual HTTP methods (anything else: "OTHER").

With `sns serve --workers N` each worker is a process: `use_multiprocess_dir` (called by `sns serve`
before uvicorn starts them) points prometheus-client at a fresh directory where every worker writes its
values, and `exposition()` sums all workers' files, so whichever worker answers a scrape counts all.
What is read from the database at scrape time (jobs, outbox, ...) is added by sns/web/ops.py.
"""

from __future__ import annotations

import os
import shutil
from contextvars import ContextVar
from pathlib import Path
from time import perf_counter
from typing import AsyncIterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, values
from prometheus_client import multiprocess
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED = "(unmatched)"  # the one route label of every path no route matched (bounded labels)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
STATUS_CLASSES = ("none", "1xx", "2xx", "3xx", "4xx", "5xx")  # none: the client left before an answer
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter("sns_http_requests_total", "HTTP requests answered, by route template, method and status "
                   "class", ["route", "method", "status"])
LATENCY = Histogram("sns_http_request_duration_seconds", "Time from a request's arrival to the end of its "
                    "response, by route template and method", ["route", "method"],
                    buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
UNHANDLED = Counter("sns_http_unhandled_exceptions_total", "Requests that ended in an unhandled exception "
                    "(answered 500)", ["route"])
DB_TIME = Histogram("sns_db_query_duration_seconds", "Time spent in each database statement (from the ORM: "
                    "waiting for the connection included)",
                    buckets=(.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5))
LIVE_STREAMS = Gauge("sns_live_streams", "Live-event streams (/live) open now", multiprocess_mode="livesum")

# When the response of the request running in this task started (set only when JSON logs want the
# duration on uvicorn's access line, which uvicorn logs from within the request's task: sns/logs.py).
request_started: ContextVar[float] = ContextVar("sns_request_started")


def multiprocess_mode() -> bool:
    """Are this process's values kept in the shared directory? Decided by prometheus-client when it was
    first imported (the variable set later changes nothing), so asked of it, not of the environment."""
    return values.ValueClass is not values.MutexValue


def use_multiprocess_dir(data_dir: Path) -> Path:
    """Point the workers that uvicorn is about to start at a fresh, empty directory for their values (files
    of an earlier run would be summed in otherwise)."""
    directory = Path(data_dir) / "metrics"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(directory.resolve())
    return directory


def forget_dead_workers(directory: str) -> None:
    """A worker that died without shutting down (uvicorn starts another) still has its live-gauge file:
    removed, so `sns_live_streams` counts only live workers (its counters stay: what it counted happened)."""
    for path in Path(directory).glob("gauge_live*_*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            multiprocess.mark_process_dead(int(pid), directory)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def exposition() -> bytes:
    """The text of this process's metrics, or of every worker's when they share a directory."""
    if multiprocess_mode():
        forget_dead_workers(os.environ[MULTIPROC_ENV])
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()


async def counted_stream(stream: AsyncIterator[str]) -> AsyncIterator[str]:
    """A live-event stream, counted in `sns_live_streams` while it is open (closing or a disconnect ends it)."""
    LIVE_STREAMS.inc()
    try:
        async for chunk in stream:
            yield chunk
    finally:
        LIVE_STREAMS.dec()


class RequestMetrics:
    """Outermost middleware: counts every answer, pages from the caches included, under its route."""

    def __init__(self, app: ASGIApp, access_timing: bool = False) -> None:
        self.app = app
        self.access_timing = access_timing  # JSON logs: the access line gets the duration (sns/logs.py)
        self._counters: dict[tuple[str, str, int], Counter] = {}
        self._latencies: dict[tuple[str, str], Histogram] = {}
        self._cached_paths: dict[str, str] = {}  # path -> route template, for pages the caches answered

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = perf_counter()
        if self.access_timing:
            request_started.set(start)
        status = 0

        async def note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, note_status)
        except Exception:
            UNHANDLED.labels(route_label(scope, self._cached_paths)).inc()
            status = status or 500  # what Starlette's error middleware answers, when nothing was sent yet
            raise
        finally:
            self._record(scope, status, perf_counter() - start)

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        route = route_label(scope, self._cached_paths)
        method = scope["method"] if scope["method"] in METHODS else "OTHER"
        cls = status // 100 if 0 < status < 600 else 0
        counter = self._counters.get((route, method, cls))
        if counter is None:
            counter = self._counters[(route, method, cls)] = REQUESTS.labels(route, method, STATUS_CLASSES[cls])
        counter.inc()
        latency = self._latencies.get((route, method))
        if latency is None:
            latency = self._latencies[(route, method)] = LATENCY.labels(route, method)
        latency.observe(elapsed)


def route_label(scope: Scope, remembered: dict[str, str]) -> str:
    """The path template of the route that answered. A page answered before the router ran (by a page
    cache) is matched against the routes once per path and remembered in `remembered` (bounded)."""
    route = scope.get("route")
    if route is not None:
        return getattr(route, "path", None) or UNMATCHED
    if "router" in scope:  # the router ran and nothing matched (a 404): no work for random paths
        return UNMATCHED
    path = scope["path"]
    label = remembered.get(path)
    if label is None:
        if len(remembered) >= 4096:
            remembered.clear()
        label = remembered[path] = _template_for(getattr(scope.get("app"), "router", None), path)
    return label


def _template_for(router, path: str) -> str:
    probe = {"type": "http", "path": path, "root_path": "", "method": "GET"}
    for route in getattr(router, "routes", ()):
        match, _ = route.matches(probe)
        if match is Match.FULL:
            return getattr(route, "path", None) or UNMATCHED
    return UNMATCHED
