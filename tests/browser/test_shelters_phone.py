"""On a phone: the administrator imports the city's Shift_JIS shelter list, the disaster desk opens a
shelter, and a visitor on the narrowest phone, without JavaScript, finds the open shelter first and
filters the list by hazard; the map shows the shelters as markers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser.live import ONCE

pytestmark = [pytest.mark.browser, ONCE]

NARROW = {"width": 320, "height": 640}
CSV = "\r\n".join([
    "施設・場所名,住所,洪水,崖崩れ、土石流及び地滑り,高潮,地震,津波,大規模な火事,内水氾濫,火山現象,緯度,経度,収容人数,備考",
    "潮見小学校 体育館,潮見町一丁目2番3号,○,,○,○,○,○,,,32.50812,130.59731,420,",
    "本町公民館,本町三丁目5番1号,,,,○,,○,,,32.50540,130.60388,180,福祉避難所を兼ねる",
    "北の森広場,北町二丁目,,,,○,,○,,,32.52290,130.60811,3000,とても長い備考がここに入ります。車椅子で入れる入口は東側の坂道の先にあります。",
    "",
]).encode("cp932")


@pytest.fixture(scope="module")
def people(server):
    server.create_user("shelteradmin", "admin")
    server.ensure_user("shelterdesk", "disaster")  # the disaster desk of test_disaster_phone.py too
    return server


def test_import_open_and_find_a_shelter_without_javascript(people, phones):
    admin = phones.signed_in("shelteradmin")
    admin.goto("/admin/shelters")
    admin.set_input_files("#file", files=[{"name": "shelters.csv", "mimeType": "text/csv", "buffer": CSV}])
    with admin.expect_navigation():
        admin.click("#import button[type=submit]")
    assert "3 added" in admin.inner_text("#result")

    desk = phones.signed_in("shelterdesk")
    desk.goto("/shelters")
    with desk.expect_navigation():
        desk.click("a:text-is('Change shelter statuses')")
    card = desk.locator(".shelter", has_text="北の森広場")
    with desk.expect_navigation():
        card.locator("button:text-is('Opened')").click()
    assert "The shelter's status is changed." in desk.inner_text(".flash")
    expect(desk.locator(".shelter", has_text="北の森広場").locator(".shelter-status")).to_have_text("Opened")

    visitor = phones.page(viewport=NARROW, java_script_enabled=False)
    visitor.goto("/shelters")
    names = visitor.locator(".shelter h2").all_inner_texts()
    assert names[0] == "北の森広場" and set(names) == {"北の森広場", "潮見小学校 体育館", "本町公民館"}
    first = visitor.locator(".shelter").first
    assert "Opened" in first.inner_text() and "since" in first.inner_text() and "3000 people" in first.inner_text()
    assert re.search(r"/map\?lat=32\.522900&lon=130\.608110&zoom=17$",
                     first.locator("a:text-is('Show on the map')").get_attribute("href"))
    visitor.select_option("#f-hazard", "tsunami")
    with visitor.expect_navigation():
        visitor.click("form.shelter-filters button[type=submit]")
    assert "hazard=tsunami" in visitor.url
    assert visitor.locator(".shelter h2").all_inner_texts() == ["潮見小学校 体育館"]
    visitor.goto("/shelters")
    assert visitor.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert visitor.locator(".shelter-filters select").first.bounding_box()["height"] >= 40

    # the staff pages fit the narrowest phone too
    for who, path in (("shelterdesk", "/admin/shelters"), ("shelteradmin", "/admin/shelters"),
                      ("shelteradmin", "/admin/map-layers")):
        narrow = phones.signed_in(who, viewport=NARROW)
        narrow.goto(path)
        assert narrow.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (who, path)

    # with JavaScript, the map shows the shelters layer's markers
    reader = phones.page()
    answers: list = []
    reader.on("response", lambda r: answers.append(r) if "/map/features.json" in r.url else None)
    reader.goto("/map?lat=32.5229&lon=130.60811&zoom=15")
    expect(reader.locator("#map-status")).to_have_text(re.compile(r"Shown on the map: \d+"))
    bodies = " ".join(a.text() for a in answers if a.ok)
    assert "北の森広場" in bodies and "開設中" not in bodies and "Opened" in bodies
