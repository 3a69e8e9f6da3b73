"""The street reports table: viewer x state of the report x surface, and who may work, edit or follow.

Viewers: anonymous, a resident (stranger), the author, staff of the report's department, staff of
another department, a moderator, an administrator. Reports: published, held by the word filter,
removed by a moderator. Surfaces: the page, its photo, the list, the Atom feed, the map features,
the JSON API (detail and list).
"""

import httpx
import pytest

from fixtures import jpeg_with_gps
from sns.models import Photo, StreetReport
from sns.models.base import utcnow
from sns.policies import can_edit_report, can_follow_report, can_view_report, can_work_report, load_viewer
from sns.services import departments, report_lists
from sns.services import reports as report_service
from sns.services.tokens import create_token

VIEWERS = ("anonymous", "resident", "author", "dept_staff", "other_staff", "moderator", "admin")
ALLOWED = {
    "published": set(VIEWERS),
    "held": {"author", "moderator", "admin"},
    "removed": set(),
}
MAY_WORK = {"published": {"dept_staff", "admin"}, "held": set(), "removed": set()}
BBOX = "130.5,32.4,130.7,32.6"


@pytest.fixture(scope="module")
async def table(site):
    admin = await site.user("t_admin", role="admin")
    actx = await site.ctx_for(admin)
    roads = await departments.save_department(actx, name="Roads")
    parks = await departments.save_department(actx, name="Parks")
    users = {"admin": admin, "author": await site.user("t_author"), "resident": await site.user("t_resident"),
             "dept_staff": await site.user("t_dept", role="staff"),
             "other_staff": await site.user("t_other", role="staff"),
             "moderator": await site.user("t_mod", role="moderator")}
    await departments.add_staff(actx, roads.id, "t_dept")
    await departments.add_staff(actx, parks.id, "t_other")
    category = await report_lists.save_category(actx, name="Pothole", department=roads.id)
    actx_author = await site.ctx_for(users["author"])
    reports = {}
    for state in ALLOWED:
        body = "What a fucking mess here" if state == "held" else "A hole in the road"
        report = await report_service.write_report(actx_author, category=category.id, title=f"report-{state}-title",
                                                   body=body, lat=32.5 + len(reports) / 100, lon=130.6,
                                                   photos=[jpeg_with_gps()])
        if state == "removed":
            await StreetReport.filter(id=report.id).update(state="removed", deleted_at=utcnow())
        reports[state] = await StreetReport.get(id=report.id)
    assert reports["held"].state == "held"
    clients, api = {"anonymous": site.client()}, {"anonymous": _api(site, None)}
    for kind, user in users.items():
        clients[kind] = site.client()
        await clients[kind].login(user.username)
        api[kind] = _api(site, (await create_token(await site.ctx_for(user), "table"))[1])
    return {"reports": reports, "users": users, "clients": clients, "api": api}


def _api(site, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app), base_url="http://test.example",
                             headers=headers)


CASES = [(viewer, state) for viewer in VIEWERS for state in ALLOWED]


@pytest.mark.parametrize("viewer,state", CASES)
async def test_report_surfaces(table, viewer, state):
    report = table["reports"][state]
    allowed = viewer in ALLOWED[state]
    client, api = table["clients"][viewer], table["api"][viewer]
    title = f"report-{state}-title"
    page = await client.get(f"/reports/{report.id}")
    assert page.status_code == (200 if allowed else 404)
    photo = await Photo.get(parent_id=report.id, purpose="report")
    assert (await client.get(f"/photos/{photo.id}.jpg")).status_code == (200 if allowed else 404)
    assert (await api.get(f"/api/v1/reports/{report.id}")).status_code == (200 if allowed else 404)
    # lists show only what is published (and the author's own held one); moderators use the queue
    in_lists = state == "published" or (state == "held" and viewer == "author")
    assert (title in (await client.get("/reports")).text) == in_lists
    assert (title in (await api.get("/api/v1/reports")).text) == in_lists
    # the feed and the map are public: published reports only
    assert (title in (await client.get("/feeds/reports.atom")).text) == (state == "published")
    features = await api.get(f"/api/v1/map/features?bbox={BBOX}&layers=reports")
    assert features.status_code == 200, features.text
    assert (title in features.text) == (state == "published")
    # the status form, only for whoever may work the report
    if allowed:
        assert (f'action="/reports/{report.id}/status"' in page.text) == (viewer in MAY_WORK[state])


@pytest.mark.parametrize("viewer,state", CASES)
async def test_report_predicates(table, viewer, state):
    report = table["reports"][state]
    user = table["users"].get(viewer)
    v = await load_viewer(user)
    assert can_view_report(v, report) == (viewer in ALLOWED[state])
    assert can_work_report(v, report) == (viewer in MAY_WORK[state])
    assert can_edit_report(v, report) == (viewer == "author" and state != "removed")
    assert can_follow_report(v, report) == (viewer != "anonymous" and viewer in ALLOWED[state])


async def test_only_department_staff_set_the_status(table, site):
    from sns.errors import Forbidden

    report = table["reports"]["published"]
    for kind in ("author", "resident", "other_staff", "moderator"):
        with pytest.raises(Forbidden):
            await report_service.set_status(await site.ctx_for(table["users"][kind]), report.id, "resolved", "x")
    await report_service.set_status(await site.ctx_for(table["users"]["dept_staff"]), report.id, "in_progress", "")
    # once the city started, the author can no longer change the report
    fresh = await StreetReport.get(id=report.id)
    assert not can_edit_report(await load_viewer(table["users"]["author"]), fresh)
