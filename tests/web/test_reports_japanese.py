"""The street report pages are all Japanese for a Japanese reader (visitor, resident, staff, admin)."""

import importlib.util
from pathlib import Path

import pytest

from sns.services import departments, report_lists
from sns.services import reports as report_service

_spec = importlib.util.spec_from_file_location("i18n_helpers", Path(__file__).parents[1] / "unit" / "test_i18n.py")
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)


@pytest.fixture(scope="module")
async def town(site):
    admin = await site.user("kanri", role="admin")
    actx = await site.ctx_for(admin)
    roads = await departments.save_department(actx, name="Roads", name_ja="道路課")
    await departments.add_staff(actx, roads.id, "kanri")
    category = await report_lists.save_category(actx, name="Pothole", name_ja="道路の穴", department=roads.id)
    resident = await site.user("hanako")
    report = await report_service.write_report(await site.ctx_for(resident), category=category.id, title="穴があります",
                                               body="郵便局の前です。", lat=32.5073, lon=130.6016)
    await report_service.set_status(actx, report.id, "in_progress", "来週直します。")
    return {"report": report, "category": category}


async def test_report_pages_are_japanese(site, town):
    fragments = helpers.english_fragments()
    visitor = helpers.ja_client(site)
    report_id = town["report"].id
    for path in ("/reports", f"/reports/{report_id}", f"/reports?category={town['category'].id}"):
        await helpers._assert_japanese(visitor, path, fragments)
    admin = helpers.ja_client(site)
    await admin.login("kanri")
    for path in ("/reports", f"/reports/{report_id}", "/reports/queue", "/reports/queue?status=closed",
                 "/admin/report-categories"):
        await helpers._assert_japanese(admin, path, fragments)
    resident = helpers.ja_client(site)
    await resident.login("hanako")
    await helpers._assert_japanese(resident, "/reports?mine=1", fragments)
    await helpers._assert_japanese(resident, "/notifications", fragments)
    await helpers._assert_japanese(resident, "/reports/new", fragments)
    bad = await resident.submit("/reports/new", {"category": town["category"].id, "title": "穴", "body": "深い"})
    assert bad.status_code == 400 and "場所を示してください" in bad.text
    feed = await visitor.get("/feeds/reports.atom")
    assert "まちかど通報" in feed.text and "対応中" in feed.text
