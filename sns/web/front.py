"""The front page for visitors and My page for residents."""

from __future__ import annotations

import dataclasses

from starlette.requests import Request

from sns import i18n
from sns.models.base import utcnow
from sns.security import new_token
from sns.services import disaster, mirror_pages, notice_reach, pfif_notes, safety, timelines
from sns.web.http import load_ctx, login_redirect, redirect, render
from sns.web.reader_pages import fill_later, fills_later, keep_for_reader, keep_while
from sns.web.disaster import PFIF_HELPERS, light_front
from sns.web.departments import name_of
from sns.web.my_requests import open_requests_part
from sns.services.my_requests import my_open_requests


async def front_page(request: Request):
    ctx = await load_ctx(request)
    event = await disaster.active_event(ctx)
    # A neighbouring city that does not answer: its residents are pointed to its mirror (shared, no query warm)
    fallen = await mirror_pages.fallen_cities(ctx.settings)
    if event is not None:  # disaster mode: the light, text-first page, for everyone

        return await light_front(request, ctx, event, fallen=fallen)
    if ctx.user is not None:
        return redirect("/home")
    diaries = await timelines.town_diaries(ctx, 10)
    notices = await timelines.newest_notices(ctx, 5)
    return await render(request, "front.html", diaries=diaries, notices=notices, fallen=fallen)


async def my_page(request: Request):
    # kept until I, my friends' doings or the site change; its parts that change more often are made
    # again each time it is sent (below)
    keep_for_reader(request, base=("u", "f", "site"))
    ctx = await load_ctx(request)
    if ctx.user is None:
        return login_redirect(request)
    page = await timelines.my_page(ctx)
    parts = request.app.state.templates.get_template("home_parts.html").module
    requests_parts = request.app.state.templates.get_template("my_requests_parts.html").module
    open_requests = await my_open_requests(ctx)  # my requests bump no version number: made again each time
    if fills_later(request):
        lang = i18n.current_locale()
        # (the first fill is for this very request: it takes what `my_page` just read)
        fill_later(request, COUNTS_SLOT, _counts_part(ctx, lang, parts.counts_list, page.counts))
        fill_later(request, NOTICES_SLOT, _near_part(ctx, lang, parts.near_section, page.notices))
        fill_later(request, TOWN_SLOT, _shared_part(lambda c: timelines.town_diaries(c, 10), ctx, lang,
                                                     parts.town_section, page.town_diaries))
        fill_later(request, REQUESTS_SLOT, open_requests_part(ctx, lang, requests_parts.open_section, open_requests))
        shown = {"counts_list": COUNTS_SLOT, "near_section": NOTICES_SLOT, "town_section": TOWN_SLOT,
                 "requests_section": REQUESTS_SLOT}
    else:
        shown = {"counts_list": parts.counts_list(page.counts), "near_section": parts.near_section(page.notices),
                 "town_section": parts.town_section(page.town_diaries),
                 "requests_section": requests_parts.open_section(open_requests, name_of)}
    event = await disaster.active_event(ctx)  # shared: no query on a warm cache, three more while it is on
    checkins = await safety.friends_checkins(ctx, event)
    friends_pfif, friends_reported = await pfif_notes.friends_reported(ctx, event, checkins)  # docs/pfif.md
    until = pfif_notes.first_expiry(friends_pfif.values())  # a partner's note is never shown once expired
    # counted from the visit remembered before this one; a visit to remember again needs the page itself
    keep_while(request, lambda read: not timelines.visit_to_remember(read.user.last_seen_home_at)
               and (until is None or utcnow() < until))
    return await render(request, "home.html", page=page, my_checkin=await safety.my_checkin(ctx, event),
                        friends_checkins=checkins, checkin_label=safety.status_label, friends_pfif=friends_pfif,
                        friends_reported=friends_reported, **PFIF_HELPERS, **shown)


# Where My page's parts go while the rest of it is kept for its reader (sns/web/reader_pages.py).
COUNTS_SLOT = f"counts-slot-{new_token(16)}"
NOTICES_SLOT = f"notices-slot-{new_token(16)}"
TOWN_SLOT = f"town-slot-{new_token(16)}"
REQUESTS_SLOT = f"requests-slot-{new_token(16)}"
_made: dict[tuple, str] = {}  # what a part showed last -> its HTML (many readers get the same shared part)


def _made_once(key: tuple, lang: str, make) -> str:
    html = _made.get(key)
    if html is None:
        with i18n.using_locale(lang):
            html = str(make())
        if len(_made) > 5000:
            _made.clear()
        _made[key] = html
    return html


def _shared_part(items_for, ctx, lang: str, section, first):
    """A filler for `fill_later`: the list as the reader's numbers say it is now (`items_for`, with the
    reader's blocks, captured with the page: they do not change while it is kept), in the page's language;
    `first`, read for the page itself, the first time."""
    unused = [first]

    async def fill(read) -> str:
        items = unused.pop() if unused else await items_for(dataclasses.replace(ctx, versions=read.versions))
        return _made_once((lang, section.name, tuple(items)), lang, lambda: section(items))
    return fill


def _near_part(ctx, lang: str, section, first):
    """A filler for `fill_later`: the notices near my home (sns/services/notice_reach.py, one query), made
    again when a notice changes (`town`), my district or home point does (`u`: saving the alert settings
    bumps it) or a district's name (`site`); `first`, read for the page itself, the first time."""
    unused = [first]

    async def fill(read) -> str:
        key = (lang, "near", ctx.user.id, read.versions["u"], read.versions["town"], read.versions["site"])
        if key not in _made:
            notices = unused.pop() if unused else await notice_reach.near_me(read.user, 5)
            return _made_once(key, lang, lambda: section(notices))
        unused.clear()
        return _made[key]
    return fill


def _counts_part(ctx, lang: str, section, first):
    """A filler for `fill_later`: what is new since my last visit, as remembered now (the visit may have been
    remembered since the page was made), counted once per mark and numbers; `first`, counted for the page
    itself, the first time."""
    unused = [first]

    async def fill(read) -> str:
        since, versions = read.user.last_seen_home_at, read.versions
        key = (lang, "counts", ctx.user.id, since, versions["u"], versions["f"])
        if key not in _made:
            counts = unused.pop() if unused else await timelines.new_since(ctx, since)
            return _made_once(key, lang, lambda: section(counts))
        unused.clear()
        return _made[key]
    return fill
