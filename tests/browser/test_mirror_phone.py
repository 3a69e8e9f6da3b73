"""Bville's site is down. One of its residents opens the neighbour's site on the narrowest phone (320 px),
JavaScript off: the front page points to Bville's mirror, which is labelled as a copy with the time of the
last sync, shows Bville's alert, and the alert's page says what to do. Everything fits the screen.

The neighbour is a real `sns serve` of its own; Bville's records are written by a second site through its
services and stored in the neighbour's replica as a pull stores them (tests/mirror_town.py).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from browser.live import ONCE, LiveServer, Phones, migrated_database
from mirror_town import NAME, ORIGIN, install, write_bville

pytestmark = [pytest.mark.browser, ONCE]
NARROW = {"width": 320, "height": 640}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


async def _prepare(live: LiveServer, tmp) -> None:
    from tortoise import Tortoise

    from sns.db import tortoise_config
    from sns.mirror import alerts, replicas  # noqa: F401 - alerts: the hook that copies Bville's alerts
    from sns.settings import load_settings

    town = await write_bville(tmp / "bville")
    settings = load_settings(live.data_dir, database_url=live.database_url, origin="browser.test")
    await Tortoise.init(config=tortoise_config(settings))
    try:
        await install(settings, town.first, synced_ago=timedelta(hours=3))  # not answering for three hours
    finally:
        await replicas.close_all()
        await Tortoise.close_connections()


@pytest.fixture(scope="module")
def neighbour(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mirror-phone")
    live = LiveServer(tmp / "neighbour", migrated_database(tmp / "neighbour"))
    live.sns("init")
    with ThreadPoolExecutor(1) as pool:  # its own event loop: this thread's may belong to Playwright
        pool.submit(asyncio.run, _prepare(live, tmp)).result()
    live.start()
    yield live
    live.stop()


def test_a_fallen_citys_resident_reads_its_alert_on_the_neighbours_mirror(browser, neighbour):
    phones = Phones(browser, neighbour)
    try:
        page = phones.page(viewport=NARROW, java_script_enabled=False)
        page.goto("/")
        pointer = page.locator(f'[id="mirror-pointer-{ORIGIN}"]')
        assert f"{NAME} is not reachable right now." in pointer.inner_text()
        assert fits(page)
        with page.expect_navigation():
            pointer.locator("a").click()
        assert page.url.endswith(f"/mirror/{ORIGIN}")
        label = page.inner_text(".mirror-label")
        assert f"This is a copy of {NAME} kept by" in label and "read-only" in label and "last updated" in label
        assert page.locator(".mirror-label time").count() >= 1
        assert "Bville North School" in page.inner_text("main")
        assert fits(page)
        assert f"From {NAME}" in page.inner_text(".alert-banner")  # our own banner carries Bville's alert too
        with page.expect_navigation():
            page.click("ul.alerts a.title:has-text('Fire at Bville market')")  # the mirror's list
        assert page.url.endswith(f"/mirror/{ORIGIN}/alerts/" + page.url.rsplit("/", 1)[1])
        assert "Keep away from the market." in page.inner_text("main")
        assert f"This is a copy of {NAME}" in page.inner_text(".mirror-label")
        assert page.locator("main form").count() == 0  # nothing to write on a mirror
        assert fits(page)
    finally:
        phones.close()
