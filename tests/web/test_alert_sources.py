"""/admin/alert-sources: an administrator adds a CAP source, sees its health, polls it now (a real HTTP
server on 127.0.0.1), pauses, resumes and removes it; bad input keeps what was typed with a message next
to the field; its alerts show alongside ours, marked with where they come from, on every surface."""

from __future__ import annotations

import re

import pytest

from cap_server import cap, cap_server, ref
from fixtures import make_site
from sns.models.alerts import Alert
from sns.models.cap_sources import CapPollLog, CapSource

PAGE = "/admin/alert-sources"


@pytest.fixture(scope="module")
async def site(tmp_path_factory):
    async with make_site(tmp_path_factory.mktemp("alert-sources"), cap_timeout_seconds=1) as s:
        yield s


@pytest.fixture(scope="module")
def server():
    with cap_server() as s:
        yield s


@pytest.fixture(scope="module")
async def admin(site):
    await site.user("srcadmin", role="admin")
    client = site.client()
    await client.login("srcadmin")
    return client


def source_section(html: str, source_id: str) -> str:
    match = re.search(rf'<section class="card alert-source[^"]*" id="source-{source_id}">(.*?)</section>', html, re.S)
    assert match, html
    return match.group(1)


async def test_add_poll_pause_resume_remove(site, server, admin):
    server.serve("/city.cap", cap("CITY-1"))
    page = await admin.get(PAGE)
    assert page.status_code == 200 and "No alert sources yet." in page.text
    assert f'href="{PAGE}"' in page.text  # in the admin navigation
    r = await admin.submit(PAGE, {"url": server.url("/city.cap"), "label": "Prefecture fire desk", "poll_seconds": ""})
    assert (r.status_code, r.headers["location"]) == (303, PAGE)
    src = await CapSource.get()
    assert (src.label, src.enabled, src.poll_seconds, src.last_polled_at) == ("Prefecture fire desk", True, None, None)
    section = source_section((await admin.get(PAGE)).text, src.id)
    assert "not polled yet" in section and "every 60 seconds" in section
    # poll now: the alert is imported and the health says so
    r = await admin.submit(f"{PAGE}/{src.id}/poll")
    assert r.status_code == 303
    page = await admin.get(PAGE)
    assert "The source was polled: its health below shows the result." in page.text
    section = source_section(page.text, src.id)
    assert "working" in section and "Alerts imported</dt><dd>1" in section and "never" not in section
    alert = await Alert.get(identifier="CITY-1")
    # the source breaks: the reason is shown in words, with the technical detail
    server.serve("/city.cap", b"<html><body>502 Bad Gateway</body></html>", status=200, content_type="text/html")
    await admin.submit(f"{PAGE}/{src.id}/poll")
    page = await admin.get(PAGE)
    section = source_section(page.text, src.id)
    assert "failing" in section and "A web page, not alerts" in section and "an HTML page" in section
    assert "Recently refused" in page.text and "Prefecture fire desk" in page.text.split("Recently refused")[1]
    # pause, resume
    r = await admin.submit(f"{PAGE}/{src.id}/enable", {"enabled": "0"})
    assert r.status_code == 303 and not (await CapSource.get(id=src.id)).enabled
    assert "paused" in source_section((await admin.get(PAGE)).text, src.id)
    await admin.submit(f"{PAGE}/{src.id}/enable", {"enabled": "1"})
    assert (await CapSource.get(id=src.id)).enabled
    # remove: the source goes, its alert and its log stay
    r = await admin.submit(f"{PAGE}/{src.id}/remove")
    assert r.status_code == 303
    assert not await CapSource.exists(id=src.id) and await Alert.exists(id=alert.id)
    assert await CapPollLog.filter(source_id=None).count() == 1
    page = await admin.get(PAGE)
    assert "No alert sources yet." in page.text and "a removed source" in page.text
    assert (await admin.submit(f"{PAGE}/{src.id}/poll")).status_code == 404


@pytest.mark.parametrize("url, label, seconds, field, message", [
    ("ftp://files.example/cap.xml", "Files", "", "url", "This is not a web address (http:// or https://)."),
    ("javascript:alert(1)", "Script", "", "url", "This is not a web address (http:// or https://)."),
    ("https://", "Nothing", "", "url", "This is not a web address (http:// or https://)."),
    ("https://user:secret@pref.example/cap", "Secret", "", "url", "Leave out a user name and password"),
    ("https://pref.example/a b", "Space", "", "url", "Type the address without spaces"),
    ("https://pref.example:99999/cap", "Port", "", "url", "This is not a web address"),
    ("https://pref.example/" + "x" * 1000, "Long", "", "url", "This is too long (at most 1000 characters)."),
    ("https://pref.example/cap", "", "", "label", "Please fill in this field."),
    ("https://pref.example/cap", "Often", "3", "poll_seconds", "Give the interval in whole seconds, from 10"),
])
async def test_bad_input_is_kept_with_a_message_next_to_the_field(site, admin, url, label, seconds, field, message):
    r = await admin.submit(PAGE, {"url": url, "label": label, "poll_seconds": seconds})
    assert r.status_code == 400
    assert message in r.text
    assert f'id="{field}"' in r.text and 'aria-invalid="true"' in r.text
    for value in (url, label, seconds):
        if value:
            assert f'value="{value}"' in r.text.replace("&amp;", "&") or f'value="{value[:40]}' in r.text
    assert not await CapSource.exists(label=label or "x")


async def test_the_same_address_twice_is_refused(site, admin):
    data = {"url": "https://pref.example/twice.cap", "label": "Twice", "poll_seconds": "120"}
    assert (await admin.submit(PAGE, data)).status_code == 303
    r = await admin.submit(PAGE, {**data, "label": "Again"})
    assert r.status_code == 400 and "This address is already in the list." in r.text and 'value="Again"' in r.text
    assert await CapSource.filter(url=data["url"]).count() == 1
    assert (await CapSource.get(url=data["url"])).poll_seconds == 120
    await CapSource.filter(url=data["url"]).delete()


async def test_imported_alerts_show_alongside_ours_marked_with_their_source(site, server, admin):
    server.serve("/marked.cap", cap("MARK-1", headline="Imported brush fire"))
    await admin.submit(PAGE, {"url": server.url("/marked.cap"), "label": "Marked", "poll_seconds": ""})
    src = await CapSource.get(label="Marked")
    await admin.submit(f"{PAGE}/{src.id}/poll")
    alert = await Alert.get(identifier="MARK-1")
    visitor = site.client()
    banner = (await visitor.get("/diaries")).text
    assert "Imported brush fire" in banner and "From fd@pref.example" in banner
    listing = (await visitor.get("/alerts")).text
    assert "Imported brush fire" in listing and "From fd@pref.example" in listing
    detail = (await visitor.get(f"/alerts/{alert.id}")).text
    assert "imported from another system; it changes there" in detail
    features = (await visitor.get("/map/features.json?layers=alerts&bbox=139,35,140,36")).json()
    mine = [f for f in features["features"] if f["properties"].get("id") == alert.id]
    assert mine and mine[0]["properties"]["source"] == "fd@pref.example"
    atom = (await visitor.get("/feeds/alerts.atom")).text
    assert "Imported brush fire" in atom and "<name>fd@pref.example</name>" in atom
    # the source cancels it: the banner goes
    server.serve("/marked.cap", cap("MARK-1.c", "Cancel", ref("MARK-1"), sent="2026-11-23T21:00:00+09:00"))
    await admin.submit(f"{PAGE}/{src.id}/poll")
    assert (await Alert.get(id=alert.id)).status == "cancelled"
    assert "Imported brush fire" not in (await site.client().get("/diaries")).text


async def test_an_imported_alert_and_its_cancellation_reach_open_pages(site, server):
    import asyncio

    from sns.services.cap_poll import poll_sources
    from sns.web.live import _stream

    server.serve("/live.cap", cap("LIVE-1", headline="Live import"))
    src = await CapSource.create(url=server.url("/live.cap"), label="Live")
    stream = _stream(None)
    try:
        assert (await asyncio.wait_for(stream.__anext__(), 5)).startswith("retry:")
        waiting = asyncio.ensure_future(asyncio.wait_for(stream.__anext__(), 10))
        await asyncio.sleep(0.05)
        await poll_sources(site.settings, source_ids=[src.id], force=True)
        alert = await Alert.get(identifier="LIVE-1")
        chunk = await waiting
        assert "event: alert" in chunk and alert.id in chunk and '"outbreak"' in chunk
        server.serve("/live.cap", cap("LIVE-1.c", "Cancel", ref("LIVE-1"), sent="2026-11-23T21:00:00+09:00"))
        waiting = asyncio.ensure_future(asyncio.wait_for(stream.__anext__(), 10))
        await asyncio.sleep(0.05)
        await poll_sources(site.settings, source_ids=[src.id], force=True)
        assert '"cancelled"' in await waiting
    finally:
        await stream.aclose()
    await src.delete()


async def test_the_page_in_japanese(site, admin):
    await CapSource.create(url="http://127.0.0.1:9/ja.cap", label="県の防災", last_error_code="connect",
                           last_error="could not connect: [Errno 111] Connection refused")
    page = await admin.get(PAGE, headers={"Accept-Language": "ja"})
    assert "<h1>警報の取得元</h1>" in page.text and "取得元を追加する" in page.text
    assert "今すぐ取得" in page.text and "まだありません" in page.text
    await CapSource.filter(label="県の防災").delete()


async def test_poll_now_of_a_slow_feed_finishes_in_the_background(site, server, admin):
    import asyncio
    import time

    from cap_server import feed, linked
    from sns.services import cap_sources

    for n in range(8):  # each linked document drips until the fetch's whole deadline (3 s) cuts it off
        server.stream(f"/drip/{n}.cap", 10**6, chunk=b" ", pause=0.3)
    server.serve("/slow-feed.atom", feed(*(linked(server.url(f"/drip/{n}.cap"), n) for n in range(8))),
                 content_type="application/atom+xml")
    src = await CapSource.create(url=server.url("/slow-feed.atom"), label="Slow feed")
    started = time.monotonic()
    r = await admin.submit(f"{PAGE}/{src.id}/poll", follow=True)
    assert time.monotonic() - started < 5.9  # answered after 3 x cap_timeout_seconds + 2, not at the end
    assert "The source is being polled right now; look again soon." in r.text
    assert cap_sources._background
    await asyncio.wait(set(cap_sources._background), timeout=20)
    src = await CapSource.get(id=src.id)
    assert src.last_error.startswith("8 refused") and src.last_error_code == "timeout"
    await src.delete()
