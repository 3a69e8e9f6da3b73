"""The Atom feed of a community's newest topics: only for communities a visitor may read
(readable_by "public", published, not deleted), and only what a visitor may read in them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sns import i18n
from sns.ids import is_id
from sns.models import Community, Topic
from sns.policies import ANONYMOUS, can_read_community
from sns.web.feeds import _feed, _response
from sns.web.http import load_ctx

FEED_ENTRIES = 50


async def community_topics(request: Request):
    ctx = await load_ctx(request)
    community_id = request.path_params["id"]
    community = await Community.get_or_none(id=community_id) if is_id(community_id) else None
    # Decided for a visitor, whoever asks: a feed reader shares what it fetches.
    if community is None or not can_read_community(ANONYMOUS, community, None):
        return Response(status_code=404)
    topics = await Topic.filter(community_id=community.id, deleted_at=None, state="published").order_by(
        "-id").limit(FEED_ENTRIES).select_related("author")
    entries = [(t, f"/topics/{t.id}", t.author.display_name) for t in topics]
    path = f"/feeds/communities/{community.id}.atom"
    title = i18n.gettext("%(name)s: topics", name=community.name)
    return _response(_feed(ctx.settings.base_url, path, title, path, f"/communities/{community.id}", entries))


ROUTES: list[Route] = [Route("/feeds/communities/{id}.atom", community_topics, methods=["GET"])]
