"""A neighbouring city's pages served from its replica (issue 7, "Serving a mirror"): what an anonymous
visitor of Bville sees there, labelled as a copy with the last sync; nothing else, whatever the replica
holds; its alerts in our own feeds marked as Bville's, its cancellation following; and, while Bville does
not answer, our front page and alerts page pointing its residents to the mirror."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from lxml import etree

from fixtures import make_site
from mirror_town import NAME, ORIGIN, install, write_bville
from sns.i18n import gettext, using_locale
from sns.models import Alert, AlertUpdate
from sns.services.shared import public_changed

BASE = f"/mirror/{ORIGIN}"


@pytest.fixture(scope="module")
async def bville(tmp_path_factory):
    return await write_bville(tmp_path_factory.mktemp("bville"))


@pytest.fixture(scope="module")
async def site(tmp_path_factory, bville):
    async with make_site(tmp_path_factory.mktemp("ours"), origin="ours.example") as s:
        await install(s.settings, bville.first)
        yield s


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_the_list_of_mirrored_cities_says_who_is_up(site):
    page = await site.client().get("/mirror")
    assert page.status_code == 200
    assert NAME in page.text and f'href="{BASE}"' in page.text
    assert "Up" in text_of(page.text)


async def test_the_front_page_of_the_mirror_shows_what_a_visitor_sees_there(site, bville):
    page = await site.client().get(BASE)
    assert page.status_code == 200
    words = text_of(page.text)
    assert f"This is a copy of {NAME} kept by" in words and "read-only" in words
    assert re.search(r'last updated\s*<time datetime="[^"]+"', page.text)  # the time of the last sync
    assert "River walk in Bville" in words  # its public diary
    assert "Water supply notice" in words and "Bville North School" in words and "Fire at Bville market" in words
    assert "Members only musing" not in words and "Friends only secret" not in words
    assert "<form" not in page.text.split("<footer")[0]  # nothing on the page itself writes


async def test_a_public_diary_and_its_comment_are_shown(site, bville):
    page = await site.client().get(f"{BASE}/diaries/{bville.ids['public']}")
    assert page.status_code == 200
    assert "<strong>river</strong>" in page.text  # the site's own Markdown rendering
    assert "Lovely photo spot" in page.text and "Mika Bville" in page.text
    listing = await site.client().get(f"{BASE}/diaries")
    assert "River walk in Bville" in listing.text and "Members only musing" not in listing.text


async def test_members_only_and_friends_only_diaries_are_not_shown_though_the_replica_has_them(site, bville):
    from sns.mirror import replicas
    from sns.models import Diary

    replica = await replicas.open_replica(site.settings, ORIGIN)
    held = set(await Diary.all().using_db(replica).values_list("id", flat=True))
    assert {bville.ids["members"], bville.ids["friends"]} <= held  # present in the replica...
    for key in ("members", "friends"):  # ...but a visitor there would not see them: neither here
        page = await site.client().get(f"{BASE}/diaries/{bville.ids[key]}")
        assert page.status_code == 404
    signed_in = site.client()  # not even for one of our own residents, signed in here
    await site.user("ourresident")
    await signed_in.login("ourresident")
    assert (await signed_in.get(f"{BASE}/diaries/{bville.ids['members']}")).status_code == 404


async def test_communities_show_their_public_parts_only(site, bville):
    listing = await site.client().get(f"{BASE}/communities")
    assert "Bville gardeners" in listing.text and "Bville inner circle" not in listing.text
    group = await site.client().get(f"{BASE}/communities/{bville.ids['community']}")
    assert "Tomatoes this year" in group.text
    topic = await site.client().get(f"{BASE}/topics/{bville.ids['topic']}")
    assert "Plant them early." in topic.text and "Agreed, early is best" in topic.text
    assert (await site.client().get(f"{BASE}/communities/{bville.ids['members_community']}")).status_code == 404


async def test_shelters_notices_and_alerts_pages(site, bville):
    shelters = await site.client().get(f"{BASE}/shelters")
    assert "Bville North School" in shelters.text and "openstreetmap" not in shelters.text.lower()
    assert "leaflet" not in shelters.text.lower()  # no map script
    notice = await site.client().get(f"{BASE}/notices/{bville.ids['notice']}")
    assert "<em>safe</em>" in notice.text
    alert = await site.client().get(f"{BASE}/alerts/{bville.ids['alert']}")
    assert "Keep away from the market." in alert.text


async def test_reports_and_the_disaster_mode_of_the_city(site, bville):
    listing = await site.client().get(f"{BASE}/reports")
    assert "Hole on Station Road" in listing.text and "Potholes" in listing.text
    report = await site.client().get(f"{BASE}/reports/{bville.ids['report']}", headers={"Accept-Language": "ja"})
    assert "Deep enough to trip on." in report.text and "道路の穴" in report.text
    front = await site.client().get(BASE)
    words = text_of(front.text)
    assert f"Disaster mode in {NAME}: Bville flood drill" in words and "Exercise" in words
    ours = await site.client().get("/")  # our own site is not in disaster mode for it
    assert "Bville flood drill" not in ours.text


@pytest.mark.parametrize("path", [
    "/mirror/nowhere.example", "/mirror/nowhere.example/alerts",
    f"{BASE}/diaries/01234567-89ab-7cde-8f01-23456789abcd", f"{BASE}/diaries/not-an-id",
    f"{BASE}/alerts/01234567-89ab-7cde-8f01-23456789abcd", f"{BASE}/reports/01234567-89ab-7cde-8f01-23456789abcd",
])
async def test_unknown_cities_and_records_are_the_normal_404_page(site, path):
    page = await site.client().get(path)
    assert page.status_code == 404
    assert "This page does not exist or is not shown to you." in page.text


async def test_an_unknown_city_makes_no_replica(site):
    await site.client().get("/mirror/made-up.example")
    assert not (site.settings.data_dir / "mirror" / "made-up.example.sqlite3").exists()


async def test_the_mirror_in_japanese(site, bville):
    client = site.client()
    page = await client.get(BASE, headers={"Accept-Language": "ja"})
    assert page.status_code == 200 and 'lang="ja"' in page.text
    with using_locale("ja"):
        label = gettext("read-only")
        alerts = gettext("Alerts")
    assert label != "read-only" and label in page.text and alerts in page.text


async def test_mirrored_alerts_reach_our_alerts_banner_feed_and_cap(site, bville):
    copied = await Alert.get(id=bville.ids["alert"])
    assert copied.source == f"mirror:{ORIGIN}" and copied.author_id is None and copied.source_name == NAME
    listing = await site.client().get("/alerts")
    assert "Fire at Bville market" in listing.text and f"From {NAME}" in listing.text
    front = await site.client().get("/diaries")  # any page: the banner
    assert "class=\"alert-banner\"" in front.text and f"From {NAME}" in front.text
    page = await site.client().get(f"/alerts/{copied.id}")
    assert f"{BASE}/alerts/{copied.id}" in page.text and "Change the status" not in page.text
    atom = etree.fromstring((await site.client().get("/feeds/alerts.atom")).content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    names = [e.findtext("a:author/a:name", namespaces=ns) for e in atom.findall("a:entry", ns)]
    assert NAME in names
    cap = etree.fromstring((await site.client().get(f"/api/v1/alerts/{copied.id}.cap")).content)
    cns = {"c": "urn:oasis:names:tc:emergency:cap:1.2"}
    assert cap.findtext("c:sender", namespaces=cns) == ORIGIN
    assert cap.findtext("c:info/c:senderName", namespaces=cns) == NAME


async def test_our_residents_near_a_mirrored_alert_are_told_of_it(site, bville):
    from sns.models.alert_notices import AlertNotice
    from sns.services import alert_notices
    from sns.services import alert_subscriptions as subs

    near = await site.user("nearby")  # lives just across the border, 1 km from the market
    await subs.save_subscription(await site.ctx_for(near), by_district=False, near_home=True, lat="33.205",
                                 lon="130.2", radius_km="2", email=True, push=False, drills=True)
    await alert_notices.collect(site.settings)
    told = await AlertNotice.filter(user_id=near.id, alert_id=bville.ids["alert"]).values_list("channel", flat=True)
    assert list(told) == ["email"]


async def test_our_fire_staff_cannot_change_a_mirrored_alert(site, bville):
    await site.user("ourchief", role="fire")
    chief = site.client()
    await chief.login("ourchief")
    answer = await chief.submit(f"/alerts/{bville.ids['alert']}/status", {"status": "extinguished"})
    assert answer.status_code == 403
    assert (await Alert.get(id=bville.ids["alert"])).status == "outbreak"


async def test_the_cancellation_follows_and_a_withdrawn_alert_disappears(site, bville):
    await install(site.settings, bville.first, bville.second)
    cancelled = await Alert.get(id=bville.ids["alert"])
    assert cancelled.status == "cancelled"
    assert await AlertUpdate.filter(alert_id=cancelled.id, status="cancelled", note="A false alarm.").exists()
    assert "class=\"alert-banner\"" not in (await site.client().get("/diaries")).text  # no longer active
    page = await site.client().get(f"/alerts/{cancelled.id}")
    assert "A false alarm." in page.text
    # The origin deletes it: it travels as a withdrawal (its id only), and the copy here goes too.
    withdrawal = {"origin": ORIGIN, "seq": bville.second[-1]["seq"] + 1, "record_id": cancelled.id,
                  "recorded_at": bville.second[-1]["recorded_at"]}
    await install(site.settings, [withdrawal])
    assert (await site.client().get(f"/alerts/{cancelled.id}")).status_code == 404
    assert "Fire at Bville market" not in (await site.client().get("/alerts")).text
    assert (await Alert.get(id=cancelled.id)).deleted_at is not None


async def test_the_front_page_points_to_the_mirror_only_while_the_neighbour_is_down(site, bville):
    pointer = f"{NAME} is not reachable right now."
    await install(site.settings, synced_ago=timedelta(seconds=1))
    public_changed()
    for path in ("/", "/alerts"):
        assert pointer not in text_of((await site.client().get(path)).text)
    await install(site.settings, synced_ago=timedelta(hours=2))
    public_changed()
    for path in ("/", "/alerts"):
        page = await site.client().get(path)
        assert pointer in text_of(page.text) and f'href="{BASE}"' in page.text, path
        again = await site.client().get(path)  # a second visitor: the page rendered once for all of them
        assert pointer in text_of(again.text)
    with using_locale("ja"):
        japanese = gettext("%(city)s is not reachable right now. Its residents can read its alerts, notices and "
                           "shelters here:", city=NAME)
    assert not japanese.startswith(pointer)
    page = await site.client().get("/", headers={"Accept-Language": "ja"})
    assert japanese in text_of(page.text)
    listing = await site.client().get("/mirror")
    assert "Not reachable" in text_of(listing.text)
    # In disaster mode our front page is the light text page: it points there too.
    from sns.services import disaster

    desk = await site.ctx_for(await site.user("ourdesk", role="disaster"))
    await disaster.start_event(desk, name="Our own drill", drill=True)
    try:
        light = await site.client().get("/")
        assert "Our own drill" in light.text and pointer in text_of(light.text) and f'href="{BASE}"' in light.text
    finally:
        await disaster.end_event(desk)
