"""The map on a phone: a place tapped on a small map, markers for what the viewer may read, a popup that
leads to the entry, and nothing fetched from any host but the site and its tile server, also when the
tile server is down."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest

from playwright.sync_api import expect

from browser.live import ONCE, sign_in

pytestmark = [pytest.mark.browser, ONCE]


@pytest.fixture(scope="module")
def people(server):
    server.create_user("mapwalker", "resident")
    server.create_user("mapvisitor", "resident")
    return ("mapwalker", "mapvisitor")


def tap_map(page, selector: str, dx: float = 0.5, dy: float = 0.5) -> None:
    box = page.locator(selector).bounding_box()
    page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)


def write_placed_diary(page, title: str, visibility: str, *, tap: bool, lat: str = "", lon: str = "") -> dict:
    page.goto("/diaries/new")
    page.fill("#title", title)
    page.fill("#body", "Seen on my walk.")
    page.check(f"input[name=visibility][value={visibility}]")
    if tap:
        page.click("details.place-picker summary")
        page.wait_for_selector(".place-picker .leaflet-container")
        tap_map(page, ".place-picker .picker-map", 0.4, 0.6)
        expect(page.locator("input[name=lat]")).not_to_have_value("")
    else:
        page.fill("input[name=lat]", lat)
        page.fill("input[name=lon]", lon)
    place = {"lat": page.input_value("input[name=lat]"), "lon": page.input_value("input[name=lon]")}
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert re.search(r"/diaries/[0-9a-f-]{36}$", page.url), page.content()[:2000]
    return place


def open_map(page, place: dict, answers: list) -> None:
    page.on("response", lambda r: answers.append(r) if "/map/features.json" in r.url else None)
    page.goto(f"/map?lat={place['lat']}&lon={place['lon']}&zoom=17")
    # (the page's CSP forbids eval, so no wait_for_function here)
    expect(page.locator("#map-status")).to_have_text(re.compile(r"Shown on the map: \d+"))


def click_marker(page, place: dict) -> None:
    point = page.evaluate(f"(() => {{ const p = map_town.latLngToContainerPoint([{place['lat']}, {place['lon']}]);"
                          " return {x: p.x, y: p.y}; })()")
    box = page.locator("#map_town").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_selector(".leaflet-popup-content .map-popup")


def test_a_tapped_place_shows_on_the_map_and_private_places_do_not(phones, server, tiles, people):
    writer = phones.page()
    sign_in(writer, "mapwalker")
    place = write_placed_diary(writer, "Cherry trees by the river", "public", tap=True)
    assert float(place["lat"]) and float(place["lon"])
    write_placed_diary(writer, "Where my spare key is", "friends", tap=False,
                       lat=str(round(float(place["lat"]) + 0.0004, 5)), lon=place["lon"])

    reader = phones.page()
    sign_in(reader, "mapvisitor")
    requests: list[str] = []
    reader.on("request", lambda r: requests.append(r.url))
    answers: list = []
    open_map(reader, place, answers)
    reader.wait_for_selector(".leaflet-tile-loaded")  # the tile server's tiles are drawn under the markers
    click_marker(reader, place)
    popup = reader.locator(".leaflet-popup-content")
    assert "Cherry trees by the river" in popup.inner_text()
    bodies = " ".join(json.dumps(a.json()) for a in answers if a.ok)
    assert "Cherry trees" in bodies and "spare key" not in bodies
    with reader.expect_navigation():
        popup.locator("a").click()
    assert "Cherry trees by the river" in reader.locator("main h1").inner_text()

    # Every request went to the site or to its tile server, and tiles were drawn.
    allowed = {urlsplit(server.url).netloc, f"127.0.0.2:{tiles.port}"}
    hosts = {urlsplit(url).netloc for url in requests if url.startswith("http")}
    assert hosts <= allowed, hosts - allowed
    assert any(urlsplit(url).netloc == f"127.0.0.2:{tiles.port}" for url in requests), "no tile was asked for"

    # The writer sees both of their own places.
    mine: list = []
    open_map(writer, place, mine)
    assert "spare key" in " ".join(json.dumps(a.json()) for a in mine if a.ok)


def test_markers_still_show_when_the_tile_server_is_down(phones, tiles, people):
    page = phones.page()
    sign_in(page, "mapwalker")
    place = write_placed_diary(page, "Bench with a view", "public", tap=False, lat="32.5121", lon="130.6102")
    tiles.failing = True
    try:
        asked = len(tiles.requests)
        open_map(page, place, [])
        page.wait_for_timeout(300)
        assert len(tiles.requests) > asked  # the tiles were tried and failed...
        assert page.locator(".leaflet-tile-loaded").count() == 0
        click_marker(page, place)  # ...and the marker is there all the same, on the plain background
        assert "Bench with a view" in page.locator(".leaflet-popup-content").inner_text()
    finally:
        tiles.failing = False


def test_without_javascript_the_map_page_lists_where_to_find_everything(phones, people):
    page = phones.page(java_script_enabled=False)
    page.goto("/map")
    legend = page.locator(".map-legend")
    assert legend.locator("a[href='/diaries']").count() == 1 and legend.locator("a[href='/events']").count() == 1
    assert page.locator("#map_town").is_hidden()
