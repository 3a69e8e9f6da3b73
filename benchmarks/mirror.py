"""Mirroring between two cities: catching up on 100,000 journal entries, and the lag under a posting load.

    .venv/bin/python benchmarks/mirror.py                     # 100,000 entries, then 20 posts/s for 60 s
    .venv/bin/python benchmarks/mirror.py --entries 10000 --seconds 20    # a quick run

1. Makes two instances in benchmarks/out/mirror-data/{a,b} (made again every run): `sns init` each.
2. **Baseline**: A's own write rate. A writes `--entries` journal entries with their records through the
   services' `save_new`/`save_change` (row, journal entry and search index in one transaction, 200 to a
   transaction; tests/multi/mirror_tool.py `write`): a mix of public, members-only, friends-only and
   private diaries, comments on public ones, notices and deleted diaries, so about half travel openly and
   the rest as withdrawals with sealed boxes (A has a backup key). Entries per second.
3. Serves both with the real `sns serve --workers 1` on free loopback ports, and peers them as
   administrators do (`sns mirror add URL --fingerprint FP` on both sides).
4. **Catch-up**: from B's `sns mirror add` until B's replica of A (its SQLite file, polled every 50 ms)
   holds A's last entry: entries per second, and the ratio to A's write rate (above 1: a neighbour
   catches up faster than the origin wrote).
5. **Lag**: A posts notices at `--rate` per second for `--seconds` (services, as above, one transaction
   each); for each, the time from A's commit to the record's appearing in B's replica: p50, p99, max (aim:
   p99 under 5 s with the default pull interval of 1 s).
6. Prints one JSON line of figures, then a short table. Server logs: benchmarks/out/mirror-{a,b}.log.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import OUT, ROOT, Server, free_port  # noqa: E402

PYTHON = sys.executable
SNS = str(Path(PYTHON).with_name("sns"))
TOOL = str(ROOT / "tests" / "multi" / "mirror_tool.py")


class City:
    def __init__(self, root: Path, name: str, extra: dict[str, str]) -> None:
        self.name, self.origin, self.data = name, f"{name}.bench", root / name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SNS_")}
        self.env.update({"SNS_ORIGIN": self.origin, "SNS_PUBLIC_URL": self.url, "DATABASE_URL": "",
                         "SNS_MIRROR_PULL_SECONDS": "1", "SNS_POSTS_PER_10MIN": "1000000",
                         "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **extra})
        self.server: Server | None = None
        self.sns("init")
        self.fingerprint = self.sns("mirror", "fingerprint").split()[0]

    def sns(self, *args: str) -> str:
        done = subprocess.run([SNS, "--data", str(self.data), *args], env=self.env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"sns {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def tool(self, *args: str) -> dict:
        done = subprocess.run([PYTHON, TOOL, "--data", str(self.data), *args], env=self.env, capture_output=True,
                              text=True)
        if done.returncode != 0:
            raise SystemExit(done.stdout + done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start(self) -> None:
        self.server = Server(f"mirror-{self.name}", [SNS, "--data", str(self.data), "serve", "--host", "127.0.0.1",
                                                     "--port", str(self.port), "--workers", "1"],
                             self.env, self.port, "/login")
        self.server.wait_ready()

    def replica(self, origin: str) -> sqlite3.Connection | None:
        path = self.data / "mirror" / f"{origin}.sqlite3"
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) if path.exists() else None


def cursor(db: sqlite3.Connection | None, origin: str) -> int:
    if db is None:
        return 0
    try:
        return db.execute("SELECT MAX(seq) FROM journal WHERE origin = ?", [origin]).fetchone()[0] or 0
    except sqlite3.OperationalError:
        return 0


def catch_up(a: City, b: City, head: int, timeout: float) -> float:
    began = time.perf_counter()
    b.sns("mirror", "add", a.url, "--fingerprint", a.fingerprint)
    db = None
    while time.perf_counter() - began < timeout:
        db = db or b.replica(a.origin)
        if cursor(db, a.origin) >= head:
            return time.perf_counter() - began
        time.sleep(0.05)
    raise SystemExit(f"B held {cursor(db, a.origin)} of {head} entries after {timeout} s")


def lag(a: City, b: City, rate: float, seconds: float) -> list[float]:
    committed: dict[str, float] = {}
    lock = threading.Lock()
    poster = subprocess.Popen([PYTHON, TOOL, "--data", str(a.data), "post", str(rate), str(seconds)], env=a.env,
                              stdout=subprocess.PIPE, text=True)

    def read() -> None:
        for line in poster.stdout:
            record_id, at = line.split()
            with lock:
                committed[record_id] = float(at)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    db = b.replica(a.origin)
    lags: dict[str, float] = {}
    deadline = time.time() + seconds + 60
    while time.time() < deadline:
        with lock:
            waiting = [i for i in committed if i not in lags]
        if waiting:
            marks = ",".join("?" * len(waiting))
            seen = db.execute(f"SELECT record_id FROM replica_records WHERE record_id IN ({marks})", waiting).fetchall()
            now = time.time()
            for (record_id,) in seen:
                lags[record_id] = now - committed[record_id]
        elif poster.poll() is not None and not reader.is_alive():
            break
        time.sleep(0.05)
    poster.wait()
    missing = len(committed) - len(lags)
    if missing:
        raise SystemExit(f"{missing} of {len(committed)} posts never reached B")
    return sorted(lags.values())


def percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=20.0, help="posts per second during the lag test")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the posting load lasts")
    args = parser.parse_args()

    root = OUT / "mirror-data"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    a, b = City(root, "a", {}), City(root, "b", {})
    a.sns("mirror", "backup-key", "--out", str(root / "a-backup.key"))  # private entries travel sealed
    written = a.tool("write", str(args.entries))
    write_rate = written["entries"] / written["seconds"]
    a.start()
    b.start()
    try:
        a.sns("mirror", "add", b.url, "--fingerprint", b.fingerprint)
        took = catch_up(a, b, written["head"], timeout=max(600.0, args.entries / 20))
        catch_rate = written["head"] / took
        lags = lag(a, b, args.rate, args.seconds)
    finally:
        a.server and a.server.stop()
        b.server and b.server.stop()
    figures = {
        "benchmark": "mirror", "entries": written["head"], "write_seconds": written["seconds"],
        "write_entries_per_s": round(write_rate, 1), "catch_up_seconds": round(took, 2),
        "catch_up_entries_per_s": round(catch_rate, 1), "catch_up_ratio_to_write": round(catch_rate / write_rate, 2),
        "posts": len(lags), "post_rate": args.rate, "lag_p50_s": round(percentile(lags, 50), 3),
        "lag_p99_s": round(percentile(lags, 99), 3), "lag_max_s": round(lags[-1], 3),
    }
    print(json.dumps(figures))
    print(f"{'A writes (baseline)':<28}{write_rate:>10.0f} entries/s  ({written['head']} entries)")
    print(f"{'B catches up':<28}{catch_rate:>10.0f} entries/s  ({catch_rate / write_rate:.2f} x A's write rate)")
    print(f"{'lag at %g posts/s' % args.rate:<28}p50 {figures['lag_p50_s']:.2f} s, p99 {figures['lag_p99_s']:.2f} s, "
          f"max {figures['lag_max_s']:.2f} s  ({len(lags)} posts)")


if __name__ == "__main__":
    main()
