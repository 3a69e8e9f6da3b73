"""The event, calendar and album pages run a fixed number of queries whatever the data size."""

from datetime import datetime, timedelta, timezone

from fixtures import jpeg_with_gps
from sns.models import Community, Membership
from sns.services import albums, rsvps
from sns.services import events as event_service
from sns.services.shared import public_changed
from test_query_counts import count_queries

START = datetime.now(timezone.utc) + timedelta(days=1)


async def grow(site, me, n: int, tag: str) -> None:
    """n more communities I belong to, each with an event and an album with photos; n more events I answered."""
    for i in range(n):
        other = await site.user(f"{tag}{i}")
        octx = await site.ctx_for(other)
        club = await Community.create(name=f"{tag} club {i}", creator_id=other.id, origin="test.example",
                                      readable_by=("public", "members", "community")[i % 3])
        await Membership.create(community_id=club.id, user_id=other.id, role="admin", origin="test.example")
        await Membership.create(community_id=club.id, user_id=me.id, origin="test.example")
        await event_service.post_event(octx, title=f"{tag} club event {i}", starts_at=START + timedelta(hours=i),
                                       ends_at=START + timedelta(hours=i + 1), community_id=club.id)
        event = await event_service.post_event(octx, title=f"{tag} open event {i}", starts_at=START,
                                               ends_at=START + timedelta(days=2), capacity=3)
        await rsvps.answer_event(await site.ctx_for(me), event.id, "going")
        album = await albums.create_album(octx, title=f"{tag} album {i}", visibility="members")
        await albums.add_photos(octx, album.id, [jpeg_with_gps(), jpeg_with_gps("red")])


async def counts(client, pages) -> dict[str, int]:
    out = {}
    for name, url in pages.items():
        public_changed()  # cold shared cache (the alert banner's list): counts do not depend on the test's pace
        with count_queries() as seen:
            r = await client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        out[name] = len(seen)
    return out


async def test_pages_run_a_fixed_number_of_queries(site):
    me = await site.user("counter")
    client = site.client()
    await client.login("counter")
    await grow(site, me, 2, "small")
    mctx = await site.ctx_for(me)
    mine = await event_service.post_event(mctx, title="Mine", starts_at=START, ends_at=START, capacity=5)
    album = await albums.create_album(mctx, title="My album", visibility="public")
    await albums.add_photos(mctx, album.id, [jpeg_with_gps()])
    pages = {"events": "/events", "calendar": "/calendar?month=" + START.astimezone().strftime("%Y-%m"),
             "event": f"/events/{mine.id}", "albums": "/albums", "album": f"/albums/{album.id}",
             "town ics": "/calendar/town.ics"}
    before = await counts(client, pages)
    await grow(site, me, 8, "large")
    for n in range(6):  # answers to my event, which I see listed
        await rsvps.answer_event(await site.ctx_for(await site.user(f"guest{n}")), mine.id, "going")
    await albums.add_photos(mctx, album.id, [jpeg_with_gps("blue"), jpeg_with_gps("green")])
    after = await counts(client, pages)
    assert after == before, (before, after)
    assert "large club event 7" in (await client.get(pages["calendar"])).text
    assert max(after.values()) <= 14, after
