"""The scenarios of pages.py: each serves the town with the real `sns serve`, loads its pages, then loads
`benchmarks/bare.py` serving the same bytes the same way (the baseline), and returns one row per page.

1. `bench`'s My page, a diary page, the town feed and the topic list (one resident, one cookie).
2. A town at work: the crowd (1,000 signed-in residents, each with their own session) on My page, a
   friend's diary, the topic list and notifications, while writers add diaries and comments.
3. Disaster mode: the crowd loads the light front page while one resident in ten checks in (each once, at
   an even pace over the load, as form POSTs from another thread).
4. Scenario 2 on PostgreSQL with two workers (and the baseline with two workers).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

HERE = Path(__file__).resolve().parent
from crowd import Resident  # noqa: E402
from load import Req, fetch, measure  # noqa: E402
from servers import OUT, ROOT, Server, free_port  # noqa: E402
from town import BENCH_PASSWORD, BENCH_USER  # noqa: E402

PYTHON = sys.executable
CHECKS = 8  # residents whose pages are fetched and checked before each page's load


@dataclass
class Page:
    table: list[Req]  # what the load picks from, one request at a time
    signed_in: bool = True
    light: bool = False  # the disaster-mode front page (it has no sign-out form to check)
    info: dict = field(default_factory=dict)
    during: list[Req] = field(default_factory=list)  # form POSTs sent at an even pace while the page is loaded


@dataclass
class Setup:
    data: Path
    database_url: str = ""
    workers: int = 1
    writers: bool = False


def server_env(data: Path, database_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNS_") and k != "DATABASE_URL"}
    env["SNS_DATA"] = str(data)
    if database_url:
        env["SNS_DATABASE_URL"] = database_url
    return env


def run_sns(data: Path, *args: str, database_url: str = "", **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "sns", "--data", str(data), *args], env=server_env(data, database_url),
                          cwd=ROOT, check=True, **kwargs)


def sign_in(base: str) -> str:
    """Sign in once through the login form, as a browser does; return the Cookie header."""
    import httpx

    with httpx.Client(base_url=base, follow_redirects=False, headers={"Accept-Encoding": "identity"}) as client:
        form = client.get("/login")
        token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        done = client.post("/login", data={"username": BENCH_USER, "password": BENCH_PASSWORD, "csrf_token": token})
        if done.status_code != 303 or "sns_session" not in client.cookies:
            raise SystemExit(f"sign-in failed: {done.status_code}")
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def _check(base: str, name: str, page: Page) -> int:
    """Fetch a few of the page's requests; each must be a 200 page (signed in where it should be);
    a check-in POST must be answered with the redirect that follows a check-in. Returns the median size."""
    import httpx

    gets = [r for r in page.table if not r.body]
    posts = [r for r in page.table if r.body]
    sizes = []
    for r in random.sample(gets, min(CHECKS, len(gets))):
        status, body = fetch(base, r.path, r.cookie)
        if status != 200:
            raise SystemExit(f"{name}: {r.path} answered {status}")
        if page.signed_in and not page.light and b'action="/logout"' not in body:
            raise SystemExit(f"{name}: {r.path} answered 200 but not signed in")
        if page.light and b'class="light"' not in body:
            raise SystemExit(f"{name}: {r.path} is not the light page (is disaster mode on?)")
        sizes.append(len(body))
    for r in random.sample(posts, min(2, len(posts))):
        done = httpx.post(base + r.path, content=r.body, headers={
            "Cookie": r.cookie, "Content-Type": "application/x-www-form-urlencoded"}, follow_redirects=False)
        if done.status_code != 303 or "/login" in done.headers.get("location", ""):
            raise SystemExit(f"{name}: POST {r.path} answered {done.status_code} {done.headers.get('location')}")
    return int(median(sizes))


@contextmanager
def _alongside(base: str, posts: list[Req], seconds: float):
    """Send `posts` (form POSTs) one by one at an even pace over `seconds`, from a thread, while the load
    runs; yields a dict that counts them by outcome (a check-in is answered 303 to somewhere not /login)."""
    import httpx

    sent = {"ok": 0, "refused": 0}
    stop = threading.Event()

    def send_all() -> None:
        gap = seconds / max(len(posts), 1)
        with httpx.Client(base_url=base, follow_redirects=False) as client:
            for r in posts:
                if stop.wait(gap):
                    return
                done = client.post(r.path, content=r.body, headers={
                    "Cookie": r.cookie, "Content-Type": "application/x-www-form-urlencoded"})
                good = done.status_code == 303 and "/login" not in done.headers.get("location", "")
                sent["ok" if good else "refused"] += 1

    thread = threading.Thread(target=send_all, daemon=True)
    if posts:
        thread.start()
    try:
        yield sent
    finally:
        stop.set()
        if posts:
            thread.join(timeout=30)


def run(setup: Setup, make_pages, opts, wrk: str | None) -> dict:
    """Serve, check and load every page (with writers when asked), then the baseline. `make_pages(base)`
    gives name -> Page once the server answers."""
    results: dict[str, dict] = {}
    bodies: dict[str, bytes] = {}
    port = free_port()
    sns = Server("sns", [PYTHON, "-m", "sns", "--data", str(setup.data), "serve", "--host", "127.0.0.1", "--port",
                         str(port), "--workers", str(setup.workers)],
                 server_env(setup.data, setup.database_url), port, "/login")
    writers = None
    try:
        sns.wait_ready()
        base = f"http://127.0.0.1:{port}"
        pages = make_pages(base)
        for name, page in pages.items():
            results[name] = {**page.info, "signed_in": page.signed_in, "bytes": _check(base, name, page)}
            if page.light:
                first = next(r for r in page.table if not r.body)
                bodies[name] = fetch(base, first.path, first.cookie)[1]
                results[name]["bytes"] = len(bodies[name])
        if setup.writers:
            writers = subprocess.Popen(
                [PYTHON, str(HERE / "writers.py"), "--data", str(setup.data), "--database-url", setup.database_url,
                 "--diaries", str(opts.diaries_per_s), "--comments", str(opts.comments_per_s)],
                env=server_env(setup.data, setup.database_url), cwd=ROOT, stdout=subprocess.PIPE,
                stderr=open(OUT / "writers.log", "w"), text=True)
            if writers.stdout.readline().strip() != "ready":
                raise SystemExit("the writers did not start; see benchmarks/out/writers.log")
        for name, page in pages.items():
            print(f"  {name} ...", file=sys.stderr, flush=True)
            with _alongside(base, page.during, opts.warmup + opts.seconds + opts.seconds_low) as sent:
                results[name].update(measure(wrk, port, page.table, opts.connections, opts.seconds, opts.warmup,
                                             opts.connections_low, opts.seconds_low))
            if page.during:
                results[name]["during"] = dict(sent)
    finally:
        writer_report = None
        if writers is not None:
            writers.terminate()
            out, _ = writers.communicate(timeout=90)
            lines = [ln for ln in out.splitlines() if ln.startswith("{")]
            writer_report = json.loads(lines[-1]) if lines else {"error": "no report; see writers.log"}
        sns.stop()

    port = free_port()
    files = {}
    for name, body in bodies.items():
        fh = tempfile.NamedTemporaryFile(delete=False, dir=OUT, suffix=".html")
        fh.write(body)
        fh.close()
        files[name] = fh.name
    env = {**os.environ, "PYTHONPATH": str(HERE),
           "BENCH_SIZES": json.dumps({n: r["bytes"] for n, r in results.items() if n not in files}),
           "BENCH_FILES": json.dumps(files)}
    bare = Server("bare", [PYTHON, "-c", "import uvicorn; uvicorn.run('bare:create_app', factory=True, "
                           f"host='127.0.0.1', port={port}, workers={setup.workers}, proxy_headers=True, "
                           "log_level='info', timeout_graceful_shutdown=5)"], env, port, "/")
    try:
        bare.wait_ready()
        for name in results:
            status, body = fetch(f"http://127.0.0.1:{port}", f"/{name}")
            assert status == 200 and len(body) == results[name]["bytes"], (name, status, len(body))
            print(f"  bare {name} ...", file=sys.stderr, flush=True)
            results[name]["baseline"] = measure(wrk, port, [Req(f"/{name}")], opts.connections, opts.seconds,
                                                opts.warmup, opts.connections_low, opts.seconds_low)
    finally:
        bare.stop()
        for path in files.values():
            os.unlink(path)
    for r in results.values():
        b = r["baseline"]
        r["ratio_rps"] = r["rps"] / b["rps"] if b["rps"] else 0.0
        r["ratio_p99"] = r["p99_ms"] / b["p99_ms"] if b["p99_ms"] else 0.0
    return {"rows": results, "writers": writer_report, "workers": setup.workers,
            "database": "postgresql" if setup.database_url else "sqlite"}


# --- the scenarios' pages -----------------------------------------------------------------------

def bench_pages(meta: dict):
    """Scenario 1: the resident `bench`, signed in once through the login form."""
    def make(base: str) -> dict[str, Page]:
        cookie = sign_in(base)
        c = meta["community"]
        paths = {"my_page": ("/home", True), "diary": (f"/diaries/{meta['featured_diary']}", True),
                 "town_feed": ("/feeds/diaries.atom", False),  # as a feed reader fetches it, without cookies
                 # a community with 10,000 topics: its first page, and a page half-way down (keyset `before`)
                 "topics": (f"/communities/{c}", True),
                 "topics_deep": (f"/communities/{c}?before={meta['deep_topic']}", True)}
        return {name: Page([Req(path, cookie if signed else "")], signed, info={"path": path})
                for name, (path, signed) in paths.items()}
    return make


def town_at_work(meta: dict, residents: list[Resident]):
    """Scenarios 2 and 4: every request as a random resident of the crowd, each with their own session."""
    def make(base: str) -> dict[str, Page]:
        c = meta["community"]
        pages = {
            "my_page": Page([Req("/home", r.cookie) for r in residents], info={"path": "/home"}),
            "diary": Page([Req(f"/diaries/{r.friend_diary}", r.cookie) for r in residents],
                          info={"path": "/diaries/<a friend's entry, per resident>"}),
            "topics": Page([Req(f"/communities/{c}", r.cookie) for r in residents], info={"path": f"/communities/{c}"}),
            "notifications": Page([Req("/notifications", r.cookie) for r in residents],
                                  info={"path": "/notifications"}),
        }
        pages["mix"] = Page([r for p in pages.values() for r in p.table], info={"path": "the four, at random"})
        return pages
    return make


def disaster_pages(residents: list[Resident]):
    """Scenario 3: the crowd on the light front page, while one resident in ten checks in (once each)."""
    def make(base: str) -> dict[str, Page]:
        light = [Req("/", r.cookie) for r in residents]
        checkins = [Req("/disaster/checkin", r.cookie, f"csrf_token={r.csrf_token}&status=safe&message=&place=")
                    for r in residents[::10]]
        return {"light_page": Page(light, light=True, during=checkins,
                                   info={"path": "/", "checkins": f"{len(checkins)} residents check in meanwhile"})}
    return make
