"""The front page for visitors and My page for residents."""

from __future__ import annotations

import dataclasses

from starlette.requests import Request

from sns import i18n
from sns.security import new_token
from sns.services import disaster, mirror_pages, safety, timelines
from sns.web.http import load_ctx, login_redirect, redirect, render
from sns.web.reader_pages import fill_later, fills_later, keep_at_most, keep_for_reader


async def front_page(request: Request):
    ctx = await load_ctx(request)
    event = await disaster.active_event(ctx)
    # A neighbouring city that does not answer: its residents are pointed to its mirror (shared, no query warm)
    fallen = await mirror_pages.fallen_cities(ctx.settings)
    if event is not None:  # disaster mode: the light, text-first page, for everyone
        from sns.web.disaster import light_front

        return await light_front(request, ctx, event, fallen=fallen)
    if ctx.user is not None:
        return redirect("/home")
    diaries = await timelines.town_diaries(ctx, 10)
    notices = await timelines.newest_notices(ctx, 5)
    return await render(request, "front.html", diaries=diaries, notices=notices, fallen=fallen)


async def my_page(request: Request):
    # kept until I, my friends' doings or the site change; the town's parts are put in each time (below)
    keep_for_reader(request, base=("u", "f", "site"))
    ctx = await load_ctx(request)
    if ctx.user is None:
        return login_redirect(request)
    page = await timelines.my_page(ctx)
    # "new since my last visit" counts from the visit remembered; a later visit must be remembered again
    keep_at_most(request, timelines.seconds_until_seen_again(ctx.user))
    sections = request.app.state.templates.get_template("home_shared.html").module
    if fills_later(request):
        lang = i18n.current_locale()
        fill_later(request, NOTICES_SLOT, _shared_part(lambda c: timelines.newest_notices(c, 5), ctx, lang,
                                                        sections.notices_section))
        fill_later(request, TOWN_SLOT, _shared_part(lambda c: timelines.town_diaries(c, 10), ctx, lang,
                                                     sections.town_section))
        shown = {"notices_section": NOTICES_SLOT, "town_section": TOWN_SLOT}
    else:
        shown = {"notices_section": sections.notices_section(page.notices),
                 "town_section": sections.town_section(page.town_diaries)}
    event = await disaster.active_event(ctx)  # shared: no query on a warm cache, two more while it is on
    return await render(request, "home.html", page=page, my_checkin=await safety.my_checkin(ctx, event),
                        friends_checkins=await safety.friends_checkins(ctx, event), checkin_label=safety.status_label,
                        **shown)


# Where My page's parts that every reader sees alike go while the rest of it is kept for its reader.
NOTICES_SLOT = f"notices-slot-{new_token(16)}"
TOWN_SLOT = f"town-slot-{new_token(16)}"
_parts: dict[tuple, str] = {}  # (language, part, what is listed) -> its HTML, for the many readers who get the same


def _shared_part(items_for, ctx, lang: str, section):
    """A filler for `fill_later`: the list as the reader's numbers say it is now (`items_for`, with the
    reader's blocks, captured with the page: they do not change while it is kept), in the page's language."""
    async def fill(versions: dict[str, int]) -> str:
        items = await items_for(dataclasses.replace(ctx, versions=versions))
        key = (lang, section.name, tuple(items))
        html = _parts.get(key)
        if html is None:
            with i18n.using_locale(lang):
                html = str(section(items))
            if len(_parts) > 500:
                _parts.clear()
            _parts[key] = html
        return html
    return fill
