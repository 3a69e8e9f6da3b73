"""Nothing leaks through search: every kind of viewer x every kind of record, on the page and the API."""

from __future__ import annotations

import re
import pytest

from sns.models import Community, Event, Membership, Reply, Topic
from sns.models.base import utcnow
from sns.search.index import index_object
from sns.services import diaries as diary_service
from sns.services import friends
from sns.services.base import transaction
from sns.services.tokens import create_token

WORD = "yuzu"  # every record below contains it
LINK = re.compile(r'<a class="title" href="([^"]+)"')
MORE = re.compile(r'<p class="more"><a href="([^"]+)"')
VIEWERS = ("visitor", "resident", "friend", "author", "blocked", "member", "banned")


async def write(site, obj):
    obj.origin = site.settings.origin
    async with transaction() as tx:
        await obj.save(using_db=tx)
        await index_object(obj, tx)
    return obj


@pytest.fixture(scope="module")
async def town(site):
    """The author owns everything; each viewer stands in one relation to them."""
    users = {name: await site.user(f"sv_{name}") for name in VIEWERS if name != "visitor"}
    author = users["author"]
    actx = await site.ctx_for(author)
    await friends.request_friend(actx, users["friend"].id)
    await friends.accept(await site.ctx_for(users["friend"]), author.id)
    await friends.block(await site.ctx_for(users["blocked"]), author.id)
    records: dict[str, str] = {}  # name -> the url a result links to
    for visibility in ("public", "members", "friends", "private"):
        d = await diary_service.write_diary(actx, title=f"{visibility} diary", body=f"{WORD} {visibility}",
                                            visibility=visibility, lat="", lon="")
        records[f"diary_{visibility}"] = f"/diaries/{d.id}"
        e = await write(site, Event(organizer_id=author.id, title=f"{visibility} event", description=WORD,
                                    visibility=visibility, starts_at=utcnow(), ends_at=utcnow()))
        records[f"event_{visibility}"] = f"/events/{e.id}"
    for readable in ("public", "members", "community"):
        c = await write(site, Community(name=f"{readable} club {WORD}", description="", creator_id=author.id,
                                        readable_by=readable))
        records[f"community_{readable}"] = f"/communities/{c.id}"
        for name in ("author", "member", "banned"):
            state = "banned" if name == "banned" else "active"
            await write(site, Membership(community_id=c.id, user_id=users[name].id, state=state))
        t = await write(site, Topic(community_id=c.id, author_id=author.id, title=f"{readable} topic",
                                    body=WORD, bumped_at=utcnow()))
        records[f"topic_{readable}"] = f"/topics/{t.id}"
        r = await write(site, Reply(topic_id=t.id, author_id=author.id, body=f"{WORD} reply"))
        records[f"reply_{readable}"] = f"/topics/{t.id}#reply-{r.id}"
        e = await write(site, Event(organizer_id=author.id, community_id=c.id, title=f"{readable} club event",
                                    description=WORD, visibility="public", starts_at=utcnow(), ends_at=utcnow()))
        records[f"clubevent_{readable}"] = f"/events/{e.id}"
    # never found by anyone: deleted, held, in a deleted topic
    gone = await write(site, Topic(community_id=c.id, author_id=author.id, title="gone", body=WORD,
                                   bumped_at=utcnow(), state="held"))
    await write(site, Reply(topic_id=gone.id, author_id=author.id, body=WORD))
    return users, records


PUBLIC = {"diary_public", "event_public", "community_public", "topic_public", "reply_public", "clubevent_public"}
SIGNED_IN = PUBLIC | {"diary_members", "event_members", "community_members", "community_community",
                      "topic_members", "reply_members", "clubevent_members"}
MEMBER = SIGNED_IN | {"topic_community", "reply_community", "clubevent_community"}
EXPECTED = {
    "visitor": PUBLIC,
    "resident": SIGNED_IN,
    "friend": SIGNED_IN | {"diary_friends", "event_friends"},
    "author": MEMBER | {"diary_friends", "event_friends", "diary_private", "event_private"},
    "blocked": {"community_public", "community_members", "community_community"},
    "member": MEMBER,
    "banned": SIGNED_IN - {"topic_public", "reply_public", "clubevent_public", "topic_members", "reply_members",
                           "clubevent_members"},
}


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_search_shows_exactly_what_the_viewer_may_see(site, town, viewer):
    users, records = town
    client = site.client()
    if viewer != "visitor":
        await client.login(f"sv_{viewer}")
    shown, url = set(), f"/search?q={WORD}"
    while url:  # every page of results
        r = await client.get(url)
        assert r.status_code == 200
        for link in LINK.findall(r.text):
            shown |= {name for name, u in records.items() if u == link.replace("&amp;", "&")}
        more = MORE.search(r.text)
        url = more.group(1).replace("&amp;", "&") if more else None
    assert shown == EXPECTED[viewer]
    # the API, with the viewer's token
    headers = {}
    if viewer != "visitor":
        _, secret = await create_token(await site.ctx_for(users[viewer]), "search")
        headers["Authorization"] = f"Bearer {secret}"
    r = await client.get(f"/api/v1/search?q={WORD}&limit=100", headers=headers)
    assert r.status_code == 200, r.text
    urls = [item["url"].removeprefix(site.settings.base_url) for item in r.json()["items"]]
    assert {name for name, u in records.items() if u in urls} == EXPECTED[viewer]
    assert r.json()["next"] is None


async def test_a_community_closing_its_doors_takes_its_posts_out_of_reach(site, town):
    users, records = town
    community_id = records["community_public"].rsplit("/", 1)[1]
    visitor = site.client()
    assert records["topic_public"] in LINK.findall((await visitor.get(f"/search?q={WORD}")).text)
    async with transaction() as tx:
        c = await Community.get(id=community_id)
        c.readable_by = "community"
        await c.save(using_db=tx)
        await index_object(c, tx)
    from tortoise import connections

    rows = await connections.get("default").execute_query_dict(
        "SELECT DISTINCT audience FROM search_docs WHERE community_id = "
        + ("?" if site.settings.db_url.startswith("sqlite") else "$1"),
        [community_id])
    assert [r["audience"] for r in rows] == ["community"]  # the index itself, not only the final check
    shown = LINK.findall((await visitor.get(f"/search?q={WORD}")).text)
    assert records["topic_public"] not in shown and records["community_public"] not in shown
    async with transaction() as tx:
        c.readable_by = "public"
        await c.save(using_db=tx)
        await index_object(c, tx)
