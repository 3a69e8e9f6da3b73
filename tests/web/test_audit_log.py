"""The administrators' audit log (/admin/audit), through the app: role changes, suspensions, reinstatements and
approvals, site settings, districts and the word list are written as staff do them, beside what alerts
already wrote; filtered by kind of action and by person, a page at a time; only administrators read it, and
it never shows a second factor's secret nor anything of a private post or message."""

from __future__ import annotations

import re

import pyotp
import pytest

from sns.models import StaffActionLog
from sns.services import alerts as alert_service
from sns.services import audit
from sns.services.second_factor import add_totp

CARD_RE = re.compile(r'<li class="card">.*?</li>', re.S)


@pytest.fixture(scope="module")
async def staff(site):
    people = {"admin": await site.user("chief", role="admin"), "fire": await site.user("station", role="fire"),
              "moderator": await site.user("mod", role="moderator"), "resident": await site.user("hana"),
              "pending": await site.user("newbie", state="pending")}
    admin = site.client()
    await admin.login("chief")
    return people, admin


def cards(page: str) -> list[str]:
    return CARD_RE.findall(page.split("<h1>", 1)[1])


async def test_staff_actions_on_people_and_settings_are_listed(site, staff):
    people, admin = staff
    hana, newbie = people["resident"], people["pending"]
    await admin.submit(f"/admin/users/{hana.id}", {"action": "role", "role": "moderator"})
    await admin.submit(f"/admin/users/{hana.id}", {"action": "suspend"})
    await admin.submit(f"/admin/users/{hana.id}", {"action": "reinstate"})
    await admin.submit(f"/admin/users/{newbie.id}", {"action": "approve"})
    await admin.submit("/admin/site", {"town_name": "Minato", "map_lat": "32.5", "map_lon": "130.6",
                                       "map_zoom": "13", "districts": "North\nSouth", "welcome": ""})
    await admin.submit("/admin/words", {"action": "add", "term": "scam", "severity": "3"})
    await alert_service.post_alert(await site.ctx_for(people["fire"]), kind="fire", title="Fire at the port",
                                   description="Smoke.", instruction="", address="Port 1", radius_m=300,
                                   lat="32.5", lon="130.6")
    response = await admin.get("/admin/audit")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    page = response.text
    for label in ("Changed a role", "Suspended an account", "Reinstated an account", "Approved an account",
                  "Changed the site settings", "Changed the districts", "Posted an alert"):
        assert label in page, label
    assert "resident -&gt; moderator" in page and "@hana" in page and "@chief" in page and "@station" in page
    actions = [r.action for r in await StaffActionLog.all().order_by("created_at")]
    assert actions[:4] == ["user.role", "user.suspend", "user.reinstate", "user.approve"]
    assert "words.change" in actions and "site.settings" in actions and "site.districts" in actions
    assert "Changed the word list" in page and "add: scam = 3" in page
    assert "Audit log" in (await admin.get("/admin/users")).text  # linked from the administrators' pages


async def test_filtered_by_kind_and_by_person(site, staff):
    people, admin = staff
    only_people = (await admin.get("/admin/audit?kind=user")).text
    assert "Changed a role" in only_people and "Posted an alert" not in only_people
    assert "Changed the site settings" not in only_people
    about_hana = (await admin.get("/admin/audit?person=hana")).text
    assert len(cards(about_hana)) == 3 and "Approved an account" not in about_hana
    by_station = cards((await admin.get("/admin/audit?person=station")).text)
    assert len(by_station) == 1 and "Posted an alert" in by_station[0]
    nobody = (await admin.get("/admin/audit?person=no_such_person")).text
    assert "No actions yet." in nobody
    odd = await admin.get("/admin/audit?kind=%ff%fe&person=%e3%81" + "x" * 500 + "&page=-3")  # hostile: no 500
    assert odd.status_code == 200


async def test_a_page_at_a_time(site, staff):
    people, admin = staff
    ctx = await site.ctx_for(people["admin"])
    for n in range(audit.PER_PAGE + 5):
        await audit.record(None, ctx, "user.role", "user", people["moderator"].id, f"step {n}")
    first = (await admin.get("/admin/audit?kind=user&person=mod")).text
    assert len(cards(first)) == audit.PER_PAGE and "step 54" in first and "step 4<" not in first
    assert "page=2" in first
    second = (await admin.get("/admin/audit?kind=user&person=mod&page=2")).text
    assert len(cards(second)) == 5 and "step 4<" in second and "step 0<" in second and "page=3" not in second


async def test_only_administrators_read_it(site, staff):
    people, _ = staff
    visitor = await site.client().get("/admin/audit")
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/login")
    for name in ("mod", "station", "hana"):
        client = site.client()
        await client.login(name)
        assert (await client.get("/admin/audit")).status_code == 403
        assert (await client.get("/admin/factor-resets")).status_code == 403


async def test_no_second_factor_secret_is_ever_shown(site, staff):
    people, admin = staff
    secret = pyotp.random_base32()
    await add_totp(await site.ctx_for(people["moderator"]), people["moderator"], "phone", secret,
                   pyotp.TOTP(secret).now())
    await admin.submit(f"/admin/users/{people['moderator'].username}/factor-reset",
                       {"reason": "lost phone, seen at desk"})
    for path in ("/admin/audit", "/admin/audit?kind=factor_reset", "/admin/factor-resets"):
        page = (await admin.get(path)).text
        assert secret not in page
    assert "Asked for a second-factor reset" in (await admin.get("/admin/audit?kind=factor_reset")).text


async def test_the_log_reads_in_japanese(site, staff):
    people, _ = staff
    client = site.client()
    await client.login("chief")
    await client.submit("/settings/language", {"lang": "ja", "next": "/admin/audit"})
    page = (await client.get("/admin/audit?kind=user")).text
    assert "監査ログ" in page and "役割を変更しました" in page and "操作の種類" in page
    assert "Changed a role" not in page and "Kind of action" not in page
