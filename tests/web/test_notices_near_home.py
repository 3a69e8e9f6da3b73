"""Notices near my home (issue 19): staff post a notice for the town, districts or around a point; residents
whose district or home point is inside see it first on My page, and those who asked are told once."""

from __future__ import annotations

import random

import httpx
import pytest

from fixtures import make_site, smtp_server
from sns import tasks
from sns.models import District, Notice, User
from sns.models.reminders import Telling
from sns.services import notice_reach
from sns.services import notices as notice_service
from sns.services.site import set_districts
from sns.services.tokens import create_token

PIPE = ("32.50800", "130.59700")  # the water stop's centre
INSIDE = ("32.51100", "130.59700")  # about 330 m north of it
OUTSIDE = ("32.51400", "130.59700")  # about 670 m north of it
RADIUS = "500"


@pytest.fixture(scope="module")
async def town(tmp_path_factory):
    with smtp_server() as (controller, inbox):
        async with make_site(tmp_path_factory.mktemp("near"), smtp_host="127.0.0.1",
                             smtp_port=controller.port) as site:
            admin = await site.user("nh_admin", role="admin")
            await set_districts(await site.ctx_for(admin), "Kita\nMinami")
            kita, minami = await District.get(name="Kita"), await District.get(name="Minami")
            await site.user("nh_clerk", role="staff", display_name="Road Office")
            people, clients = {}, {}
            # kana: lives in Kita, asked by e-mail (in Japanese). ino: home point inside the circle, asked.
            # oto: home outside the circle, in Minami, asked. nomu: no district, no home point.
            for name, district, locale in (("kana", kita, "ja"), ("ino", None, "en"), ("oto", minami, "en"),
                                           ("nomu", None, "en")):
                user = await site.user(name, display_name=name.title())
                await User.filter(id=user.id).update(district_id=district.id if district else None, locale=locale)
                people[name] = user
                clients[name] = site.client()
                await clients[name].login(name)
            homes = {"kana": ("", ""), "ino": INSIDE, "oto": OUTSIDE}
            for name, (lat, lon) in homes.items():
                saved = await clients[name].submit("/settings/alerts", {"lat": lat, "lon": lon, "notice_email": "1",
                                                                        "radius_km": "2", "email": "1"})
                assert saved.status_code == 303, saved.text
            clerk = site.client()
            await clerk.login("nh_clerk")
            yield {"site": site, "inbox": inbox, "clerk": clerk, "people": people, "clients": clients,
                   "kita": kita, "minami": minami}


async def _post(clerk, title, **area):
    r = await clerk.submit("/notices/new", {"title": title, "body": f"About {title}.", **area})
    assert r.status_code == 303, r.text
    return r.headers["location"].rsplit("/", 1)[1]


@pytest.fixture(scope="module")
async def posted(town):
    clerk, kita = town["clerk"], town["kita"]
    ids = {"town": await _post(clerk, "Festival parking", scope="town"),
           "kita": await _post(clerk, "Road works on Kita street", scope="districts", district_ids=[kita.id],
                               category="road_works"),
           "water": await _post(clerk, "Water stop by the pipe", scope="radius", lat=PIPE[0], lon=PIPE[1],
                                radius_m=RADIUS, category="water")}
    return ids


@pytest.mark.parametrize("area, field, message", [
    ({"scope": "districts"}, "district_ids", "Choose at least one district."),
    ({"scope": "districts", "district_ids": ["0190e6c1-0000-7000-8000-000000000000"]}, "district_ids",
     "Choose districts from the list."),
    ({"scope": "radius", "lat": "", "lon": "", "radius_m": "500"}, "location",
     "Give the centre&#39;s latitude and longitude."),
    ({"scope": "radius", "lat": "95", "lon": "130.6", "radius_m": "500"}, "location", "Latitude must be between"),
    ({"scope": "radius", "lat": "32.5", "lon": "130.6", "radius_m": "10"}, "radius_m",
     "Give the radius in metres, from 50 to 20000."),
    ({"scope": "radius", "lat": "32.5", "lon": "130.6", "radius_m": "lots"}, "radius_m", "Give the radius in metres"),
    ({"scope": "everywhere"}, "scope", "Choose who the notice is for."),
    ({"scope": "town", "category": "gossip"}, "category", "Choose one of the categories."),
])
async def test_a_bad_area_is_explained_and_nothing_typed_is_lost(town, area, field, message):
    before = await Notice.all().count()
    r = await town["clerk"].submit("/notices/new", {"title": "Typed title", "body": "Typed *text*", **area})
    assert r.status_code == 400 and message in r.text
    assert 'value="Typed title"' in r.text and "Typed *text*" in r.text
    for name in ("lat", "radius_m"):
        if area.get(name):
            assert f'value="{area[name]}"' in r.text
    assert await Notice.all().count() == before


async def test_who_a_notice_concerns_and_my_page_first(town, posted):
    pages = {name: (await client.get("/home")).text for name, client in town["clients"].items()}
    for name, page in pages.items():
        assert "Festival parking" in page, name  # the town's: everyone's
    assert "Road works on Kita street" in pages["kana"] and "Road works on Kita street" not in pages["oto"]
    assert "Water stop by the pipe" in pages["ino"] and "Water stop by the pipe" not in pages["oto"]
    # a resident without a home district or point sees the town's only
    assert "Road works on Kita street" not in pages["nomu"] and "Water stop by the pipe" not in pages["nomu"]
    ino = pages["ino"]
    section = ino[ino.index('id="near-home"'):ino.index("</section>", ino.index('id="near-home"'))]
    assert section.index("Water stop by the pipe") < section.index("Festival parking")  # newest first
    assert "Within 500 m of your home" in section and "For the whole town" in section
    assert "自宅の近く" in pages["kana"] and "Kita向け" in pages["kana"] and "道路工事" in pages["kana"]


async def test_my_page_shows_the_five_newest_and_follows_a_new_home_point(town, posted):
    clerk, nomu = town["clerk"], town["clients"]["nomu"]
    for i in range(6):
        await _post(clerk, f"Bulletin {i}", scope="town")
    page = (await nomu.get("/home")).text
    section = page[page.index('id="near-home"'):]
    section = section[:section.index("</section>")]
    assert [f"Bulletin {i}" in section for i in range(6)] == [False] + [True] * 5
    assert "Festival parking" not in section
    near = (await nomu.get("/notices?near=1")).text
    assert "Festival parking" in near and "Water stop by the pipe" not in near
    # My page is kept for its reader; a home point set now counts on the very next visit (it bumps nothing)
    hydrant = await _post(clerk, "Hydrant flushing", scope="radius", lat=PIPE[0], lon=PIPE[1], radius_m="800")
    for _ in range(2):
        assert "Hydrant flushing" not in (await nomu.get("/home")).text
    assert (await nomu.submit("/settings/alerts", {"lat": INSIDE[0], "lon": INSIDE[1], "notice_push": "1"})) \
        .status_code == 303
    assert "Water stop by the pipe" in (await nomu.get("/notices?near=1")).text
    assert f'href="/notices/{hydrant}"' in (await nomu.get("/home")).text


async def test_the_town_list_shows_every_notice_with_its_area(town, posted):
    visitor = town["site"].client()
    page = (await visitor.get("/notices")).text
    for title in ("Festival parking", "Road works on Kita street", "Water stop by the pipe"):
        assert title in page
    assert "For Kita" in page and "Within 500 m of 32.50800, 130.59700" in page
    assert "?near=1" not in page  # a visitor has no home
    water = (await visitor.get(f"/notices/{posted['water']}")).text
    assert "Water stop · Within 500 m of 32.50800, 130.59700" in water
    mine = await town["clients"]["oto"].get("/notices?near=1")
    assert mine.headers["cache-control"] == "private, no-store"
    assert "Water stop by the pipe" not in mine.text and "Festival parking" in mine.text


async def test_those_who_asked_are_told_once(town, posted):
    site, inbox = town["site"], town["inbox"]
    for _ in range(2):  # two rounds (a retry, a second worker): told once
        await tasks.run_once("notice_telling", site.settings, site.app.state.site)
        await tasks.run_once("mail", site.settings, site.app.state.site)

    def mails(name):
        return [m for rcpts, m in inbox.messages if f"{name}@example.org" in rcpts and "Hydrant" not in m["Subject"]]
    kana, ino = mails("kana"), mails("ino")
    assert len(kana) == 1 and len(ino) == 1
    assert not mails("oto") and not mails("nomu")  # outside the circle / another district; never asked
    assert ino[0]["Subject"] == "Notice near your home: Water stop by the pipe"
    body = ino[0].get_content()
    assert "Water stop: Water stop by the pipe" in body and "Within 500 m of 32.50800, 130.59700" in body
    assert f"http://test.example/notices/{posted['water']}" in body
    assert "自宅の近くのお知らせ" in kana[0]["Subject"] and "Kita向け" in kana[0].get_content()
    assert await Telling.filter(key=f"notice:{posted['kita']}").count() == 1


async def test_nobody_else_learns_who_a_notice_concerns(town, posted):
    site = town["site"]
    _, secret = await create_token(await site.ctx_for(await User.get(username="nh_admin")), "t")
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app), base_url="http://test.example",
                            headers={"Authorization": f"Bearer {secret}"})
    admin = site.client()
    await admin.login("nh_admin")
    seen = [(await api.get(f"/api/v1/notices/{posted['water']}")).text, (await api.get("/api/v1/notices")).text]
    for client in (admin, site.client(), town["clients"]["oto"]):
        seen += [(await client.get(path)).text for path in (f"/notices/{posted['water']}", "/notices",
                                                             f"/notices/{posted['kita']}")]
    for text in seen:
        for secret_text in ("32.511", "Ino", "Kana", "/people/ino", "/people/kana", "ino@example.org"):
            assert secret_text not in text
    for client in (admin, town["clients"]["oto"]):  # the home point is never on another's page
        assert "32.511" not in (await client.get("/people/ino")).text


async def test_the_api_posts_and_reads_the_area(town):
    site = town["site"]
    _, secret = await create_token(await site.ctx_for(await User.get(username="nh_clerk")), "t")
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app), base_url="http://test.example",
                            headers={"Authorization": f"Bearer {secret}"})
    made = await api.post("/api/v1/notices", json={"title": "Permit at 3-1", "body": "A new house.",
                                                   "scope": "radius", "lat": 32.5, "lon": 130.6, "radius_m": 300,
                                                   "category": "permit"})
    assert made.status_code == 201, made.text
    got = (await api.get(made.headers["location"])).json()
    assert (got["scope"], got["lat"], got["lon"], got["radius_m"], got["category"]) == \
        ("radius", 32.5, 130.6, 300, "permit")
    assert got["area"] == "Within 300 m of 32.50000, 130.60000"
    for bad in ({"scope": "districts", "district_ids": []}, {"scope": "radius", "lat": 32.5, "lon": 130.6,
                                                             "radius_m": 5}, {"scope": "moon"}):
        refused = await api.post("/api/v1/notices", json={"title": "Bad", "body": "x", **bad})
        assert refused.status_code in (400, 422), refused.text


async def test_the_sql_says_what_the_rule_says(town, posted):
    """`near_me` (SQL, one query) and `concerns` (Python, haversine) agree on random homes and circles."""
    site, kita, minami = town["site"], town["kita"], town["minami"]
    clerk = await site.ctx_for(await User.get(username="nh_clerk"))
    rng = random.Random(19)
    for i in range(8):
        await notice_service.post_notice(
            clerk, title=f"Circle {i}", body="x", scope="radius", lat=f"{32.5 + rng.uniform(-0.02, 0.02):.5f}",
            lon=f"{130.6 + rng.uniform(-0.02, 0.02):.5f}", radius_m=str(rng.choice((100, 800, 1500, 3000))))
    await notice_service.post_notice(clerk, title="Both", body="x", scope="districts",
                                     district_ids=[kita.id, minami.id])
    notices = await Notice.filter(deleted_at=None)
    user = town["people"]["oto"]
    for _ in range(12):
        lat, lon = 32.5 + rng.uniform(-0.03, 0.03), 130.6 + rng.uniform(-0.03, 0.03)
        district = rng.choice((None, kita.id, minami.id))
        await User.filter(id=user.id).update(district_id=district)
        await town["clients"]["oto"].submit("/settings/alerts", {"lat": f"{lat:.5f}", "lon": f"{lon:.5f}",
                                                                 "notice_email": "1"})
        user = await User.get(id=user.id)
        found = {n.id for n in await notice_reach.near_me(user, 1000)}
        lat, lon = round(lat, 5), round(lon, 5)
        assert found == {n.id for n in notices if notice_reach.concerns(n, district, lat, lon)}
