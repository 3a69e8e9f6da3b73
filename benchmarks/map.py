"""The town map with 10,000 geotagged diaries: our map page and features API against folium's defaults.

    .venv/bin/python benchmarks/map.py                 # 10,000 items (generated once in ~10 s), 2-4 min
    .venv/bin/python benchmarks/map.py --requests 100  # fewer API requests per case, for a quick run

Everything runs on 127.0.0.1; nothing is fetched from the internet.

1. Makes the town once (`sns init` for the schema, then bulk INSERTs into SQLite in one transaction,
   ids from `sns.ids.uuid7`) and keeps it in benchmarks/out/map-<n>/: 10,000 diaries with a place,
   public (about 88 %) or friends-only, spread over a few km around the town centre (32.5073,
   130.6016), and a dense quarter where about 1,000 of them fall in one phone-sized view at zoom 16.
   The resident `bench` has friends, some of whom wrote friends-only entries there, and an API token.
2. Server time of `/map`, anonymous and signed in, in-process: httpx.ASGITransport on the real app
   (`sns.app.create_app`) inside its lifespan, one request at a time (median). Against it, in the same
   process: folium with its defaults (`folium.Map(location, zoom_start=13)`) drawing the same 10,000
   markers inline (`folium.Marker([lat, lon], popup=title)`) and `get_root().render()`, as a page built
   per request would (a few runs; the rows are handed to it ready, so it gets a head start).
3. Bytes over real HTTP (`sns serve`, one worker): the page with every script and style it links and
   the first /map/features.json answer for its default view on a phone, raw and gzip as served (bytes of
   the bodies on the wire); folium's HTML raw and gzip, plus the external files it links (not
   downloadable here: its figure is a lower bound).
4. Hosts: every src/href in each page's HTML (and absolute URLs inside inline scripts).
5. Latency of /api/v1/map/features for the dense phone view (layers=diaries), sequential requests on
   one keep-alive connection after a warm-up, Accept-Encoding: gzip: zoom=16 (clustered, as the map
   asks) and zoom=22 (every point one by one), as a visitor and as the resident with a token; p50/p99,
   the server process's CPU time per request (from /proc: what the machine's load changes least),
   features and the items they stand for. For information, the default view at zoom 13 too. Baseline:
   a bare Starlette app (uvicorn, one worker, the same GZip middleware) answering the same JSON bytes,
   measured the same way. Then, in-process, where the time goes (CPU time: the layer's SQL alone, rows
   made into features, clustering, JSON, gzip).
6. Prints one JSON line of figures, then a short table with the aims.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import html
import json
import math
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import Server, free_port  # noqa: E402
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))

GENERATOR_VERSION = 1
ORIGIN = "bench.localhost"
BENCH_USER, BENCH_PASSWORD = "bench", "bench password 2024"
CENTRE = (32.5073, 130.6016)
ZOOM = 13  # the site's map_zoom: the page's default view
PHONE_MAP_PX = (360, 548)  # the map on a 390x844 phone (tests/browser/live.py): 65vh high, page margins
DENSE_CENTRE = (32.5181, 130.6125)  # the dense quarter, about 1.6 km north-east of the centre
DENSE_ZOOM = 16
DENSE_PUBLIC, DENSE_FRIENDS = 1000, 100  # items in the dense phone view: public, friends-only
FRIENDS_SHARE = 0.12  # of the items elsewhere
SPREAD_DEG = 0.04  # elsewhere: uniform over the centre +- this (about 8 x 9 km)
RESIDENTS, FRIENDS = 300, 30
AIM_SPEEDUP, AIM_PAGE_KB, AIM_P99_MS = 50.0, 200.0, 50.0


# --- geometry: the box Leaflet asks for -----------------------------------------------------------

def view_bbox(lat: float, lon: float, zoom: int, px: tuple[int, int] = PHONE_MAP_PX) -> tuple[float, ...]:
    """west, south, east, north of a Leaflet map of `px` pixels centred on (lat, lon) at `zoom`
    (Web Mercator, 256-pixel tiles), rounded to 5 decimals as static/map.js sends them."""
    scale = 256 * 2 ** zoom
    x = (lon + 180) / 360 * scale
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * scale

    def lat_of(yy: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * yy / scale))))

    w, h = px
    west, east = (x - w / 2) / scale * 360 - 180, (x + w / 2) / scale * 360 - 180
    return tuple(round(v, 5) for v in (west, lat_of(y + h / 2), east, lat_of(y - h / 2)))


def bbox_param(box: tuple[float, ...]) -> str:
    return ",".join(f"{v:.5f}" for v in box)


def inside(box: tuple[float, ...], lat: float, lon: float) -> bool:
    return box[1] <= lat <= box[3] and box[0] <= lon <= box[2]


# --- the town ------------------------------------------------------------------------------------

TITLES = ["Morning walk by the river", "Autumn festival at the shrine", "Our vegetable garden", "Rainy day",
          "New bakery near the station", "School sports day", "Fishing at the harbour", "Cherry blossoms",
          "Cleaning the community hall", "Snow on the hills", "秋祭りの準備", "今日の夕焼け",
          "畑の様子", "駅前の新しいパン屋", "子ども会の遠足", "台風の片付け", "朝市に行きました",
          "公民館の掃除"]
BODY = "A short note with a place. 場所つきの短い日記です。"


def _ts(dt: datetime) -> str:
    return dt.isoformat(" ")  # how Tortoise stores a datetime in SQLite


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNS_") and k != "DATABASE_URL"}
    env["SNS_DATA"] = str(data)
    return env


def _sns(data: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "sns", "--data", str(data), *args], env=_env(data), cwd=ROOT, check=True,
                          **kwargs)


def generate(data: Path, n: int, seed: int = 5) -> dict:
    from sns.ids import uuid7
    from sns.security import hash_password

    rng = random.Random(seed)
    data.mkdir(parents=True)
    (data / "sns.toml").write_text(f'origin = "{ORIGIN}"\n')
    _sns(data, "init", stdout=subprocess.DEVNULL)  # the schema through the real migrations, and keys
    now = datetime.now(timezone.utc)
    start = now - timedelta(days=300)  # the diaries layer shows the last year
    db = sqlite3.connect(data / "sns.sqlite3", isolation_level=None)
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("BEGIN")
    made = _ts(start - timedelta(days=30))
    password = hash_password(BENCH_PASSWORD)
    users = [(uuid7(), ORIGIN, 1, made, made, None, BENCH_USER if i == 0 else f"m{i:04d}", f"Resident {i}",
              f"m{i}@example.org", password if i == 0 else "", "resident", "active", "", "", "{}")
             for i in range(RESIDENTS)]
    db.executemany("INSERT INTO users (id, origin, version, created_at, updated_at, deleted_at, username, display_name,"
                   " email, password_hash, role, state, locale, introduction, field_visibility)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", users)
    uid = [u[0] for u in users]
    db.execute("INSERT INTO site_settings (key, value) VALUES ('site', ?)", (json.dumps(
        {"town_name": "Map Benchmark Town", "town_name_ja": "地図ベンチマーク町", "map_lat": CENTRE[0],
         "map_lon": CENTRE[1], "map_zoom": ZOOM, "open_signup": False, "welcome": ""}),))
    friends = set(rng.sample(range(1, RESIDENTS), FRIENDS))
    db.executemany("INSERT INTO friendships (id, origin, version, created_at, updated_at, deleted_at, user_id,"
                   " friend_id, state) VALUES (?,?,?,?,?,?,?,?,?)",
                   [(uuid7(), ORIGIN, 1, made, made, None, uid[a], uid[b], "accepted")
                    for f in sorted(friends) for a, b in ((0, f), (f, 0))])

    dense = view_bbox(*DENSE_CENTRE, DENSE_ZOOM)
    lo_lat, hi_lat = CENTRE[0] - SPREAD_DEG, CENTRE[0] + SPREAD_DEG
    lo_lon, hi_lon = CENTRE[1] - SPREAD_DEG, CENTRE[1] + SPREAD_DEG
    places = []  # (lat, lon, visibility)
    for i in range(n):
        if i < DENSE_PUBLIC + DENSE_FRIENDS:
            lat, lon = rng.uniform(dense[1], dense[3]), rng.uniform(dense[0], dense[2])
            vis = "public" if i < DENSE_PUBLIC else "friends"
        else:
            while True:
                lat, lon = rng.uniform(lo_lat, hi_lat), rng.uniform(lo_lon, hi_lon)
                if not inside(dense, round(lat, 5), round(lon, 5)):
                    break
            vis = "friends" if rng.random() < FRIENDS_SHARE else "public"
        places.append((round(lat, 5), round(lon, 5), vis))
    rng.shuffle(places)
    span = (now - timedelta(hours=1) - start).total_seconds()
    times = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(n))
    rows = []
    for t, (lat, lon, vis) in zip(times, places):
        # friends-only entries: a third by the bench resident's friends, so the resident sees more than a visitor
        by_friend = vis == "friends" and rng.random() < 0.34
        author = rng.choice(sorted(friends)) if by_friend else rng.randrange(1, RESIDENTS)
        rows.append((uuid7(), ORIGIN, 1, _ts(t), _ts(t), None, rng.choice(TITLES), BODY, vis, lat, lon, "published",
                     None, uid[author]))
    db.executemany("INSERT INTO diaries (id, origin, version, created_at, updated_at, deleted_at, title, body,"
                   " visibility, lat, lon, state, client_token, author_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.execute("COMMIT")
    problems = db.execute("PRAGMA foreign_key_check").fetchmany(5)
    db.close()
    if problems:
        raise SystemExit(f"generated rows break foreign keys: {problems}")
    token = _sns(data, "token", "create", BENCH_USER, "--name", "map benchmark", capture_output=True,
                 text=True).stdout.strip().splitlines()[-1]
    return {"items": n, "bench_user": BENCH_USER, "token": token, "dense_bbox": dense,
            "dense_public": DENSE_PUBLIC, "dense_friends_only": DENSE_FRIENDS,
            "friends_only": sum(1 for p in places if p[2] == "friends")}


def ensure_town(n: int, regenerate: bool) -> tuple[Path, dict]:
    target = OUT / f"map-{n}"
    meta_path = target / "bench.json"
    if meta_path.exists() and not regenerate:
        meta = json.loads(meta_path.read_text())
        if meta.get("generator") == GENERATOR_VERSION:
            meta["generated_now"] = False
            return target, meta
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(target, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=OUT)) / "data"
    print(f"generating {n} geotagged items in {target} ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    meta = generate(work, n)
    meta["generation_s"] = round(time.perf_counter() - t0, 1)
    meta["generator"] = GENERATOR_VERSION
    (work / "bench.json").write_text(json.dumps(meta))
    work.rename(target)
    shutil.rmtree(work.parent, ignore_errors=True)
    meta["generated_now"] = True
    return target, meta


def markers(data: Path) -> list[tuple[float, float, str]]:
    db = sqlite3.connect(data / "sns.sqlite3")
    rows = db.execute("SELECT lat, lon, title FROM diaries WHERE lat IS NOT NULL ORDER BY id").fetchall()
    db.close()
    return rows


# --- HTML: what a page links -----------------------------------------------------------------------

class Links(HTMLParser):
    """Every src and href in a page; the linked scripts and styles; the inline scripts' text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.assets: list[str] = []  # <script src> and <link rel=stylesheet href>, in order
        self.inline: list[str] = []
        self.attrs: dict[str, str] = {}  # data-* attributes of the map section
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("src", "href"):
            if a.get(name):
                self.urls.append(a[name])
        if tag == "script":
            if a.get("src"):
                self.assets.append(a["src"])
            else:
                self._in_script = True
                self.inline.append("")
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.assets.append(a["href"])
        if a.get("id") == "town-map":
            self.attrs = {k: v for k, v in a.items() if k.startswith("data-")}

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.inline[-1] += data


def parse(page: str) -> Links:
    links = Links()
    links.feed(page)
    return links


URL_IN_TEXT = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"'<>)]*""")


def hosts_of(links: Links, own_host: str) -> dict:
    def host(url: str) -> str | None:
        parts = urlsplit(url.strip())
        return parts.hostname if parts.netloc else None

    in_attrs = sorted({h for u in links.urls if (h := host(u)) and h != own_host})
    in_scripts = sorted({h for text in links.inline for u in URL_IN_TEXT.findall(text)
                         if (h := host(u)) and h != own_host} - set(in_attrs))
    return {"other_hosts": in_attrs, "other_hosts_in_inline_scripts": in_scripts,
            "count": len(set(in_attrs) | set(in_scripts)),
            "external_assets": [u for u in links.assets if host(u) and host(u) != own_host]}


# --- 2. server time of the page, in-process; folium's default page -------------------------------

async def page_times(data: Path, runs: int, meta: dict, breakdown_runs: int) -> dict:
    import httpx

    from sns.app import create_app
    from sns.settings import load_settings

    settings = load_settings(data)
    app = create_app(settings)
    out: dict = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as visitor, \
                httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as resident:
            form = await resident.get("/login")
            token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            done = await resident.post("/login", data={"username": BENCH_USER, "password": BENCH_PASSWORD,
                                                       "csrf_token": token})
            if done.status_code != 303:
                raise SystemExit(f"sign-in failed: {done.status_code}")
            for who, client in (("anonymous", visitor), ("resident", resident)):
                times = []
                for i in range(runs + 5):
                    t0 = time.perf_counter()
                    r = await client.get("/map", headers={"Accept-Encoding": "identity"})
                    elapsed = (time.perf_counter() - t0) * 1000
                    if r.status_code != 200 or (who == "resident") != ('action="/logout"' in r.text):
                        raise SystemExit(f"/map as {who}: {r.status_code}")
                    if i >= 5:
                        times.append(elapsed)
                out[who] = {"median_ms": round(statistics.median(times), 3), "min_ms": round(min(times), 3),
                            "p90_ms": round(_percentile(times, 90), 3), "runs": runs, "bytes": len(r.content)}
        if breakdown_runs:
            out["breakdown"] = await breakdown(settings, meta, breakdown_runs)
    return out


async def breakdown(settings, meta: dict, runs: int) -> dict:
    """Where the features answer's time goes, in-process, in CPU time of this process (all its threads, so
    the SQLite thread too; medians, ms), which the machine's load disturbs far less than wall-clock time:
    the layer's SQL alone on a plain sqlite3 connection, locating (the layer's `locate`: SQL through Tortoise,
    (id, lat, lon) rows), grouping into clusters, `maps.features()` as a whole (locate, group, then describe
    the points sent one by one; also in wall-clock time), the JSON body and its gzip. Needs Tortoise set up (inside the app)."""
    from starlette.responses import JSONResponse
    from tortoise import connections

    from sns.context import Ctx, Limits
    from sns.models import User
    from sns.policies import ANONYMOUS, load_viewer
    from sns import areas
    from sns.services import maps

    conn = connections.get("default")
    seen: list[tuple[str, list]] = []
    original = conn.execute_query  # values_list() (the layer's locate) reads through this one

    async def spy(query, values=None):
        seen.append((query, list(values or [])))
        return await original(query, values)

    plain = sqlite3.connect(settings.data_dir / "sns.sqlite3")
    bbox = maps.BBox(*meta["dense_bbox"])
    layer = areas.site().map_layers["diaries"]
    viewers = {"visitor": ANONYMOUS, "resident": await load_viewer(await User.get(username=BENCH_USER))}
    out: dict = {}
    try:
        for who, viewer in viewers.items():
            ctx = Ctx(settings, Limits.unlimited(), viewer)
            for zoom in (DENSE_ZOOM, 22):
                t: dict[str, list[float]] = {k: [] for k in ("sql_only", "locate", "cluster", "json", "gzip",
                                                              "features_total", "features_total_wall")}
                for i in range(runs + 3):
                    seen.clear()
                    conn.execute_query = spy
                    t0 = time.process_time()
                    got = await layer.locate(ctx, bbox, maps.LOCATED_PER_LAYER + 1)  # (id, lat, lon) only
                    t1 = time.process_time()
                    conn.execute_query = original
                    points = [(layer.name, id_, lat, lon, None) for id_, lat, lon in got]
                    t2 = time.process_time()
                    maps.group(points, bbox, zoom)
                    t3, w3 = time.process_time(), time.perf_counter()
                    data = await maps.features(ctx, bbox, [layer], zoom)
                    t4, w4 = time.process_time(), time.perf_counter()
                    body = JSONResponse(data).body
                    t5 = time.process_time()
                    gzip.compress(body, compresslevel=6)
                    t6 = time.process_time()
                    sql_ms = 0.0
                    for query, values in seen:
                        s0 = time.process_time()
                        plain.execute(query, values).fetchall()
                        sql_ms += (time.process_time() - s0) * 1000
                    if i >= 3:
                        for k, v in (("locate", t1 - t0), ("cluster", t3 - t2), ("features_total", t4 - t3),
                                     ("json", t5 - t4), ("gzip", t6 - t5)):
                            t[k].append(v * 1000)
                        t["sql_only"].append(sql_ms)
                        t["features_total_wall"].append((w4 - w3) * 1000)
                row = {k: round(statistics.median(v), 2) for k, v in t.items()}
                row["rows_to_points"] = round(row["locate"] - row["sql_only"], 2)
                row["queries"] = len(seen)
                row["rows"] = len(got)
                out[f"{who}_z{zoom}"] = row
    finally:
        conn.execute_query = original
        plain.close()
    return out


def folium_page(items: list[tuple[float, float, str]]) -> str:
    import folium

    m = folium.Map(location=list(CENTRE), zoom_start=ZOOM)
    for lat, lon, title in items:
        folium.Marker([lat, lon], popup=title).add_to(m)
    return m.get_root().render()


def folium_times(items, runs: int) -> tuple[dict, str]:
    times, page = [], ""
    for _ in range(runs):
        t0 = time.perf_counter()
        page = folium_page(items)
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1), "runs": runs,
            "markers": len(items)}, page


# --- servers (benchmarks/servers.py) ------------------------------------------------------------

def serve_bare(port: int, bodies: Path) -> None:
    """The baseline: each file in `bodies` answered at /<name> as GeoJSON, with the app's GZip settings."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.responses import Response
    from starlette.routing import Route

    routes = [Route("/", lambda request: Response(b"ok"))]
    for path in sorted(bodies.glob("*.json")):
        body = path.read_bytes()

        async def answer(request, body=body):
            return Response(body, media_type="application/geo+json")

        routes.append(Route(f"/{path.stem}", answer, methods=["GET"]))
    app = Starlette(routes=routes, middleware=[Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)])
    uvicorn.run(app, host="127.0.0.1", port=port, workers=1, proxy_headers=True, log_level="info",
                timeout_graceful_shutdown=5)


def wire(client, path: str, encoding: str, headers: dict | None = None) -> tuple[int, int, bytes, str]:
    """(status, bytes of the body as sent, the decoded body, content-encoding)."""
    with client.stream("GET", path, headers={"Accept-Encoding": encoding, **(headers or {})}) as r:
        raw = b"".join(r.iter_raw())
        used = r.headers.get("content-encoding", "")
        body = gzip.decompress(raw) if used == "gzip" else raw
        return r.status_code, len(raw), body, used


# --- 3 and 4. bytes and hosts ---------------------------------------------------------------------

def page_bytes(base: str) -> tuple[dict, Links, str]:
    import httpx

    out: dict = {"files": {}}
    with httpx.Client(base_url=base, timeout=60) as client:
        status, raw_n, page_body, _ = wire(client, "/map", "identity")
        assert status == 200, status
        page = page_body.decode()
        links = parse(page)
        layers = json.loads(html.unescape(links.attrs.get("data-layers", "[]")))
        shown = [layer["name"] for layer in layers if layer.get("shown")]
        default_box = view_bbox(*CENTRE, ZOOM)
        source = links.attrs.get("data-features", "")
        features = f"{source}?bbox={bbox_param(default_box)}&zoom={ZOOM}&layers={','.join(shown)}"
        total_raw = total_gz = 0
        for path in ["/map", *links.assets, features]:
            if urlsplit(path).netloc:
                raise SystemExit(f"the map page links another host: {path}")
            status, raw_n, body, _ = wire(client, path, "identity")
            status_gz, gz_n, body_gz, used = wire(client, path, "gzip")
            if status != 200 or status_gz != 200:
                raise SystemExit(f"{path}: {status} / {status_gz}")
            name = "features.json (default view)" if path == features else path
            out["files"][name] = {"raw": raw_n, "gzip": gz_n, "compressed_by_server": used == "gzip"}
            total_raw += raw_n
            total_gz += gz_n
            if path == features:
                data = json.loads(body)
                out["default_view"] = {"bbox": default_box, "zoom": ZOOM, "layers": shown,
                                       "features": len(data["features"]), "items": _items(data),
                                       "complete": data["complete"]}
        out["total_raw"], out["total_gzip"] = total_raw, total_gz
        out["features_url"] = source
        out["features_url_relative"] = bool(source) and not urlsplit(source).netloc and source.startswith("/")
    return out, links, page


def folium_bytes(page: str) -> tuple[dict, Links]:
    links = parse(page)
    encoded = page.encode()
    return {"html_raw": len(encoded), "html_gzip": len(gzip.compress(encoded, compresslevel=6)),
            "external_assets": len(links.assets), "external_bytes_included": False}, links


# --- 5. features latency over HTTP ---------------------------------------------------------------

def _items(data: dict) -> int:
    return sum(f["properties"].get("count", 1) if f["properties"].get("cluster") else 1 for f in data["features"])


def _percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))
    return values[k]


def cpu_ms(pid: int) -> float:
    """CPU time (user + system, all threads) of a process and its children so far, in ms (Linux /proc)."""
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for p in (pid, *map(int, children)):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    return total


def latency(base: str, path: str, headers: dict, requests: int, warmup: int, pid: int) -> tuple[dict, bytes]:
    import httpx

    times, body, status, wire_n, cpu0 = [], b"", 0, 0, 0.0
    with httpx.Client(base_url=base, timeout=60, headers={"Accept-Encoding": "gzip", **headers}) as client:
        for i in range(warmup + requests):
            if i == warmup:
                cpu0 = cpu_ms(pid)
            t0 = time.perf_counter()
            r = client.get(path)
            elapsed = (time.perf_counter() - t0) * 1000
            if r.status_code != 200:
                raise SystemExit(f"{path}: {r.status_code} {r.text[:200]}")
            if i >= warmup:
                times.append(elapsed)
            body, wire_n = r.content, r.num_bytes_downloaded
        server_cpu = (cpu_ms(pid) - cpu0) / requests
    return {"p50_ms": round(statistics.median(times), 2), "p99_ms": round(_percentile(times, 99), 2),
            "max_ms": round(max(times), 2), "server_cpu_ms": round(server_cpu, 2), "requests": requests,
            "json_bytes": len(body), "gzip_bytes": wire_n}, body


def measure_api(data: Path, meta: dict, requests: int, warmup: int) -> tuple[dict, dict, Links, str]:
    port = free_port()
    sns = Server("sns", [PYTHON, "-m", "sns", "--data", str(data), "serve", "--host", "127.0.0.1", "--port",
                         str(port), "--workers", "1"], _env(data), port, "/login", log_name="map-sns")
    box = bbox_param(meta["dense_bbox"])
    cases = {f"{who}_z{z}": (f"/api/v1/map/features?bbox={box}&layers=diaries&zoom={z}",
                             {"Authorization": f"Bearer {meta['token']}"} if who == "resident" else {})
             for who in ("visitor", "resident") for z in (DENSE_ZOOM, 22)}
    # for information (not in the aim): what every visitor's first view asks, the town on a phone at zoom 13
    cases["visitor_default_view"] = (f"/api/v1/map/features?bbox={bbox_param(view_bbox(*CENTRE, ZOOM))}&zoom={ZOOM}",
                                     {})
    results: dict = {}
    bodies = Path(tempfile.mkdtemp(prefix="map-bodies.", dir=OUT))
    try:
        sns.wait_ready()
        base = f"http://127.0.0.1:{port}"
        sizes, links, page = page_bytes(base)
        for name, (path, headers) in cases.items():
            n = requests if name != "visitor_default_view" else max(30, requests // 3)
            figures, body = latency(base, path, headers, n, warmup, sns.proc.pid)
            answer = json.loads(body)
            figures.update(features=len(answer["features"]), items=_items(answer), complete=answer["complete"],
                           clusters=sum(1 for f in answer["features"] if f["properties"].get("cluster")))
            figures["in_aim"] = name != "visitor_default_view"
            results[name] = figures
            (bodies / f"{name}.json").write_bytes(body)
    finally:
        sns.stop()
    port = free_port()
    bare = Server("bare", [PYTHON, str(Path(__file__).resolve()), "--serve-bare", str(port), str(bodies)],
                  dict(os.environ), port, "/", log_name="map-bare")
    try:
        bare.wait_ready()
        base = f"http://127.0.0.1:{port}"
        for name in cases:
            figures, body = latency(base, f"/{name}", {}, results[name]["requests"], warmup, bare.proc.pid)
            assert body == (bodies / f"{name}.json").read_bytes()
            results[name]["baseline"] = {k: figures[k] for k in ("p50_ms", "p99_ms", "max_ms", "server_cpu_ms",
                                                                  "gzip_bytes")}
            results[name]["ratio_p50"] = round(results[name]["p50_ms"] / max(figures["p50_ms"], 0.001), 2)
            results[name]["ratio_p99"] = round(results[name]["p99_ms"] / max(figures["p99_ms"], 0.001), 2)
    finally:
        bare.stop()
        shutil.rmtree(bodies, ignore_errors=True)
    return results, sizes, links, page


# --- the run -------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--items", type=int, default=10_000, help="geotagged items (default 10,000)")
    p.add_argument("--page-runs", type=int, default=50, help="in-process /map requests per viewer (default 50)")
    p.add_argument("--folium-runs", type=int, default=3, help="folium pages rendered (default 3)")
    p.add_argument("--requests", type=int, default=300, help="API requests per case (default 300)")
    p.add_argument("--warmup", type=int, default=20, help="API requests before each case (default 20)")
    p.add_argument("--breakdown-runs", type=int, default=20,
                   help="in-process runs per case for where the features time goes (default 20; 0: skip)")
    p.add_argument("--regenerate", action="store_true")
    p.add_argument("--generate-only", action="store_true")
    p.add_argument("--serve-bare", nargs=2, metavar=("PORT", "DIR"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.serve_bare:
        serve_bare(int(args.serve_bare[0]), Path(args.serve_bare[1]))
        return 0
    if args.items < DENSE_PUBLIC + DENSE_FRIENDS + 100:
        p.error(f"--items must be at least {DENSE_PUBLIC + DENSE_FRIENDS + 100}")

    data, meta = ensure_town(args.items, args.regenerate)
    if args.generate_only:
        print(json.dumps({"bench": "map", "items": args.items, "generation_s": meta.get("generation_s"),
                          "generated_now": meta["generated_now"], "data": str(data)}))
        return 0
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    # no session is left from an earlier run
    db = sqlite3.connect(data / "sns.sqlite3")
    with db:
        db.execute("DELETE FROM sessions")
    db.close()

    api, ours_bytes, our_links, _ = measure_api(data, meta, args.requests, args.warmup)
    page = asyncio.run(page_times(data, args.page_runs, meta, args.breakdown_runs))
    where = page.pop("breakdown", {})
    folium_time, folium_html = folium_times(markers(data), args.folium_runs)
    theirs_bytes, folium_links = folium_bytes(folium_html)
    our_hosts = hosts_of(our_links, "127.0.0.1")
    our_hosts["features_url_relative"] = ours_bytes.pop("features_url_relative")
    our_hosts["features_url"] = ours_bytes.pop("features_url")
    folium_hosts = hosts_of(folium_links, "127.0.0.1")
    theirs_bytes["external_asset_urls"] = folium_hosts["external_assets"]

    speedup = {who: round(folium_time["median_ms"] / page[who]["median_ms"], 1) for who in page}
    worst_p99 = max(r["p99_ms"] for r in api.values() if r["in_aim"])
    figures = {
        "bench": "map", "items": args.items, "friends_only": meta["friends_only"],
        "generation_s": meta.get("generation_s"), "generated_now": meta["generated_now"],
        "cpus": os.cpu_count(), "loadavg_before": round(load_before, 2),
        "page_server_time": {"how": "in-process, httpx.ASGITransport on create_app() inside its lifespan", **page},
        "folium_default": folium_time,
        "speedup": speedup,
        "bytes": {"ours": ours_bytes, "folium": theirs_bytes},
        "hosts": {"ours": our_hosts, "folium": folium_hosts},
        "features_api": {"dense_bbox": meta["dense_bbox"], "dense_zoom_px": [DENSE_ZOOM, *PHONE_MAP_PX],
                         "accept_encoding": "gzip", "cases": api, "in_process_breakdown_ms": where},
    }
    figures["aim"] = {
        "speedup_min": AIM_SPEEDUP, "speedup_met": min(speedup.values()) >= AIM_SPEEDUP,
        "page_kb_max": AIM_PAGE_KB, "page_gzip_kb": round(ours_bytes["total_gzip"] / 1000, 1),
        "page_raw_kb": round(ours_bytes["total_raw"] / 1000, 1),
        "bytes_met": ours_bytes["total_gzip"] / 1000 < AIM_PAGE_KB,
        "bytes_met_uncompressed": ours_bytes["total_raw"] / 1000 < AIM_PAGE_KB,
        "other_hosts_max": 0, "other_hosts": our_hosts["count"], "hosts_met": our_hosts["count"] == 0,
        "p99_ms_max": AIM_P99_MS, "worst_p99_ms": worst_p99, "p99_met": worst_p99 < AIM_P99_MS,
        "worst_server_cpu_ms": max(r["server_cpu_ms"] for r in api.values() if r["in_aim"]),
    }
    figures["aim"]["met"] = all(figures["aim"][k] for k in ("speedup_met", "bytes_met", "hosts_met", "p99_met"))
    figures["loadavg_after"] = round(os.getloadavg()[0], 2)
    figures["run_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(figures, ensure_ascii=False))
    print(_table(figures))
    return 0


def _table(f: dict) -> str:
    yes = {True: "met", False: "NOT met"}
    aim, page, fol = f["aim"], f["page_server_time"], f["folium_default"]
    ours, theirs = f["bytes"]["ours"], f["bytes"]["folium"]
    lines = [f"{'server time of the page':<34} {'median ms':>10}",
             f"{'/map anonymous':<34} {page['anonymous']['median_ms']:>10.2f}",
             f"{'/map signed in':<34} {page['resident']['median_ms']:>10.2f}",
             f"{'folium defaults, %d markers' % fol['markers']:<34} {fol['median_ms']:>10.1f}",
             f"speed-up (folium / ours): anonymous {f['speedup']['anonymous']}x, signed in "
             f"{f['speedup']['resident']}x; aim >= {aim['speedup_min']:.0f}x: {yes[aim['speedup_met']]}",
             "",
             f"{'bytes':<34} {'raw':>10} {'gzip':>10}"]
    for name, size in ours["files"].items():
        lines.append(f"  {name[:32]:<32} {size['raw']:>10} {size['gzip']:>10}")
    lines.append(f"{'ours, total':<34} {ours['total_raw']:>10} {ours['total_gzip']:>10}")
    lines.append(f"{'folium HTML only':<34} {theirs['html_raw']:>10} {theirs['html_gzip']:>10}   "
                 f"+ {theirs['external_assets']} files from CDNs, not counted (a lower bound)")
    view = ours["default_view"]
    short = "" if view["complete"] else ", incomplete: more in view than one answer carries"
    lines.append(f"  (default view: zoom {view['zoom']}, layers {','.join(view['layers'])}: {view['features']} "
                 f"features for {view['items']} items{short})")
    lines.append(f"aim: page with scripts and styles < {aim['page_kb_max']:.0f} KB: {yes[aim['bytes_met']]} "
                 f"({aim['page_gzip_kb']} KB gzip, {aim['page_raw_kb']} KB raw)")
    h = f["hosts"]
    lines.append(f"other hosts: ours {h['ours']['count']} (features URL {h['ours']['features_url']} relative: "
                 f"{h['ours']['features_url_relative']}); folium {h['folium']['count']}: "
                 f"{', '.join(h['folium']['other_hosts'] + h['folium']['other_hosts_in_inline_scripts'])}; "
                 f"aim 0: {yes[aim['hosts_met']]}")
    lines.append("")
    head = (f"{'features API (dense phone view)':<34} {'features':>8} {'items':>6} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'CPU ms':>6} {'gzip B':>7} | {'bare p50':>8} {'bare p99':>8} {'CPU ms':>6} | {'x p50':>6}")
    lines += [head, "-" * len(head)]
    for name, r in f["features_api"]["cases"].items():
        b = r["baseline"]
        label = name + ("" if r["in_aim"] else " *")
        lines.append(f"{label:<34} {r['features']:>8} {r['items']:>6} {r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} "
                     f"{r['server_cpu_ms']:>6.1f} {r['gzip_bytes']:>7} | {b['p50_ms']:>8.2f} {b['p99_ms']:>8.2f} "
                     f"{b['server_cpu_ms']:>6.1f} | {r['ratio_p50']:>6.1f}")
    lines.append("(CPU ms: the server process's CPU time per request, all its threads: load-independent; "
                 "* the default view on a phone at zoom 13, all default layers: for information, not in the aim)")
    lines.append(f"aim: p99 < {aim['p99_ms_max']:.0f} ms: {yes[aim['p99_met']]} (worst {aim['worst_p99_ms']} ms; "
                 f"worst server CPU time per request {aim['worst_server_cpu_ms']} ms)")
    where = f["features_api"]["in_process_breakdown_ms"]
    if where:
        keys = ("sql_only", "rows_to_points", "locate", "cluster", "features_total", "json", "gzip",
                "features_total_wall")
        head = f"{'in-process CPU ms':<22} " + " ".join(f"{k[:16]:>16}" for k in keys)
        lines += ["", head, "-" * len(head)]
        for name, r in where.items():
            lines.append(f"{name:<22} " + " ".join(f"{r[k]:>16.2f}" for k in keys))
    lines.append(f"town: {f['items']} items ({f['friends_only']} friends-only); generated in {f['generation_s']} s"
                 f"{'' if f['generated_now'] else ' (cached)'}; {f['cpus']} CPUs, load average "
                 f"{f['loadavg_before']} before, {f['loadavg_after']} after; run {f['run_s']} s")
    lines.append(f"all aims: {yes[aim['met']]}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
