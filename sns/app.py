"""Wiring only: the site built from the manifest (sns/areas.py), middleware, and a lifespan that opens and
closes what the site needs."""

from __future__ import annotations

import asyncio
import gc
import logging
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from tortoise import connections
from tortoise.contrib.starlette import RegisterTortoise
from tortoise.exceptions import ValidationError

from sns import areas, events, i18n, intake_smtp, tasks
from sns.context import Limits
from sns.db import tortoise_config
from sns.errors import NotFound, ServiceError
from sns.keys import load_secret
from sns.metrics import RequestMetrics
from sns.mirror import replicas
from sns.services.live import follow_changes, heartbeat
from sns.services.moderate import forget_filter
from sns.services.shared import public_changed
from sns.services.site import forget_cached_site
from sns.settings import Settings, load_settings
from sns.templating import make_environment
from sns.web.router import IndexedRouter
from sns.web.middleware import CSRF, Language, RefuseNul, SecurityHeaders, content_security_policy
from sns.fediverse.negotiation import ActivityPages
from sns.web.reader_pages import ReaderPages
from sns.web.visitors import VisitorPages
from sns.web.http import SETUP_URL, HeldForSecondFactor, redirect, render
from sns.search.schema import ensure_search_schema

VISITOR_PAGES = ("/", "/alerts")  # the same for every visitor (sns/web/visitors.py)
READER_PAGES = ("/home", "/diaries/", "/communities/")  # kept per reader (sns/web/reader_pages.py)

log = logging.getLogger(__name__)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def service_error(request: Request, exc: ServiceError):
    if _wants_json(request):
        return JSONResponse({"error": exc.text(), "field": exc.field}, status_code=exc.status)
    return await _error_page(request, exc.status, exc.text())


async def malformed_key(request: Request, exc: ValidationError):
    """An id from the URL or a form that cannot even be looked up (wrong length, wrong type):
    to the person it is simply something that is not there."""
    log.info("malformed key on %s: %s", request.url.path, str(exc)[:200])
    return await service_error(request, NotFound(i18n.N_("This page does not exist or is not shown to you.")))


async def http_error(request: Request, exc: HTTPException):
    if _wants_json(request):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    return await _error_page(request, exc.status_code, None)


async def _error_page(request: Request, status: int, message: str | None):
    try:
        return await render(request, "error.html", status=status, message=message)
    except HeldForSecondFactor:  # no page before the second factor, not even "not found"
        return redirect(SETUP_URL)


async def held_for_second_factor(request: Request, exc: HeldForSecondFactor):
    """An account that must have a second factor and has none: to the setup page, whatever it asked for."""
    return redirect(SETUP_URL)


async def server_error(request: Request, exc: Exception):
    log.exception("unhandled error on %s", request.url.path)
    if _wants_json(request):
        return JSONResponse({"error": i18n.gettext("Something went wrong on our side.")}, status_code=500)
    from starlette.responses import HTMLResponse

    return HTMLResponse(request.app.state.templates.get_template("error_500.html").render(
        lang=i18n.current_locale()), status_code=500)


def create_app(settings: Settings | None = None, *, generate_schemas: bool = False) -> Starlette:
    settings = settings or load_settings()
    site = areas.site()  # the site's parts, from the manifest: routes, jobs, hooks... (kept as app.state.site)
    secret = load_secret(settings.keys_dir)
    i18n.set_timezone(settings.timezone)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        settings.media_dir.mkdir(parents=True, exist_ok=True)
        public_changed()  # nothing shared survives from an earlier app in this process
        forget_filter()  # nor an earlier database's word list
        forget_cached_site()  # nor its site settings (the town's name, open sign-up...)
        async with RegisterTortoise(app, config=tortoise_config(settings), generate_schemas=generate_schemas):
            if generate_schemas:  # the search index is no model: make it too (migration 0006 does otherwise)
                await ensure_search_schema(connections.get("default"))
            broadcast = events.open_broadcast(settings.broadcast_url)
            await broadcast.connect()
            following = [asyncio.create_task(follow_changes(broadcast)),  # other workers' alerts: fresh banner
                         asyncio.create_task(heartbeat())]  # open pages' streams stay open
            # Everything made while starting (modules, templates, the word filter) lives as long as the
            # process: moved out of the collector's sight, a full collection no longer walks it, which took
            # tens of milliseconds in the middle of a request (the map's p99).
            gc.collect()
            gc.freeze()
            supervisor = tasks.Supervisor(settings, site)
            if settings.background_tasks:
                supervisor.start()
                tasks.set_current(supervisor)
            intake = None
            try:
                intake = await intake_smtp.start(settings)  # mail to the city, when intake_smtp_port is set
                yield
            finally:
                if intake is not None:
                    await intake.stop()
                tasks.set_current(None)
                await supervisor.stop()
                for task in following:
                    task.cancel()
                await asyncio.gather(*following, return_exceptions=True)
                gc.unfreeze()  # what this app leaves behind may be collected again (tests make many apps)
                await broadcast.disconnect()
                events.close_broadcast()
                await replicas.close_all()
                await app.state.limits.close()  # a Redis client, when the limits are counted there

    app = Starlette(
        routes=list(site.routes),  # in the manifest's order
        middleware=[
            # outermost: every answer counted under its route (/metrics), the page caches' too
            Middleware(RequestMetrics, access_timing=settings.log_format == "json"),
            Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6),  # weak networks: ~4x fewer bytes
            # a page address that is also a fediverse object's: `Vary: Accept`, and ActivityPub asked as a visitor
            Middleware(ActivityPages),
            # in a surge, visitors get the alerts page and the front page rendered once for all of them
            Middleware(VisitorPages, paths=VISITOR_PAGES, settings=settings, secret=secret, resident_paths=("/",)),
            # a resident's reload of a page whose version numbers have not moved costs one query
            Middleware(ReaderPages, paths=READER_PAGES, settings=settings, secret=secret),
            Middleware(SecurityHeaders, csp=content_security_policy(settings.tile_url)),
            Middleware(Language, default=settings.default_locale),
            Middleware(RefuseNul),
            # /ap/: fediverse inboxes, signed; /open311/v2/: a partner's server authorizes its one unsafe request
            # with its api_key (sns/web/open311.py)
            Middleware(CSRF, secret=secret, max_body=settings.max_upload_bytes * settings.max_photos_per_post
                       + 1024 * 1024, exempt_prefixes=("/api/", "/ap/", "/open311/v2/")),
        ],
        exception_handlers={ServiceError: service_error, ValidationError: malformed_key, HTTPException: http_error,
                            HeldForSecondFactor: held_for_second_factor, Exception: server_error},
        lifespan=lifespan,
    )
    app.router = IndexedRouter(app.router.routes, lifespan=lifespan)  # ~230 routes: found by first segment
    app.state.site = site
    app.state.settings = settings
    app.state.secret = secret
    app.state.limits = Limits.from_settings(settings)
    app.state.templates = make_environment(site)
    return app
