"""Sign-in limits hold for a whole city, not per process: real `sns serve` processes, ten wrong passwords
typed through the sign-in form spread over them, and the eleventh attempt is refused on every one of
them, even with the right password.

- two machines of one city on PostgreSQL counting in the database (`limits_url` empty, no Redis), and two
  more of the same city counting in Redis (`limits_url = redis://...`);
- on SQLite, one `sns serve --workers 2`: its two worker processes count in the one database file.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import redis

from browser.live import PASSWORD, SQLITE_HALF, LiveServer
from multi.machines import city_machines, needs_postgres

pytestmark = pytest.mark.slow
LIMIT = 10
SETTINGS = {"SNS_LOGIN_ATTEMPTS_PER_15MIN": str(LIMIT), "SNS_BACKGROUND_TASKS": "false"}
REFUSED = "Too many sign-in attempts"


def sign_in(base_url: str, username: str, password: str) -> httpx.Response:
    """The sign-in form, as a browser sends it, on a new connection (with several workers, any may answer)."""
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=base_url, trust_env=False, limits=limits, timeout=10) as browser:
        page = browser.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return browser.post("/login", data={"username": username, "password": password, "csrf_token": csrf})


def guess_then_try_the_right_password(urls: list[str], username: str) -> None:
    """LIMIT wrong passwords spread over `urls`, each refused as wrong; then the right password is refused
    as too many on each of them."""
    for n in range(LIMIT):
        wrong = sign_in(urls[n % len(urls)], username, "not-the-password")
        assert wrong.status_code == 400 and REFUSED not in wrong.text, (n, wrong.status_code)
    for url in urls:
        refused = sign_in(url, username, PASSWORD)
        assert refused.status_code == 429 and REFUSED in refused.text, (url, refused.status_code)


@pytest.fixture(scope="module")
def city(tmp_path_factory, redis_url):
    """Four machines of one city (PostgreSQL), started at once: A and B count in the database (no Redis),
    C and D in Redis (`limits_url`), so each pair's counts are its own."""
    root = tmp_path_factory.mktemp("limits-city")
    with city_machines(root, 4, env=SETTINGS, start=False) as machines:
        for machine in machines[2:]:
            machine.extra_env["SNS_LIMITS_URL"] = redis_url
        machines[0].create_user("dora")
        with ThreadPoolExecutor(len(machines)) as pool:
            list(pool.map(LiveServer.start, machines))
        yield machines


@needs_postgres
def test_sign_in_attempts_count_across_machines_in_the_database(city):
    a, b, _, _ = city
    guess_then_try_the_right_password([a.url, b.url], "dora")


@needs_postgres
def test_sign_in_attempts_count_across_machines_in_redis(city, redis_url):
    _, _, c, d = city
    guess_then_try_the_right_password([d.url, c.url], "dora")
    keys = redis.Redis.from_url(redis_url).keys("sns:*:rate:logins:*")
    assert any(b":user:dora:" in key for key in keys), keys


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    """`sns serve --workers 2` on SQLite."""
    server = LiveServer(tmp_path_factory.mktemp("limits-workers"), "")
    server.extra_env = dict(SETTINGS)
    server.start(workers=2)  # `sns serve` makes the database and keys itself
    try:
        server.create_user("yuki")
        yield server
    finally:
        server.stop()


@SQLITE_HALF  # on SQLite whatever the run: the same in both halves
def test_sign_in_attempts_count_across_the_workers_of_one_server(two_workers):
    guess_then_try_the_right_password([two_workers.url], "yuki")
    assert two_workers.log.read_text().count("Started server process") >= 2, two_workers.tail()
