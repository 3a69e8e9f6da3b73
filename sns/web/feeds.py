"""Atom 1.0 feeds: the town's public diaries, one resident's public diaries, official notices.

The town's and the notices' feeds are the same for every reader of a language: each worker
keeps them for `shared_cache_seconds` (see `sns.services.shared`).
"""

from __future__ import annotations

from feedgen.feed import FeedGenerator
from starlette.requests import Request
from starlette.responses import Response

from sns import i18n
from sns.markup import render_markdown
from sns.models import User
from sns.services import timelines
from sns.services.shared import SharedCache, database_of
from sns.services.site import load_site
from sns.web.http import load_ctx

ATOM = "application/atom+xml; charset=utf-8"
_shared = SharedCache(on_kept_pages=False)


def _response(body: bytes) -> Response:
    return Response(body, media_type=ATOM, headers={"Cache-Control": "public, max-age=60"})


async def _shared_feed(ctx, name: str, make) -> Response:
    key = (database_of(ctx.settings), ctx.settings.base_url, name, i18n.current_locale())
    return _response(await _shared.get(key, ctx.settings.shared_cache_seconds, make))


def _feed(base: str, feed_id: str, title: str, self_path: str, alternate: str, entries) -> bytes:
    fg = FeedGenerator()
    fg.id(f"{base}{feed_id}")
    fg.title(title)
    fg.link(href=f"{base}{self_path}", rel="self")
    fg.link(href=f"{base}{alternate}", rel="alternate")
    fg.language(i18n.current_locale())
    for item, path, author in reversed(entries):
        fe = fg.add_entry()
        fe.id(f"{base}{path}")
        fe.title(item.title)
        fe.link(href=f"{base}{path}")
        fe.author(name=author)
        fe.published(item.created_at)
        fe.updated(item.updated_at)
        fe.content(str(render_markdown(item.body)), type="html")
    if entries:
        fg.updated(max(item.updated_at for item, _, _ in entries))
    return fg.atom_str(pretty=True)


async def town_diaries(request: Request):
    ctx = await load_ctx(request)

    async def make() -> bytes:
        site = await load_site()
        diaries = await timelines.public_diaries()
        entries = [(d, f"/diaries/{d.id}", d.author.display_name) for d in diaries]
        return _feed(ctx.settings.base_url, "/feeds/diaries.atom",
                     i18n.gettext("%(town)s: diaries", town=site.name_for(i18n.current_locale())),
                     "/feeds/diaries.atom", "/diaries", entries)

    return await _shared_feed(ctx, "diaries", make)


async def resident_diaries(request: Request):
    ctx = await load_ctx(request)
    user = await User.get_or_none(username=request.path_params["username"].lower(), deleted_at=None,
                                  state="active")
    if user is None:
        return Response(status_code=404)
    diaries = await timelines.public_diaries(author_id=user.id)
    entries = [(d, f"/diaries/{d.id}", user.display_name) for d in diaries]
    path = f"/feeds/people/{user.username}.atom"
    return _response(_feed(ctx.settings.base_url, path, i18n.gettext("Diary of %(name)s", name=user.display_name),
                           path, f"/people/{user.username}", entries))


async def notices(request: Request):
    ctx = await load_ctx(request)

    async def make() -> bytes:
        site = await load_site()
        items = (await timelines.notices(50)).items
        entries = [(n, f"/notices/{n.id}", n.author.display_name) for n in items]
        return _feed(ctx.settings.base_url, "/feeds/notices.atom",
                     i18n.gettext("%(town)s: official notices", town=site.name_for(i18n.current_locale())),
                     "/feeds/notices.atom", "/notices", entries)

    return await _shared_feed(ctx, "notices", make)
