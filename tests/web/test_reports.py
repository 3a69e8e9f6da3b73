"""Street reports through the pages: a resident files one with a photo and a place, the department's
staff work it, the reporter and followers see each change; bad input is refused and nothing stored."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from fixtures import jpeg_with_gps
from sns.models import Flag, Notification, Photo, ReportFollow, ReportUpdate, StreetReport
from sns.services import departments, report_lists, review

BAD = "What a fucking mess at the station"


@pytest.fixture(scope="module")
async def town(site):
    admin = await site.user("mayor", role="admin")
    actx = await site.ctx_for(admin)
    roads = await departments.save_department(actx, name="Roads", name_ja="道路課")
    parks = await departments.save_department(actx, name="Parks")
    await site.user("roadie", role="staff")
    await site.user("parkie", role="staff")
    await departments.add_staff(actx, roads.id, "roadie")
    await departments.add_staff(actx, parks.id, "parkie")
    pothole = await report_lists.save_category(actx, name="Pothole", name_ja="道路の穴", department=roads.id)
    tree = await report_lists.save_category(actx, name="Fallen tree", name_ja="倒木", department=parks.id)
    for name in ("rita", "fred", "nosy"):
        await site.user(name)
    await site.user("moddy", role="moderator")
    return {"admin": admin, "roads": roads, "parks": parks, "pothole": pothole, "tree": tree}


async def _client(site, name):
    client = site.client()
    await client.login(name)
    return client


def _form(town, **changes):
    data = {"category": town["pothole"].id, "title": "Deep pothole by the post office",
            "body": "Cars swerve around it.", "place": "Post office", "lat": "32.5073", "lon": "130.6016"}
    data.update(changes)
    return data


async def test_file_a_report_work_it_and_follow_it(site, town):
    rita, roadie, parkie = await _client(site, "rita"), await _client(site, "roadie"), await _client(site, "parkie")
    fred, visitor = await _client(site, "fred"), site.client()
    r = await rita.submit("/reports/new", _form(town), files={"photos": ("p.jpg", jpeg_with_gps(), "image/jpeg")})
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    report = await StreetReport.get(id=url.rsplit("/", 1)[1])
    assert (report.lat, report.lon, report.department_id, report.status) == (32.5073, 130.6016, town["roads"].id,
                                                                             "received")
    assert await ReportFollow.filter(report_id=report.id, user_id=report.author_id).exists()
    # the department's staff are told; another department's are not
    assert await Notification.filter(kind="report_new", url=url).count() == 1
    assert "A new street report for your department" in (await roadie.get("/notifications")).text
    # everyone, visitors included, reads it and sees its photo without GPS data; the map link is there
    page = await visitor.get(url)
    assert page.status_code == 200 and "Deep pothole" in page.text and "Post office" in page.text
    assert "/map?lat=32.50730&amp;lon=130.60160&amp;zoom=17" in page.text
    assert "rita" not in page.text  # the reporter is not named in public
    photo = await Photo.get(parent_id=report.id, purpose="report")
    img = await visitor.get(f"/photos/{photo.id}.jpg")
    assert img.status_code == 200 and Image.open(io.BytesIO(img.content)).getexif().get(0x8825) is None
    listing = await visitor.get("/reports")
    assert "Deep pothole" in listing.text and f"/photos/{photo.id}.thumb.jpg" in listing.text
    # only the roads department sees the status form; parks staff cannot change it
    assert 'action="/reports/%s/status"' % report.id in (await roadie.get(url)).text
    assert 'action="/reports/%s/status"' % report.id not in (await parkie.get(url)).text
    r = await parkie.submit(f"{url}/status", {"status": "resolved", "comment": "done"})
    assert r.status_code == 403
    # fred follows it; roads staff set a status with a public comment
    assert (await fred.submit(f"{url}/follow")).status_code == 303
    assert "Stop following" in (await fred.get(url)).text
    queue = await roadie.get("/reports/queue")
    assert "Deep pothole" in queue.text
    assert "Deep pothole" not in (await parkie.get("/reports/queue")).text
    r = await roadie.submit(f"{url}/status", {"status": "in_progress", "comment": "A crew goes on Monday."})
    assert r.status_code == 303
    for who in (rita, fred):
        news = await who.get("/notifications")
        assert "The street report “Deep pothole by the post office” has a new status" in news.text
    page = await visitor.get(url)
    assert "A crew goes on Monday." in page.text and "In progress" in page.text
    # the author can no longer change it once the city started
    assert (await rita.get(f"{url}/edit")).status_code == 403
    # closed, then reopened by staff; the reporter cannot set a status
    await roadie.submit(f"{url}/status", {"status": "closed", "comment": "Repaired."})
    assert (await rita.submit(f"{url}/status", {"status": "received", "comment": "not fixed"})).status_code == 403
    assert (await roadie.submit(f"{url}/status", {"status": "in_progress", "comment": "Cracked again."})).status_code \
        == 303
    assert [u.status for u in await ReportUpdate.filter(report_id=report.id).order_by("id")] == \
        ["in_progress", "closed", "in_progress"]
    # unfollowing stops the news
    await fred.submit(f"{url}/unfollow")
    before = await Notification.filter(user__username="fred").count()
    await roadie.submit(f"{url}/status", {"status": "resolved", "comment": "Resurfaced."})
    assert await Notification.filter(user__username="fred").count() == before
    # the feeds list it, without the reporter's name
    feed = await visitor.get("/feeds/reports.atom")
    assert feed.status_code == 200 and "Deep pothole" in feed.text and "Resolved" in feed.text
    assert "rita" not in feed.text
    assert "Deep pothole" in (await visitor.get(f"/feeds/reports/{town['pothole'].id}.atom")).text
    assert "Deep pothole" not in (await visitor.get(f"/feeds/reports/{town['tree'].id}.atom")).text
    assert (await visitor.get("/feeds/reports/nonsense.atom")).status_code == 404


async def test_status_form_keeps_the_comment_on_error(site, town):
    rita, roadie = await _client(site, "rita"), await _client(site, "roadie")
    url = (await rita.submit("/reports/new", _form(town, title="Loose manhole cover"))).headers["location"]
    r = await roadie.submit(f"{url}/status", {"status": "exploded", "comment": "My careful words"})
    assert r.status_code == 400 and "My careful words" in r.text and "Choose one of the statuses" in r.text
    r = await roadie.submit(f"{url}/status", {"status": "received", "comment": ""})
    assert r.status_code == 400 and "Choose a new status or write a comment" in r.text
    r = await roadie.submit(f"{url}/status", {"status": "in_progress", "comment": "x" * 2001})
    assert r.status_code == 400 and "too long" in r.text
    assert not await ReportUpdate.filter(report__title="Loose manhole cover").exists()


@pytest.mark.parametrize("changes,message", [
    ({"lat": "", "lon": ""}, "Show where it is"),
    ({"category": "00000000-0000-7000-8000-000000000000"}, "Choose one of the categories"),
    ({"category": "pothole"}, "Choose one of the categories"),
    ({"lat": "95", "lon": "130"}, "Latitude must be between -90 and 90"),
    ({"lat": "32.5", "lon": "east"}, "must be numbers"),
    ({"body": "x" * 5001}, "too long"),
    ({"title": "y" * 201}, "too long"),
    ({"place": "z" * 201}, "too long"),
])
async def test_bad_input_is_refused_and_the_form_kept(site, town, changes, message):
    rita = await _client(site, "rita")
    before = await StreetReport.all().count()
    data = _form(town, **{"title": "My typed title", "body": "My typed description", **changes})
    r = await rita.submit("/reports/new", data)
    assert r.status_code == 400 and message in r.text
    for name in ("title", "body", "place"):
        if len(data[name]) < 200:
            assert data[name] in r.text
    assert await StreetReport.all().count() == before


async def test_visitors_are_sent_to_sign_in_and_nothing_is_stored(site, town):
    visitor = site.client()
    r = await visitor.get("/reports/new")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert (await visitor.get("/reports/queue")).status_code == 303
    rita = await _client(site, "rita")
    assert (await rita.get("/reports/queue")).status_code == 403
    assert (await rita.get("/admin/report-categories")).status_code == 403


async def test_double_submit_posts_once(site, town):
    rita = await _client(site, "rita")
    data = _form(town, title="Broken bench", client_token="tok-bench-1")
    first = await rita.submit("/reports/new", data)
    second = await rita.submit("/reports/new", data)
    assert first.headers["location"] == second.headers["location"]
    assert await StreetReport.filter(title="Broken bench").count() == 1


async def test_author_edits_while_received(site, town):
    rita, nosy = await _client(site, "rita"), await _client(site, "nosy")
    url = (await rita.submit("/reports/new", _form(town, title="Tree on the path",
                                                    category=town["pothole"].id))).headers["location"]
    assert (await nosy.get(f"{url}/edit")).status_code == 403
    form = await rita.get(f"{url}/edit")
    assert form.status_code == 200 and "Tree on the path" in form.text
    r = await rita.submit(f"{url}/edit", _form(town, title="Tree on the path", category=town["tree"].id, lat="",
                                               lon=""))
    assert r.status_code == 400 and "Show where it is" in r.text and "Tree on the path" in r.text
    r = await rita.submit(f"{url}/edit", _form(town, title="Fallen tree on the path", category=town["tree"].id))
    assert r.status_code == 303
    report = await StreetReport.get(id=url.rsplit("/", 1)[1])
    assert report.title == "Fallen tree on the path" and report.department_id == town["parks"].id


async def test_held_report_reaches_the_department_when_approved(site, town):
    rita, nosy, visitor = await _client(site, "rita"), await _client(site, "nosy"), site.client()
    r = await rita.submit("/reports/new", _form(town, title="Station rubbish", body=BAD))
    url = r.headers["location"]
    report = await StreetReport.get(id=url.rsplit("/", 1)[1])
    assert report.state == "held"
    assert "waits for a moderator" in (await rita.get(url)).text
    for who in (nosy, visitor):
        assert (await who.get(url)).status_code == 404
        assert "Station rubbish" not in (await who.get("/reports")).text
        assert "Station rubbish" not in (await who.get("/feeds/reports.atom")).text
    roadie = await _client(site, "roadie")
    assert (await roadie.get(url)).status_code == 404
    assert not await Notification.filter(kind="report_new", url=url).exists()
    moderator = await site.user("moddy2", role="moderator")
    moddy = await _client(site, "moddy2")
    assert (await moddy.get(url)).status_code == 200
    queue = await moddy.get("/moderation")
    assert "Station rubbish" in queue.text and "Street report" in queue.text and f'href="{url}"' in queue.text
    flag = await Flag.get(kind="street_report", target_id=report.id)
    await review.act(await site.ctx_for(moderator), flag.id, "approve")
    assert (await visitor.get(url)).status_code == 200
    assert await Notification.filter(kind="report_new", url=url).count() == 1


async def test_a_resident_reports_a_report_to_moderators(site, town):
    rita, nosy = await _client(site, "rita"), await _client(site, "nosy")
    url = (await rita.submit("/reports/new", _form(town, title="Advert for my shop"))).headers["location"]
    r = await nosy.submit(f"{url}/report", {"reason": "spam"})
    assert r.status_code == 303
    assert await Flag.filter(kind="street_report", target_id=url.rsplit("/", 1)[1], reason="report").exists()


async def test_list_filters_and_paging(site, town):
    rita = await _client(site, "rita")
    for n in range(3):
        await rita.submit("/reports/new", _form(town, title=f"Fallen branch {n}", category=town["tree"].id))
    visitor = site.client()
    page = await visitor.get(f"/reports?category={town['tree'].id}")
    assert "Fallen branch 2" in page.text and "Deep pothole" not in page.text
    assert "Fallen branch" not in (await visitor.get("/reports?status=resolved")).text
    assert (await visitor.get("/reports?status=exploded")).status_code == 400
    assert (await visitor.get("/reports?category=nonsense")).status_code == 400
    mine = await rita.get("/reports?mine=1")
    assert "Fallen branch 0" in mine.text
    assert "Fallen branch" not in (await (await _client(site, "nosy")).get("/reports?mine=1")).text
    # keyset paging (the page size is a setting; here two at a time through the service)
    f = report_lists.ReportFilter(category=town["tree"].id)
    first = await report_lists.list_reports(site.ctx(), f, limit=2)
    assert [r.title for r in first.items][:2] == ["Fallen branch 2", "Fallen branch 1"] and first.next_before
    second = await report_lists.list_reports(site.ctx(), f, before=first.next_before, limit=2)
    assert [r.title for r in second.items][0] == "Fallen branch 0"
    assert "Fallen branch 0" in (await visitor.get(f"/reports?category={town['tree'].id}&before={first.next_before}")).text


async def test_admin_manages_categories(site, town):
    admin = await _client(site, "mayor")
    page = await admin.get("/admin/report-categories")
    assert page.status_code == 200 and "道路の穴" in page.text
    r = await admin.submit("/admin/report-categories", {"name": "", "name_ja": "不法投棄", "active": "1"})
    assert r.status_code == 400 and "不法投棄" in r.text
    r = await admin.submit("/admin/report-categories", {"name": "Illegal dumping", "name_ja": "不法投棄",
                                                        "department": town["parks"].id, "active": "1"})
    assert r.status_code == 303
    dumping = next(c for c in await report_lists.categories() if c.name == "Illegal dumping")
    assert [c.name for c in await report_lists.categories()][-1] == "Illegal dumping"
    await admin.submit(f"/admin/report-categories/{dumping.id}/move", {"direction": "up"})
    names = [c.name for c in await report_lists.categories()]
    assert names.index("Illegal dumping") < names.index("Fallen tree")
    # deactivated: no longer offered to residents, its reports stay
    r = await admin.submit(f"/admin/report-categories/{dumping.id}", {"name": "Illegal dumping", "position": "5"})
    assert r.status_code == 303
    rita = await _client(site, "rita")
    assert "Illegal dumping" not in (await rita.get("/reports/new")).text
    r = await rita.submit("/reports/new", _form(town, category=dumping.id))
    assert r.status_code == 400
    # in Japanese, residents see the Japanese names
    japanese = site.client()
    assert "道路の穴" in (await japanese.get("/reports", headers={"Accept-Language": "ja"})).text


async def test_map_layer_shows_published_reports_with_their_status(site, town):
    from sns import i18n
    from sns.models import User
    from sns.services import maps
    from sns.services import reports as report_service

    layer = site.app.state.site.map_layers["reports"]
    assert (layer.label, layer.order, layer.list_url, layer.public) == ("Street reports", 30, "/reports", True)
    rita, roadie = await User.get(username="rita"), await User.get(username="roadie")
    shown = await report_service.write_report(await site.ctx_for(rita), category=town["pothole"].id,
                                              title="Crack by the harbour", body="Long crack.", lat=32.401,
                                              lon=130.401)
    await report_service.set_status(await site.ctx_for(roadie), shown.id, "resolved", "Sealed.")
    held = await report_service.write_report(await site.ctx_for(rita), category=town["pothole"].id,
                                             title="Harbour mess", body=BAD, lat=32.402, lon=130.402)
    assert held.state == "held"
    box = maps.parse_bbox("130.4,32.4,130.41,32.41")
    found = (await maps.features(site.ctx(), box, [layer]))["features"]
    assert [f["properties"]["title"] for f in found] == ["Crack by the harbour"]  # not the held one
    (crack,) = found
    assert crack["geometry"]["coordinates"] == [130.401, 32.401]
    assert crack["properties"]["url"] == f"/reports/{shown.id}"
    assert (crack["properties"]["status"], crack["properties"]["status_label"], crack["properties"]["category"]) == \
        ("resolved", "Resolved", "Pothole")
    i18n.set_locale("ja")
    try:
        (ja,) = (await maps.features(site.ctx(), box, [layer]))["features"]
    finally:
        i18n.set_locale("en")
    assert (ja["properties"]["status_label"], ja["properties"]["category"]) == ("対応済み", "道路の穴")
    assert (await maps.features(site.ctx(), maps.parse_bbox("139,35,140,36"), [layer]))["features"] == []


async def test_markup_in_a_report_is_shown_as_text(site, town):
    rita, visitor = await _client(site, "rita"), site.client()
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    r = await rita.submit("/reports/new", _form(town, title=evil, body=evil, place=evil))
    url = r.headers["location"]
    for page in (await visitor.get(url), await visitor.get("/reports"), await (await _client(site, "roadie")).get(
            "/reports/queue")):
        assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text
    feed = await visitor.get("/feeds/reports.atom")
    assert "<script>alert(1)" not in feed.text
