"""Live alerts survive a dropped broker connection, on real `sns serve` machines of one city.

Machines A and B share a Redis (`broadcast_url`); machine C uses the database (LISTEN/NOTIFY). An open
page's stream keeps hearing alerts after the broker connection is killed (`CLIENT KILL TYPE pubsub`,
`pg_terminate_backend`) or Redis is restarted on the same port, and an alert whose event was lost (posted
while the broker was away) reaches it too, replayed from the database when the machine's hub is back
(sns/events.py).

PostgreSQL only: the machines share its database (SQLite is one machine's)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import asyncpg
import httpx
import pytest

from browser.live import PASSWORD, alert_stream
from multi.machines import city_machines, needs_postgres
from restartable_redis import RestartableRedis

pytestmark = [pytest.mark.slow, needs_postgres]

ALERT = {"kind": "fire", "title": "Smoke at the station", "description": "Smoke.", "instruction": "Stay away.",
         "lat": 32.5052, "lon": 130.6039, "radius_m": 300, "severity": "Severe"}
WITHIN = 2.0


@pytest.fixture(scope="module")
def redis_box():
    with RestartableRedis() as server:
        yield server


@pytest.fixture(scope="module")
def city(tmp_path_factory, redis_box):
    """A and B on Redis, C on the database, one city (one database): (a, b, c, token)."""
    root = tmp_path_factory.mktemp("broker-city")
    with city_machines(root, 3, redis_url=redis_box.url, env={"SNS_SHARED_CACHE_SECONDS": "30"},
                       start=False) as (a, b, c):
        b.extra_env["SNS_BACKGROUND_TASKS"] = c.extra_env["SNS_BACKGROUND_TASKS"] = "false"
        c.extra_env["SNS_BROADCAST_URL"] = c.database_url
        a.create_user("firechief", "fire")
        a.create_user("mayor", "admin")
        token = a.sns("token", "create", "firechief").strip()
        with ThreadPoolExecutor(3) as starting:  # each start mostly waits for its server to answer
            list(starting.map(lambda machine: machine.start(), (a, b, c)))
        yield a, b, c, {"Authorization": f"Bearer {token}"}
        for machine in (a, b, c):
            assert "Traceback" not in machine.tail(400), machine.tail(400)


class Page:
    """An open page's stream (`/live`): the alert events it is sent, with their arrival times."""

    def __init__(self, url: str):
        self.url, self.alerts = url, asyncio.Queue()
        self.ready = asyncio.Event()

    async def listen(self) -> None:
        await alert_stream(self.url + "/live", self.alerts, self.ready)

    async def hears(self, alert_id: str, within: float = WITHIN) -> float:
        started = time.monotonic()
        async with asyncio.timeout(within):
            while json.loads((await self.alerts.get())[1][5:])["id"] != alert_id:
                pass
        return time.monotonic() - started


@pytest.fixture
async def page_on():
    tasks = []

    async def open_page(machine) -> Page:
        page = Page(machine.url)
        tasks.append(asyncio.create_task(page.listen()))
        await asyncio.wait_for(page.ready.wait(), 10)
        await asyncio.sleep(0.2)  # subscribed (the stream subscribes right after its first line)
        return page

    yield open_page
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def post_alert(http: httpx.AsyncClient, machine, api: dict, title: str) -> str:
    started = time.monotonic()
    r = await http.post(machine.url + "/api/v1/alerts", json={**ALERT, "title": title}, headers=api)
    assert r.status_code == 201, r.text
    assert time.monotonic() - started < WITHIN  # publishing during an outage holds nobody up
    return r.json()["id"]


async def until(check, within: float = 10.0) -> None:
    """Until `check()` (or what it awaits) is true."""
    async with asyncio.timeout(within):
        while not ((await done) if asyncio.iscoroutine(done := check()) else done):
            await asyncio.sleep(0.05)


async def test_redis_pubsub_connections_killed(city, redis_box, page_on):
    a, b, _, api = city
    page = await page_on(b)
    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        assert await page.hears(await post_alert(http, a, api, "Before the cut")) < WITHIN
        with redis_box.client() as admin:
            assert admin.client_kill_filter(_type="pubsub") == 2  # A's and B's
        await until(lambda: redis_box.subscribers() == 2)
        assert await page.hears(await post_alert(http, a, api, "After the cut")) < WITHIN


async def test_redis_restarted_and_an_alert_posted_meanwhile(city, redis_box, page_on):
    a, b, _, api = city
    page = await page_on(b)
    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        kept = (await http.get(b.url + "/alerts/banner")).text  # B keeps it for 30 s
        redis_box.stop()
        during = await post_alert(http, a, api, "Posted while Redis was down")
        assert "Posted while Redis was down" not in kept
        await asyncio.sleep(0.3)
        redis_box.start()
        await until(lambda: redis_box.subscribers() == 2)
        assert await page.hears(during, 6) >= 0  # replayed from the database once B's hub is back
        # and B forgot the banner it kept: the alert may have changed during the outage
        assert "Posted while Redis was down" in (await http.get(b.url + "/alerts/banner")).text
        assert await page.hears(await post_alert(http, a, api, "After the restart")) < WITHIN


async def hub_connections(database_url: str, kill: bool = False) -> int:
    """C's hub connections to the city's database (killed with `kill`)."""
    conn = await asyncpg.connect(database_url)
    try:
        what = "pg_terminate_backend(pid)" if kill else "pid"
        return await conn.fetchval(f"SELECT count({what}) FROM pg_stat_activity WHERE application_name = "
                                   "'sns-live' AND datname = $1 AND pid <> pg_backend_pid()",
                                   urlparse(database_url).path.lstrip("/"))
    finally:
        await conn.close()


async def test_postgresql_connection_terminated(city, page_on):
    a, _, c, api = city
    page = await page_on(c)
    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        assert await hub_connections(c.database_url, kill=True) == 1
        await until(lambda: hub_connections(c.database_url))
        assert await page.hears(await post_alert(http, c, api, "After the kill")) < WITHIN

        # An alert whose event C's hub never heard, as one posted while its connection was down: posted
        # through A, whose events go to Redis, not to C's database. When C's connection is killed and comes
        # back, C's open page catches up with it from the database.
        unheard = await post_alert(http, a, api, "Never heard by C")
        assert await hub_connections(c.database_url, kill=True) == 1
        assert await page.hears(unheard, 5) >= 0
        await until(lambda: hub_connections(c.database_url))
        assert await page.hears(await post_alert(http, c, api, "After the second kill")) < WITHIN


def test_site_settings_saved_on_one_machine_show_on_the_others_at_once(city):
    """The town's name is read once per process and kept: saving it on A makes B (on the same Redis) forget
    its copy at once, its front page shared for 30 s included."""
    a, b, _, _ = city
    for machine in (a, b):  # each keeps the name it has now
        assert "Yatsushiro Hills" not in httpx.get(machine.url + "/", trust_env=False).text
    with httpx.Client(base_url=a.url, trust_env=False, timeout=10) as mayor:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', mayor.get("/login").text).group(1)
        assert mayor.post("/login", data={"username": "mayor", "password": PASSWORD,
                                          "csrf_token": csrf}).status_code == 303
        page = mayor.get("/admin/site").text
        form = {name: value for name, value in re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', page)}
        saved = mayor.post("/admin/site", data={**form, "town_name": "Yatsushiro Hills", "csrf_token": csrf})
        assert saved.status_code == 303, saved.text[:2000]
    for machine in (a, b):
        deadline = time.monotonic() + WITHIN
        while "Yatsushiro Hills" not in httpx.get(machine.url + "/", trust_env=False).text:
            assert time.monotonic() < deadline, f"{machine.url} still shows the old name"
            time.sleep(0.05)
