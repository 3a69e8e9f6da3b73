"""Communities through the pages: open one, join by each policy, post topics and replies, follow,
moderate the community, and the feed."""

import io

from PIL import Image

from fixtures import jpeg_with_gps
from sns.models import Community, Membership, Notification, Reply, Topic


async def _client(site, name, role="resident"):
    user = await site.user(name, role=role)
    client = site.client()
    await client.login(name)
    return user, client


def _id_of(location: str) -> str:
    return location.split("#")[0].rstrip("/").split("/")[-1]


async def _open(client, name, **fields):
    data = {"name": name, "description": "About *this*.", "join_policy": "open", "readable_by": "public", **fields}
    r = await client.submit("/communities/new", data)
    assert r.status_code == 303, r.text
    return _id_of(r.headers["location"])


async def _topic(client, community_id, title="A topic", body="Hello **all**", files=None):
    r = await client.submit(f"/communities/{community_id}/topics/new", {"title": title, "body": body}, files=files)
    assert r.status_code == 303, r.text
    return _id_of(r.headers["location"])


async def test_open_join_post_reply_and_news(site):
    alice, a = await _client(site, "cm_alice")
    bob, b = await _client(site, "cm_bob")
    anon = site.client()
    cid = await _open(a, "Riverside walkers")
    page = await a.get(f"/communities/{cid}")
    assert page.status_code == 200 and "Riverside walkers" in page.text and "Community admin" in page.text
    admin = await Membership.get(community_id=cid, user_id=alice.id)
    assert (admin.role, admin.state) == ("admin", "active")
    tid = await _topic(a, cid, "Sunday walk", "Meet at the *bridge*.",
                       files={"photos": ("p.jpg", jpeg_with_gps(), "image/jpeg")})
    topic_page = await anon.get(f"/topics/{tid}")
    assert topic_page.status_code == 200 and "<em>bridge</em>" in topic_page.text
    photo = topic_page.text.split('src="/photos/')[1].split('"')[0]
    img = await anon.get("/photos/" + photo)
    assert img.status_code == 200 and Image.open(io.BytesIO(img.content)).getexif().get(0x8825) is None
    # bob is no member yet: he may read but not reply
    r = await b.submit(f"/topics/{tid}/replies", {"body": "Me too"})
    assert r.status_code == 403 and "Me too" in r.text
    assert (await b.submit(f"/communities/{cid}/join")).status_code == 303
    assert (await Community.get(id=cid)).member_count == 2
    r = await b.submit(f"/topics/{tid}/replies", {"body": "I will bring tea."})
    assert r.status_code == 303 and "#reply-" in r.headers["location"]
    note = await Notification.get(user_id=alice.id, kind="reply")
    reply = await Reply.get(topic_id=tid)
    assert note.url == f"/topics/{tid}#reply-{reply.id}"
    assert "badge" in (await a.get("/home")).text
    assert "I will bring tea." in (await a.get(f"/topics/{tid}")).text
    assert (await Notification.get(id=note.id)).read_at is not None  # reading the topic reads its notice
    assert 'class="badge"' not in (await a.get("/home")).text.split("</nav>")[0]
    topic = await Topic.get(id=tid)
    assert topic.reply_count == 1
    # alice answers: bob, who replied, follows the topic now and is told
    assert (await a.submit(f"/topics/{tid}/replies", {"body": "Lovely"})).status_code == 303
    assert await Notification.filter(user_id=bob.id, kind="reply").count() == 1
    # the community feed shows the topic to anyone
    feed = await anon.get(f"/feeds/communities/{cid}.atom")
    assert feed.status_code == 200 and "Sunday walk" in feed.text


async def test_approval_and_invitation(site):
    owner, o = await _client(site, "cm_owner")
    asker, k = await _client(site, "cm_asker")
    guest, g = await _client(site, "cm_guest")
    cid = await _open(o, "Quiet garden", join_policy="approval", readable_by="community")
    # the topics are for members only; the community itself is visible to residents
    await _topic(o, cid, "Members only plan")
    page = await k.get(f"/communities/{cid}")
    assert page.status_code == 200 and "Members only plan" not in page.text and "Ask to join" in page.text
    assert (await site.client().get(f"/communities/{cid}")).status_code == 404
    assert (await k.submit(f"/communities/{cid}/join")).status_code == 303
    m = await Membership.get(community_id=cid, user_id=asker.id)
    assert m.state == "pending"
    assert await Notification.filter(user_id=owner.id, kind="membership_request").exists()
    assert "Members only plan" not in (await k.get(f"/communities/{cid}")).text
    members = await o.get(f"/communities/{cid}/members")
    assert "cm_asker" in members.text and "Accept" in members.text
    r = await o.submit(f"/communities/{cid}/members/accept", {"user_id": asker.id})
    assert r.status_code == 303
    assert (await Membership.get(id=m.id)).state == "active"
    assert await Notification.filter(user_id=asker.id, kind="membership_accepted").exists()
    assert "Members only plan" in (await k.get(f"/communities/{cid}")).text
    # invitation only
    iid = await _open(o, "Inner circle", join_policy="invitation", readable_by="members")
    r = await g.submit(f"/communities/{iid}/join", follow=True)
    assert "by invitation only" in r.text
    assert not await Membership.filter(community_id=iid, user_id=guest.id).exists()
    r = await o.submit(f"/communities/{iid}/invite", {"username": "nobody_here"})
    assert r.status_code == 400 and "nobody_here" in r.text
    assert (await o.submit(f"/communities/{iid}/invite", {"username": "cm_guest"})).status_code == 303
    assert await Notification.filter(user_id=guest.id, kind="community_invite").exists()
    assert "Accept the invitation" in (await g.get(f"/communities/{iid}")).text
    assert (await g.submit(f"/communities/{iid}/join")).status_code == 303
    assert (await Membership.get(community_id=iid, user_id=guest.id)).state == "active"


async def test_locked_topic_keeps_the_typed_reply(site):
    _, o = await _client(site, "cm_lock_owner")
    member, m = await _client(site, "cm_lock_member")
    cid = await _open(o, "Lockers")
    await m.submit(f"/communities/{cid}/join")
    tid = await _topic(o, cid, "Closed soon")
    assert (await m.submit(f"/topics/{tid}/lock")).status_code == 303  # a plain member may not lock
    assert not (await Topic.get(id=tid)).locked
    assert (await o.submit(f"/topics/{tid}/lock")).status_code == 303
    assert (await Topic.get(id=tid)).locked
    r = await m.submit(f"/topics/{tid}/replies", {"body": "My long careful answer"})
    assert r.status_code == 409
    assert "My long careful answer" in r.text and "locked" in r.text
    assert not await Reply.filter(topic_id=tid).exists()
    await o.submit(f"/topics/{tid}/unlock")
    assert (await m.submit(f"/topics/{tid}/replies", {"body": "Now it works"})).status_code == 303


async def test_ban_pin_order_move_and_delete(site):
    _, o = await _client(site, "cm_mod_owner")
    pest, p = await _client(site, "cm_pest")
    cid = await _open(o, "Pinboard")
    other = await _open(o, "Elsewhere")
    await p.submit(f"/communities/{cid}/join")
    first = await _topic(o, cid, "First topic")
    second = await _topic(p, cid, "Second topic")
    await o.submit(f"/topics/{first}/pin")
    text = (await o.get(f"/communities/{cid}")).text
    assert text.index("First topic") < text.index("Second topic")
    # ban: the pest can neither post nor rejoin nor read the topics
    assert (await o.submit(f"/communities/{cid}/members/ban", {"user_id": pest.id})).status_code == 303
    r = await p.submit(f"/communities/{cid}/topics/new", {"title": "Again", "body": "spam"})
    assert r.status_code == 403 and "banned" in r.text and "spam" in r.text
    r = await p.submit(f"/topics/{first}/replies", {"body": "spam"})
    assert r.status_code == 403 and "banned" in r.text
    r = await p.submit(f"/communities/{cid}/join", follow=True)
    assert "banned" in r.text
    assert (await Membership.get(community_id=cid, user_id=pest.id)).state == "banned"
    assert (await p.get(f"/topics/{first}")).status_code == 404
    # move the pest's topic elsewhere, then delete it
    assert (await o.submit(f"/topics/{second}/move", {"community": other})).status_code == 303
    assert (await Topic.get(id=second)).community_id == other
    assert (await Community.get(id=other)).topic_count == 1
    assert (await o.submit(f"/topics/{second}/delete")).status_code == 303
    assert (await o.get(f"/topics/{second}")).status_code == 404
    # the last admin cannot leave
    r = await o.submit(f"/communities/{cid}/leave", follow=True)
    assert "last admin" in r.text
    assert (await Membership.get(community_id=cid, user_id=(await Community.get(id=cid)).creator_id)).state == "active"


async def test_only_staff_mark_official_and_form_keeps_text(site):
    _, r_ = await _client(site, "cm_resident")
    _, s = await _client(site, "cm_staff", role="staff")
    r = await r_.submit("/communities/new", {"name": "Fake city hall", "description": "Official-looking words",
                                             "join_policy": "open", "readable_by": "public", "official": "1"})
    assert r.status_code == 403 and "Official-looking words" in r.text
    cid = await _open(s, "Disaster preparedness", official="1")
    assert (await Community.get(id=cid)).official
    r = await r_.submit("/communities/new", {"name": "x" * 300, "description": "Kept text",
                                             "join_policy": "open", "readable_by": "public"})
    assert r.status_code == 400 and "Kept text" in r.text
    r = await r_.submit("/communities/new", {"name": "Odd", "description": "", "join_policy": "sometimes",
                                             "readable_by": "public"})
    assert r.status_code == 400


async def test_odd_ids_are_404_not_500(site):
    _, c = await _client(site, "cm_odd")
    for url in ("/communities/nope", "/topics/" + "x" * 500, "/communities/%00", "/feeds/communities/zzz.atom",
                "/replies/abc/edit"):
        assert (await c.get(url)).status_code == 404, url
    for url in ("/topics/nope/replies", "/topics/nope/pin", "/communities/nope/join", "/replies/nope/delete"):
        assert (await c.submit(url, {"body": "x"})).status_code == 404, url


async def test_double_submit_posts_once_and_nul_bytes_are_dropped(site):
    _, c = await _client(site, "cm_double")
    form = {"name": "Twice\x00 club", "description": "d", "join_policy": "open", "readable_by": "public",
            "client_token": "tok-community-1"}
    first = await c.submit("/communities/new", form)
    second = await c.submit("/communities/new", form)
    assert first.headers["location"] == second.headers["location"]
    cid = _id_of(first.headers["location"])
    assert (await Community.get(id=cid)).name == "Twice club"
    topic = {"title": "Once", "body": "only once", "client_token": "tok-topic-1"}
    a = await c.submit(f"/communities/{cid}/topics/new", topic)
    b = await c.submit(f"/communities/{cid}/topics/new", topic)
    assert a.headers["location"] == b.headers["location"]
    tid = _id_of(a.headers["location"])
    for _ in range(2):
        await c.submit(f"/topics/{tid}/replies", {"body": "one reply", "client_token": "tok-reply-1"})
    assert await Reply.filter(topic_id=tid).count() == 1 and (await Topic.get(id=tid)).reply_count == 1
    r = await c.submit(f"/topics/{tid}/replies", {"body": "x" * 10_001})
    assert r.status_code == 400 and "too long" in r.text


async def test_author_edits_topic_and_reply_others_cannot(site):
    _, a = await _client(site, "cm_editor")
    _, b = await _client(site, "cm_other_editor")
    cid = await _open(a, "Editors")
    await b.submit(f"/communities/{cid}/join")
    tid = await _topic(a, cid, "Draft title", "draft")
    r = await a.submit(f"/topics/{tid}/edit", {"title": "Final title", "body": "final *text*"})
    assert r.status_code == 303
    assert "Final title" in (await b.get(f"/topics/{tid}")).text
    assert (await b.get(f"/topics/{tid}/edit")).status_code == 403
    await b.submit(f"/topics/{tid}/replies", {"body": "first words"})
    reply = await Reply.get(topic_id=tid)
    assert (await a.get(f"/replies/{reply.id}/edit")).status_code == 403
    r = await b.submit(f"/replies/{reply.id}/edit", {"body": ""})
    assert r.status_code == 400
    assert (await b.submit(f"/replies/{reply.id}/edit", {"body": "better words"})).status_code == 303
    assert "better words" in (await a.get(f"/topics/{tid}")).text
    # a plain member deletes no one else's topic; the community's admin deletes any reply
    assert (await b.submit(f"/topics/{tid}/delete")).status_code == 403
    assert (await Topic.get(id=tid)).deleted_at is None
    assert (await a.submit(f"/replies/{reply.id}/delete")).status_code == 303
    assert (await Topic.get(id=tid)).reply_count == 0


async def test_staff_mark_an_existing_community_official(site):
    owner, o = await _client(site, "cm_plain_owner")
    _, s = await _client(site, "cm_city_staff", role="staff")
    _, asker = await _client(site, "cm_plain_asker")
    cid = await _open(o, "Neighbourhood association", join_policy="approval")
    await asker.submit(f"/communities/{cid}/join")
    assert "1 asks to join" in (await o.get(f"/communities/{cid}")).text
    assert "Mark as official" not in (await o.get(f"/communities/{cid}")).text
    assert (await o.submit(f"/communities/{cid}/official", {"official": "1"})).status_code == 403
    assert not (await Community.get(id=cid)).official
    assert "Mark as official" in (await s.get(f"/communities/{cid}")).text
    assert (await s.submit(f"/communities/{cid}/official", {"official": "1"})).status_code == 303
    assert (await Community.get(id=cid)).official
    r = await o.submit(f"/communities/{cid}/edit", {"name": "Neighbourhood association", "description": "",
                                                     "join_policy": "open", "readable_by": "public"})
    assert r.status_code == 303 and (await Community.get(id=cid)).official  # the admin's edit keeps the mark
