"""A community's pages run a fixed number of queries whatever its number of topics and replies
(keyset pagination on (pinned, bumped_at, id), a denormalized reply count, no N+1)."""

from datetime import timedelta

from test_query_counts import count_queries

from sns.models import Reply, Topic
from sns.models.base import utcnow
from sns.services import memberships
from sns.services.communities import open_community
from sns.services.shared import public_changed


async def _grow(community, authors, n, start, origin):
    now = utcnow()
    topics = [Topic(community_id=community.id, author_id=authors[i % len(authors)].id, title=f"Topic {start + i}",
                    body="Some *text*.", bumped_at=now - timedelta(minutes=start + i), reply_count=i % 3,
                    pinned=(start + i) % 97 == 0, origin=origin) for i in range(n)]
    await Topic.bulk_create(topics)
    await Reply.bulk_create([Reply(topic_id=t.id, author_id=authors[0].id, body="r", origin=origin)
                             for t in topics[: n // 3]])
    return topics


async def _counts(client, community_id):
    out = {}
    public_changed()  # cold shared cache (the alert banner's list): counts do not depend on the test's pace
    with count_queries() as q:
        first = await client.get(f"/communities/{community_id}")
    assert first.status_code == 200
    out["first page"] = len(q)
    cursor = first.text.split("?before=")[1].split('"')[0]
    public_changed()  # cold shared cache (the alert banner's list): counts do not depend on the test's pace
    with count_queries() as q:
        second = await client.get(f"/communities/{community_id}?before={cursor}")
    assert second.status_code == 200 and "Topic" in second.text
    out["second page"] = len(q)
    public_changed()  # cold shared cache (the alert banner's list): counts do not depend on the test's pace
    with count_queries() as q:
        assert (await client.get(f"/api/v1/communities/{community_id}/topics?before={cursor}")).status_code == 200
    out["api page"] = len(q)
    return out


async def test_topic_list_query_count_is_fixed(site):
    owner = await site.user("cq_owner")
    member = await site.user("cq_member")
    ctx = await site.ctx_for(owner)
    community = await open_community(ctx, name="Big forum", description="", join_policy="open", readable_by="public")
    await memberships.join(await site.ctx_for(member), community.id)
    authors = [owner, member]
    origin = site.settings.origin
    await _grow(community, authors, 30, 0, origin)
    client = site.client()
    await client.login("cq_member")
    small = await _counts(client, community.id)
    await _grow(community, authors, 300, 30, origin)
    large = await _counts(client, community.id)
    assert small == large, (small, large)
    # pages: one more each for whether disaster mode is on, on a cold shared cache (none when warm); the
    # community and the reader's membership are one statement, and the `before` cursor is a subquery of the
    # topic list's one statement, so the second page costs no more than the first
    assert large["first page"] <= 7 and large["second page"] <= 7 and large["api page"] <= 3, large


async def test_keyset_pages_see_every_topic_once(site):
    owner = await site.user("cq_pager")
    ctx = await site.ctx_for(owner)
    community = await open_community(ctx, name="Pager", description="", join_policy="open", readable_by="public")
    topics = await _grow(community, [owner], 95, 0, site.settings.origin)
    # same bumped_at for two topics: the id breaks the tie
    await Topic.filter(id=topics[5].id).update(bumped_at=topics[4].bumped_at)
    anon = site.client()
    seen, url = [], f"/api/v1/communities/{community.id}/topics?limit=7"
    while url:
        page = (await anon.get(url.replace("http://test.example", ""))).json()
        seen += [(t["pinned"], t["title"]) for t in page["items"]]
        url = page["next"]
    assert len(seen) == 95 and len(set(seen)) == 95
    assert seen[0] == (True, "Topic 0") and all(not pinned for pinned, _ in seen[1:])


def _columns(row) -> dict:
    return {name: getattr(row, name) for name in type(row)._meta.fields_db_projection}


async def test_the_page_reads_the_community_and_membership_as_the_orm_does(site):
    """`community_and_membership` (one statement written by hand) gives what `get_community` and
    `membership_of` give: the same fields, converted alike (times, booleans), for a member and a visitor."""
    from sns.services.communities import community_and_membership, get_community, membership_of

    owner = await site.user("cq_same")
    ctx = await site.ctx_for(owner)
    community = await open_community(ctx, name="Same", description="d", join_policy="open", readable_by="public",
                                     official=False)
    for viewer_ctx in (ctx, site.ctx()):
        read, mine = await community_and_membership(viewer_ctx, community.id)
        orm = await get_community(viewer_ctx, community.id)
        assert _columns(read) == _columns(orm)
        expected = await membership_of(viewer_ctx.viewer, community.id)
        assert (mine and _columns(mine)) == (expected and _columns(expected))
    assert mine is None and (await community_and_membership(ctx, community.id))[1] is not None
