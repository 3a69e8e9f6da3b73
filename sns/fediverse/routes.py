"""The fediverse's read side over HTTP: WebFinger, NodeInfo, our actors, their outboxes and followers, and the
objects at their pages' own addresses (docs/federation.md). Everything here is public and answered as to a
visitor: no session is read, a signed GET (authorized fetch) is answered like any other, and nothing needs a
signature to be read. `ROUTES` (the manifest's area "fediverse", before the pages it shares addresses with)."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import escape
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sns.fediverse import discovery, keys, outbox
from sns.fediverse.addresses import CITY, actor_url
from sns.fediverse.actors import city_actor, person_actor
from sns.fediverse.negotiation import ACTIVITY_JSON, ActivityRoute, accept_of, prefers_html
from sns.fediverse.objects import alert_id, alert_note, diary_id, diary_note, notice_id, notice_note, tombstone
from sns.fediverse.publishing import visible_photos
from sns.models import Diary, Notice, User
from sns.models.alerts import Alert
from sns.policies.fediverse import (
    fediverse_can_see_actor, fediverse_can_see_alert, fediverse_can_see_diary, fediverse_can_see_notice,
    fediverse_saw_diary,
)
from sns.services.site import load_site
from sns.settings import Settings
from sns.web import fediverse_settings

PUBLIC_CACHE = "public, max-age=60"  # the city's actor, outbox and followers
OBJECT_CACHE = "no-cache"  # a notice or an alert: as its page, a change (a cancellation) shows at once
PERSONAL_CACHE = "private, no-store"  # a resident's: their choice to stop takes effect at once
NODEINFO_TYPE = 'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/{}#"'


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def activity_json(data: dict[str, Any], status: int = 200, personal: bool = False,
                  cache: str = PUBLIC_CACHE) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status_code=status, media_type=ACTIVITY_JSON,
                    headers={"Vary": "Accept", "Cache-Control": PERSONAL_CACHE if personal else cache,
                             "Access-Control-Allow-Origin": "*"})


def not_found() -> Response:
    return JSONResponse({"error": "not found"}, status_code=404, headers={"Vary": "Accept",
                                                                          "Cache-Control": PERSONAL_CACHE})


async def _resident(settings: Settings, name: str) -> User | None:
    """The followable resident with this username (None: none a visitor may follow)."""
    if name == settings.fediverse_handle or len(name) > 64:
        return None
    user = await User.get_or_none(username=name.lower(), deleted_at=None)
    return user if user is not None and fediverse_can_see_actor(user, settings.fediverse_handle) else None


# --- discovery -------------------------------------------------------------------------------------------------

async def webfinger_page(request: Request) -> Response:
    settings = _settings(request)
    headers = {"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=60", "Vary": "Accept"}
    try:
        asked = discovery.parse_resource(settings, request.query_params.get("resource", ""))
    except discovery.Malformed:
        return JSONResponse({"error": "malformed resource"}, status_code=400, headers=headers)
    if asked is None:
        return JSONResponse({"error": "not found"}, status_code=404, headers=headers)
    name, host = asked
    if name == settings.fediverse_handle:
        profile = f"{settings.base_url}/"
    else:
        user = await _resident(settings, name)
        if user is None:
            return JSONResponse({"error": "not found"}, status_code=404, headers=headers)
        name, profile = user.username, f"{settings.base_url}/people/{user.username}"
    body = discovery.webfinger(settings, name, host, actor_url(settings, name), profile)
    return Response(json.dumps(body), media_type="application/jrd+json", headers=headers)


HOST_META = ('<?xml version="1.0" encoding="UTF-8"?>\n<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
             '  <Link rel="lrdd" type="application/xrd+xml" template="{base}/.well-known/webfinger?resource={{uri}}"/>'
             '\n</XRD>\n')


async def host_meta(request: Request) -> Response:
    """Where WebFinger is, for the servers that still ask (RFC 6415): the site's own address, nothing else."""
    body = HOST_META.format(base=escape(_settings(request).base_url))
    return Response(body, media_type="application/xrd+xml", headers={"Access-Control-Allow-Origin": "*"})


async def nodeinfo_links(request: Request) -> Response:
    return JSONResponse(discovery.nodeinfo_links(_settings(request)), headers={"Access-Control-Allow-Origin": "*"})


async def nodeinfo(request: Request) -> Response:
    version = request.path_params["version"]
    if version not in ("2.0", "2.1"):
        return JSONResponse({"error": "not found"}, status_code=404)
    body = await discovery.nodeinfo(_settings(request), await load_site(), version)
    return Response(json.dumps(body, ensure_ascii=False), media_type=NODEINFO_TYPE.format(version),
                    headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=300"})


# --- actors, outboxes, followers -------------------------------------------------------------------------------

async def actor_page(request: Request) -> Response:
    """The actor document; a browser asking for HTML goes to the person's page (or the city's front page)."""
    settings, name = _settings(request), request.path_params["name"]
    is_city = name == settings.fediverse_handle
    if prefers_html(accept_of(request.scope)):
        return RedirectResponse("/" if is_city else f"/people/{name}", status_code=303, headers={"Vary": "Accept"})
    if is_city:
        key = await keys.key_of(CITY)
        return activity_json(city_actor(settings, await load_site(), key.public_pem))
    user = await _resident(settings, name)
    if user is None:
        return not_found()
    key = await keys.key_of(user.id)
    return activity_json(person_actor(settings, user, key.public_pem), personal=True)


async def outbox_page(request: Request) -> Response:
    settings, name = _settings(request), request.path_params["name"]
    try:
        max_id = outbox.check_cursor(request.query_params.get("max_id"))
    except outbox.BadCursor:
        return JSONResponse({"error": "max_id is not an id"}, status_code=400)
    paged = request.query_params.get("page") in ("true", "1") or max_id is not None
    if name == settings.fediverse_handle:
        if not paged:
            return activity_json(outbox.collection(settings, name, await outbox.city_count(settings)))
        items, next_id = await outbox.city_page(settings, max_id)
        return activity_json(outbox.page(settings, name, max_id, items, next_id))
    user = await _resident(settings, name)
    if user is None:
        return not_found()
    if not paged:
        return activity_json(outbox.collection(settings, user.username, await outbox.diary_count(user)), personal=True)
    items, next_id = await outbox.diary_page(settings, user, max_id)
    return activity_json(outbox.page(settings, user.username, max_id, items, next_id), personal=True)


async def followers_page(request: Request) -> Response:
    settings, name = _settings(request), request.path_params["name"]
    if name == settings.fediverse_handle:
        return activity_json(await outbox.followers(settings, name, CITY))
    user = await _resident(settings, name)
    if user is None:
        return not_found()
    return activity_json(await outbox.followers(settings, user.username, user.id), personal=True)


# --- objects at their pages' addresses ---------------------------------------------------------------------------

def _gone(oid: str, deleted_at) -> Response:
    return activity_json(tombstone(oid, deleted_at), status=410, cache=OBJECT_CACHE)


async def notice_object(request: Request) -> Response:
    settings = _settings(request)
    notice = await Notice.get_or_none(id=request.path_params["id"][:36])
    if notice is None:
        return not_found()
    if not fediverse_can_see_notice(notice):
        return _gone(notice_id(settings, notice.id), notice.deleted_at)
    return activity_json(notice_note(settings, settings.fediverse_handle, notice), cache=OBJECT_CACHE)


async def alert_object(request: Request) -> Response:
    settings = _settings(request)
    alert = await Alert.get_or_none(id=request.path_params["id"][:36])
    if alert is None or alert.source or alert.origin != settings.origin:
        return not_found()  # an imported or a neighbour's alert is not the city's to publish
    if not fediverse_can_see_alert(alert, settings.origin):
        return _gone(alert_id(settings, alert.id), alert.deleted_at)
    return activity_json(alert_note(settings, settings.fediverse_handle, alert), cache=OBJECT_CACHE)


async def diary_object(request: Request) -> Response:
    """A diary entry only as a visitor sees it on its page, of a followable author; a deleted entry that was
    public is gone (410, a Tombstone); anything else is 404, as if it did not exist."""
    settings = _settings(request)
    diary = await Diary.get_or_none(id=request.path_params["id"][:36]).select_related("author")
    if diary is None:
        return not_found()
    handle = settings.fediverse_handle
    if fediverse_can_see_diary(diary, diary.author, handle):
        note = diary_note(settings, diary.author, diary, await visible_photos(None, diary))
        return activity_json(note, personal=True)
    if diary.deleted_at is not None and fediverse_saw_diary(diary, diary.author, handle):
        return _gone(diary_id(settings, diary.id), diary.deleted_at)
    return not_found()


ROUTES = (
    Route("/.well-known/webfinger", webfinger_page, methods=["GET"]),
    Route("/.well-known/host-meta", host_meta, methods=["GET"]),
    Route("/.well-known/nodeinfo", nodeinfo_links, methods=["GET"]),
    Route("/nodeinfo/{version}", nodeinfo, methods=["GET"]),
    Route("/ap/users/{name}", actor_page, methods=["GET"]),
    Route("/ap/users/{name}/outbox", outbox_page, methods=["GET"]),
    Route("/ap/users/{name}/followers", followers_page, methods=["GET"]),
    # the same addresses as the pages: only requests asking for ActivityPub (sns/fediverse/negotiation.py)
    ActivityRoute("/notices/{id}", notice_object, methods=["GET"]),
    ActivityRoute("/alerts/{id}", alert_object, methods=["GET"]),
    ActivityRoute("/diaries/{id}", diary_object, methods=["GET"]),
    # Settings, "Followable from the fediverse"
    Route("/settings/fediverse", fediverse_settings.fediverse_page, methods=["GET", "POST"]),
)
