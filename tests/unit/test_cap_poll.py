"""Polling CAP sources over real HTTP (a server on 127.0.0.1): alerts are imported once however often a
source is polled, Update and Cancel follow, and every hostile or broken source is refused with a
stored reason while the others still import. The job never raises."""

from __future__ import annotations

import asyncio
import time

import pytest

from cap_server import BILLION_LAUGHS, EXTERNAL_ENTITY, cap, cap_server, embedded, feed, linked, ref
from fixtures import free_port, make_site
from sns import tasks
from sns.models.alerts import Alert, AlertUpdate
from sns.models.cap_sources import CapPollLog, CapSource
from sns.services import cap_poll
from sns.services.cap_import import apply_parsed, parse_cap

MB = 1024 * 1024


@pytest.fixture(scope="module")
async def site(tmp_path_factory):
    async with make_site(tmp_path_factory.mktemp("cap-poll"), cap_timeout_seconds=1) as s:
        yield s


@pytest.fixture(scope="module")
def server():
    with cap_server() as s:
        yield s


@pytest.fixture(autouse=True)
async def empty(site):
    await CapPollLog.all().delete()
    await CapSource.all().delete()
    await AlertUpdate.all().delete()
    await Alert.all().delete()


async def source(server, path, label=None, **fields) -> CapSource:
    url = path if "://" in path else server.url(path)
    return await CapSource.create(url=url, label=label or path, **fields)


async def poll(site, *sources) -> dict[str, cap_poll.Outcome]:
    found = await cap_poll.poll_sources(site.settings, source_ids=[s.id for s in sources], force=True)
    return {o.label: o for o in found}


async def test_an_alert_is_imported_once_then_follows_update_and_cancel(site, server):
    server.serve("/pref.cap", cap(), headers={"ETag": '"v1"'})
    src = await source(server, "/pref.cap")
    await tasks.run_once("cap_poll", site.settings, site.app.state.site)  # a new source is due at once
    alert = await Alert.get()
    assert (alert.sender, alert.identifier, alert.status, alert.source) == ("fd@pref.example", "PREF-1",
                                                                            "outbreak", src.url)
    # polled again and again: not due, then not modified (ETag), then the same document: still one alert
    await tasks.run_once("cap_poll", site.settings, site.app.state.site)
    assert server.hits["/pref.cap"] == 1
    assert (await poll(site, src))["/pref.cap"].result == "not_modified"
    assert server.seen_headers["/pref.cap"]["If-None-Match"] == '"v1"'
    server.serve("/pref.cap", cap())  # no ETag any more: fetched in full, seen before
    [again] = (await poll(site, src)).values()
    assert (again.result, again.new, again.same) == ("ok", 0, 1)
    assert await Alert.all().count() == 1
    # the source publishes an Update, then a Cancel of it
    server.serve("/pref.cap", cap("PREF-1.u1", "Update", ref(), headline="Fire now near the village",
                                  sent="2026-11-23T19:50:00+09:00"))
    for _ in range(2):
        await poll(site, src)
    await alert.refresh_from_db()
    assert (alert.title, alert.status) == ("Fire now near the village", "outbreak")
    server.serve("/pref.cap", cap("PREF-1.c1", "Cancel", ref(), sent="2026-11-23T20:10:00+09:00"))
    for _ in range(2):
        await poll(site, src)
    await alert.refresh_from_db()
    assert alert.status == "cancelled"
    steps = await AlertUpdate.filter(alert_id=alert.id).order_by("created_at", "id")
    assert [(s.status, s.cap_identifier) for s in steps] == [
        ("outbreak", "PREF-1"), ("outbreak", "PREF-1.u1"), ("cancelled", "PREF-1.c1")]
    src = await CapSource.get(id=src.id)
    assert (src.imported, src.changes, src.refused, src.last_error) == (1, 2, 0, "")
    assert src.last_success_at is not None


async def test_a_feed_imports_its_good_entries_and_logs_the_bad_ones(site, server):
    server.serve("/docs/a.cap", cap("FEED-A"))
    server.serve("/docs/garbage.cap", b"\x00\x01 not xml at all")
    server.serve("/docs/b-update.cap", cap("FEED-B.u1", "Update", ref("FEED-B"), headline="B is bigger",
                                           sent="2026-11-23T19:40:00+09:00"))
    server.serve("/feed.atom", feed(
        linked(server.url("/docs/b-update.cap"), 1),  # newest first, as feeds go: applied oldest first
        embedded(cap("FEED-B"), 2),
        linked(server.url("/docs/a.cap"), 3),
        linked(server.url("/docs/garbage.cap"), 4),
        linked(server.url("/docs/missing.cap"), 5),
        embedded(b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>', 6),
    ), content_type="application/atom+xml")
    src = await source(server, "/feed.atom", "Prefecture feed")
    [outcome] = (await poll(site, src)).values()
    assert (outcome.result, outcome.new, outcome.changed) == ("ok", 2, 1)
    assert {a.identifier: a.title for a in await Alert.all()} == {"FEED-A": "Forest fire near the pass",
                                                                   "FEED-B": "B is bigger"}
    reasons = {url.rsplit("/", 1)[-1]: (code, reason) for url, code, reason in outcome.refused}
    assert reasons["garbage.cap"][0] == "refused" and "not well-formed" in reasons["garbage.cap"][1]
    assert reasons["missing.cap"] == ("http", "HTTP 404 Not Found")
    assert reasons["feed.atom#entry-6"][0] == "refused" and "missing <msgType>" in reasons["feed.atom#entry-6"][1]
    src = await CapSource.get(id=src.id)
    assert src.last_error.startswith("3 refused") and src.last_success_at is not None
    assert await CapPollLog.filter(source_id=src.id).count() == 3
    # again: the documents applied (and the garbage) are not fetched again; the 404 is tried again
    hits = dict(server.hits)
    [again] = (await poll(site, src)).values()
    assert (again.new, again.changed) == (0, 0)
    assert server.hits["/docs/a.cap"] == hits["/docs/a.cap"]
    assert server.hits["/docs/garbage.cap"] == hits["/docs/garbage.cap"]
    assert server.hits["/docs/missing.cap"] == hits["/docs/missing.cap"] + 1
    assert await Alert.all().count() == 2 and await AlertUpdate.all().count() == 3


async def test_every_bad_source_gets_a_clear_reason_and_the_good_one_still_imports(site, server):
    port = free_port()
    server.serve("/good.cap", cap("GOOD-1"))
    server.serve("/garbage", b"this is not XML {]", content_type="text/plain")
    server.serve("/bomb.cap", BILLION_LAUGHS)
    server.serve("/xxe.cap", EXTERNAL_ENTITY)
    server.serve("/cap11.cap", cap().replace(b"cap:1.2", b"cap:1.1"))
    server.serve("/html", b"<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>",
                 content_type="text/html; charset=utf-8")
    server.serve("/500", b"Internal Server Error", status=500, content_type="text/plain")
    server.serve("/announced", b"<" * (3 * MB))  # with a Content-Length over the cap
    server.stream("/endless", 50 * MB)
    server.gzip_bomb("/gzip", 50 * MB)
    server.stream("/gigabyte", 1024 * MB, announce=1024 * MB)  # says so: not read at all
    server.slow("/slow", 4, cap("SLOW-1"))
    server.stream("/drip", 10 * MB, chunk=b" ", pause=0.2)  # never silent for a whole timeout
    server.redirect("/loop", "/loop")
    server.redirect("/to-file", "file:///etc/passwd")
    server.serve("/moved-here.cap", cap("MOVED-1"))
    server.redirect("/moved", "/moved-here.cap", 301)
    sources = [await source(server, p) for p in (
        "/garbage", "/bomb.cap", "/xxe.cap", "/cap11.cap", "/html", "/500", "/announced", "/gigabyte", "/endless",
        "/gzip", "/slow", "/drip", "/loop", "/to-file", "/moved", "/good.cap")]
    sources.append(await source(server, f"http://127.0.0.1:{port}/cap", "refused port"))
    sources.append(await source(server, "ftp://127.0.0.1/cap", "not http"))  # made without the form's checks
    started = time.monotonic()
    await cap_poll.run_job(site.settings, site.app.state.site)  # the job itself: never raises
    took = time.monotonic() - started
    assert await Alert.filter(identifier="GOOD-1").count() == 1
    assert await Alert.filter(identifier="MOVED-1").count() == 1  # a redirect is followed
    stored = {s.label: s for s in await CapSource.all()}
    expect = {
        "/garbage": ("refused", "not well-formed XML"),
        "/bomb.cap": ("refused", "a DOCTYPE is not accepted"),
        "/xxe.cap": ("refused", "a DOCTYPE is not accepted"),
        "/cap11.cap": ("refused", "neither a CAP 1.2 <alert> nor an Atom feed"),
        "/html": ("html", "an HTML page"),
        "/500": ("http", "HTTP 500 Internal Server Error"),
        "/announced": ("too_large", f"announces {3 * MB} bytes"),
        "/gigabyte": ("too_large", f"announces {1024 * MB} bytes"),
        "/endless": ("too_large", "larger than 2097152 bytes"),
        "/drip": ("timeout", "timed out waiting for the answer"),
        "/loop": ("redirects", "more than 5 redirects"),
        "/to-file": ("url", "not a URL we fetch"),
        "/gzip": ("too_large", "larger than 2097152 bytes"),
        "/slow": ("timeout", "timed out waiting for the answer"),
        "refused port": ("connect", "could not connect"),
        "not http": ("url", "not a URL we fetch"),
    }
    for label, (code, words) in expect.items():
        s = stored[label]
        assert (s.last_error_code, words in s.last_error) == (code, True), (label, s.last_error)
        assert s.last_success_at is None and s.refused == 1 and s.last_polled_at is not None, label
        entry = await CapPollLog.get(source_id=s.id)
        assert (entry.code, entry.reason) == (code, s.last_error)
    for good in (stored["/good.cap"], stored["/moved"]):
        assert (good.last_error, good.imported) == ("", 1) and good.last_success_at is not None
    assert server.sent["/gigabyte"] < 20 * MB and server.sent["/drip"] < 100, server.sent
    # the endless stream was cut near the cap, not read to its 50 MB; nobody waited for it all
    assert server.sent["/endless"] < 20 * MB, server.sent["/endless"]
    assert took < 10, took
    print(f"endless stream: {server.sent['/endless']} bytes sent of {50 * MB}; the round took {took:.2f} s")


async def test_two_workers_at_once_import_once(site, server):
    server.serve("/twice.cap", cap("TWICE-1"))
    server.serve("/twice-update.cap", cap("TWICE-1.u", "Update", ref("TWICE-1"), sent="2026-11-23T19:30:00+09:00"))
    a = await source(server, "/twice.cap")
    b = await source(server, "/twice-update.cap")
    results = await asyncio.gather(*(cap_poll.poll_sources(site.settings) for _ in range(3)))
    outcomes = [o for round_ in results for o in round_]
    assert sorted(o.result for o in outcomes if o.source_id == a.id).count("ok") == 1  # the others: busy
    assert await Alert.filter(identifier="TWICE-1").count() == 1
    # the same Update applied by two workers at the same moment: one history step
    update = parse_cap(cap("TWICE-1.u2", "Update", ref("TWICE-1"), headline="Twice"))[0]
    await asyncio.gather(*(apply_parsed(update, b.url, origin=site.settings.origin) for _ in range(4)))
    assert await AlertUpdate.filter(cap_identifier="TWICE-1.u2").count() == 1


async def test_a_paused_source_is_not_polled_and_a_removed_one_keeps_its_alerts(site, server):
    server.serve("/paused.cap", cap("PAUSED-1"))
    src = await source(server, "/paused.cap", enabled=False)
    await tasks.run_once("cap_poll", site.settings, site.app.state.site)
    assert server.hits["/paused.cap"] == 0 and not await Alert.exists(identifier="PAUSED-1")
    src.enabled = True
    await src.save()
    await tasks.run_once("cap_poll", site.settings, site.app.state.site)
    assert await Alert.exists(identifier="PAUSED-1")
    await src.delete()
    assert await Alert.exists(identifier="PAUSED-1")
