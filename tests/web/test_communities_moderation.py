"""Community texts pass the same moderation hook as diaries; blocks hide people both ways."""

from sns.models import Community, Flag, Notification, Reply, Topic
from sns.services import friends

BAD = "What a fucking mess at the station."


async def _client(site, name, role="resident"):
    user = await site.user(name, role=role)
    client = site.client()
    await client.login(name)
    return user, client


def _last(location):
    return location.split("#")[0].rstrip("/").split("/")[-1]


async def _setup(site, prefix):
    owner, o = await _client(site, f"{prefix}_owner")
    member, m = await _client(site, f"{prefix}_member")
    r = await o.submit("/communities/new", {"name": f"{prefix} club", "description": "", "join_policy": "open",
                                            "readable_by": "public"})
    cid = _last(r.headers["location"])
    await m.submit(f"/communities/{cid}/join")
    return owner, o, member, m, cid


async def test_held_topic_and_reply_wait_for_a_moderator(site):
    owner, o, member, m, cid = await _setup(site, "mh")
    _, mod = await _client(site, "mh_mod", role="moderator")
    anon = site.client()
    r = await m.submit(f"/communities/{cid}/topics/new", {"title": "Station", "body": BAD})
    assert r.status_code == 303
    tid = _last(r.headers["location"])
    assert (await Topic.get(id=tid)).state == "held"
    mine = await m.get(f"/topics/{tid}")
    assert "waits for a moderator" in mine.text and "fucking" in mine.text
    for client in (o, anon, mod):
        assert (await client.get(f"/topics/{tid}")).status_code == 404
        assert "Station" not in (await client.get(f"/communities/{cid}")).text
    assert "Station" not in (await anon.get(f"/feeds/communities/{cid}.atom")).text
    assert (await Community.get(id=cid)).topic_count == 0
    queue = await mod.get("/moderation")
    assert "<mark>fucking</mark>" in queue.text and f"/topics/{tid}" in queue.text
    flag = await Flag.get(kind="topic", target_id=tid, resolved_at=None)
    assert (await mod.submit(f"/moderation/{flag.id}", {"action": "approve", "note": ""})).status_code == 303
    assert (await anon.get(f"/topics/{tid}")).status_code == 200
    assert (await Community.get(id=cid)).topic_count == 1  # the count follows the decision at once
    # a held reply: nobody but its author sees it, and nobody is told about it
    before = await Notification.filter(kind="reply").count()
    clean = await o.submit(f"/communities/{cid}/topics/new", {"title": "Clean", "body": "ok"})
    clean_id = _last(clean.headers["location"])
    assert (await m.submit(f"/topics/{clean_id}/replies", {"body": BAD})).status_code == 303
    reply = await Reply.get(topic_id=clean_id)
    assert reply.state == "held" and await Notification.filter(kind="reply").count() == before
    assert "fucking" not in (await o.get(f"/topics/{clean_id}")).text
    assert "fucking" in (await m.get(f"/topics/{clean_id}")).text
    assert (await Topic.get(id=clean_id)).reply_count == 0
    # approved: counted, and the topic's followers (its author) are told at once
    flag = await Flag.get(kind="reply", target_id=reply.id, resolved_at=None)
    assert (await mod.submit(f"/moderation/{flag.id}", {"action": "approve", "note": ""})).status_code == 303
    assert (await Topic.get(id=clean_id)).reply_count == 1
    owner_told = await Notification.filter(kind="reply", user_id=owner.id, url__contains=reply.id).count()
    assert owner_told == 1
    # a community's name passes the filter too
    r = await m.submit("/communities/new", {"name": "fucking club", "description": "", "join_policy": "open",
                                            "readable_by": "public"})
    held = await Community.get(id=_last(r.headers["location"]))
    assert held.state == "held" and "fucking club" not in (await anon.get("/communities")).text
    assert (await anon.get(f"/communities/{held.id}")).status_code == 404
    assert await Flag.filter(kind="community", target_id=held.id).exists()


async def test_reports_on_topics_and_replies(site):
    owner, o, member, m, cid = await _setup(site, "mr")
    r = await o.submit(f"/communities/{cid}/topics/new", {"title": "Report me", "body": "text"})
    tid = _last(r.headers["location"])
    await m.submit(f"/topics/{tid}/replies", {"body": "a reply to report"})
    reply = await Reply.get(topic_id=tid)
    page = await m.get(f"/topics/{tid}")
    assert f'action="/topics/{tid}/report"' in page.text
    assert (await m.submit(f"/topics/{tid}/report", {"reason": "rude"})).status_code == 303
    assert (await o.submit(f"/replies/{reply.id}/report", {"reason": "spam", "topic": tid})).status_code == 303
    assert await Flag.filter(kind="topic", target_id=tid, reason="report").exists()
    assert await Flag.filter(kind="reply", target_id=reply.id, reason="report").exists()
    # nobody reports what they cannot see
    _, outsider = await _client(site, "mr_outsider")
    assert (await outsider.submit("/topics/nope/report", {"reason": "x"})).status_code == 404


async def test_blocks_hide_posts_and_notices_both_ways(site):
    owner, o, member, m, cid = await _setup(site, "mb")
    pest, p = await _client(site, "mb_pest")
    await p.submit(f"/communities/{cid}/join")
    r = await o.submit(f"/communities/{cid}/topics/new", {"title": "Walk", "body": "text"})
    tid = _last(r.headers["location"])
    await p.submit(f"/topics/{tid}/replies", {"body": "pest was here"})
    await friends.block(await site.ctx_for(owner), pest.id)
    assert "pest was here" not in (await o.get(f"/topics/{tid}")).text
    assert (await p.get(f"/topics/{tid}")).status_code == 404  # the owner's topic, hidden from whom they blocked
    # the pest replies no more to the owner's topic
    assert (await p.submit(f"/topics/{tid}/replies", {"body": "again"})).status_code == 404
    # on a third person's topic both follow: a reply by either is never told to the other
    r = await m.submit(f"/communities/{cid}/topics/new", {"title": "Shared", "body": "text"})
    shared = _last(r.headers["location"])
    await o.submit(f"/topics/{shared}/replies", {"body": "owner here"})
    await p.submit(f"/topics/{shared}/replies", {"body": "pest here"})
    await o.submit(f"/topics/{shared}/replies", {"body": "owner again"})
    await m.submit(f"/topics/{shared}/replies", {"body": "member here"})
    assert not await Notification.filter(user_id=owner.id, actor_id=pest.id, url__startswith=f"/topics/{shared}").exists()
    assert not await Notification.filter(user_id=pest.id, actor_id=owner.id).exists()
    assert await Notification.filter(user_id=pest.id, actor_id=member.id, kind="reply").count() == 1
    assert await Notification.filter(user_id=owner.id, actor_id=member.id, kind="reply").count() == 1
    assert await Notification.filter(user_id=member.id, kind="reply", url__startswith=f"/topics/{shared}").count() == 3
    page = await o.get(f"/topics/{shared}")
    assert "pest here" not in page.text and "member here" in page.text
