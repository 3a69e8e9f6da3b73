"""The Atom feed of a community's newest topics: only for communities a visitor may read
(readable_by "public", published, not deleted), and only what a visitor may read in them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sns import i18n
from sns.services import topics as topic_service
from sns.web.feeds import _feed, _response
from sns.web.http import load_ctx

FEED_ENTRIES = 50


async def community_topics(request: Request):
    ctx = await load_ctx(request)
    found = await topic_service.public_feed(request.path_params["id"], FEED_ENTRIES)
    if found is None:
        return Response(status_code=404)
    community, topics = found
    entries = [(t, f"/topics/{t.id}", t.author.display_name) for t in topics]
    path = f"/feeds/communities/{community.id}.atom"
    title = i18n.gettext("%(name)s: topics", name=community.name)
    return _response(_feed(ctx.settings.base_url, path, title, path, f"/communities/{community.id}", entries))


ROUTES: list[Route] = [Route("/feeds/communities/{id}.atom", community_topics, methods=["GET"])]
