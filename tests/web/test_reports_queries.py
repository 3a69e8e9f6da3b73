"""The street report pages, feed, queue and map layer run a fixed number of SQL queries whatever the
number of reports, photos, updates and followers (no N+1)."""


from fixtures import jpeg_with_gps
from sns.models import User
from sns.services import departments, report_lists
from sns.services import reports as report_service
from sns.services.shared import public_changed
from test_query_counts import count_queries


async def grow(site, category, staff, n: int, tag: str) -> str:
    """n more reports by n more residents, each with a photo, two status changes and a follower."""
    last = None
    for i in range(n):
        author = await site.user(f"{tag}{i}")
        follower = await site.user(f"{tag}f{i}")
        report = await report_service.write_report(await site.ctx_for(author), category=category.id,
                                                   title=f"{tag} report {i}", body="A hole.", lat=32.5 + i / 1000,
                                                   lon=130.6, photos=[jpeg_with_gps()])
        await report_service.follow(await site.ctx_for(follower), report.id)
        await report_service.set_status(staff, report.id, "in_progress", "Booked.")
        await report_service.set_status(staff, report.id, "received", "Waiting for parts.")
        last = report.id
    return last


async def counts(client, pages) -> dict[str, int]:
    out = {}
    for name, url in pages.items():
        public_changed()  # cold shared cache (the alert banner's list): counts do not depend on the test's pace
        with count_queries() as seen:
            r = await client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        out[name] = len(seen)
    return out


async def test_report_pages_run_a_fixed_number_of_queries(site):
    admin = await site.user("qadmin", role="admin")
    actx = await site.ctx_for(admin)
    roads = await departments.save_department(actx, name="Roads")
    await site.user("qclerk", role="staff")
    await departments.add_staff(actx, roads.id, "qclerk")
    category = await report_lists.save_category(actx, name="Pothole", department=roads.id)
    clerk = site.client()
    await clerk.login("qclerk")
    staff = await site.ctx_for(await User.get(username="qclerk"))
    report_id = await grow(site, category, staff, 2, "small")
    pages = {"list": "/reports", "report": f"/reports/{report_id}", "queue": "/reports/queue",
             "feed": "/feeds/reports.atom", "category feed": f"/feeds/reports/{category.id}.atom",
             "features": "/api/v1/map/features?bbox=130.5,32.4,130.7,32.6&layers=reports",
             "api list": "/api/v1/reports", "api report": f"/api/v1/reports/{report_id}"}
    before = await counts(clerk, pages)
    await grow(site, category, staff, 8, "large")
    after = await counts(clerk, pages)
    assert after == before, (before, after)
    # the list: 8, one more for the alert banner and one for whether disaster mode is on, on a cold
    # shared cache (none when warm)
    assert before["features"] <= 4 and before["list"] <= 10, before
