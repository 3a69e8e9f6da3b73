"""The community table: viewer x readable_by x surface. Nothing leaks anywhere.

Viewers: a visitor, a site stranger (signed in, never joined), someone whose request to join
waits (pending), a member, a sub-moderator, the community's admin, a banned member, and a site
moderator who is not a member. Communities take members by approval and are readable by
everyone (public), by signed-in residents (members), or by their own members (community).
Surfaces: the community page, the topic page, the community's topic list, the list of
communities, the Atom feed, and the API (detail and lists).
"""

import httpx
import pytest

from sns.services import memberships
from sns.services.communities import open_community
from sns.services.replies import add_reply
from sns.services.tokens import create_token
from sns.services.topics import post_topic

READABLE = ("public", "members", "community")
VIEWERS = ("visitor", "stranger", "pending", "member", "submod", "cadmin", "banned", "sitemod")
SIGNED_IN = set(VIEWERS) - {"visitor"}
# Who sees the community listed and its page.
VISIBLE = {"public": set(VIEWERS), "members": SIGNED_IN, "community": SIGNED_IN}
# Who reads its topics and replies.
READS = {
    "public": set(VIEWERS) - {"banned"},
    "members": SIGNED_IN - {"banned"},
    "community": {"member", "submod", "cadmin"},
}


def api_client(site, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app, client=("127.0.0.1", 50002)),
                             base_url="http://test.example", headers=headers)


@pytest.fixture(scope="module")
async def town(site):
    people = {kind: await site.user(f"ct_{kind}", role="moderator" if kind == "sitemod" else "resident")
              for kind in VIEWERS if kind != "visitor"}
    ctx = {kind: await site.ctx_for(user) for kind, user in people.items()}
    communities = {}
    for readable in READABLE:
        c = await open_community(ctx["cadmin"], name=f"club-{readable}-name", description="d",
                                 join_policy="approval", readable_by=readable)
        for kind in ("pending", "member", "submod", "banned"):
            await memberships.join(ctx[kind], c.id)
        for kind in ("member", "submod", "banned"):
            await memberships.act_on_member(ctx["cadmin"], c.id, people[kind].id, "accept")
        await memberships.act_on_member(ctx["cadmin"], c.id, people["submod"].id, "make_moderator")
        topic = await post_topic(ctx["cadmin"], c.id, title=f"topic-{readable}-title", body=f"topic-{readable}-body")
        await add_reply(await site.ctx_for(people["member"]), topic.id, f"reply-{readable}-text")
        await memberships.act_on_member(ctx["cadmin"], c.id, people["banned"].id, "ban")
        communities[readable] = (c, topic)
    clients = {"visitor": site.client()}
    api = {"visitor": api_client(site, None)}
    for kind, user in people.items():
        clients[kind] = site.client()
        await clients[kind].login(user.username)
        api[kind] = api_client(site, (await create_token(await site.ctx_for(user), "table"))[1])
    return {"communities": communities, "clients": clients, "api": api}


@pytest.mark.parametrize("readable", READABLE)
@pytest.mark.parametrize("viewer", VIEWERS)
async def test_pages(town, viewer, readable):
    c, topic = town["communities"][readable]
    client = town["clients"][viewer]
    visible, reads = viewer in VISIBLE[readable], viewer in READS[readable]
    page = await client.get(f"/communities/{c.id}")
    assert page.status_code == (200 if visible else 404)
    assert (f"topic-{readable}-title" in page.text) == reads
    assert "club-" + readable + "-name" not in page.text or visible
    topic_page = await client.get(f"/topics/{topic.id}")
    assert topic_page.status_code == (200 if reads else 404)
    assert (f"reply-{readable}-text" in topic_page.text) == reads
    assert (f"topic-{readable}-body" in topic_page.text) == reads
    listing = await client.get("/communities")
    assert (f"club-{readable}-name" in listing.text) == visible
    older = await client.get(f"/communities/{c.id}?before={topic.id}")
    assert f"topic-{readable}-title" not in older.text
    members = await client.get(f"/communities/{c.id}/members")
    if viewer == "visitor":
        assert members.status_code == 303
    else:
        assert (members.status_code == 200) == reads


@pytest.mark.parametrize("readable", READABLE)
@pytest.mark.parametrize("viewer", VIEWERS)
async def test_feed_is_for_visitors_only(town, viewer, readable):
    c, _ = town["communities"][readable]
    feed = await town["clients"][viewer].get(f"/feeds/communities/{c.id}.atom")
    assert feed.status_code == (200 if readable == "public" else 404)
    assert (f"topic-{readable}-title" in feed.text) == (readable == "public")
    assert "reply-" not in feed.text


@pytest.mark.parametrize("readable", READABLE)
@pytest.mark.parametrize("viewer", VIEWERS)
async def test_api(town, viewer, readable):
    c, topic = town["communities"][readable]
    api = town["api"][viewer]
    visible, reads = viewer in VISIBLE[readable], viewer in READS[readable]
    detail = await api.get(f"/api/v1/communities/{c.id}")
    assert detail.status_code == (200 if visible else 404)
    if visible:
        assert detail.json()["permissions"]["read"] == reads
    listed = (await api.get("/api/v1/communities?limit=100")).json()["items"]
    assert (c.id in [x["id"] for x in listed]) == visible
    r = await api.get(f"/api/v1/topics/{topic.id}")
    assert r.status_code == (200 if reads else 404)
    topics = await api.get(f"/api/v1/communities/{c.id}/topics")
    assert topics.status_code == (200 if reads else 404)
    assert (f"topic-{readable}-title" in topics.text) == reads
    replies = await api.get(f"/api/v1/topics/{topic.id}/replies")
    assert replies.status_code == (200 if reads else 404)
    assert (f"reply-{readable}-text" in replies.text) == reads
