"""Residents post events and answer them; the calendar shows what each may see."""

import asyncio
import re
from datetime import datetime, timedelta, timezone

from icalendar import Calendar

from fixtures import jpeg_with_gps

from sns.models import Event, Notification, Rsvp
from sns.services import events as event_service
from sns.services import rsvps

SOON = (datetime.now(timezone.utc) + timedelta(days=3)).astimezone()


def day(offset=3) -> str:
    from zoneinfo import ZoneInfo

    return (datetime.now(timezone.utc) + timedelta(days=offset)).astimezone(ZoneInfo("Asia/Tokyo")).date().isoformat()


def event_form(**over) -> dict:
    form = {"title": "Rice planting", "description": "Bring *boots*.", "start_date": day(), "start_time": "09:00",
            "end_date": day(), "end_time": "12:00", "place": "North paddy", "capacity": "", "visibility": "public"}
    form.update(over)
    return form


async def post(client, **over) -> str:
    r = await client.submit("/events/new", event_form(**over))
    assert r.status_code == 303, r.text
    return r.headers["location"]


async def test_post_answer_and_see_in_calendar(site):
    await site.user("olga")
    await site.user("pete")
    o, p = site.client(), site.client()
    await o.login("olga")
    await p.login("pete")
    url = await post(o)
    page = await p.get(url)
    assert page.status_code == 200 and "Rice planting" in page.text and "<em>boots</em>" in page.text
    # shown in the town's time zone, as typed; the end on the same day as a time only
    assert re.search(r'9:00[\s\u202f]AM</time> – <time datetime="[^"]+">12:00[\s\u202f]PM</time>', page.text)
    event = await Event.get(id=url.rsplit("/", 1)[1])
    assert event.starts_at.astimezone(timezone.utc).hour == 0  # 09:00 in Tokyo is 00:00 UTC
    r = await p.submit(url + "/rsvp", {"answer": "going"})
    assert r.status_code == 303
    page = await p.get(url)
    assert "You are going." in page.text
    cal = await p.get("/calendar?month=" + day()[:7])
    assert cal.status_code == 200 and "Rice planting" in cal.text
    year, month = day()[:7].split("-")
    assert f"年{int(month)}月" in (await p.get("/calendar?month=" + day()[:7], headers={"Accept-Language": "ja"})).text
    assert f"{year}</h1>" in cal.text  # "November 2026", not "2026-11"
    # the organizer hears of it and sees who answered; others see counts only
    assert await Notification.filter(kind="rsvp", url__startswith=url).exists()
    assert "Who answered" in (await o.get(url)).text
    assert "Who answered" not in (await p.get(url)).text
    # changing the answer keeps one answer
    await p.submit(url + "/rsvp", {"answer": "maybe"})
    assert await Rsvp.filter(event_id=event.id).count() == 1
    assert (await Rsvp.get(event_id=event.id)).answer == "maybe"


async def test_private_event_stays_private(site):
    await site.user("quin")
    await site.user("rosa")
    q, r_, anon = site.client(), site.client(), site.client()
    await q.login("quin")
    await r_.login("rosa")
    r = await q.submit("/events/new", event_form(title="Secret birthday", visibility="private", start_time="9:30"),
                       files={"photos": ("cake.jpg", jpeg_with_gps(), "image/jpeg")})
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    page = await q.get(url)
    assert page.status_code == 200 and "9:30" in page.text
    photo = page.text.split('src="/photos/')[1].split('"')[0]
    assert (await q.get("/photos/" + photo)).status_code == 200
    for who in (r_, anon):
        assert (await who.get("/photos/" + photo)).status_code == 404
    for who in (r_, anon):
        assert (await who.get(url)).status_code == 404
        assert (await who.get(url + ".ics")).status_code == 404
        assert "Secret birthday" not in (await who.get("/events")).text
        assert "Secret birthday" not in (await who.get("/calendar?month=" + day()[:7])).text
    assert (await r_.submit(url + "/rsvp", {"answer": "going"})).status_code == 404
    assert "Secret birthday" not in (await anon.get("/calendar/town.ics")).text
    members = await post(q, title="Residents picnic", visibility="members")
    assert (await anon.get(members)).status_code == 404
    assert (await r_.get(members)).status_code == 200


async def test_bad_input_keeps_the_form(site):
    await site.user("sam")
    s = site.client()
    await s.login("sam")
    cases = [
        ({"end_date": day(2)}, "cannot end before it starts"),
        ({"start_date": "2026-13-45"}, "year-month-day"),
        ({"capacity": "0"}, "between 1 and"),
        ({"capacity": "-3"}, "between 1 and"),
        ({"capacity": "99999999999999999999"}, "between 1 and"),
        ({"capacity": "9" * 10_000}, "whole number"),
        ({"capacity": "ten"}, "whole number"),
        ({"title": "x" * 10_000}, "too long"),
        ({"place": "p" * 10_000}, "too long"),
        ({"visibility": "everyone"}, "Choose who can see this"),
        ({"lat": "91", "lon": "0"}, "between -90 and 90"),
        ({"start_time": "25:99"}, "year-month-day"),
        ({"community": "no-such-community"}, "no such community"),
    ]
    for change, message in cases:
        form = event_form(description="My carefully typed text", **change)
        r = await s.submit("/events/new", form)
        assert r.status_code == 400, (change, r.status_code)
        assert message in r.text, change
        assert "My carefully typed text" in r.text
    assert not await Event.filter(organizer__username="sam").exists()
    # a staff-only choice from a resident is refused
    r = await s.submit("/events/new", event_form(official="1"))
    assert r.status_code == 403
    assert (await s.get("/calendar?month=2026-13")).status_code == 400
    assert (await s.get("/calendar?month=" + "9" * 10_000)).status_code == 400
    assert (await s.get("/events?page=abc")).status_code == 200


async def test_capacity_waitlist_and_promotion(site):
    org = await site.user("tara")
    a, b, c = await site.user("ann1"), await site.user("ben1"), await site.user("cat1")
    t = site.client()
    await t.login("tara")
    url = await post(t, title="Pottery class", capacity="2")
    event_id = url.rsplit("/", 1)[1]
    clients = {}
    for name in ("ann1", "ben1", "cat1"):
        clients[name] = site.client()
        await clients[name].login(name)
    for name in ("ann1", "ben1"):
        assert (await clients[name].submit(url + "/rsvp", {"answer": "going"})).status_code == 303
    r = await clients["cat1"].submit(url + "/rsvp", {"answer": "going"}, follow=True)
    assert "waiting list" in r.text
    assert (await Rsvp.get(event_id=event_id, user_id=c.id)).waitlisted
    # ann stops going: cat is promoted, and told
    await clients["ann1"].submit(url + "/rsvp", {"answer": "no"})
    cat = await Rsvp.get(event_id=event_id, user_id=c.id)
    assert not cat.waitlisted and cat.answer == "going"
    assert await Notification.filter(user_id=c.id, kind="waitlist_promoted").exists()
    assert (await Event.get(id=event_id)).going_count == 2
    # organizer cancels: those who answered are told; answering is refused
    assert (await t.submit(url + "/cancel")).status_code == 303
    assert await Notification.filter(user_id=b.id, kind="event_cancelled").exists()
    r = await clients["ben1"].submit(url + "/rsvp", {"answer": "maybe"})
    assert r.status_code == 409 and "cancelled" in r.text
    assert org and a


async def test_concurrent_answers_never_exceed_capacity(site):
    organizer = await site.user("uma")
    ctx = await site.ctx_for(organizer)
    start = datetime.now(timezone.utc) + timedelta(days=5)
    event = await event_service.post_event(ctx, title="Small tea", starts_at=start, ends_at=start + timedelta(hours=1),
                                           capacity=3)
    people = [await site.user(f"guest{n}") for n in range(12)]
    ctxs = [await site.ctx_for(p) for p in people]
    results = await asyncio.gather(*(rsvps.answer_event(c, event.id, "going") for c in ctxs))
    placed = [r for r in results if not r.waitlisted]
    assert len(placed) == 3
    assert await Rsvp.filter(event_id=event.id, answer="going", waitlisted=False).count() == 3
    assert (await Event.get(id=event.id)).going_count == 3
    # the placed ones leave while others join, all at once: places go to the waiting list in order
    first_waiting = [r.user_id for r in await Rsvp.filter(event_id=event.id, waitlisted=True)
                     .order_by("answered_at", "id")][:3]
    late = [await site.ctx_for(await site.user(f"late{n}")) for n in range(3)]
    leaving = [c for c, r in zip(ctxs, results) if not r.waitlisted]
    await asyncio.gather(*(rsvps.answer_event(c, event.id, "no") for c in leaving),
                         *(rsvps.answer_event(c, event.id, "going") for c in late))
    placed = await Rsvp.filter(event_id=event.id, answer="going", waitlisted=False).values_list("user_id", flat=True)
    assert sorted(placed) == sorted(first_waiting)
    assert await Rsvp.filter(event_id=event.id, answer="going", waitlisted=True).count() == 9
    assert (await Event.get(id=event.id)).going_count == 3


async def test_ics_files_parse_and_do_not_leak(site):
    vera = await site.user("vera")
    await site.user("walt")
    v, w, anon = site.client(), site.client(), site.client()
    await v.login("vera")
    await w.login("walt")
    public = await post(v, title="Town cleanup; bring gloves, bags\\tools", description="Line one\nLine two " + "and more " * 20)
    private = await post(v, title="Vera private dentist", visibility="private")
    await post(w, title="Walt friends dinner", visibility="friends")
    town = await anon.get("/calendar/town.ics")
    assert town.status_code == 200 and town.headers["content-type"].startswith("text/calendar")
    assert all(len(line) <= 75 for line in town.content.split(b"\r\n"))
    assert b"Town cleanup\\; bring gloves\\, bags\\\\tools" in town.content.replace(b"\r\n ", b"")
    cal = Calendar.from_ical(town.content)
    items = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert "Town cleanup; bring gloves, bags\\tools" in items
    assert "Vera private dentist" not in items and "Walt friends dinner" not in items
    ev = items["Town cleanup; bring gloves, bags\\tools"]
    assert str(ev["uid"]) == public.rsplit("/", 1)[1] + "@test.example"
    assert ev.decoded("dtstart").tzinfo is not None and ev.decoded("dtstart").utcoffset() == timedelta(0)
    assert "Line one\nLine two" in str(ev["description"])
    assert "dtstamp" in ev
    # one event's file
    one = Calendar.from_ical((await anon.get(public + ".ics")).content)
    assert [str(e["summary"]) for e in one.walk("VEVENT")] == ["Town cleanup; bring gloves, bags\\tools"]
    # a personal feed: made on the calendar page, shows my private event, not another's; revocable
    r = await v.submit("/calendar/feeds")
    assert r.status_code == 200
    feed_url = r.text.split('<code class="secret">')[1].split("<")[0].replace("http://test.example", "")
    mine = Calendar.from_ical((await anon.get(feed_url)).content)
    titles = {str(e["summary"]) for e in mine.walk("VEVENT")}
    assert "Vera private dentist" in titles and "Walt friends dinner" not in titles
    assert (await anon.get(feed_url.replace(".ics", "x.ics"))).status_code == 404
    feed_id = r.text.split('name="feed_id" value="')[1].split('"')[0]
    await v.submit("/calendar/feeds/revoke", {"feed_id": feed_id})
    assert (await anon.get(feed_url)).status_code == 404
    assert private and vera


async def test_held_event_and_reports_go_to_the_moderators(site):
    from sns.models import Flag

    await site.user("xena")
    await site.user("yann")
    mod = await site.user("modo", role="moderator")
    x, y, m = site.client(), site.client(), site.client()
    await x.login("xena")
    await y.login("yann")
    await m.login("modo")
    r = await x.submit("/events/new", event_form(title="Market", description="What a fucking mess at the station"))
    assert r.status_code == 303 and "quick check" in (await x.get(r.headers["location"])).text
    held = r.headers["location"]
    assert (await y.get(held)).status_code == 404
    assert "Market" not in (await y.get("/events")).text
    queue = await m.get("/moderation")
    assert "Market" in queue.text and held in queue.text
    # a resident reports a published event from its page
    url = await post(x, title="Quiet concert")
    page = await y.get(url)
    assert f'action="{url}/report"' in page.text
    r = await y.submit(url + "/report", {"reason": "Looks like spam"})
    assert r.status_code == 303
    assert await Flag.filter(kind="event", target_id=url.rsplit("/", 1)[1], reason="report").exists()
    assert mod
