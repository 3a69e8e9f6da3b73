"""The staff dashboard (/city/dashboard): figures computed from rows made through the services (answer times
and their medians, the share on time against working-day targets with a city holiday in between, months in
the site's time zone, active residents counted by the job in aggregate and shown as "fewer than 5" when few),
who sees which department's figures, CSV downloads that match the page's tables, and charts that are SVG
images with a title and a description and no script. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from sns import tasks
from sns.models import (
    Appointment, ClosedDay, Counter, Department, District, Flag, Inquiry, ReportUpdate, StreetReport, User,
    WeeklyActivity,
)
from sns.models.base import utcnow
from sns.services import (
    dashboard, dashboard_periods, dashboard_site, departments, inquiries, report_lists, reports,
)

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 4, 15, 3, 0, tzinfo=timezone.utc)


def jst(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO).astimezone(timezone.utc)


@pytest.fixture(scope="module")
async def town(site):
    admin = await site.user("dashadmin", role="admin")
    people = {name: await site.user(name, role=role) for name, role in (
        ("roadie", "staff"), ("carer", "staff"), ("loner", "staff"), ("mika", "resident"), ("mod", "moderator"))}
    admin_ctx = await site.ctx_for(admin)
    roads = await departments.save_department(admin_ctx, name="Roads", name_ja="道路課", position="1")
    welfare = await departments.save_department(admin_ctx, name="Welfare", name_ja="福祉課", position="2")
    await departments.add_staff(admin_ctx, roads.id, "roadie")
    await departments.add_staff(admin_ctx, welfare.id, "carer")
    await Department.filter(id=roads.id).update(first_answer_days=2, close_days=5)
    await ClosedDay.create(day=date(2026, 3, 20), name="Vernal Equinox Day")  # a Friday, a city holiday
    mika, roadie = await site.ctx_for(people["mika"]), await site.ctx_for(people["roadie"])

    async def inquiry(subject, created, answered=None, closed=None, channel="web", department=roads):
        made = await inquiries.create_inquiry(mika, department_id=department.id, subject=subject, body="Please.")
        if answered:
            await inquiries.reply(roadie, made.id, "We are on it.")
        if closed:
            await inquiries.set_status(roadie, made.id, "closed")
        # the times they happened at, as the services would have stamped them then
        await Inquiry.filter(id=made.id).update(created_at=created, first_answered_at=answered, closed_at=closed,
                                                channel=channel)
        return made

    made = {
        # Wed 18 March; due 2 working days later, Monday 23 (Friday 20 is a holiday): answered on Monday, on time
        "holiday": await inquiry("Holiday week", jst(2026, 3, 18, 10), answered=jst(2026, 3, 23, 9)),
        # answered after a day; closed after 10 days, past the 5-working-day target
        "closed": await inquiry("Closed late", jst(2026, 3, 2, 10), answered=jst(2026, 3, 3, 10),
                                closed=jst(2026, 3, 12, 10)),
        # never answered: late on both targets by 15 April
        "waiting": await inquiry("Still waiting", jst(2026, 3, 4, 10), channel="phone"),
        # 00:30 on 1 April in Tokyo, 31 March in UTC: an April request
        "april": await inquiry("Just after midnight", jst(2026, 4, 1, 0, 30), answered=jst(2026, 4, 2, 0, 30)),
        "welfare": await inquiry("Care at home", jst(2026, 3, 5, 10), department=welfare),
    }
    category = await report_lists.save_category(admin_ctx, name="Potholes", department=roads.id)
    report = await reports.write_report(mika, category=category.id, title="Hole by the school", body="Deep.",
                                        lat=32.5, lon=130.6)
    await StreetReport.filter(id=report.id).update(created_at=jst(2026, 3, 9, 10))
    update = await reports.set_status(roadie, report.id, "resolved", "Filled.")
    await ReportUpdate.filter(id=update.id).update(created_at=jst(2026, 3, 10, 10))
    counter = await Counter.create(department=roads, name="Window 3")
    for state in ("booked", "arrived", "no_show", "cancelled"):
        start = jst(2026, 3, 16, 9)
        await Appointment.create(counter=counter, resident_id=people["mika"].id, start=start,
                                 end=start + timedelta(minutes=15), state=state)
    return {"people": people, "roads": roads, "welfare": welfare, "made": made, "admin": admin}


async def signed_in(site, username):
    client = site.client()
    await client.login(username)
    return client


async def test_answer_times_medians_and_on_time_share_against_working_days(site, town):
    ctx = await site.ctx_for(town["admin"])
    months = dashboard_periods.months(date(2026, 3, 1), date(2026, 4, 1), TOKYO)
    figures = {f.department.name: f for f in await dashboard.department_figures(ctx, months, now=NOW)}
    roads = figures["Roads"]
    march, april = roads.timing[0], roads.timing[1]
    # first answers in March: two inquiries and the street report (its first public update, after 1 day)
    assert sorted(round(d, 2) for d in march.first) == [1.0, 1.0, 4.96]
    assert dashboard.median_days(march.first) == 1.0
    # on time: the holiday week (it would be late without the holiday), the one answered next day, the report;
    # late: the one never answered
    assert march.first_judged == [3, 1] and dashboard.share(march.first_judged) == 75
    # closing (5 working days): the report in a day on time; the one closed after 10 days late, and the two still
    # open past their due day late too
    assert sorted(march.closed) == [1.0, 10.0] and dashboard.median_days(march.closed) == 5.5
    assert march.close_judged == [1, 3] and dashboard.share(march.close_judged) == 25
    assert roads.received[(0, "web")] == 2 and roads.received[(0, "phone")] == 1
    assert roads.received[(1, "web")] == 1  # the request at 00:30 on 1 April, Tokyo time
    assert roads.received[(0, "reports")] == 1
    assert april.first == [1.0] and april.first_judged == [1, 0]
    assert roads.appointments[0] == (3, 1)  # the cancelled one is not counted
    assert [o["subject"] for o in roads.oldest] == ["Still waiting", "Holiday week", "Just after midnight"]
    assert figures["Welfare"].received[(0, "web")] == 1


def test_months_and_weeks_follow_the_site_time_zone():
    months, understood = dashboard_periods.month_range("2026-02", "2026-03", NOW, TOKYO)
    assert understood and months.labels == ("2026-02", "2026-03")
    assert months.begin == datetime(2026, 1, 31, 15, tzinfo=timezone.utc)
    assert dashboard_periods.month_range("", "", NOW, TOKYO)[0].labels[-1] == "2026-04"
    assert len(dashboard_periods.month_range("", "", NOW, TOKYO)[0].labels) == 6
    wrong = dashboard_periods.month_range("2026-13", "<script>", NOW, TOKYO)
    assert not wrong[1] and wrong[0].labels[-1] == "2026-04"
    assert len(dashboard_periods.month_range("2000-01", "2026-04", NOW, TOKYO)[0].labels) == 24
    # a week keeps seven local days across a daylight-saving change (Berlin, 29 March 2026)
    berlin = ZoneInfo("Europe/Berlin")
    weeks = dashboard_periods.weeks_of(dashboard_periods.months(date(2026, 3, 1), date(2026, 3, 1), berlin), berlin)
    spring = weeks.labels.index("2026-03-23")
    assert weeks.starts[spring + 1] - weeks.starts[spring] == timedelta(days=7, hours=-1)


class Tables(HTMLParser):
    """The page's figure tables: data-figure -> rows of cell texts (header first)."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-figure" in attrs:
            self.current = self.tables.setdefault(attrs["data-figure"], [])
        elif tag == "tr" and self.current is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def tables_of(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


async def test_who_sees_which_figures(site, town):
    assert (await site.client().get("/city/dashboard")).status_code == 303  # a visitor signs in first
    for name in ("mika", "mod"):
        client = await signed_in(site, name)
        assert (await client.get("/city/dashboard")).status_code == 403
        assert (await client.get("/city/dashboard/active.csv")).status_code == 403
        assert (await client.get("/city/dashboard/requests.svg")).status_code == 403
    query = "?from=2026-03&to=2026-04"
    seen = {}
    for name in ("roadie", "carer", "loner", "dashadmin"):
        client = await signed_in(site, name)
        page = await client.get("/city/dashboard" + query)
        assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
        tables = tables_of(page.text)
        seen[name] = {row[0] for row in tables.get("requests", [])[1:]}
        assert "active" in tables and "moderation" in tables  # everyone on staff reads the site's figures
        csv_rows = list(csv.reader(io.StringIO((await client.get("/city/dashboard/requests.csv" + query)).text)))
        assert {row[0] for row in csv_rows[1:]} == seen[name]
    assert seen == {"roadie": {"Roads"}, "carer": {"Welfare"}, "loner": set(), "dashadmin": {"Roads", "Welfare"}}
    carer = await signed_in(site, "carer")
    assert "Still waiting" not in (await carer.get("/city/dashboard" + query)).text  # Roads' open requests
    # no resident is named anywhere on the page
    admin_page = (await (await signed_in(site, "dashadmin")).get("/city/dashboard" + query)).text
    assert "mika" not in admin_page and f'href="/city/{town["made"]["waiting"].id}"' in admin_page


async def test_csv_downloads_match_the_page(site, town):
    admin = await signed_in(site, "dashadmin")
    query = "?from=2026-03&to=2026-04"
    tables = tables_of((await admin.get("/city/dashboard" + query)).text)
    assert set(tables) == {"requests", "answer_times", "appointments", "active", "members", "posts", "moderation"}
    for name, rows in tables.items():
        response = await admin.get(f"/city/dashboard/{name}.csv{query}")
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        assert response.headers["cache-control"] == "private, no-store"
        assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
        parsed = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        shown = [r for r in rows if len(r) == len(rows[0])]  # without the "nothing in these months" row
        assert parsed == shown, name
    answers = {(r[0], r[1]): r for r in tables["answer_times"]}
    assert answers[("Roads", "2026-03")][2:] == ["3", "1.0", "2", "75", "2", "5.5", "5", "25"]
    assert answers[("Welfare", "2026-03")][2:] == ["0", "-", "-", "-", "0", "-", "-", "-"]


async def test_japanese_csv_and_charts(site, town):
    admin = await signed_in(site, "dashadmin")
    await admin.submit("/settings/language", {"lang": "ja", "next": "/city/dashboard"})
    response = await admin.get("/city/dashboard/requests.csv?from=2026-03&to=2026-03")
    assert "道路課" in response.content.decode("utf-8-sig")
    chart = await admin.get("/city/dashboard/requests.svg?from=2026-03&to=2026-04")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert chart.headers["cache-control"] == "private, no-store"
    assert chart.headers["content-security-policy"].startswith("default-src 'none'")  # an image: no script
    svg = chart.text
    assert "<title>" in svg and "<desc>" in svg and 'role="img"' in svg and "aria-label=" in svg
    assert "<script" not in svg.lower()
    assert (await admin.get("/city/dashboard/nothing.svg")).status_code == 404
    bad = await admin.get("/city/dashboard?from=2026-13&to=<b>")
    assert bad.status_code == 400 and 'id="from-error"' in bad.text and 'id="to-error"' in bad.text
    assert 'value="2026-13"' in bad.text and 'value="&lt;b&gt;"' in bad.text  # what was typed stays, escaped
    backwards = await admin.get("/city/dashboard?from=2026-04&to=2026-03")
    assert backwards.status_code == 400 and 'id="to-error"' in backwards.text and 'value="2026-04"' in backwards.text


async def test_active_residents_in_aggregate_and_small_numbers_hidden(site, town):
    north = await District.create(name="North", origin="test.example")
    south = await District.create(name="South", origin="test.example")
    now = utcnow()
    for i in range(6):
        await site.user(f"north{i}")
    for i in range(2):
        await site.user(f"south{i}")
    # residents seen on My page this week (the job also counts sessions seen this week)
    await User.filter(username__startswith="north").update(last_seen_home_at=now, district_id=north.id)
    await User.filter(username__startswith="south").update(last_seen_home_at=now, district_id=south.id)
    await tasks.run_once("weekly_activity", site.settings, site.app.state.site)
    week = dashboard_periods.week_of(now, TOKYO)
    counts = {r.district_id: r.residents for r in await WeeklyActivity.filter(week=week)}
    assert counts[north.id] == 6 and counts[south.id] == 2
    # a later round that sees fewer (sessions ended) keeps the week's higher count
    await User.filter(username__startswith="north").update(last_seen_home_at=None)
    await tasks.run_once("weekly_activity", site.settings, site.app.state.site)
    assert (await WeeklyActivity.get(week=week, district_id=north.id)).residents == 6
    admin = await signed_in(site, "dashadmin")
    await admin.submit("/settings/language", {"lang": "en", "next": "/city/dashboard"})
    rows = tables_of((await admin.get("/city/dashboard")).text)["active"]
    assert [week.isoformat(), "North", "6"] in rows and [week.isoformat(), "South", "fewer than 5"] in rows
    assert dashboard_site.suppress(4) is None and dashboard_site.suppress(5) == 5 and dashboard_site.suppress(0) == 0


async def test_moderation_queue_median(site, town):
    mika = town["people"]["mika"]
    start = jst(2026, 3, 10, 9)
    for hours in (1, 3, 20):
        await Flag.create(kind="diary", target_id="x", author_id=mika.id, created_at=start,
                          resolved_at=start + timedelta(hours=hours), resolution="approve")
    ctx = await site.ctx_for(town["admin"])
    weeks = dashboard_periods.weeks_of(dashboard_periods.months(date(2026, 3, 1), date(2026, 3, 1), TOKYO), TOKYO)
    figures = await dashboard_site.site_figures(ctx, weeks)
    assert figures.moderation[weeks.labels.index("2026-03-09")] == (3, 3.0)
