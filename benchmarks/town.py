"""The benchmark town of pages.py: generated once into SQLite (bulk inserts in one transaction), kept in
benchmarks/out/town-v<version>-r<residents>-d<diaries>-c<comments>-t<topics>/ and reused.

Besides the resident `bench` (scenario 1), it has a crowd of up to 1,000 residents (scenarios 2 to 4):
each a member of the benchmark community, with about 20 notifications, and with one diary entry by a
friend (public or friends-only) that the benchmark reads as that resident.
"""

from __future__ import annotations

import json
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
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))

FULL = {"residents": 10_000, "diaries": 200_000, "comments": 1_000_000, "topics": 10_000}
FRIENDS = 50  # friends of the resident whose My page is loaded
CROWD = 1_000  # signed-in residents of scenarios 2 to 4 (fewer in a town too small for them)
NOTIFICATIONS = 20  # per crowd resident, 5 of them unread
BENCH_USER, BENCH_PASSWORD = "bench", "bench password 2024"
ORIGIN = "bench.localhost"
GENERATOR_VERSION = 3  # bump when the generated data changes shape (a new cache directory)

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
    readable = [False] * n_diaries  # published, not deleted, public or friends-only: a friend's diary to read

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
            readable[i] = state == "published" and deleted is None and diary_vis[i] in ("public", "friends")
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
    crowd = _crowd(rng, n_res, friend_lists, diary_author, readable)
    forum = _forum_rows(db, rng, uid, bench_friends, [c for c, _ in crowd], start, span, sizes["topics"])
    _notification_rows(db, rng, uid, crowd, friend_lists, diary_ids, forum["community"], now)
    db.execute("COMMIT")
    problems = db.execute("PRAGMA foreign_key_check").fetchmany(5)
    if problems:
        raise SystemExit(f"generated rows break foreign keys: {problems}")
    db.close()
    return {"bench_user": BENCH_USER, "bench_user_id": uid[1], "featured_diary": diary_ids[featured],
            "friends": FRIENDS, "sizes": sizes, **forum,
            "crowd": [[uid[c], users[c][6], diary_ids[d]] for c, d in crowd]}


def _crowd(rng, n_res, friend_lists, diary_author, readable) -> list[tuple[int, int]]:
    """Up to CROWD residents (not `bench`), each with a diary entry by one of their friends to read."""
    by_author: dict[int, list[int]] = {}
    for d, ok in enumerate(readable):
        if ok:
            by_author.setdefault(diary_author[d], []).append(d)
    candidates = [i for i in range(2, n_res) if any(f in by_author for f in friend_lists[i] if f != 1)]
    crowd = []
    for i in rng.sample(candidates, min(CROWD, len(candidates))):
        friend = rng.choice([f for f in friend_lists[i] if f in by_author and f != 1])
        crowd.append((i, rng.choice(by_author[friend])))
    return crowd


def _notification_rows(db, rng, uid, crowd, friend_lists, diary_ids, community, now) -> None:
    """NOTIFICATIONS per crowd resident over the last 30 days, the newest 5 unread; ids in time order."""
    rows = []
    for i, d in crowd:
        times = sorted(now - timedelta(seconds=rng.random() * 30 * 86400) for _ in range(NOTIFICATIONS))
        for n, t in enumerate(times):
            actor = uid[rng.choice(friend_lists[i])] if friend_lists[i] else None
            kind, url = (("reply", f"/diaries/{diary_ids[d]}") if n % 3 else
                         ("membership_accepted", f"/communities/{community}"))
            read = _ts(t + timedelta(minutes=30)) if n < NOTIFICATIONS - 5 else None
            rows.append((t, uid[i], kind, actor, rng.choice(TITLES), url, read))
    rows.sort(key=lambda r: r[0])
    from sns.ids import uuid7

    db.executemany("INSERT INTO notifications (id, user_id, kind, actor_id, subject, url, created_at, read_at)"
                   " VALUES (?,?,?,?,?,?,?,?)", [(uuid7(), u, k, a, s, url, _ts(t), r) for t, u, k, a, s, url, r in rows])


def _forum_rows(db, rng, uid, members, crowd, start, span, n_topics) -> dict:
    """One community (readable by its members) with `n_topics` topics, three of them pinned, and
    0 to 8 replies each; the bench resident, their friends and the crowd are members. Returns the community and a topic half-way
    down its list (the `before` cursor of a deep page)."""
    from sns.ids import uuid7

    made = _ts(start)
    community = uuid7()
    people = [uid[1], *(uid[m] for m in members)]  # the topics' authors
    joined = list(dict.fromkeys([uid[0], *people, *(uid[c] for c in crowd)]))
    db.execute("INSERT INTO communities (id, origin, version, created_at, updated_at, deleted_at, name, description,"
               " official, join_policy, readable_by, state, member_count, topic_count, last_activity_at, client_token,"
               " creator_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
               (community, ORIGIN, 1, made, made, None, "Riverside walking club / 川沿い散歩の会",
                "Slow walks along the river. " + PARAGRAPHS[0], 0, "open", "members", "published",
                len(joined), n_topics, made, None, uid[0]))
    db.executemany("INSERT INTO memberships (id, origin, version, created_at, updated_at, deleted_at, role, state,"
                   " community_id, invited_by_id, user_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                   [(uuid7(), ORIGIN, 1, made, made, None, "admin" if u == uid[0] else "member", "active",
                     community, None, u) for u in joined])
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


