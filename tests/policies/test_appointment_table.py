"""The appointment table: viewer kind x action, for the rules and for the pages and API that apply them.

Everyone, visitors too, sees the counters and their free times; booking takes an account; a resident sees and
changes only their own appointments; the staff of the counter's department (and administrators) see its day
list and the appointments at it; only administrators define counters and holidays.
"""

from datetime import timedelta

import httpx
import pytest

from sns.policies import ANONYMOUS, load_viewer
from sns.policies.appointments import (
    can_book, can_change_appointment, can_manage_counters, can_see_appointment, can_staff_counter,
)
from sns.services import appointments, counters, departments, slots
from sns.services.tokens import create_token

VIEWERS = ("visitor", "owner", "resident", "desk_staff", "roads_staff", "admin")
ALLOWED = {
    "book": {"owner", "resident", "desk_staff", "roads_staff", "admin"},
    "see": {"owner", "desk_staff", "admin"},
    "change": {"owner", "desk_staff", "admin"},
    "staff_counter": {"desk_staff", "admin"},
    "manage": {"admin"},
}
ROLES = {"owner": "resident", "resident": "resident", "desk_staff": "staff", "roads_staff": "staff", "admin": "admin"}


@pytest.fixture(scope="module")
async def town(site):
    users = {kind: await site.user(f"ap{kind.replace('_', '')}", role=role) for kind, role in ROLES.items()}
    admin = await site.ctx_for(users["admin"])
    desk = await departments.save_department(admin, name="Desk")
    roads = await departments.save_department(admin, name="Roads")
    await departments.add_staff(admin, desk.id, users["desk_staff"].username)
    await departments.add_staff(admin, roads.id, users["roads_staff"].username)
    counter = await counters.save_counter(admin, department_id=desk.id, name="Window 1",
                                          hours={d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri",
                                                                             "sat", "sun")},
                                          slot_minutes=30, capacity=10, book_days_ahead=30)
    [day] = await slots.days(site.settings, counter, slots.local_today(site.settings) + timedelta(days=2), 1)
    booked = await appointments.book(await site.ctx_for(users["owner"]), counter.id, day.free[0].start)
    pages, api = {"visitor": site.client()}, {}
    api["visitor"] = httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app), base_url="http://test.example")
    for kind, user in users.items():
        pages[kind] = site.client()
        await pages[kind].login(user.username)
        _, secret = await create_token(await site.ctx_for(user), "t")
        api[kind] = httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app), base_url="http://test.example",
                                      headers={"Authorization": f"Bearer {secret}"})
    return {"users": users, "counter": counter, "booked": booked, "pages": pages, "api": api, "day": day}


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_rules(town, viewer):
    v = ANONYMOUS if viewer == "visitor" else await load_viewer(town["users"][viewer])
    a, c = town["booked"], town["counter"]
    got = {"book": can_book(v), "see": can_see_appointment(v, a, c), "change": can_change_appointment(v, a, c),
           "staff_counter": can_staff_counter(v, c), "manage": can_manage_counters(v)}
    assert got == {action: viewer in who for action, who in ALLOWED.items()}


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_pages(town, viewer):
    page, c, a = town["pages"][viewer], town["counter"], town["booked"]
    for path in ("/counters", f"/counters/{c.id}"):
        r = await page.get(path)
        assert r.status_code == 200 and "Window 1" in r.text, (viewer, path)
    refused = 303 if viewer == "visitor" else 403  # visitors are sent to sign in
    r = await page.get(f"/appointments/{a.id}")
    assert r.status_code == (200 if viewer in ALLOWED["see"] else 303 if viewer == "visitor" else 404), viewer
    r = await page.get(f"/appointments/{a.id}.ics")
    assert r.status_code == (200 if viewer in ALLOWED["see"] else 303 if viewer == "visitor" else 404), viewer
    r = await page.get(f"/city/counters/{c.id}/day")
    assert r.status_code == (200 if viewer in ALLOWED["staff_counter"] else refused), viewer
    for path in (f"/admin/counters/{c.id}", "/admin/holidays"):
        r = await page.get(path)
        assert r.status_code == (200 if viewer in ALLOWED["manage"] else refused), (viewer, path)
    if viewer == "visitor":
        return
    r = await page.submit(f"/city/appointments/{a.id}/mark", {"state": "no_show"})
    # staff of another department are not told the appointment exists; residents may not use staff pages
    assert r.status_code == (303 if viewer in ALLOWED["staff_counter"] else 404 if viewer == "roads_staff"
                             else 403), viewer
    r = await page.submit("/admin/holidays", {"day": "2031-01-01", "name": "x"})
    assert r.status_code == (303 if viewer in ALLOWED["manage"] else 403), viewer


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_api(town, viewer):
    client, c, a = town["api"][viewer], town["counter"], town["booked"]
    assert (await client.get("/api/v1/counters")).status_code == 200
    assert (await client.get(f"/api/v1/counters/{c.id}/slots")).status_code == 200
    r = await client.get(f"/api/v1/appointments/{a.id}")
    assert r.status_code == (200 if viewer in ALLOWED["see"] else 401 if viewer == "visitor" else 404), viewer
    r = await client.post("/api/v1/appointments", json={"counter_id": c.id, "start": town["day"].free[1].start
                                                        .isoformat()})
    assert r.status_code == (201 if viewer in ALLOWED["book"] else 401), viewer
