"""My requests and logged calls, as tables: viewer x surface.

Viewers: a visitor, the resident who made the requests, another resident, staff of the inquiry's department,
staff of another department, an administrator. Surfaces: /my/requests, `GET /api/v1/me/requests`, the
inquiry's page, the departments' inbox (overdue ones), and logging a phone call for the department
(the page and `inquiries.log_inquiry`). The predicates behind them are checked as a table too.
"""

from types import SimpleNamespace

import httpx
import pytest

from sns.errors import Forbidden, Invalid
from sns.models import Inquiry
from sns.models.base import utcnow
from sns.policies import Viewer
from sns.policies.requests import can_list_my_requests, can_log_inquiry, can_log_inquiry_for
from sns.services import departments, inquiries
from sns.services.tokens import create_token

VIEWERS = ("anonymous", "owner", "resident", "dept_staff", "other_staff", "admin")
SEES_MINE = {"owner"}  # My requests and its API list the caller's own requests, nobody else's
SEES_INQUIRY = {"owner", "dept_staff", "admin"}
WORKS = {"dept_staff", "admin"}  # the inbox shows it; logging a call for its department


@pytest.fixture(scope="module")
async def table(site):
    admin = await site.user("q_admin", role="admin")
    actx = await site.ctx_for(admin)
    roads = await departments.save_department(actx, name="Roads", first_answer_days=2)
    parks = await departments.save_department(actx, name="Parks", first_answer_days=2)
    users = {"admin": admin, "owner": await site.user("q_owner"), "resident": await site.user("q_resident"),
             "dept_staff": await site.user("q_dept", role="staff"),
             "other_staff": await site.user("q_other", role="staff")}
    await departments.add_staff(actx, roads.id, "q_dept")
    await departments.add_staff(actx, parks.id, "q_other")
    inquiry = await inquiries.create_inquiry(await site.ctx_for(users["owner"]), department_id=roads.id,
                                             subject="owner-secret-subject", body="A hole in the road.")
    # a month old and never answered: overdue for the resident and the department alike
    await Inquiry.filter(id=inquiry.id).update(created_at=utcnow().replace(year=utcnow().year - 1))
    clients, api = {"anonymous": site.client()}, {"anonymous": _api(site, None)}
    for kind, user in users.items():
        clients[kind] = site.client()
        await clients[kind].login(user.username)
        api[kind] = _api(site, (await create_token(await site.ctx_for(user), "table"))[1])
    return {"inquiry": inquiry, "users": users, "clients": clients, "api": api, "roads": roads}


def _api(site, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app), base_url="http://test.example",
                             headers=headers)


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_my_requests_surfaces(table, viewer):
    client, api, inquiry = table["clients"][viewer], table["api"][viewer], table["inquiry"]
    page = await client.get("/my/requests")
    if viewer == "anonymous":
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        assert (await api.get("/api/v1/me/requests")).status_code == 401
    else:
        assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
        assert ("owner-secret-subject" in page.text) == (viewer in SEES_MINE)
        listed = (await api.get("/api/v1/me/requests")).json()["items"]
        assert [i["id"] for i in listed] == ([inquiry.id] if viewer in SEES_MINE else [])
    thread = await client.get(f"/city/{inquiry.id}")
    if viewer == "anonymous":
        assert thread.status_code == 303
    else:
        assert thread.status_code == (200 if viewer in SEES_INQUIRY else 404)
        if viewer in SEES_INQUIRY:
            assert "Overdue" in thread.text
    if viewer != "anonymous":
        inbox = await client.get("/city/inbox?overdue=1")
        if viewer in WORKS:
            assert inbox.status_code == 200 and "owner-secret-subject" in inbox.text and "Overdue" in inbox.text
        else:
            assert "owner-secret-subject" not in inbox.text


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_logging_a_call(table, viewer, site):
    client, roads = table["clients"][viewer], table["roads"]
    subject = f"call-{viewer}"
    r = await client.submit("/city/inbox/log", {"resident": "q_resident", "department": roads.id, "channel": "phone",
                                                "subject": subject, "body": "Phoned about the bus stop."})
    logged = await Inquiry.get_or_none(subject=subject)
    if viewer in WORKS:
        assert r.status_code == 303 and logged is not None and logged.channel == "phone"
        assert logged.resident_id == table["users"]["resident"].id
        assert logged.logged_by_id == table["users"][viewer].id
    else:
        assert logged is None
        expected = {"anonymous": 303, "owner": 403, "resident": 403, "other_staff": 400}[viewer]
        assert r.status_code == expected
        if viewer == "other_staff":  # refused next to the department, what was typed kept
            assert "Only this department" in r.text and "Phoned about the bus stop." in r.text


ROLES = {"resident": False, "staff": False, "moderator": False, "admin": True}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("in_department", [True, False])
@pytest.mark.parametrize("state", ["active", "suspended"])
def test_predicates(role, in_department, state):
    user = SimpleNamespace(id="u-me", role=role, state=state, deleted_at=None)
    viewer = Viewer(user=user, department_ids=frozenset({"d-roads"} if in_department else ()))
    department = SimpleNamespace(id="d-roads", deleted_at=None)
    active = state == "active"
    assert can_list_my_requests(viewer) == active
    may = active and (in_department or ROLES[role])
    assert can_log_inquiry(viewer, department) == may
    resident = SimpleNamespace(id="u-them", state="active", deleted_at=None)
    assert can_log_inquiry_for(viewer, department, resident) == may
    assert not can_log_inquiry_for(viewer, department, user)  # never for oneself
    assert not can_log_inquiry_for(viewer, department, SimpleNamespace(id="u-x", state="suspended", deleted_at=None))
    assert not can_log_inquiry(viewer, SimpleNamespace(id="d-roads", deleted_at="gone"))


def test_nobody_lists_or_logs_without_an_account():
    assert not can_list_my_requests(Viewer()) and not can_log_inquiry(Viewer(), SimpleNamespace(id="d", deleted_at=None))


async def test_the_service_refuses_what_the_page_refuses(table, site):
    other = await site.ctx_for(table["users"]["other_staff"])
    with pytest.raises(Forbidden):
        await inquiries.log_inquiry(other, "q_resident", table["roads"].id, "Sneaky", "Body", "phone")
    staff = await site.ctx_for(table["users"]["dept_staff"])
    with pytest.raises(Invalid) as refused:
        await inquiries.log_inquiry(staff, "q_dept", table["roads"].id, "Myself", "Body", "phone")
    assert refused.value.field == "resident"
    with pytest.raises(Invalid) as refused:
        await inquiries.log_inquiry(staff, "q_resident", table["roads"].id, "Mail?", "Body", "mail")
    assert refused.value.field == "channel"
