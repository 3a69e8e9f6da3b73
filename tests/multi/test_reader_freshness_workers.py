"""Two machines serve one city: two real `sns serve --workers 2` processes, each on its own data directory,
sharing one PostgreSQL database (and `broadcast_url` on it, as docs/configuration.md asks for several
workers) and the instance's `keys/secret.key` (copied, as an operator copies it to a second machine: it
signs the session and CSRF cookies, so a resident signed in through one machine is signed in on the other).

A reader loads My page and diary pages 8 times through each machine (new connections, so that every worker
answers some), then a block, an unfriending, a change to friends-only, a suspension and a held post are made
through the other machine; the reader's very next 8 requests through each machine never show what the reader
may no longer see (DESIGN.md, invariant 11: "a block takes effect on the very next request on every
machine"). PostgreSQL only: SQLite is one machine's file."""

from __future__ import annotations

import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from browser.live import PASSWORD, LiveServer, migrated_database, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not os.environ.get("SNS_TEST_DATABASE_URL"),
    reason="needs PostgreSQL (SNS_TEST_DATABASE_URL): two machines share one database")]

ROUNDS = 8  # requests per machine and page: with two workers each, every worker answers some
BAD = "What a fucking mess at the station"  # held by the shipped word list
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PEOPLE = {"rfadmin": "admin", "reader": "resident", "pal": "resident", "author": "resident",
          "writer": "resident", "rude": "resident"}


class Browser:
    """One person's browser: one cookie jar for both machines (cookies ignore the port), a new connection
    for every request (so the kernel hands it to either worker), the CSRF field filled in like a form."""

    def __init__(self, name: str) -> None:
        self.name, self.csrf = name, ""
        self.http = httpx.Client(trust_env=False, timeout=20, headers={"Connection": "close"})

    def get(self, server: LiveServer, path: str) -> httpx.Response:
        r = self.http.get(server.url + path)
        if match := CSRF_RE.search(r.text):
            self.csrf = match.group(1)
        return r

    def submit(self, server: LiveServer, path: str, data: dict | None = None) -> httpx.Response:
        if not self.csrf:
            self.get(server, "/login")
        r = self.http.post(server.url + path, data={**(data or {}), "csrf_token": self.csrf})
        assert r.status_code == 303, (path, r.status_code, r.text[:2000])
        return r

    def write(self, server: LiveServer, title: str, body: str = "Plain words.", visibility="public") -> str:
        r = self.submit(server, "/diaries/new", {"title": title, "body": body, "visibility": visibility})
        return r.headers["location"].rsplit("/", 1)[1]

    def user_id(self, server: LiveServer, username: str) -> str:
        page = self.get(server, f"/people/{username}").text
        return re.search(r'name="user_id" value="([^"]+)"', page).group(1)


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    """Machine A (where the reader mostly reads) and machine B (where the changes are made), each with two
    workers, and the town's people signed in: one cookie jar each, valid on both machines."""
    data = tmp_path_factory.mktemp("machine-a")
    url = migrated_database(data)
    a = LiveServer(data, url)
    b = LiveServer(tmp_path_factory.mktemp("machine-b"), url)
    shared = {"SNS_BROADCAST_URL": url, "SNS_WORKERS": "2"}
    a.extra_env, b.extra_env = {**shared}, {**shared, "SNS_BACKGROUND_TASKS": "false"}
    a.sns("init")
    shutil.copytree(a.data_dir / "keys", b.data_dir / "keys")  # the secret, as on a second machine
    with ThreadPoolExecutor(3) as pool:  # each `sns user create` hashes at the production cost
        list(pool.map(lambda item: a.create_user(*item), PEOPLE.items()))
    try:
        a.start()
        b.start()  # after A: A ran the migrations
        people = {}
        for i, name in enumerate(PEOPLE):
            people[name] = Browser(name)
            r = people[name].submit((a, b)[i % 2], "/login", {"username": name, "password": PASSWORD})
            assert r.headers["location"] == "/home"
        yield a, b, people
    finally:
        for browser in locals().get("people", {}).values():
            browser.http.close()
        a.stop()
        b.stop()


def each_worker(browser: Browser, servers, path: str):
    """ROUNDS answers to `path` from each machine, in turn."""
    for _ in range(ROUNDS):
        for server in servers:
            yield server, browser.get(server, path)


def shows(browser, servers, path, text) -> list[str]:
    """Where `text` shows on `path` (machine and round), or the page did not answer 200."""
    wrong = []
    for n, (server, r) in enumerate(each_worker(browser, servers, path)):
        if r.status_code != 200 or text not in r.text:
            wrong.append(f"{server.url}{path} #{n}: {r.status_code}")
    return wrong


def hidden(browser, servers, path, text) -> list[str]:
    return [f"{server.url}{path} #{n}: {r.status_code}" for n, (server, r)
            in enumerate(each_worker(browser, servers, path)) if text in r.text]


def refused(browser, servers, path) -> list[str]:
    return [f"{server.url}{path} #{n}: {r.status_code}" for n, (server, r)
            in enumerate(each_worker(browser, servers, path)) if r.status_code not in (403, 404)]


def test_what_changes_through_one_machine_holds_on_the_next_request_to_either(town):
    a, b, people = town
    both = (a, b)
    reader, pal, author, writer, rude, admin = (people[n] for n in ("reader", "pal", "author", "writer", "rude",
                                                                     "rfadmin"))
    ids = {name: reader.user_id(a, name) for name in ("pal", "author", "writer", "rude")}
    ids["reader"] = pal.user_id(a, "reader")
    pal.submit(b, "/friends/request", {"user_id": ids["reader"]})
    reader.submit(a, "/friends/accept", {"user_id": ids["pal"]})
    mine = reader.write(a, "Reader garden")
    pals = pal.write(b, "Pal friends-only plums", visibility="friends")
    lantern = author.write(b, "Open lantern night")
    harbour = writer.write(b, "Writer harbour")
    writer.submit(b, f"/diaries/{mine}/comments", {"comment": "Writer was here"})
    rude.write(a, "Rude but fine")

    # Warm: every page the reader will read, ROUNDS times through each machine, showing what it shows now.
    for path, text in (("/home", "Pal friends-only plums"), ("/home", "Open lantern night"),
                       ("/home", "Writer harbour"), ("/home", "Writer was here"),
                       (f"/diaries/{mine}", "Writer was here"), (f"/diaries/{pals}", "Pal friends-only plums"),
                       (f"/diaries/{lantern}", "Open lantern night"), (f"/diaries/{harbour}", "Writer harbour")):
        assert not shows(reader, both, path, text), (path, text)
    assert not shows(rude, both, "/home", "Hello, Rude")

    # A block, made through machine B (by the writer).
    writer.submit(b, "/friends/block", {"user_id": ids["reader"]})
    assert not hidden(reader, both, "/home", "Writer harbour")
    assert not hidden(reader, both, "/home", "Writer was here")
    assert not hidden(reader, both, f"/diaries/{mine}", "Writer was here")
    assert not refused(reader, both, f"/diaries/{harbour}")

    # An unfriending, through B: the ex-friend's friends-only entry is gone from My page and refused.
    pal.submit(b, "/friends/remove", {"user_id": ids["reader"]})
    assert not hidden(reader, both, "/home", "Pal friends-only plums")
    assert not refused(reader, both, f"/diaries/{pals}")

    # The author makes a public entry friends-only, through B: its page refuses it at once on every worker
    # (My page's "New in town" does not yet: see the expected failure below).
    author.submit(b, f"/diaries/{lantern}/edit", {"title": "Open lantern night", "body": "Plain words.",
                                                  "visibility": "friends"})
    assert not refused(reader, both, f"/diaries/{lantern}")

    # A suspension, through B: the suspended resident's next request to either machine is signed out.
    admin.submit(b, f"/admin/users/{ids['rude']}", {"action": "suspend"})
    for server, r in each_worker(rude, both, "/home"):
        assert r.status_code in (302, 303) and r.headers["location"].startswith("/login"), server.url

    # A held post, through B: never shown to the reader, on any worker.
    held = author.write(b, "Station grumble", BAD)
    assert not hidden(reader, both, "/home", "Station grumble")
    assert not refused(reader, both, f"/diaries/{held}")

    assert "Traceback" not in a.tail(400) and "Traceback" not in b.tail(400), a.tail() + b.tail()


def test_new_in_town_forgets_an_entry_made_friends_only_on_the_other_machine(town):
    a, b, people = town
    reader, author = people["reader"], people["author"]
    diary = author.write(b, "Paper boats at dusk")
    wait_for(lambda: not shows(reader, (a, b), "/home", "Paper boats at dusk"), "the new entry in New in town",
             timeout=15)  # (the other machine kept its list from before: up to shared_cache_seconds)
    assert not shows(reader, (a, b), "/home", "Paper boats at dusk")
    author.submit(b, f"/diaries/{diary}/edit", {"title": "Paper boats at dusk", "body": "Plain words.",
                                                "visibility": "friends"})
    assert not hidden(reader, (a, b), "/home", "Paper boats at dusk")
