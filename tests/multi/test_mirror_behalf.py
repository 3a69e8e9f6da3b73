"""Acting on behalf, with two real `sns serve` processes on loopback (docs/mirroring.md, "Acting on behalf").

Cities A (a.test) and B (b.test) peer. A's administrator makes standby codes for A's fire chief on
/admin/standby, and with `sns mirror standby-codes` for a fire officer who is then made a resident again.
B mirrors A. While A is up, B refuses the fire chief ("sign in there"). A stops; on B the fire chief signs
in at /mirror/a.test/staff with a code (a wrong code, the same code again, and the former officer's code
fail), posts an alert and a notice for A and changes the alert's status; they are in B's copy of A at
once. The acting session opens nothing of B's own site. A starts again: within seconds A shows the alert
(with its new status) and the notice as its own, its journal carries them to B's replica, whose versions
then equal A's, A's staff log says they were posted at b.test on A's behalf, and B ends the session.
"""

from __future__ import annotations

import re

import httpx
import pytest

from browser.live import PASSWORD, POSTGRES_HALF, LiveServer, migrated_database, wait_for
from cities import replica_rows as cities_replica_rows

pytestmark = [pytest.mark.slow, POSTGRES_HALF]

DOWN_AFTER = 3
ALERT = {"kind": "fire", "title": "Forest fire above the dam", "description": "Wind from the north.",
         "instruction": "Leave the valley road.", "address": "Dam road 3", "lat": "32.51", "lon": "130.60",
         "radius_m": "800", "polygon": "", "severity": "Severe"}
NOTICE = {"title": "City hall moved to the gym", "body": "Our site is down; the counters are at the school gym."}


def _server(data, name: str) -> LiveServer:
    folder = data / name
    folder.mkdir()
    server = LiveServer(folder, migrated_database(folder))
    server.extra_env = {"SNS_ORIGIN": f"{name}.test", "SNS_MIRROR_DOWN_AFTER_SECONDS": str(DOWN_AFTER),
                        "SNS_MIRROR_PULL_SECONDS": "1", "SNS_MIRROR_TIMEOUT_SECONDS": "2"}
    server.sns("init")
    return server


def client(server: LiveServer, **options) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=15, trust_env=False, follow_redirects=False, **options)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def post_form(c: httpx.Client, page_url: str, url: str, data: dict) -> httpx.Response:
    page = c.get(page_url)
    assert page.status_code == 200, page.text[:500]
    return c.post(url, data={**data, "csrf_token": csrf_of(page.text)})


def signed_in(server: LiveServer, username: str) -> httpx.Client:
    c = client(server)
    r = post_form(c, "/login", "/login", {"username": username, "password": PASSWORD})
    assert r.status_code == 303 and r.headers["location"].endswith("/home"), r.text[:500]
    return c




def replica_rows(server: LiveServer, sql: str, *args) -> list[tuple]:
    return cities_replica_rows(server, "a.test", sql, *args)


@pytest.fixture(scope="module")
def cities(tmp_path_factory):
    data = tmp_path_factory.mktemp("behalf")
    a, b = _server(data, "a"), _server(data, "b")
    for name, role in (("admin", "admin"), ("firechief", "fire"), ("exofficer", "fire"), ("hanako", "resident")):
        a.create_user(name, role)
    b.create_user("badmin", "admin")
    try:
        a.start()
        b.start()
        fa = a.sns("mirror", "fingerprint").splitlines()[0].strip()
        fb = b.sns("mirror", "fingerprint").splitlines()[0].strip()
        a.sns("mirror", "add", b.url, "--fingerprint", fb)
        b.sns("mirror", "add", a.url, "--fingerprint", fa)
        yield a, b
    finally:
        a.stop()
        b.stop()


def test_standby_codes_are_only_for_acting_staff(cities):
    a, _ = cities
    done = a.sns("mirror", "standby-codes", "exofficer", "--count", "3")
    assert len(re.findall(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$", done, re.M)) == 3
    with pytest.raises(AssertionError, match="Standby codes are for"):
        a.sns("mirror", "standby-codes", "hanako")


def test_acting_for_a_fallen_city(cities):
    a, b = cities
    admin = signed_in(a, "admin")
    made = post_form(admin, "/admin/standby", "/admin/standby", {"username": "firechief", "count": "10",
                                                                  "action": "make"})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    codes = re.findall(r"<code>([0-9A-Z-]{19})</code>", made.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    ex_code = a.sns("mirror", "standby-codes", "exofficer", "--count", "2").splitlines()[0].strip()
    # the former officer is a resident again before the disaster: the role travels, the code stops working
    users = admin.get("/admin/users").text
    ex_id = re.search(r'@exofficer .*?action="/admin/users/([0-9a-f-]{36})"', users, re.S)
    r = post_form(admin, "/admin/users", f"/admin/users/{ex_id.group(1)}", {"action": "role", "role": "resident"})
    assert r.status_code == 303

    # B mirrors A: firechief's ten codes (hashes only) and exofficer's new role
    wait_for(lambda: replica_rows(b, "SELECT count(*) FROM standby_codes s JOIN users u ON u.id = s.user_id "
                                     "WHERE u.username = 'firechief' AND s.deleted_at IS NULL")[0][0] == 10
             and replica_rows(b, "SELECT role FROM users WHERE username = 'exofficer'") == [("resident",)],
             "B holds A's standby codes and roles")
    assert not any(code.replace("-", "") in str(replica_rows(b, "SELECT * FROM standby_codes")) for code in codes)

    staff = client(b)
    # while A is up, B sends its staff there
    up = post_form(staff, "/mirror/a.test/staff", "/mirror/a.test/staff", {"username": "firechief", "code": codes[0]})
    assert up.status_code == 409 and "is up: sign in there" in up.text

    a.stop()
    wait_for(lambda: 'name="code"' in staff.get("/mirror/a.test/staff").text, "B offers the sign-in once A is down")

    wrong = post_form(staff, "/mirror/a.test/staff", "/mirror/a.test/staff",
                      {"username": "firechief", "code": "0000-0000-0000-0000"})
    assert wrong.status_code == 400 and "do not match an unused code" in wrong.text
    former = post_form(staff, "/mirror/a.test/staff", "/mirror/a.test/staff", {"username": "exofficer",
                                                                               "code": ex_code})
    assert former.status_code == 400
    ok = post_form(staff, "/mirror/a.test/staff", "/mirror/a.test/staff",
                   {"username": "FireChief", "code": codes[0].lower().replace("-", " ")})
    assert ok.status_code == 303, ok.text[:1000]
    cookie = ok.headers["set-cookie"]
    assert "sns_acting=" in cookie and "Path=/mirror/a.test/staff" in cookie and "HttpOnly" in cookie
    again = post_form(client(b), "/mirror/a.test/staff", "/mirror/a.test/staff", {"username": "firechief",
                                                                                  "code": codes[0]})
    assert again.status_code == 400, "a code works once"

    home = staff.get("/mirror/a.test/staff")
    assert "Acting for" in home.text and "Firechief" in home.text

    # the acting session is nothing on B's own site, even sent where its cookie never goes
    token = staff.cookies.get("sns_acting")
    for cookie_name in ("sns_acting", "sns_session"):
        stranger = client(b, cookies={cookie_name: token})
        assert stranger.get("/admin/users").status_code in (303, 403)
        assert stranger.get("/home").status_code == 303
        assert stranger.get("/alerts/new").status_code in (303, 403)
        assert stranger.get("/admin/standby").status_code in (303, 403)
    # and B's own administrator cannot act for A
    badmin = signed_in(b, "badmin")
    assert 'name="code"' in badmin.get("/mirror/a.test/staff/alerts/new").text

    posted = post_form(staff, "/mirror/a.test/staff/alerts/new", "/mirror/a.test/staff/alerts/new",
                       {**ALERT, "client_token": "t1"})
    assert posted.status_code == 303, posted.text[:2000]
    bad = post_form(staff, "/mirror/a.test/staff/alerts/new", "/mirror/a.test/staff/alerts/new",
                    {**ALERT, "title": "", "client_token": "t2"})
    assert bad.status_code == 400 and "Dam road 3" in bad.text, "a refused form keeps what was typed"
    noticed = post_form(staff, "/mirror/a.test/staff/notices/new", "/mirror/a.test/staff/notices/new", NOTICE)
    assert noticed.status_code == 303, noticed.text[:2000]

    rows = replica_rows(b, "SELECT id, origin, version, posted_via, status FROM alerts WHERE title = ?",
                        ALERT["title"])
    assert len(rows) == 1 and rows[0][1:] == ("a.test", 1, "b.test", "outbreak")
    alert_id = rows[0][0]
    page = staff.get("/mirror/a.test/staff")
    assert ALERT["title"] in page.text
    changed = staff.post(f"/mirror/a.test/staff/alerts/{alert_id}/status",
                         data={"status": "under_control", "note": "Contained at the ridge.",
                               "csrf_token": csrf_of(page.text)})
    assert changed.status_code == 303
    assert replica_rows(b, "SELECT status, version FROM alerts WHERE id = ?", alert_id) == [("under_control", 2)]
    behalf = replica_rows(b, "SELECT kind, seq FROM journal WHERE origin = 'b.test' ORDER BY seq")
    assert [k for k, _ in behalf] == ["standby_code", "alert", "alert_update", "notice", "alert_update", "alert"]
    assert [s for _, s in behalf] == [1, 2, 3, 4, 5, 6]

    # A returns and adopts what was posted for it
    a.start()
    visitor = client(a)
    wait_for(lambda: ALERT["title"] in visitor.get("/alerts").text, "A shows the alert posted on its behalf")
    page = visitor.get(f"/alerts/{alert_id}")
    assert page.status_code == 200 and "Under control" in page.text and "Contained at the ridge." in page.text
    assert "at b.test on this city's behalf" in page.text
    wait_for(lambda: NOTICE["title"] in visitor.get("/notices").text, "A shows the notice")
    log = signed_in(a, "admin").get("/admin/standby").text
    assert "posted at b.test on our behalf: fire: " + ALERT["title"] in log
    assert "posted at b.test on our behalf: " + NOTICE["title"] in log
    assert "posted at b.test on our behalf: under_control" in log

    # A's journal carries them back: B's replica converges on A's versions
    def converged():
        alert = replica_rows(b, "SELECT version, status FROM alerts WHERE id = ?", alert_id)
        journal = replica_rows(b, "SELECT MAX(version) FROM journal WHERE origin = 'a.test' AND record_id = ?",
                               alert_id)
        return alert == [(3, "under_control")] and journal == [(3,)]
    wait_for(converged, "B's replica has A's adopted alert, version 3")
    assert replica_rows(b, "SELECT version, posted_via FROM notices WHERE title = ?", NOTICE["title"]) == \
        [(2, "b.test")]
    used = replica_rows(b, "SELECT used_on, version FROM standby_codes WHERE used_at IS NOT NULL")
    wait_for(lambda: replica_rows(b, "SELECT used_on, version FROM standby_codes WHERE used_at IS NOT NULL")
             == [("b.test", 3)], f"A marked the code used (B sees {used})")

    # A is up: the acting session is over
    over = staff.get("/mirror/a.test/staff/notices/new")
    assert "is up: sign in there" in over.text
    assert admin.get("/admin/standby").text.count("last on b.test") == 1
