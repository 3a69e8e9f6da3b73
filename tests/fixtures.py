"""Test factories: a site on a fresh database, residents, and a browser-like HTTP client.

The database is a real SQLite file, or a real PostgreSQL database when
SNS_TEST_DATABASE_URL names a server (one new database per test module). The committed
migrations run once per test process, into a template; each site starts from a copy of it
(a file copy, or PostgreSQL's CREATE DATABASE ... TEMPLATE), which is what running them
again would give, in a fraction of the time.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from email import message_from_bytes, policy
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator

import httpx
from PIL import Image

from sns import db
from sns.app import create_app
from sns.context import Ctx
from sns.models import User
from sns.policies import load_viewer
from sns.services.tokens import create_token
from sns.settings import Settings, load_settings

PASSWORD = "a long enough password"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


_made: list[tuple[str, str]] = []  # (server URL, database name): the databases this run made


async def _fresh_postgres(url: str, template: str | None = None) -> str:
    import asyncpg

    name = "sns_test_" + uuid.uuid4().hex[:12]
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    finally:
        await admin.close()
    _made.append((url, name))
    return url.rsplit("/", 1)[0] + "/" + name


def drop_databases() -> None:
    """Drop the PostgreSQL databases this run made (at the end: a server would keep them all).
    Best effort, and never an error: a database that autovacuum is still working on (FORCE may not
    end another role's process) is tried again, then left. In a thread of its own, like the browser
    tests' helpers: no event loop is borrowed."""
    async def drop() -> None:
        import asyncpg

        for url in {url for url, _ in _made}:
            admin = await asyncpg.connect(url)
            try:
                for name in [name for u, name in reversed(_made) if u == url]:
                    for attempt in range(3):
                        try:
                            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                            break
                        except asyncpg.PostgresError:
                            await asyncio.sleep(0.5 * (attempt + 1))
            finally:
                await admin.close()

    if _made:
        try:
            with ThreadPoolExecutor(1) as pool:
                pool.submit(asyncio.run, drop()).result()
        except Exception as exc:  # noqa: BLE001 (tidying up must not hide the run's own summary)
            print(f"\nleft some test databases on the server: {exc!r}")
        _made.clear()


_templates: dict[str, str] = {}  # per server URL ("" for SQLite): a migrated database to copy


async def _migrated_template(pg: str) -> str:
    """A database with every committed migration applied, made once per test process."""
    if pg not in _templates:
        if pg:
            url = await _fresh_postgres(pg)
            await db.migrate(load_settings(Path(tempfile.mkdtemp(prefix="sns-template-")), database_url=url))
            _templates[pg] = url.rsplit("/", 1)[1]
        else:
            data_dir = Path(tempfile.mkdtemp(prefix="sns-template-"))
            await db.migrate(load_settings(data_dir, database_url=""))
            _templates[pg] = str(data_dir / "sns.sqlite3")
    return _templates[pg]


async def migrated_settings(data_dir: Path, **overrides) -> Settings:
    """Settings for a new site on a database that is already migrated (a copy of the template)."""
    if "database_url" in overrides:  # a test that chose its own database migrates it itself
        settings = await make_settings(data_dir, **overrides)
        await db.migrate(settings)
        return settings
    pg = os.environ.get("SNS_TEST_DATABASE_URL") or ""
    template = await _migrated_template(pg)
    if pg:
        return await make_settings(data_dir, database_url=await _fresh_postgres(pg, template), **overrides)
    data_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):  # closed after migrating, so normally no -wal is left to carry
        if Path(template + suffix).exists():
            shutil.copyfile(template + suffix, data_dir / ("sns.sqlite3" + suffix))
    return await make_settings(data_dir, **overrides)


async def make_settings(data_dir: Path, **overrides) -> Settings:
    pg = os.environ.get("SNS_TEST_DATABASE_URL")
    if pg and "database_url" not in overrides:
        overrides["database_url"] = await _fresh_postgres(pg)
    overrides.setdefault("database_url", "")
    overrides.setdefault("origin", "test.example")
    overrides.setdefault("background_tasks", False)  # a test runs a job's round itself (tasks.run_once)
    overrides.setdefault("public_url", "http://test.example")
    # Staff in tests sign in with a password alone; the second factor's own tests ask for the default
    # (`second_factor_roles=Settings.second_factor_roles`).
    overrides.setdefault("second_factor_roles", "")
    return load_settings(data_dir, **overrides)


@dataclass
class Site:
    app: object
    settings: Settings

    def ctx(self) -> Ctx:
        return Ctx(self.settings, self.app.state.limits, site=self.app.state.site)

    async def ctx_for(self, user: User) -> Ctx:
        fresh = await User.get(id=user.id)
        return Ctx(self.settings, self.app.state.limits, await load_viewer(fresh), "127.0.0.1",
                   site=self.app.state.site)

    async def user(self, username: str, role: str = "resident", **fields) -> User:
        from sns.services.accounts import create_user

        return await create_user(self.ctx(), username=username, password=PASSWORD, role=role,
                                 email=fields.pop("email", f"{username}@example.org"), **fields)

    def client(self) -> "Client":
        return Client(self.app)

    async def clients_of(self, users: dict[str, User]) -> tuple[dict, dict]:
        """For each named user, a signed-in browser-like client and an API client with a token of theirs; and
        for "visitor", neither signed in nor with a token: (pages, api), for the policy tables."""
        pages, api = {"visitor": self.client()}, {}
        base = {"transport": httpx.ASGITransport(app=self.app), "base_url": "http://test.example"}
        for who, user in users.items():
            pages[who] = self.client()
            await pages[who].login(user.username)
            _, secret = await create_token(await self.ctx_for(user), "t")
            api[who] = httpx.AsyncClient(**base, headers={"Authorization": f"Bearer {secret}"})
        api["visitor"] = httpx.AsyncClient(**base)
        return pages, api


@asynccontextmanager
async def make_site(data_dir: Path, **overrides) -> AsyncIterator[Site]:
    """A running app (lifespan entered) on a freshly migrated database."""
    settings = await migrated_settings(data_dir, **overrides)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield Site(app, settings)


class Client(httpx.AsyncClient):
    """An HTTP client that behaves like a browser: cookies, and the CSRF field in forms."""

    def __init__(self, app) -> None:
        super().__init__(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 50000)),
                         base_url="http://test.example", follow_redirects=False)
        self.csrf = ""

    async def request(self, method, url, *args, **kwargs):
        response = await super().request(method, url, *args, **kwargs)
        match = CSRF_RE.search(response.text) if "text/html" in response.headers.get("content-type", "") else None
        if match:
            self.csrf = match.group(1)
        return response

    async def ensure_csrf(self) -> str:
        if not self.csrf:
            await self.get("/login")
        return self.csrf

    async def submit(self, url: str, data: dict | None = None, files=None, follow: bool = False):
        """POST a form as a browser would, with the CSRF field filled in."""
        payload = dict(data or {})
        payload["csrf_token"] = await self.ensure_csrf()
        return await self.post(url, data=payload, files=files, follow_redirects=follow)

    async def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        response = await self.submit("/login", {"username": username, "password": password})
        assert response.status_code == 303, response.text
        return response


def jpeg_with_gps(color: str = "orange", size: tuple[int, int] = (640, 480)) -> bytes:
    """A photo as a phone takes it: EXIF with a GPS position and the camera's make and model."""
    img = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (32.0, 30.0, 26.0), 3: "E", 4: (130.0, 36.0, 5.0)}
    exif[0x010F] = "SpyCam"
    exif[0x0110] = "SpyCam Model 7"
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


MAIL_LINK_RE = re.compile(r"http://test\.example(/\S+)")


class Inbox:
    """A real SMTP server's handler (aiosmtpd) that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"

    def last_link(self, to: str) -> str:
        """The site address in the newest message to `to`."""
        for rcpts, msg in reversed(self.messages):
            if to in rcpts:
                match = MAIL_LINK_RE.search(msg.get_content())
                assert match, msg.get_content()
                return match.group(1)
        raise AssertionError(f"no mail to {to}: {self.messages}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChildServer:
    """A server the tests run as a child process (`process`), writing to its `log`: how it stops, and the end of
    its log for a failure's message. `sns serve` (tests/browser/live.py) and the fediverse peer
    (tests/multi/fedi_peer.py) are ones."""

    process: subprocess.Popen | None
    log: Path

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""


def wait_until_answering(process: subprocess.Popen, url: str, what: str, tail, timeout: float) -> None:
    """Until a GET of `url` answers 200 from the child `process` (a server starting); RuntimeError with the
    end of its log (`tail()`) if it exits first or does not answer within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{tail()}")
        try:
            if httpx.get(url, timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer within {timeout} s:\n{tail()}")


@contextmanager
def smtp_server():
    """An SMTP server on a loopback port: yields (controller, inbox)."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@contextmanager
def redis_server():
    """Debian's real redis-server on a loopback port, nothing saved to disk: yields its URL."""
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start (is Debian's redis-server installed?)")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)
