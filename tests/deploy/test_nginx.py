"""Debian's real nginx, with the project's own locations (deploy/nginx/sns-locations.conf), in front of
one real `sns serve`: pages, static files served by nginx itself, an upload through the form and the
photo's privacy, a live alert through the unbuffered stream, gzip, /metrics refused, and the client's
address passed on (and believed only from the proxy).

nginx runs as this user from a generated nginx.conf (`daemon off;`, every path in a temporary
directory) on a free loopback port. It connects to `sns serve` from 127.0.0.2 (`proxy_bind`), the one
address in the site's `trusted_proxies`: the test's own direct connections (from 127.0.0.1 and other
loopback addresses) are not a trusted proxy, so their X-Forwarded-For must be ignored.
The full TLS site file (deploy/nginx/sns.conf) is checked with `nginx -t`, with a self-signed certificate.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from PIL import Image

from browser.live import PASSWORD, POSTGRES_HALF, LiveServer, alert_stream, free_port, migrated_database
from sns.templating import STATIC_DIR

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PHOTO = re.compile(r'/photos/([0-9a-f-]{36})\.jpg')
PROXY_ADDRESS = "127.0.0.2"  # where nginx connects from: the only trusted proxy
LOGIN_LIMIT = 2  # failed sign-ins per address (and per username) before sign-in is refused
ALERT = {"kind": "fire", "title": "Fire near the station", "description": "Smoke over the square.",
         "instruction": "Keep away from the station.", "lat": 32.5052, "lon": 130.6039, "radius_m": 300,
         "severity": "Severe"}

# Not about the database: in the PostgreSQL half when both run (.ci/test), to even the halves out.
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(NGINX), reason="needs Debian's nginx"),
              POSTGRES_HALF]


def _nginx_conf(tmp: Path, upstream_port: int, port: int) -> Path:
    """An nginx.conf for this user: the project's locations with the upstream and static folder put in."""
    locations = (DEPLOY / "nginx" / "sns-locations.conf").read_text()
    assert "alias /opt/sns/src/static/;" in locations  # the placeholder the guide tells operators to change
    (tmp / "sns-locations.conf").write_text(locations.replace("/opt/sns/src/static/", f"{STATIC_DIR}/"))
    user = "user root;\n" if os.geteuid() == 0 else ""  # as root, workers would become nobody otherwise
    conf = tmp / "nginx.conf"
    conf.write_text(f"""{user}daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format upstream '$request_uri $status upstream=$upstream_addr';
    access_log {tmp}/access.log upstream;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream sns {{
        server 127.0.0.1:{upstream_port};
        keepalive 8;
    }}
    server {{
        listen 127.0.0.1:{port};
        proxy_bind {PROXY_ADDRESS};
        include {tmp}/sns-locations.conf;
    }}
}}
""")
    return conf


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen within {timeout} s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """(sns serve, nginx's base URL, the nginx directory, an API token of a resident with the fire role)."""
    root = tmp_path_factory.mktemp("nginx")
    (root / "data").mkdir()
    server = LiveServer(root / "data", migrated_database(root / "data"))
    server.extra_env = {"SNS_ORIGIN": "nginx.test", "SNS_TRUSTED_PROXIES": PROXY_ADDRESS,
                        "SNS_LOGIN_ATTEMPTS_PER_15MIN": str(LOGIN_LIMIT)}
    # hanako writes diaries and posts alerts through the API (`sns user create` makes the keys, as `sns init`)
    server.create_user("hanako", "fire")
    proxy = root / "proxy"
    proxy.mkdir()
    port = free_port()
    conf = _nginx_conf(proxy, server.port, port)
    nginx = None
    try:
        with ThreadPoolExecutor(1) as pool:  # the token is made while the server starts
            made = pool.submit(server.sns, "token", "create", "hanako")
            server.start()
            token = made.result().strip()
        nginx = subprocess.Popen([NGINX, "-p", f"{proxy}/", "-c", str(conf), "-e", f"{proxy}/error.log"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
        _wait_for_port(port, nginx, proxy / "error.log")
        yield server, f"http://127.0.0.1:{port}", proxy, token
    finally:
        if nginx is not None:
            nginx.terminate()  # SIGTERM: fast shutdown
            try:
                nginx.wait(10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait(5)
        server.stop()


def _client(base: str, address: str = "127.0.0.1", **options) -> httpx.Client:
    """A client connecting from `address` (any 127.x address is this machine)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=base, trust_env=False, timeout=20, transport=transport, **options)


def _form(http: httpx.Client, path: str, data: dict, files=None, **options) -> httpx.Response:
    token = CSRF.search(http.get(path).text).group(1)
    return http.post(path, data={**data, "csrf_token": token}, files=files, **options)


def _upstream_of(proxy: Path, path: str) -> list[str]:
    """What nginx's access log says answered `path`: an upstream address, or "-" for nginx itself."""
    lines = [line for line in (proxy / "access.log").read_text().splitlines() if line.split(" ")[0] == path]
    return [line.rsplit("upstream=", 1)[1] for line in lines]


def test_pages_come_through_nginx_compressed(stack):
    server, base, proxy, _ = stack
    with _client(base) as http:
        login = http.get("/login")
        assert login.status_code == 200 and 'name="password"' in login.text
        front = http.get("/", headers={"Accept-Encoding": "gzip"})
        assert front.status_code == 200 and "text/html" in front.headers["content-type"]
        assert front.headers.get("content-encoding") == "gzip"
        assert front.headers["server"].startswith("nginx")
        # /events without asking for a stream is the town's events page, buffered and compressed as any page
        events = http.get("/events")
        assert events.status_code == 200 and "text/html" in events.headers["content-type"]
    assert _upstream_of(proxy, "/login")[0].startswith("127.0.0.1:")


def test_static_files_are_served_by_nginx_itself(stack):
    server, base, proxy, _ = stack
    with _client(base) as http:
        css = http.get("/static/style.css", headers={"Accept-Encoding": "gzip"})
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert css.content == (STATIC_DIR / "style.css").read_bytes()
        assert css.headers["cache-control"] == "public, max-age=86400"
        assert css.headers.get("content-encoding") == "gzip"
        again = http.get("/static/style.css", headers={"If-None-Match": css.headers["etag"]})
        assert again.status_code == 304
        assert http.get("/static/live.js").headers["content-type"] == "application/javascript"
        # Leaflet comes from a Python package: the site serves it, through nginx
        assert http.get("/static/leaflet/leaflet.js").status_code == 200
        assert http.get("/static/no-such-file.css").status_code == 404
    assert set(_upstream_of(proxy, "/static/style.css")) == {"-"}  # never reached sns serve
    assert _upstream_of(proxy, "/static/leaflet/leaflet.js")[0].startswith("127.0.0.1:")


def _big_photo() -> bytes:
    """A photo of about 2 MB: larger than nginx lets through by default (1 MB)."""
    noise = Image.frombytes("RGB", (1100, 800), os.urandom(1100 * 800 * 3))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=95, subsampling=0)
    assert out.tell() > 1_500_000
    return out.getvalue()


def test_an_upload_through_the_form_and_a_friends_only_photo(stack):
    server, base, proxy, _ = stack
    with _client(base) as hanako:
        assert _form(hanako, "/login", {"username": "hanako", "password": PASSWORD}).status_code == 303
        answer = _form(hanako, "/diaries/new", {"title": "Our kitchen", "body": "For friends only.",
                                                "visibility": "friends"},
                       files={"photos": ("kitchen.jpg", _big_photo(), "image/jpeg")})
        assert answer.status_code == 303, answer.text[:2000]
        diary = hanako.get(answer.headers["location"])
        assert diary.status_code == 200 and "Our kitchen" in diary.text
        photo = PHOTO.search(diary.text).group(1)
        shown = hanako.get(f"/photos/{photo}.jpg")
        assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
        assert shown.content[:2] == b"\xff\xd8"
    with _client(base) as stranger:
        assert stranger.get(f"/photos/{photo}.jpg").status_code in (403, 404)
        assert stranger.get(f"/photos/{photo}.thumb.jpg").status_code in (403, 404)
        stored = [p for p in (server.data_dir / "media").rglob("*") if p.is_file() and photo in p.name]
        assert stored, "the photo is on disk"
        for path in stored:  # nginx never serves the media directory, whatever the address
            relative = path.relative_to(server.data_dir).as_posix()
            assert stranger.get("/" + relative).status_code == 404
            assert stranger.get("/static/../" + relative).status_code in (400, 404)
    assert _upstream_of(proxy, f"/photos/{photo}.jpg") and "-" not in _upstream_of(proxy, f"/photos/{photo}.jpg")


async def test_a_live_alert_reaches_open_pages_through_nginx_within_2_seconds(stack):
    server, base, _, token = stack
    streams = {"/live": {"Accept": "text/event-stream", "Accept-Encoding": "gzip"},
               "/events": {"Accept": "text/event-stream", "Accept-Encoding": "gzip"}}
    queues = {path: asyncio.Queue() for path in streams}
    readies = {path: asyncio.Event() for path in streams}
    listening = [asyncio.create_task(alert_stream(base + path, queues[path], readies[path], headers))
                 for path, headers in streams.items()]
    try:
        await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies.values())), 10)
        await asyncio.sleep(0.3)  # subscribed
        async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=10) as http:
            started = time.monotonic()
            r = await http.post("/api/v1/alerts", json=ALERT, headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 201, r.text
            alert = r.json()["id"]
        for path, queue in queues.items():
            while True:
                left = started + 2.0 - time.monotonic()
                assert left > 0, f"the alert did not come through nginx's {path} within 2 s"
                try:
                    arrived, line = await asyncio.wait_for(queue.get(), left)
                except asyncio.TimeoutError:
                    raise AssertionError(f"the alert did not come through nginx's {path} within 2 s") from None
                if alert in line:
                    assert arrived - started < 2.0
                    break
    finally:
        for task in listening:
            task.cancel()
        await asyncio.gather(*listening, return_exceptions=True)


def _raw_status(port: int, path: str) -> int:
    """The status nginx answers for `path` sent byte for byte (httpx would normalise it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(f"GET {path} HTTP/1.0\r\nHost: sns.example.jp\r\n\r\n".encode())
        return int(conn.recv(64).split(b" ")[1])


def test_metrics_are_refused_to_the_public(stack):
    server, base, proxy, _ = stack
    port = int(base.rsplit(":", 1)[1])
    for path in ("/metrics", "/metrics/", "/metrics?x=1", "//metrics", "/%6detrics", "/static/../metrics",
                 "/./metrics"):
        assert _raw_status(port, path) == 403, path
    passed = [line for line in (proxy / "access.log").read_text().splitlines()
              if "etrics" in line and not line.endswith("upstream=-")]
    assert not passed, passed  # none reached sns serve


def _failed_sign_in(http: httpx.Client, username: str, **options) -> int:
    return _form(http, "/login", {"username": username, "password": "not the password"}, **options).status_code


def test_the_site_sees_the_clients_address_and_believes_no_one_else(stack):
    """Sign-in attempts are counted per client address (and per username): each attempt below names
    another username, so only the address can make the site refuse."""
    server, base, _, _ = stack
    names = iter(f"nobody{i}" for i in range(100))
    # Straight to `sns serve` from 127.0.0.5, a forged address each time: not a trusted proxy, so its
    # X-Forwarded-For is ignored and the attempts are counted against 127.0.0.5 itself.
    with _client(server.url, "127.0.0.5") as direct:
        for i in range(LOGIN_LIMIT):
            forged = {"X-Forwarded-For": f"198.51.100.{i + 1}"}
            assert _failed_sign_in(direct, next(names), headers=forged) == 400
        assert _failed_sign_in(direct, next(names), headers={"X-Forwarded-For": "198.51.100.99"}) == 429
    # Through nginx, the site sees the client's address (127.0.0.5, refused), not nginx's (127.0.0.2) ...
    with _client(base, "127.0.0.5") as same_client:
        assert _failed_sign_in(same_client, next(names)) == 429
        # ... and a client's own X-Forwarded-For through nginx does not hide it either.
        assert _failed_sign_in(same_client, next(names), headers={"X-Forwarded-For": "203.0.113.7"}) == 429
    # Another client through the same nginx is not refused: the count is per client, not per proxy.
    with _client(base, "127.0.0.6") as other:
        assert _failed_sign_in(other, next(names)) == 400


def test_the_tls_site_file_is_valid_nginx(tmp_path):
    """deploy/nginx/sns.conf as it is, with a self-signed certificate in place of certbot's."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=sns.example.jp", "-keyout", str(tmp_path / "privkey.pem"),
                    "-out", str(tmp_path / "fullchain.pem")], check=True, capture_output=True)
    site = (DEPLOY / "nginx" / "sns.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/sns.example.jp/", f"{tmp_path}/")
    site = site.replace("/etc/nginx/snippets/sns-locations.conf", str(tmp_path / "sns-locations.conf"))
    # `nginx -t` binds its ports: free loopback ones instead of 80 and 443 (and no IPv6, which may be off)
    for port, where in (("80", free_port()), ("443 ssl http2", f"{free_port()} ssl http2")):
        assert f"    listen {port};" in site and f"    listen [::]:{port};" in site
        site = site.replace(f"    listen [::]:{port};\n", "")
        site = site.replace(f"    listen {port};", f"    listen 127.0.0.1:{where};")
    locations = (DEPLOY / "nginx" / "sns-locations.conf").read_text()
    (tmp_path / "sns-locations.conf").write_text(locations.replace("/opt/sns/src/static/", f"{STATIC_DIR}/"))
    (tmp_path / "sns.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(f"""pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {tmp_path}/client_body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/sns.conf;
}}
""")
    done = subprocess.run([NGINX, "-t", "-p", f"{tmp_path}/", "-c", str(tmp_path / "nginx.conf"),
                           "-e", f"{tmp_path}/error.log"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # (nginx 1.25.1 and later warn that `listen ... http2` is deprecated, in favour of `http2 on;`)
    warnings = [line for line in done.stderr.splitlines() if "[warn]" in line and "http2" not in line]
    assert not warnings, done.stderr
