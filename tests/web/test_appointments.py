"""Appointments at the city's counters through the app: administrators define counters and holidays, residents
see free times, book (a full slot refuses at once and keeps the note), move, cancel, add a service right
after, get a confirmation mail with an iCalendar file (a real SMTP server) and a reminder the evening
before, once, in their language; staff see the day's list, mark arrivals and book for someone who phoned;
the API answers the same."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from html import unescape
from urllib.parse import quote

import httpx
import pytest

from fixtures import make_site, smtp_server
from sns import tasks
from sns.models import StaffActionLog, User
from sns.models.counters import Appointment, Counter, SlotTaken
from sns.models.reminders import Telling
from sns.policies import load_viewer
from sns.services import appointment_mail, appointments, counters, departments, slots
from sns.services.export_kinds import appointments as exported_appointments
from sns.services.tokens import create_token

ALL_WEEK = {d: "09:00-12:00, 13:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
JUST_TAKEN = "This time was just taken; please choose another."


@pytest.fixture(scope="module")
async def town(tmp_path_factory):
    with smtp_server() as (controller, inbox):
        async with make_site(tmp_path_factory.mktemp("counters"), smtp_host="127.0.0.1",
                             smtp_port=controller.port) as site:
            admin = await site.user("admin1", role="admin")
            await site.user("clerk1", role="staff")
            await site.user("roads1", role="staff")
            people = {name: await site.user(name) for name in ("hanako", "taro", "ken", "aiko", "momo")}
            await User.filter(id=people["aiko"].id).update(locale="ja")
            admin_ctx = await site.ctx_for(admin)
            desk = await departments.save_department(admin_ctx, name="Citizens", name_ja="市民課")
            roads = await departments.save_department(admin_ctx, name="Roads")
            await departments.add_staff(admin_ctx, desk.id, "clerk1")
            await departments.add_staff(admin_ctx, roads.id, "roads1")
            registration = await counters.save_counter(
                admin_ctx, department_id=desk.id, name="Resident registration", name_ja="住民登録",
                place="City hall, 1st floor", what_to_bring="Residence card", hours=ALL_WEEK, slot_minutes=30,
                capacity=2, book_days_ahead=28)
            cards = await counters.save_counter(
                admin_ctx, department_id=desk.id, name="My Number card", place="Window 5", hours=ALL_WEEK,
                slot_minutes=15, capacity=1, book_days_ahead=28)
            pages = {}
            for name in ("admin1", "clerk1", "roads1", *people):
                pages[name] = site.client()
                await pages[name].login(name)
            yield {"site": site, "inbox": inbox, "people": people, "pages": pages, "a": registration, "b": cards,
                   "desk": desk, "admin": admin_ctx}


async def free_starts(town, counter, days_ahead: int = 2) -> list[datetime]:
    first = slots.local_today(town["site"].settings) + timedelta(days=days_ahead)
    [day] = await slots.days(town["site"].settings, counter, first, 1)
    return [s.start for s in day.free]


def form_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return unescape(match.group(1)) if match else ""


async def test_administrators_define_counters_and_bad_hours_keep_what_was_typed(town):
    admin = town["pages"]["admin1"]
    r = await admin.get("/admin/counters")
    assert r.status_code == 200 and "Resident registration" in r.text
    typed = {"department_id": town["desk"].id, "name": "Pensions", "slot_minutes": "20", "capacity": "1",
             "book_days_ahead": "14", "position": "3", "hours_mon": "9 to 5", "what_to_bring": "Pension book"}
    r = await admin.submit("/admin/counters", typed)
    assert r.status_code == 400
    assert "Write the opening hours as periods like 08:30-12:00, 13:00-17:00." in r.text
    assert 'value="9 to 5"' in r.text and "Pension book" in r.text
    r = await admin.submit("/admin/counters", {**typed, "hours_mon": "09:00-12:00,13:00-16:00"})
    assert r.status_code == 303
    counter = await Counter.get(name="Pensions")
    assert counter.hours == {"mon": [["09:00", "12:00"], ["13:00", "16:00"]]}
    assert await StaffActionLog.filter(action="counter.add", target_id=counter.id).exists()
    # staff of the department see the list but may not change a counter
    clerk = town["pages"]["clerk1"]
    assert (await clerk.get("/admin/counters")).status_code == 200
    assert (await clerk.get(f"/admin/counters/{counter.id}")).status_code == 403
    assert (await clerk.submit("/admin/counters", {**typed, "name": "Sneaky"})).status_code == 403


async def test_the_citys_holidays_close_every_counter(town):
    admin, site = town["pages"]["admin1"], town["site"]
    r = await admin.submit("/admin/holidays/import", {"lines": "2030-01-01 New Year\nnot a date\n2030-02-30 x"})
    assert r.status_code == 400 and "2, 3" in r.text and "not a date" in r.text
    closed = slots.local_today(site.settings) + timedelta(days=3)
    r = await admin.submit("/admin/holidays/import", {"lines": f"{closed.isoformat()} Founders' day\n"})
    assert r.status_code == 303
    page = await town["pages"]["hanako"].get(f"/counters/{town['a'].id}")
    section = page.text.split(f'id="day-{closed.isoformat()}"')[1].split("</section>")[0]
    assert "Closed" in section and "Founders&#39; day" in section and "/book?start=" not in section
    assert not await free_starts(town, town["a"], 3)


async def test_booking_from_the_free_times_with_a_confirmation_mail(town):
    page, site, hanako = town["pages"]["hanako"], town["site"], town["people"]["hanako"]
    r = await page.get(f"/counters/{town['a'].id}")
    assert r.status_code == 200 and r.headers["cache-control"] == "private, no-store"
    start = (await free_starts(town, town["a"]))[0]
    link = f"/counters/{town['a'].id}/book?start={quote(start.isoformat())}"
    assert link.replace("+", "%2B") in r.text or link in r.text.replace("&amp;", "&")
    r = await page.get(link)
    assert r.status_code == 200 and "Confirm your appointment" in r.text
    token = form_value(r.text, "client_token")
    data = {"start": start.isoformat(), "note": "Moving in from Kumamoto", "client_token": token}
    first = await page.submit(f"/counters/{town['a'].id}/book", data)
    again = await page.submit(f"/counters/{town['a'].id}/book", data)  # the same form sent twice: booked once
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert await Appointment.filter(resident_id=hanako.id).count() == 1
    assert (await SlotTaken.get(counter_id=town["a"].id, start=start)).taken == 1
    shown = await page.get(first.headers["location"])
    assert "Moving in from Kumamoto" in shown.text and "Residence card" in shown.text
    ics = await page.get(first.headers["location"] + ".ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VALARM" in ics.text and "TRIGGER:-P1D" in ics.text
    assert start.strftime("DTSTART:%Y%m%dT%H%M%SZ") in ics.text
    # nobody else sees it
    assert (await town["pages"]["taro"].get(first.headers["location"])).status_code == 404
    await tasks.run_once("mail", site.settings, site.app.state.site)
    [message] = [m for to, m in town["inbox"].messages if hanako.email in to]
    assert "Resident registration" in message["Subject"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar" and attachment.get_filename() == "appointment.ics"
    assert "BEGIN:VALARM" in attachment.get_content()


async def test_a_full_slot_refuses_at_once_and_keeps_the_note(town):
    site, counter = town["site"], town["a"]
    start = (await free_starts(town, counter, 4))[0]
    for name in ("taro", "ken"):  # capacity 2
        await appointments.book(await site.ctx_for(town["people"][name]), counter.id, start)
    page = town["pages"]["momo"]
    await page.get(f"/counters/{counter.id}")
    r = await page.submit(f"/counters/{counter.id}/book", {"start": start.isoformat(), "note": "My 書類 & stamp"})
    assert r.status_code == 409 and JUST_TAKEN in r.text
    assert "My 書類 &amp; stamp</textarea>" in r.text
    assert 'type="radio" name="start"' in r.text  # the day's other times to choose from
    assert start.isoformat() not in (await page.get(f"/counters/{counter.id}?from={start.date()}")).text


async def test_move_and_cancel_give_places_back(town):
    site, counter, page = town["site"], town["b"], town["pages"]["taro"]
    starts = await free_starts(town, counter, 5)
    row = await appointments.book(await site.ctx_for(town["people"]["taro"]), counter.id, starts[0])
    r = await page.get(f"/appointments/{row.id}/move?start={quote(starts[3].isoformat())}")
    assert r.status_code == 200 and "Move to this time?" in r.text
    r = await page.submit(f"/appointments/{row.id}/move", {"start": starts[3].isoformat()})
    assert r.status_code == 303
    assert (await SlotTaken.get(counter_id=counter.id, start=starts[0])).taken == 0
    assert (await SlotTaken.get(counter_id=counter.id, start=starts[3])).taken == 1
    r = await page.submit(f"/appointments/{row.id}/cancel", {"reason": "I found the papers by post"})
    assert r.status_code == 303
    shown = await page.get(f"/appointments/{row.id}")
    assert "Cancelled" in shown.text and "I found the papers by post" in shown.text
    assert (await SlotTaken.get(counter_id=counter.id, start=starts[3])).taken == 0
    assert starts[3] in await free_starts(town, counter, 5)


async def test_a_resident_is_told_when_the_city_cancels_their_appointment(town):
    site, aiko = town["site"], town["people"]["aiko"]
    start = (await free_starts(town, town["a"], 6))[1]
    row = await appointments.book(await site.ctx_for(aiko), town["a"].id, start)
    clerk = await site.ctx_for(await User.get(username="clerk1"))
    for _ in range(2):  # a second click tells nobody twice
        await appointments.cancel(clerk, row.id, "The counter is closed for repairs")
    [told] = await Telling.filter(user_id=aiko.id, key=f"appointment:{row.id}:cancelled", channel="email")
    assert "住民登録" in told.subject and "The counter is closed for repairs" in told.body, told.subject
    # a resident who cancels their own is not told of it
    own = await appointments.book(await site.ctx_for(aiko), town["a"].id, (await free_starts(town, town["a"], 6))[2])
    await appointments.cancel(await site.ctx_for(aiko), own.id, "")
    assert not await Telling.filter(key=f"appointment:{own.id}:cancelled").exists()


async def test_another_service_right_after_in_one_visit(town):
    site, page = town["site"], town["pages"]["ken"]
    start = (await free_starts(town, town["a"], 6))[2]
    first = await appointments.book(await site.ctx_for(town["people"]["ken"]), town["a"].id, start)
    r = await page.submit(f"/appointments/{first.id}/after", {"counter_id": town["b"].id, "client_token": "t-after"})
    assert r.status_code == 303
    second = await Appointment.get(resident_id=town["people"]["ken"].id, counter_id=town["b"].id)
    await first.refresh_from_db()
    assert second.start == first.end and first.visit_id == second.visit_id == first.id
    shown = await page.get(f"/appointments/{first.id}")
    assert "Your visit" in shown.text and "My Number card" in shown.text


async def test_staff_see_the_day_mark_arrivals_and_book_for_callers(town):
    site, clerk, counter = town["site"], town["pages"]["clerk1"], town["a"]
    start = (await free_starts(town, counter, 7))[0]
    row = await appointments.book(await site.ctx_for(town["people"]["hanako"]), counter.id, start, note="wheelchair")
    day = slots.local_today(site.settings) + timedelta(days=7)
    url = f"/city/counters/{counter.id}/day?date={day.isoformat()}"
    r = await clerk.get(url)
    assert r.status_code == 200 and "hanako" in r.text and "wheelchair" in r.text
    assert (await town["pages"]["roads1"].get(url)).status_code == 403
    assert (await town["pages"]["taro"].get(url)).status_code == 403
    r = await clerk.submit(f"/city/appointments/{row.id}/mark", {"state": "arrived"})
    assert r.status_code == 303 and (await Appointment.get(id=row.id)).state == "arrived"
    bad = {"start": start.isoformat(), "name": "Sato Ichiro", "phone": "call me", "date": day.isoformat()}
    r = await clerk.submit(f"/city/counters/{counter.id}/book", bad)
    assert r.status_code == 400 and "Give a phone number" in r.text and 'value="Sato Ichiro"' in r.text
    r = await clerk.submit(f"/city/counters/{counter.id}/book", {**bad, "phone": "0965-33-1111"})
    assert r.status_code == 303
    phoned = await Appointment.get(name="Sato Ichiro")
    assert phoned.resident_id is None and phoned.start == start and phoned.booked_by_id is not None
    assert (await SlotTaken.get(counter_id=counter.id, start=start)).taken == 2


async def test_the_api(town):
    site = town["site"]
    _, secret = await create_token(await site.ctx_for(town["people"]["momo"]), "t")
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app), base_url="http://test.example",
                            headers={"Authorization": f"Bearer {secret}"})
    listed = (await api.get("/api/v1/counters")).json()["items"]
    assert {c["name"] for c in listed} >= {"Resident registration", "My Number card"}
    first = (slots.local_today(site.settings) + timedelta(days=8)).isoformat()
    r = await api.get(f"/api/v1/counters/{town['b'].id}/slots", params={"from": first, "to": first})
    [day] = r.json()["days"]
    slot = day["slots"][0]
    assert slot["free"] == 1 and slot["end"] > slot["start"]
    r = await api.post("/api/v1/appointments", json={"counter_id": town["b"].id, "start": slot["start"]})
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["ics"].endswith(f"/api/v1/appointments/{made['id']}.ics")
    assert "BEGIN:VEVENT" in (await api.get(f"/api/v1/appointments/{made['id']}.ics")).text
    r = await api.post("/api/v1/appointments", json={"counter_id": town["b"].id, "start": slot["start"]})
    assert r.status_code == 409 and r.json()["error"] == JUST_TAKEN
    r = await api.get(f"/api/v1/counters/{town['b'].id}/slots", params={"from": first, "to": first})
    assert r.json()["days"][0]["slots"][0]["free"] == 0
    assert (await api.delete(f"/api/v1/appointments/{made['id']}", params={"reason": "ill"})).status_code == 204
    assert (await Appointment.get(id=made["id"])).cancel_reason == "ill"
    r = await api.get(f"/api/v1/counters/{town['b'].id}/slots", params={"from": first, "to": "2001-01-01"})
    assert r.status_code == 400
    await api.aclose()


async def test_reminded_the_evening_before_once_in_their_language(town):
    site, aiko = town["site"], town["people"]["aiko"]
    start = (await free_starts(town, town["b"], 9))[0]
    row = await appointments.book(await site.ctx_for(aiko), town["b"].id, start)
    zone = slots.zone_of(site.settings)
    evening = datetime.combine(start.astimezone(zone).date() - timedelta(days=1), time(18), tzinfo=zone)
    before = evening.astimezone(timezone.utc) - timedelta(minutes=1)
    assert await appointment_mail.remind_due(site.settings, now=before) == 0
    for _ in range(2):  # a second round (or worker) tells nobody twice
        await appointment_mail.remind_due(site.settings, now=evening.astimezone(timezone.utc))
    [told] = await Telling.filter(user_id=aiko.id, key=appointment_mail.reminder_key(row))
    assert "明日" in told.subject or "予約" in told.subject, told.subject
    # moved: reminded again for the new time
    new_start = (await free_starts(town, town["b"], 9))[2]
    await appointments.move(await site.ctx_for(aiko), row.id, new_start)
    await Appointment.filter(id=row.id).update(updated_at=evening.astimezone(timezone.utc) - timedelta(hours=2))
    await appointment_mail.remind_due(site.settings, now=evening.astimezone(timezone.utc) + timedelta(minutes=5))
    assert await Telling.filter(user_id=aiko.id, key__startswith=f"appointment:{row.id}:").count() == 2


async def test_my_appointments_are_in_my_archive(town):
    hanako = town["people"]["hanako"]
    data = await exported_appointments(await load_viewer(await User.get(id=hanako.id)))
    assert data["appointments"] and {a["counter"] for a in data["appointments"]} == {"Resident registration"}
    assert "Moving in from Kumamoto" in {a["note"] for a in data["appointments"]}
