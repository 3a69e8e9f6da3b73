"""Page speed on a big town: My page, a diary page, the town Atom feed and a community's topic list under load.

    .venv/bin/python benchmarks/pages.py               # 10,000 residents, 200,000 diaries, 1,000,000 comments,
                                                       # a community with 10,000 topics
    .venv/bin/python benchmarks/pages.py --scale 0.05  # a quick run on a town 20 times smaller

1. Generates the town once (bulk inserts into SQLite in one transaction) and keeps it in
   benchmarks/out/town-r<residents>-d<diaries>-c<comments>/; reruns with the same sizes reuse it.
2. Serves it with the real `sns serve` (one worker) on a free loopback port, signs in once
   through the login form, and loads each page at 100 connections for a fixed time.
3. Serves a bare Starlette route of the same byte size the same way (uvicorn, one worker) and
   loads it the same way: the baseline.
4. Prints one JSON line of figures, then a short table.

The load generator is wrk (installed with apt-get when missing and possible), else a small
asyncio HTTP/1.1 keep-alive client in this file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import Server, free_port  # noqa: E402
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))

FULL = {"residents": 10_000, "diaries": 200_000, "comments": 1_000_000, "topics": 10_000}
FRIENDS = 50  # friends of the resident whose My page is loaded
BENCH_USER, BENCH_PASSWORD = "bench", "bench password 2024"
ORIGIN = "bench.localhost"
AIM_RATIO, AIM_P99_MS = 0.10, 100.0
GENERATOR_VERSION = 2  # bump when the generated data changes shape (a new cache directory)


# --- generation ----------------------------------------------------------------------------------

FIRST = ["Hanako", "Taro", "Yuki", "Ken", "Aiko", "Hiroshi", "Mei", "Sora", "Ren", "Yui", "Kenji", "Emi",
         "Daiki", "Naoko", "Shota", "Mariko", "花子", "太郎", "由紀", "健", "さくら", "翔", "美咲", "大輔"]
LAST = ["Tanaka", "Suzuki", "Sato", "Takahashi", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi",
        "Kato", "田中", "鈴木", "佐藤", "高橋", "渡辺", "伊藤", "山本", "中村"]
TITLES = ["Morning walk by the river", "Autumn festival at the shrine", "Our vegetable garden", "Rainy day",
          "New bakery near the station", "School sports day", "Fishing at the harbour", "Cherry blossoms",
          "Cleaning the community hall", "Snow on the hills", "秋祭りの準備", "今日の夕焼け", "畑の様子",
          "駅前の新しいパン屋", "子ども会の遠足", "台風の片付け", "朝市に行きました", "公民館の掃除"]
PARAGRAPHS = [
    "The **lantern parade** starts at 18:00. Bring a warm jacket, it gets cold by the river.",
    "We planted tomatoes, cucumbers and a row of beans. The soil here is *very* good this year.",
    "- meeting point: the community hall\n- time: 9:00\n- bring: gloves and a towel",
    "The bus to the hospital now leaves ten minutes earlier on weekdays. Please check the timetable.",
    "今年も子ども会でお神輿を担ぎます。集合は9時、公民館の前です。",
    "朝市で新鮮な野菜を買いました。おばあちゃんの漬物がとても美味しかったです。",
    "Thank you to everyone who helped clear the branches after the storm. The path is open again.",
    "Our cat found a sunny spot on the porch and refuses to move. Some days I envy her.",
    "The library has new large-print books. Ask at the desk if you want one reserved.",
    "夕方の散歩で、川沿いに白鷺がたくさんいました。写真を撮りそびれたのが残念です。",
]
COMMENTS = ["Lovely!", "Thank you for sharing.", "I'll be there with my kids!", "See you at the hall.",
            "素敵ですね。", "ありがとうございます！", "What time does it start?", "We went too, it was great.",
            "**Great** photos.", "お疲れさまでした。", "Count me in for the cleaning.", "The beans look tasty."]
VISIBILITY_WEIGHTS = (("public", 40), ("members", 35), ("friends", 20), ("private", 5))


def sizes_for(scale: float) -> dict[str, int]:
    sizes = {k: max(1, round(v * scale)) for k, v in FULL.items()}
    sizes["residents"] = max(sizes["residents"], FRIENDS + 20)
    return sizes


def town_dir(sizes: dict[str, int]) -> Path:
    return OUT / (f"town-v{GENERATOR_VERSION}-r{sizes['residents']}-d{sizes['diaries']}-c{sizes['comments']}"
                  f"-t{sizes['topics']}")


def _ts(dt: datetime) -> str:
    """How Tortoise stores a datetime in SQLite (its sqlite3 adapter: isoformat(' '))."""
    return dt.isoformat(" ")


def _run_sns(data: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = _server_env(data)
    return subprocess.run([PYTHON, "-m", "sns", "--data", str(data), *args], env=env, cwd=ROOT, check=True,
                          **kwargs)


def _server_env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNS_") and k != "DATABASE_URL"}
    env["SNS_DATA"] = str(data)
    return env


def generate(data: Path, sizes: dict[str, int], seed: int = 7) -> dict:
    """Create the town in `data` (a fresh directory); return what the benchmark needs to know."""
    from sns.ids import uuid7
    from sns.security import hash_password

    rng = random.Random(seed)
    data.mkdir(parents=True)
    (data / "sns.toml").write_text(f'origin = "{ORIGIN}"\n')
    _run_sns(data, "init", stdout=subprocess.DEVNULL)  # schema through the real migrations, and keys

    now = datetime.now(timezone.utc)
    start = now - timedelta(days=730)
    span = (now - timedelta(hours=1) - start).total_seconds()
    n_res, n_diaries, n_comments = sizes["residents"], sizes["diaries"], sizes["comments"]
    password = hash_password(BENCH_PASSWORD)
    fv = json.dumps({"district": "members", "introduction": "public", "avatar": "members"}, separators=(",", ":"))

    db = sqlite3.connect(data / "sns.sqlite3", isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA foreign_keys=OFF")  # rows are made consistent below; checked once at the end
    db.execute("PRAGMA cache_size=-1000000")
    db.execute("BEGIN")

    # residents: 0 is staff (writes notices), 1 is the resident whose My page is measured
    districts = [(uuid7(), ORIGIN, 1, _ts(start), _ts(start), None, f"District {i + 1}", i) for i in range(12)]
    db.executemany("INSERT INTO districts (id, origin, version, created_at, updated_at, deleted_at, name, position)"
                   " VALUES (?,?,?,?,?,?,?,?)", districts)
    user_times = sorted(start + timedelta(seconds=rng.random() * span / 4) for _ in range(n_res))
    users = []
    for i, t in enumerate(user_times):
        username = "staff" if i == 0 else BENCH_USER if i == 1 else f"r{i:05d}"
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        users.append((uuid7(), ORIGIN, 1, _ts(t), _ts(t), None, username, name, f"{username}@example.org",
                      password, "staff" if i == 0 else "resident", "active", "",
                      rng.choice(districts)[0], "I live here. " + rng.choice(PARAGRAPHS), None, fv, None))
    db.executemany(
        "INSERT INTO users (id, origin, version, created_at, updated_at, deleted_at, username, display_name, email,"
        " password_hash, role, state, locale, district_id, introduction, avatar_id, field_visibility,"
        " last_seen_home_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", users)
    uid = [u[0] for u in users]
    db.execute("INSERT INTO site_settings (key, value) VALUES ('site', ?)", (json.dumps(
        {"town_name": "Benchmark Town", "town_name_ja": "ベンチマーク町", "map_lat": 32.5073, "map_lon": 130.6016,
         "map_zoom": 13, "open_signup": False, "welcome": ""}),))

    # friendships: the bench resident has exactly FRIENDS friends, three pending requests and two blocks;
    # everyone else about five friends among themselves
    friends: list[set[int]] = [set() for _ in range(n_res)]
    others = list(range(2, n_res))
    bench_friends = rng.sample(others, FRIENDS)
    for f in bench_friends:
        friends[1].add(f)
        friends[f].add(1)
    for _ in range(n_res * 5 // 2):
        a, b = rng.sample(others, 2)
        friends[a].add(b)
        friends[b].add(a)
    strangers = [i for i in others if i not in friends[1]]
    requesters, blocked = strangers[:3], strangers[3:5]
    rel_time = _ts(start + timedelta(days=400))
    rows = [(uuid7(), ORIGIN, 1, rel_time, rel_time, None, uid[a], uid[b], "accepted")
            for a in range(n_res) for b in sorted(friends[a])]
    rows += [(uuid7(), ORIGIN, 1, rel_time, rel_time, None, uid[r], uid[1], "requested") for r in requesters]
    db.executemany("INSERT INTO friendships (id, origin, version, created_at, updated_at, deleted_at, user_id,"
                   " friend_id, state) VALUES (?,?,?,?,?,?,?,?,?)", rows)
    db.executemany("INSERT INTO blocks (id, origin, version, created_at, updated_at, deleted_at, blocker_id,"
                   " blocked_id) VALUES (?,?,?,?,?,?,?,?)",
                   [(uuid7(), ORIGIN, 1, rel_time, rel_time, None, uid[1], uid[b]) for b in blocked])
    friend_lists = [sorted(f) for f in friends]

    # diaries, in time order so that ids (UUIDv7, made now) sort like created_at
    vis_names = [v for v, _ in VISIBILITY_WEIGHTS]
    vis_cum = list(_cumulative(w for _, w in VISIBILITY_WEIGHTS))
    diary_times = sorted(rng.random() * span for _ in range(n_diaries))
    diary_author = [rng.randrange(1, n_res) for _ in range(n_diaries)]
    diary_vis = rng.choices(vis_names, cum_weights=vis_cum, k=n_diaries)
    # the diary page that is measured: a public entry by a friend, with three photos and 40 comments
    featured = n_diaries - max(1, n_diaries // 100)
    diary_author[featured], diary_vis[featured] = bench_friends[0], "public"
    diary_ids = []

    def diary_rows():
        for i in range(n_diaries):
            did = uuid7()
            diary_ids.append(did)
            t = _ts(start + timedelta(seconds=diary_times[i]))
            roll = rng.random()
            state = "held" if roll < 0.01 else "removed" if roll < 0.015 else "published"
            deleted = t if rng.random() < 0.01 and i != featured else None
            if i == featured:
                state = "published"
            located = rng.random() < 0.25 or i == featured
            lat = round(32.5073 + rng.uniform(-0.05, 0.05), 5) if located else None
            lon = round(130.6016 + rng.uniform(-0.05, 0.05), 5) if located else None
            body = "\n\n".join(rng.sample(PARAGRAPHS, rng.randint(1, 4)))
            yield (did, ORIGIN, 1, t, t, deleted, rng.choice(TITLES), body, diary_vis[i], lat, lon, state, None,
                   uid[diary_author[i]])

    db.executemany("INSERT INTO diaries (id, origin, version, created_at, updated_at, deleted_at, title, body,"
                   " visibility, lat, lon, state, client_token, author_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   diary_rows())

    # photos on about one diary in seven (rows only: pages link to the files, the load never fetches them)
    def photo_rows():
        for i in range(n_diaries):
            count = 3 if i == featured else rng.choice((1, 1, 2, 3)) if rng.random() < 0.15 else 0
            t = _ts(start + timedelta(seconds=diary_times[i]))
            for position in range(count):
                yield (uuid7(), ORIGIN, 1, t, t, None, uid[diary_author[i]], diary_ids[i], "diary", 800, 600,
                       48_000, position)

    db.executemany("INSERT INTO photos (id, origin, version, created_at, updated_at, deleted_at, owner_id,"
                   " diary_id, purpose, width, height, bytes, position) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   photo_rows())

    # comments: a few diaries get many, most get a few; on a friends-only entry only friends comment,
    # on a private one only its author
    weights = [rng.paretovariate(1.3) for _ in range(n_diaries)]
    weights[featured] = 0.0
    featured_comments = min(40, n_comments)
    picks = rng.choices(range(n_diaries), cum_weights=list(_cumulative(weights)), k=n_comments - featured_comments)
    picks += [featured] * featured_comments
    comment_plan = []
    for d in picks:
        base = diary_times[d]
        t = min(span + 3000, base + rng.expovariate(1 / 86400.0))
        comment_plan.append((t, d))
    comment_plan.sort()

    def comment_rows():
        for t, d in comment_plan:
            author, vis = diary_author[d], diary_vis[d]
            if d == featured:
                who = 1 if rng.random() < 0.2 else rng.randrange(2, n_res)
            elif vis == "private" or (vis == "friends" and not friend_lists[author]):
                who = author
            elif vis == "friends":
                who = rng.choice(friend_lists[author]) if rng.random() < 0.8 else author
            else:
                who = rng.randrange(1, n_res)
            roll = rng.random()
            state = "held" if roll < 0.005 else "published"
            stamp = _ts(start + timedelta(seconds=t))
            deleted = stamp if roll > 0.995 and d != featured else None
            yield (uuid7(), ORIGIN, 1, stamp, stamp, deleted, rng.choice(COMMENTS), state, None, uid[who],
                   diary_ids[d])

    db.executemany("INSERT INTO comments (id, origin, version, created_at, updated_at, deleted_at, body, state,"
                   " client_token, author_id, diary_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)", comment_rows())

    notice_times = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(200))
    db.executemany("INSERT INTO notices (id, origin, version, created_at, updated_at, deleted_at, title, body,"
                   " author_id) VALUES (?,?,?,?,?,?,?,?,?)",
                   [(uuid7(), ORIGIN, 1, _ts(t), _ts(t), _ts(t) if i % 40 == 0 else None,
                     f"Notice {i + 1}: " + rng.choice(TITLES), rng.choice(PARAGRAPHS), uid[0])
                    for i, t in enumerate(notice_times)])
    forum = _forum_rows(db, rng, uid, bench_friends, start, span, sizes["topics"])
    db.execute("COMMIT")
    problems = db.execute("PRAGMA foreign_key_check").fetchmany(5)
    if problems:
        raise SystemExit(f"generated rows break foreign keys: {problems}")
    db.close()
    return {"bench_user": BENCH_USER, "bench_user_id": uid[1], "featured_diary": diary_ids[featured],
            "friends": FRIENDS, "sizes": sizes, **forum}


def _forum_rows(db, rng, uid, members, start, span, n_topics) -> dict:
    """One community (readable by signed-in residents) with `n_topics` topics, three of them pinned, and
    0 to 8 replies each; the bench resident is a member. Returns the community and a topic half-way
    down its list (the `before` cursor of a deep page)."""
    from sns.ids import uuid7

    made = _ts(start)
    community = uuid7()
    people = [uid[1], *(uid[m] for m in members)]
    db.execute("INSERT INTO communities (id, origin, version, created_at, updated_at, deleted_at, name, description,"
               " official, join_policy, readable_by, state, member_count, topic_count, last_activity_at, client_token,"
               " creator_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
               (community, ORIGIN, 1, made, made, None, "Riverside walking club / 川沿い散歩の会",
                "Slow walks along the river. " + PARAGRAPHS[0], 0, "open", "members", "published",
                len(people) + 1, n_topics, made, None, uid[0]))
    db.executemany("INSERT INTO memberships (id, origin, version, created_at, updated_at, deleted_at, role, state,"
                   " community_id, invited_by_id, user_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                   [(uuid7(), ORIGIN, 1, made, made, None, "admin" if u == uid[0] else "member", "active",
                     community, None, u) for u in [uid[0], *people]])
    times = sorted(rng.random() * span for _ in range(n_topics))
    topics, replies = [], []
    for i, t in enumerate(times):
        tid = uuid7()
        created = start + timedelta(seconds=t)
        n = rng.randint(0, 8)
        reply_times = sorted(created + timedelta(seconds=rng.expovariate(1 / 7200.0)) for _ in range(n))
        bumped = reply_times[-1] if reply_times else created
        topics.append((tid, ORIGIN, 1, _ts(created), _ts(created), None, rng.choice(TITLES),
                       "\n\n".join(rng.sample(PARAGRAPHS, 2)), "published", int(i in (3, n_topics // 2, n_topics - 7)),
                       0, n, _ts(bumped) if reply_times else None, _ts(bumped), None, None, None,
                       rng.choice(people), community))
        replies += [(uuid7(), ORIGIN, 1, _ts(rt), _ts(rt), None, rng.choice(COMMENTS), "published", None,
                     rng.choice(people), tid) for rt in reply_times]
    db.executemany("INSERT INTO topics (id, origin, version, created_at, updated_at, deleted_at, title, body, state,"
                   " pinned, locked, reply_count, last_reply_at, bumped_at, lat, lon, client_token, author_id,"
                   " community_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", topics)
    db.executemany("INSERT INTO replies (id, origin, version, created_at, updated_at, deleted_at, body, state,"
                   " client_token, author_id, topic_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)", replies)
    ordered = sorted(topics, key=lambda r: (r[9], r[13], r[0]), reverse=True)  # pinned, bumped_at, id
    return {"community": community, "deep_topic": ordered[len(ordered) // 2][0]}


def _cumulative(values):
    total = 0.0
    for v in values:
        total += v
        yield total


def ensure_town(sizes: dict[str, int], regenerate: bool) -> tuple[Path, dict]:
    target = town_dir(sizes)
    meta_path = target / "bench.json"
    if meta_path.exists() and not regenerate:
        meta = json.loads(meta_path.read_text())
        meta["generated_now"] = False
        return target, meta
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(target, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=OUT)) / "data"
    print(f"generating {sizes} in {target} ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    meta = generate(work, sizes)
    meta["generation_s"] = round(time.perf_counter() - t0, 1)
    (work / "bench.json").write_text(json.dumps(meta))
    work.rename(target)
    shutil.rmtree(work.parent, ignore_errors=True)
    print(f"generated in {meta['generation_s']} s", file=sys.stderr, flush=True)
    meta["generated_now"] = True
    return target, meta


def reset_town(data: Path, meta: dict) -> None:
    """Undo what earlier runs changed: sessions, and the bench resident's last visit (3 days ago)."""
    db = sqlite3.connect(data / "sns.sqlite3")
    since = datetime.now(timezone.utc) - timedelta(days=3)
    with db:
        db.execute("DELETE FROM sessions")
        db.execute("UPDATE users SET last_seen_home_at = ? WHERE id = ?", (_ts(since), meta["bench_user_id"]))
    db.close()


# --- servers (benchmarks/servers.py) ------------------------------------------------------------

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


def fetch(base: str, path: str, cookie: str = "") -> tuple[int, bytes]:
    import httpx

    headers = {"Accept-Encoding": "identity", **({"Cookie": cookie} if cookie else {})}
    r = httpx.get(base + path, headers=headers, timeout=60)
    return r.status_code, r.content


# --- load ----------------------------------------------------------------------------------------

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, '
    .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "bytes": %d}\\n', summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), summary.bytes))
end
"""


def find_wrk() -> str | None:
    found = shutil.which("wrk")
    if found or os.environ.get("BENCH_NO_APT"):
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk with apt-get ...", file=sys.stderr, flush=True)
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": {**os.environ,
                 "DEBIAN_FRONTEND": "noninteractive"}}
        if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], **quiet)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet)
    return shutil.which("wrk")


def load_wrk(wrk: str, url: str, cookie: str, connections: int, seconds: float) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_SCRIPT)
    try:
        argv = [wrk, f"-t{min(2, connections)}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", fh.name,
                "-H", "Accept-Encoding: identity"]
        if cookie:
            argv += ["-H", f"Cookie: {cookie}"]
        out = subprocess.run(argv + [url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(fh.name)
    raw = json.loads(out.split("WRKJSON ", 1)[1].splitlines()[0])
    seconds_run = raw["duration_us"] / 1e6
    return {"requests": raw["requests"], "rps": raw["requests"] / seconds_run, "p50_ms": raw["p50_us"] / 1000,
            "p90_ms": raw["p90_us"] / 1000, "p99_ms": raw["p99_us"] / 1000,
            "errors": raw["errors"] + raw["non2xx"]}


async def _load_python(host: str, port: int, path: str, cookie: str, connections: int, seconds: float) -> dict:
    """A small HTTP/1.1 keep-alive load generator (when wrk is not available)."""
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Encoding: identity\r\n"
               + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n").encode()
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker():
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, math.ceil(p / 100 * len(latencies)) - 1)] * 1000 if latencies else 0

    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "p50_ms": pct(50), "p90_ms": pct(90),
            "p99_ms": pct(99), "errors": errors}


def load(wrk: str | None, port: int, path: str, cookie: str, connections: int, seconds: float) -> dict:
    if wrk:
        figures = load_wrk(wrk, f"http://127.0.0.1:{port}{path}", cookie, connections, seconds)
    else:
        figures = asyncio.run(_load_python("127.0.0.1", port, path, cookie, connections, seconds))
    # the server still answers requests that were in flight when the load stopped: let it finish
    # them, so that they do not count against the next measurement
    fetch(f"http://127.0.0.1:{port}", path, cookie)
    return figures


# --- the run -------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", type=float, default=1.0, help="town size relative to the full one (default 1)")
    p.add_argument("--seconds", type=float, default=10.0, help="load time per page (default 10)")
    p.add_argument("--warmup", type=float, default=2.0, help="load before each measurement (default 2)")
    p.add_argument("--connections", type=int, default=100)
    p.add_argument("--regenerate", action="store_true", help="generate the town again even if cached")
    p.add_argument("--generate-only", action="store_true")
    p.add_argument("--python-load", action="store_true", help="use the built-in load generator, not wrk")
    args = p.parse_args(argv)

    sizes = sizes_for(args.scale)
    data, meta = ensure_town(sizes, args.regenerate)
    if args.generate_only:
        print(json.dumps({"bench": "pages", "sizes": sizes, "generation_s": meta.get("generation_s"),
                          "generated_now": meta["generated_now"], "data": str(data)}))
        return 0
    reset_town(data, meta)
    wrk = None if args.python_load else find_wrk()
    # name -> (path, signed in): the feed is fetched as a feed reader does, without cookies
    pages = {"my_page": ("/home", True), "diary": (f"/diaries/{meta['featured_diary']}", True),
             "town_feed": ("/feeds/diaries.atom", False),
             # a community with 10,000 topics: its first page, and a page half-way down (keyset `before`)
             "topics": (f"/communities/{meta['community']}", True),
             "topics_deep": (f"/communities/{meta['community']}?before={meta['deep_topic']}", True)}
    load_before = os.getloadavg()[0]
    results: dict[str, dict] = {}

    port = free_port()
    sns = Server("sns", [PYTHON, "-m", "sns", "--data", str(data), "serve", "--host", "127.0.0.1", "--port",
                         str(port), "--workers", "1"], _server_env(data), port, "/login")
    try:
        sns.wait_ready()
        base = f"http://127.0.0.1:{port}"
        cookie = sign_in(base)
        for name, (path, signed) in pages.items():
            status, body = fetch(base, path, cookie if signed else "")
            if status != 200 or (signed and b'action="/logout"' not in body):
                raise SystemExit(f"{path} answered {status}{'' if status != 200 else ' but not signed in'}")
            results[name] = {"path": path, "signed_in": signed, "bytes": len(body)}
        for name, (path, signed) in pages.items():
            if args.warmup:
                load(wrk, port, path, cookie if signed else "", args.connections, args.warmup)
            results[name].update(load(wrk, port, path, cookie if signed else "", args.connections, args.seconds))
    finally:
        sns.stop()

    port = free_port()
    env = {**os.environ, "BENCH_SIZES": json.dumps({n: r["bytes"] for n, r in results.items()}),
           "PYTHONPATH": str(ROOT / "benchmarks")}
    bare = Server("bare", [PYTHON, "-c", "import uvicorn; uvicorn.run('bare:create_app', factory=True, "
                           f"host='127.0.0.1', port={port}, workers=1, proxy_headers=True, log_level='info', "
                           "timeout_graceful_shutdown=5)"], env, port, "/")
    try:
        bare.wait_ready()
        for name in pages:
            status, body = fetch(f"http://127.0.0.1:{port}", f"/{name}")
            assert status == 200 and len(body) == results[name]["bytes"], (name, status, len(body))
            if args.warmup:
                load(wrk, port, f"/{name}", "", args.connections, args.warmup)
            results[name]["baseline"] = load(wrk, port, f"/{name}", "", args.connections, args.seconds)
    finally:
        bare.stop()

    for r in results.values():
        b = r["baseline"]
        r["ratio_rps"] = r["rps"] / b["rps"] if b["rps"] else 0.0
        r["ratio_p99"] = r["p99_ms"] / b["p99_ms"] if b["p99_ms"] else 0.0
    mine = results["my_page"]
    figures = {
        "bench": "pages", "scale": args.scale, "sizes": sizes, "friends": meta["friends"],
        "generation_s": meta.get("generation_s"), "generated_now": meta["generated_now"],
        "load": "wrk" if wrk else "python", "connections": args.connections, "seconds": args.seconds,
        "workers": 1, "cpus": os.cpu_count(), "loadavg_before": round(load_before, 2), "pages": _rounded(results),
        "aim": {"my_page_ratio_min": AIM_RATIO, "p99_ms_max": AIM_P99_MS,
                "met": mine["ratio_rps"] >= AIM_RATIO and mine["p99_ms"] < AIM_P99_MS},
    }
    print(json.dumps(figures, ensure_ascii=False))
    print(_table(results, figures))
    return 0


def _rounded(value):
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def _table(results: dict, figures: dict) -> str:
    head = f"{'page':<12} {'bytes':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} | " \
           f"{'bare req/s':>10} {'p50 ms':>7} {'p99 ms':>7} | {'req/s ratio':>11}"
    lines = [head, "-" * len(head)]
    for name, r in results.items():
        b = r["baseline"]
        lines.append(f"{name:<12} {r['bytes']:>7} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
                     f"{r['errors']:>6} | {b['rps']:>10.1f} {b['p50_ms']:>7.1f} {b['p99_ms']:>7.1f} | "
                     f"{r['ratio_rps']:>11.3f}")
    s = figures["sizes"]
    aim = figures["aim"]
    lines.append(f"town: {s['residents']} residents, {s['diaries']} diaries, {s['comments']} comments, "
                 f"a community of {s['topics']} topics; "
                 f"generated in {figures['generation_s']} s{' (cached)' if not figures['generated_now'] else ''}; "
                 f"{figures['connections']} connections, {figures['seconds']} s per page, load by {figures['load']}; "
                 f"{figures['cpus']} CPUs, load average {figures['loadavg_before']} before the run")
    lines.append(f"aim: My page >= {aim['my_page_ratio_min']:.0%} of the bare route's req/s and p99 < "
                 f"{aim['p99_ms_max']:.0f} ms: {'met' if aim['met'] else 'NOT met'}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
