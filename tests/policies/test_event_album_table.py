"""The events and albums table: viewer x kind of record x surface. Nothing leaks anywhere.

Viewers: anonymous, resident (a stranger), friend, blocked (the owner blocked them), moderator,
staff, member (active member of every community below), pending (asked to join), banned.
Records: an event and an album of each visibility, and of communities readable by the public,
by signed-in residents, and by their members only. Surfaces: the page, the lists, the month
calendar, the town's .ics, the event's .ics, and the JSON API.
"""

from datetime import datetime, timedelta, timezone

import httpx
import pytest

from sns.models import Community, Membership
from sns.services import albums, friends
from sns.services import events as event_service
from sns.services.tokens import create_token

VIEWERS = ("anonymous", "resident", "friend", "blocked", "moderator", "staff", "member", "pending", "banned")
SIGNED_IN = set(VIEWERS) - {"anonymous"}
# Who may see each kind of record (the owner always may).
ALLOWED = {
    "public": set(VIEWERS) - {"blocked"},
    "members": SIGNED_IN - {"blocked"},
    "friends": {"friend"},
    "private": set(),
    "c-public": set(VIEWERS) - {"banned"},
    "c-members": SIGNED_IN - {"banned"},
    "c-community": {"member"},
}
START = datetime.now(timezone.utc) + timedelta(days=2)


@pytest.fixture(scope="module")
async def town(site):
    owner = await site.user("owner")
    people = {kind: await site.user(f"v_{kind}", role={"moderator": "moderator", "staff": "staff"}.get(kind, "resident"))
              for kind in VIEWERS if kind != "anonymous"}
    await friends.request_friend(await site.ctx_for(owner), people["friend"].id)
    await friends.accept(await site.ctx_for(people["friend"]), owner.id)
    await friends.block(await site.ctx_for(owner), people["blocked"].id)
    octx = await site.ctx_for(owner)
    events, albums_ = {}, {}
    for vis in ("public", "members", "friends", "private"):
        events[vis] = await event_service.post_event(octx, title=f"event-{vis}-title", starts_at=START,
                                                     ends_at=START + timedelta(hours=2), visibility=vis)
        albums_[vis] = await albums.create_album(octx, title=f"album-{vis}-title", visibility=vis)
    for readable in ("public", "members", "community"):
        community = await Community.create(name=f"club-{readable}", readable_by=readable, creator_id=owner.id,
                                           origin="test.example")
        await Membership.create(community_id=community.id, user_id=owner.id, role="admin", origin="test.example")
        for kind, state in (("member", "active"), ("pending", "pending"), ("banned", "banned")):
            await Membership.create(community_id=community.id, user_id=people[kind].id, state=state,
                                    origin="test.example")
        key = f"c-{readable}"
        events[key] = await event_service.post_event(octx, title=f"event-{key}-title", starts_at=START,
                                                     ends_at=START + timedelta(hours=2), community_id=community.id)
        albums_[key] = await albums.create_album(octx, title=f"album-{key}-title", community_id=community.id)
    clients = {"anonymous": site.client()}
    api = {"anonymous": api_client(site, None)}
    for kind, user in people.items():
        clients[kind] = site.client()
        await clients[kind].login(user.username)
        api[kind] = api_client(site, (await create_token(await site.ctx_for(user), "table"))[1])
    owner_client = site.client()
    await owner_client.login("owner")
    return {"events": events, "albums": albums_, "clients": clients, "api": api, "owner": owner_client}


def api_client(site, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app), base_url="http://test.example",
                             headers=headers)


CASES = [(viewer, kind) for viewer in VIEWERS for kind in ALLOWED]


@pytest.mark.parametrize("viewer,kind", CASES)
async def test_event_surfaces(town, viewer, kind):
    event = town["events"][kind]
    allowed = viewer in ALLOWED[kind]
    client, api = town["clients"][viewer], town["api"][viewer]
    title = f"event-{kind}-title"
    page = await client.get(f"/events/{event.id}")
    assert page.status_code == (200 if allowed else 404)
    assert (await client.get(f"/events/{event.id}.ics")).status_code == (200 if allowed else 404)
    assert (title in (await client.get("/events")).text) == allowed
    r = await api.get(f"/api/v1/events/{event.id}")
    assert r.status_code == (200 if allowed else 404)
    assert (title in (await api.get("/api/v1/events")).text) == allowed
    calendar = (await client.get("/calendar?month=" + START.astimezone().strftime("%Y-%m"))).text
    if not allowed:
        assert title not in calendar
    # the public town calendar holds only the public non-community events
    assert (title in (await client.get("/calendar/town.ics")).text) == (kind == "public")


@pytest.mark.parametrize("viewer,kind", CASES)
async def test_album_surfaces(town, viewer, kind):
    album = town["albums"][kind]
    allowed = viewer in ALLOWED[kind]
    client, api = town["clients"][viewer], town["api"][viewer]
    title = f"album-{kind}-title"
    assert (await client.get(f"/albums/{album.id}")).status_code == (200 if allowed else 404)
    assert (title in (await client.get("/albums")).text) == allowed
    assert (await api.get(f"/api/v1/albums/{album.id}")).status_code == (200 if allowed else 404)
    assert (title in (await api.get("/api/v1/albums")).text) == allowed


async def test_owner_sees_everything(town):
    for kind in ALLOWED:
        assert (await town["owner"].get(f"/events/{town['events'][kind].id}")).status_code == 200
        assert (await town["owner"].get(f"/albums/{town['albums'][kind].id}")).status_code == 200


async def test_only_active_members_post_for_a_community(town, site):
    from sns.errors import Forbidden

    community = await Community.get(name="club-public")
    for kind in ("resident", "pending", "banned"):
        user = await site.user(f"poster_{kind}") if kind == "resident" else \
            await Membership.get(community_id=community.id, state=kind).prefetch_related("user")
        ctx = await site.ctx_for(user if kind == "resident" else user.user)
        with pytest.raises(Forbidden):
            await event_service.post_event(ctx, title="x", starts_at=START, ends_at=START, community_id=community.id)
        with pytest.raises(Forbidden):
            await albums.create_album(ctx, title="x", community_id=community.id)
    member = await Membership.get(community_id=community.id, state="active", role="member").prefetch_related("user")
    ctx = await site.ctx_for(member.user)
    event = await event_service.post_event(ctx, title="Members' meetup", starts_at=START, ends_at=START,
                                           community_id=community.id)
    assert event.community_id == community.id
    # a member adds photos to the community's album; a non-member who can read it cannot
    album = town["albums"]["c-public"]
    from fixtures import jpeg_with_gps

    assert len(await albums.add_photos(ctx, album.id, [jpeg_with_gps()])) == 1
    with pytest.raises(Forbidden):
        await albums.add_photos(await site.ctx_for(await site.user("reader")), album.id, [jpeg_with_gps()])


async def test_who_may_answer(town, site):
    from sns.errors import ServiceError
    from sns.models import User
    from sns.services import rsvps

    event = town["events"]["c-public"]
    for kind in ("resident", "member", "moderator"):
        user = await User.get(username=f"v_{kind}")
        assert (await rsvps.answer_event(await site.ctx_for(user), event.id, "maybe")).answer == "maybe"
    # whom the organizer blocked reads the community's event but does not answer it; nor do the banned
    for kind in ("blocked", "banned"):
        user = await User.get(username=f"v_{kind}")
        with pytest.raises(ServiceError):
            await rsvps.answer_event(await site.ctx_for(user), event.id, "going")
