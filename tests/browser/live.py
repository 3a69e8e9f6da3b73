"""Helpers for the browser tests: a real `sns serve` process, phones (browser contexts)
at a phone's size, and the few steps that many scenarios share."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from fixtures import PASSWORD, ChildServer, _fresh_postgres, _migrated_template, free_port, wait_until_answering

SNS = Path(sys.executable).with_name("sns")
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Accounts made with `sns user create` before the server starts: name -> role.
ACCOUNTS = {
    "admin": "admin",
    "hanako": "resident",   # writes a friends-only diary
    "taro": "resident",     # hanako's friend
    "ken": "resident",      # a stranger to hanako
    "mallory": "resident",  # types script-injection strings everywhere
    "yuki": "resident",     # uses a phone with JavaScript off
    "dora": "resident",     # makes typing mistakes
    "momo": "moderator",    # works through the review queue
}


# Which run this is. `.ci/test` runs the suite twice side by side, on SQLite and on PostgreSQL, and tells both
# runs so (SNS_TEST_BOTH_DATABASES=1): the costly modules that are not about the database's dialect then run
# in one of the two halves only, chosen to keep the halves even (README.md, "Tests: what runs where").
ON_POSTGRES = bool(os.environ.get("SNS_TEST_DATABASE_URL"))
BOTH_RUN = os.environ.get("SNS_TEST_BOTH_DATABASES") == "1"

# Pages in a browser whose reads and writes the tests in tests/web already run on both databases: run once,
# on SQLite (the suite runs twice, side by side; a browser module costs a minute or more each time).
ONCE = pytest.mark.skipif(ON_POSTGRES,
                          reason="a page in a browser: run on SQLite; its reads and writes run on both in tests/web")
# Several `sns serve` processes of one city or of neighbouring cities (tests/multi): a city scales out on
# PostgreSQL, so when both runs go they run in the PostgreSQL half; alone, either database runs them.
POSTGRES_HALF = pytest.mark.skipif(BOTH_RUN and not ON_POSTGRES,
                                   reason="several processes: in the PostgreSQL half of .ci/test (both run)")
# Several processes whose database work the in-process tests (tests/unit, tests/web) run on both databases,
# kept in the SQLite half when both runs go, to even the halves out; alone, either database runs them.
SQLITE_HALF = pytest.mark.skipif(BOTH_RUN and ON_POSTGRES,
                                 reason="several processes: in the SQLite half of .ci/test (both run)")


def fresh_database_url() -> str:
    """A new empty PostgreSQL database when the suite runs on PostgreSQL, else "" (SQLite).
    Made in a thread of its own: this thread's event loop may belong to Playwright."""
    pg = os.environ.get("SNS_TEST_DATABASE_URL")
    if not pg:
        return ""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _fresh_postgres(pg)).result()


def migrated_database(data: Path) -> str:
    """A database with the migrations applied, as `sns init` leaves it: a copy of the test run's migrated
    template (a new PostgreSQL database when the suite runs on it, else the SQLite file in `data`)."""
    pg = os.environ.get("SNS_TEST_DATABASE_URL") or ""

    async def make() -> str:
        template = await _migrated_template(pg)
        if pg:
            return await _fresh_postgres(pg, template)
        data.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, data / "sns.sqlite3")
        return ""

    with ThreadPoolExecutor(1) as pool:  # this thread may have an event loop of its own
        return pool.submit(asyncio.run, make()).result()


async def alert_stream(url: str, into: asyncio.Queue, ready: asyncio.Event, headers: dict | None = None) -> None:
    """An open page's EventSource on the stream at `url` (`.../live`, or `.../events` asked for a stream): puts
    `(arrival time, data line)` for each alert event in `into`; `ready` is set once the stream has begun. The
    stream is checked to be an event stream that nothing compressed (a proxy must pass it on as it comes)."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=None), trust_env=False) as client:
        async with client.stream("GET", url, headers=headers or {"Accept": "text/event-stream"}) as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
            assert "content-encoding" not in r.headers
            event = None
            async for line in r.aiter_lines():
                if line.startswith("retry:"):
                    ready.set()
                elif line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event == "alert":
                    await into.put((time.monotonic(), line))


class LiveServer(ChildServer):
    """`sns serve` as a child process on a loopback port, on its own data directory."""

    def __init__(self, data_dir: Path, database_url: str) -> None:
        self.data_dir, self.database_url = data_dir, database_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "server.log"
        self.process: subprocess.Popen | None = None
        self.signed_in: dict[str, dict] = {}  # username -> browser storage state (its session cookie)
        self.extra_env: dict[str, str] = {}  # more settings (SNS_...) for this server

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SNS_")}
        env.update({
            "DATABASE_URL": self.database_url,
            "SNS_PUBLIC_URL": self.url,
            "SNS_ORIGIN": "browser.test",
            # A test signs in and posts more often than a person does.
            "SNS_LOGIN_ATTEMPTS_PER_15MIN": "1000",
            "SNS_POSTS_PER_10MIN": "1000",
            # Staff sign in with a password alone here; the second factor's browser tests start their own server.
            "SNS_SECOND_FACTOR_ROLES": "",
            "PYTHONUNBUFFERED": "1",
        })
        env.update(self.extra_env)
        return env

    def sns(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run([str(SNS), "--data", str(self.data_dir), *args], input=stdin, env=self.env,
                              capture_output=True, text=True, timeout=180)  # a hang guard: `init` takes ~10 s of CPU
        assert done.returncode == 0, f"sns {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
        return done.stdout

    def create_user(self, name: str, role: str = "resident") -> None:
        self.sns("user", "create", name, "--role", role, "--display-name", name.capitalize(),
                 stdin=PASSWORD + "\n")

    def ensure_user(self, name: str, role: str = "resident") -> None:
        """The account, made unless an earlier test module made it (modules share one server, and
        test_xss.py reads the first page of /people: no more accounts than needed)."""
        try:
            self.create_user(name, role)
        except AssertionError as exc:
            if "That username is taken." not in str(exc):
                raise

    def start(self, timeout: float = 30, workers: int = 1) -> None:
        """Serve (with `workers` processes, as `sns serve --workers N`) and wait until it answers."""
        more = ["--workers", str(workers)] if workers > 1 else []
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(SNS), "--data", str(self.data_dir), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 *more],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            wait_until_answering(self.process, self.url + "/login", "sns serve", self.tail, timeout)
        except RuntimeError:
            self.stop()
            raise

    def kill(self) -> None:
        """Like a crash or the OOM killer: SIGKILL, no shutdown at all."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.process = None


class Phones:
    """Opens browser contexts (one person's phone each) and closes them after the test."""

    def __init__(self, browser, server: LiveServer) -> None:
        self.browser, self.server, self.opened = browser, server, []

    def open(self, viewport: dict | None = None, **options):
        context = self.browser.new_context(base_url=self.server.url, viewport=viewport or PHONE,
                                           locale="en-GB", is_mobile=True, has_touch=True, **options)
        context.set_default_timeout(15_000)  # generous: test machines are shared
        self.opened.append(context)
        return context

    def page(self, **options):
        return self.open(**options).new_page()

    def signed_in(self, username: str, **options):
        """A page of a new context, signed in. The first time through the login form; later
        the same session cookie is reused (checking an Argon2 hash takes a while), so a
        test must not sign such a page out."""
        state = self.server.signed_in.get(username)
        if state is not None:
            return self.open(storage_state=state, **options).new_page()
        page = self.page(**options)
        sign_in(page, username)
        self.server.signed_in[username] = page.context.storage_state()
        return page

    def close(self) -> None:
        for context in self.opened:
            context.close()


def wait_for(check, what: str, timeout: float = 60, pause: float = 0.2):
    """Ask `check()` again until it answers something true (returned), or fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(pause)
    raise AssertionError(f"not within {timeout} s: {what}")


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith("/home"), (page.url, page.content()[:2000])


def write_diary(page, title: str, body: str, visibility: str = "members", photo: bytes | None = None) -> str:
    """Write a diary entry through the form; returns its address."""
    page.goto("/diaries/new")
    page.fill("#title", title)
    page.fill("#body", body)
    page.check(f"input[name=visibility][value={visibility}]")
    if photo is not None:
        page.set_input_files("#photos", files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/diaries/" in page.url and not page.url.endswith("/new"), page.content()[:3000]
    return "/diaries/" + page.url.split("/diaries/")[1].split("#")[0]


def comment(page, diary_url: str, text: str) -> None:
    page.goto(diary_url)
    page.fill("#comment", text)
    with page.expect_navigation():
        page.click("#comments form.stack button[type=submit]")
