"""My requests through the pages and the API: administrators set the answer times, a resident sees every
inquiry, street report and appointment of theirs with the time promised, overdue ones are marked for them
as for staff (the inbox filters them), staff log a phone call for a resident, and My page lists what is open."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from sns.models import Appointment, ClosedDay, Counter, Department, Inquiry
from sns.models.base import utcnow
from sns.services import report_lists
from sns.services import reports as report_service
from sns.services.tokens import create_token


@pytest.fixture(scope="module")
async def town(site):
    people = {"admin": await site.user("rq_admin", role="admin"), "roadie": await site.user("rq_roadie", role="staff"),
              "mika": await site.user("rq_mika"), "other": await site.user("rq_other")}
    admin = await _client(site, "rq_admin")
    r = await admin.submit("/admin/departments", {"name": "Roads", "name_ja": "道路課", "position": "1",
                                                  "first_answer_days": "3", "close_days": "10"})
    assert r.status_code == 303, r.text
    roads = await Department.get(name="Roads")
    assert (roads.first_answer_days, roads.close_days) == (3, 10)
    assert (await admin.submit(f"/admin/departments/{roads.id}/staff", {"username": "rq_roadie"})).status_code == 303
    category = await report_lists.save_category(await site.ctx_for(people["admin"]), name="Pothole",
                                                department=roads.id)
    counter = await Counter.create(department_id=roads.id, name="Road permits, window 2",
                                   hours={"mon": [["09:00", "12:00"]]})
    return {"people": people, "roads": roads, "category": category, "counter": counter,
            "mika": await _client(site, "rq_mika"), "roadie": await _client(site, "rq_roadie"),
            "admin": admin, "other": await _client(site, "rq_other")}


async def _client(site, username):
    client = site.client()
    await client.login(username)
    return client


def _api(site, token):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app), base_url="http://test.example",
                             headers={"Authorization": f"Bearer {token}"})


async def _write(client, department, subject):
    r = await client.submit("/city/new", {"department": department.id, "subject": subject,
                                          "body": "A deep hole by the post office."})
    assert r.status_code == 303, r.text
    return r.headers["location"].rsplit("/", 1)[1]


async def test_administrators_set_the_answer_times(town):
    admin, roads = town["admin"], town["roads"]
    form = {"name": "Roads", "name_ja": "道路課", "position": "1", "active": "1", "first_answer_days": "three",
            "close_days": "10"}
    r = await admin.submit(f"/admin/departments/{roads.id}", form)
    assert r.status_code == 400 and "Give a number of working days" in r.text and 'value="three"' in r.text
    assert (await admin.submit(f"/admin/departments/{roads.id}", {**form, "first_answer_days": "999"})).status_code \
        == 400
    assert (await Department.get(id=roads.id)).first_answer_days == 3
    page = await admin.get("/admin/departments")
    assert 'name="first_answer_days" value="3"' in page.text and 'name="close_days" value="10"' in page.text
    refused = await town["roadie"].submit(f"/admin/departments/{roads.id}", {**form, "first_answer_days": "1"})
    assert refused.status_code == 403


async def test_every_request_of_mine_in_one_list(site, town):
    mika, roads = town["mika"], town["roads"]
    inquiry_id = await _write(mika, roads, "Hole by the post office")
    report = await report_service.write_report(await site.ctx_for(town["people"]["mika"]),
                                               category=town["category"].id, title="Broken street light",
                                               body="Dark at night.", lat=32.5, lon=130.6)
    start = utcnow().replace(microsecond=0) + timedelta(days=3)
    await Appointment.create(counter_id=town["counter"].id, resident_id=town["people"]["mika"].id, start=start,
                             end=start + timedelta(minutes=15))
    page = await mika.get("/my/requests")
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    text = page.text
    for words in ("Hole by the post office", "Broken street light", "Road permits, window 2", "Inquiry",
                  "Street report", "Appointment", "First answer within 3 working days",
                  "Closed within 10 working days"):
        assert words in text, words
    assert f'href="/city/{inquiry_id}"' in text and f'href="/reports/{report.id}"' in text
    assert "Overdue" not in text
    # newest activity first: the appointment was made last
    assert text.index("Road permits") < text.index("Broken street light") < text.index("Hole by the post office")
    # the report's page shows the same promise to its author
    assert "First answer within 3 working days" in (await mika.get(f"/reports/{report.id}")).text
    # nobody else sees any of it
    other = (await town["other"].get("/my/requests")).text
    assert "Hole by the post office" not in other and "Broken street light" not in other


async def test_overdue_for_the_resident_and_for_staff(site, town):
    mika, roadie, roads = town["mika"], town["roadie"], town["roads"]
    late = await _write(mika, roads, "Flooded underpass")
    fresh = await _write(mika, roads, "Faded crossing")
    await Inquiry.filter(id=late).update(created_at=utcnow() - timedelta(days=30))
    mine = (await mika.get("/my/requests")).text
    assert mine.count("overdue-mark") == 1
    assert "Overdue" in (await mika.get(f"/city/{late}")).text
    assert "Overdue" not in (await mika.get(f"/city/{fresh}")).text
    inbox = (await roadie.get("/city/inbox?overdue=1")).text
    assert "Flooded underpass" in inbox and "Faded crossing" not in inbox and "Overdue" in inbox
    assert "Faded crossing" in (await roadie.get("/city/inbox")).text
    staff_api = _api(site, (await create_token(await site.ctx_for(town["people"]["roadie"]), "t"))[1])
    listed = (await staff_api.get("/api/v1/city/inbox?overdue=true")).json()["items"]
    assert [i["id"] for i in listed] == [late]
    # answered, but a month old: the closing time (10 working days) has passed too
    r = await roadie.submit(f"/city/{late}/reply", {"body": "We are on it.", "status": "in_progress"})
    assert r.status_code == 303
    assert "Overdue" in (await mika.get(f"/city/{late}")).text
    assert (await roadie.submit(f"/city/{late}/status", {"status": "closed", "note": ""})).status_code == 303
    assert "Overdue" not in (await mika.get(f"/city/{late}")).text
    assert "Flooded underpass" not in (await roadie.get("/city/inbox?overdue=1")).text


async def test_the_citys_holidays_move_the_due_date(site, town):
    before = await _api(site, (await create_token(await site.ctx_for(town["people"]["mika"]), "t"))[1]).get(
        "/api/v1/me/requests")
    due = {i["id"]: i["first_answer_due"] for i in before.json()["items"] if i["kind"] == "inquiry"}
    today = utcnow().date()
    await ClosedDay.bulk_create([ClosedDay(day=today + timedelta(days=d), name="Holiday") for d in range(1, 8)])
    try:
        after = await _api(site, (await create_token(await site.ctx_for(town["people"]["mika"]), "t"))[1]).get(
            "/api/v1/me/requests")
        moved = {i["id"]: i["first_answer_due"] for i in after.json()["items"] if i["kind"] == "inquiry"}
        fresh = max(due)  # the newest inquiry: a week of holidays pushes its answer time back
        assert moved[fresh] > due[fresh]
    finally:
        await ClosedDay.filter(name="Holiday").delete()


async def test_the_api_lists_mine_with_targets(site, town):
    api = _api(site, (await create_token(await site.ctx_for(town["people"]["mika"]), "t"))[1])
    r = await api.get("/api/v1/me/requests")
    assert r.status_code == 200
    items = r.json()["items"]
    kinds = {i["kind"] for i in items}
    assert kinds == {"inquiry", "report", "appointment"}
    inquiry = next(i for i in items if i["subject"] == "Hole by the post office")
    assert set(inquiry) >= {"kind", "id", "subject", "status", "department", "created_at", "last_activity_at",
                            "first_answer_due", "close_due", "overdue", "url"}
    assert inquiry["department"] == "Roads" and inquiry["first_answer_due"] and inquiry["overdue"] is False
    assert inquiry["url"].endswith(f"/city/{inquiry['id']}")
    appointment = next(i for i in items if i["kind"] == "appointment")
    assert appointment["first_answer_due"] is None and appointment["url"].endswith(f"/appointments/{appointment['id']}")
    other = _api(site, (await create_token(await site.ctx_for(town["people"]["other"]), "t"))[1])
    assert (await other.get("/api/v1/me/requests")).json() == {"items": [], "next": None}
    assert (await api.get("/api/v1/me/requests?page=0")).status_code == 400


async def test_pages_of_requests(site, town):
    me = await site.user("rq_busy")
    o = site.settings.origin
    await Inquiry.bulk_create([Inquiry(department_id=town["roads"].id, resident_id=me.id, subject=f"Ask {n:02d}",
                                       last_activity_at=utcnow() - timedelta(minutes=n), origin=o)
                               for n in range(25)])
    client = await _client(site, "rq_busy")
    first = (await client.get("/my/requests")).text
    assert "Ask 00" in first and "Ask 19" in first and "Ask 20" not in first and "page=2" in first
    second = (await client.get("/my/requests?page=2")).text
    assert "Ask 20" in second and "Ask 24" in second and "Ask 00" not in second
    assert (await client.get("/my/requests?page=abc")).status_code == 200
    assert "Ask 00" not in (await client.get("/my/requests?page=9999")).text


async def test_staff_log_a_phone_call_the_resident_follows(site, town):
    roadie, mika, roads = town["roadie"], town["mika"], town["roads"]
    form = {"resident": "nobody_here", "department": roads.id, "channel": "phone", "subject": "Bus stop sign",
            "body": "Mrs Mika phoned: the sign at the bus stop is bent."}
    r = await roadie.submit("/city/inbox/log", form)
    assert r.status_code == 400 and "Give the username of an active resident" in r.text
    assert "the sign at the bus stop is bent" in r.text and 'value="Bus stop sign"' in r.text
    r = await roadie.submit("/city/inbox/log", {**form, "resident": "rq_mika", "channel": "fax"})
    assert r.status_code == 400 and "Choose how the resident reached you" in r.text
    r = await roadie.submit("/city/inbox/log", {**form, "resident": "rq_mika"})
    assert r.status_code == 303
    logged = await Inquiry.get(subject="Bus stop sign")
    assert logged.channel == "phone" and logged.resident_id == town["people"]["mika"].id
    mine = (await mika.get("/my/requests")).text
    assert "Bus stop sign" in mine and "Logged by the city from a phone call" in mine
    thread = await mika.get(f"/city/{logged.id}")
    assert thread.status_code == 200 and "the sign at the bus stop is bent" in thread.text
    assert "Logged by the city from a phone call" in thread.text
    assert (await mika.submit(f"/city/{logged.id}/reply", {"body": "Thank you, it is the one by the school."})
            ).status_code == 303
    assert "Bus stop sign" in (await roadie.get("/city/inbox")).text
    assert (await mika.get("/city/inbox/log")).status_code == 403


async def test_my_page_lists_what_is_open_each_time_it_is_sent(site, town):
    mika, roadie = town["mika"], town["roadie"]
    first = (await mika.get("/home")).text
    assert "My open requests" in first and "Bus stop sign" in first and 'href="/my/requests"' in first
    logged = await Inquiry.get(subject="Bus stop sign")
    assert (await roadie.submit(f"/city/{logged.id}/status", {"status": "closed", "note": ""})).status_code == 303
    again = (await mika.get("/home")).text  # the page is kept for its reader; this part is made again
    assert "My open requests" in again and "Bus stop sign" not in again
    assert "Road permits, window 2" in again  # a coming appointment is open
