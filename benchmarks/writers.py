"""Residents writing while others read (pages.py, scenarios 2 and 4): a separate process.

    python benchmarks/writers.py --data DIR [--database-url URL] --diaries 5 --comments 20

Opens the same database with the app's settings (`sns.db.database`) and, until SIGTERM, writes diary
entries and comments at the given rates per second through the real services
(`sns.services.diaries.write_diary` and `add_comment`: policies, moderation, journal, all of it), each
as a random resident with a `Ctx` built as the web layer builds one (`load_viewer`, the settings' rate
limits). Comments go to recent public entries (and to the entries written in this run). Prints "ready"
once set up, then at the end one JSON line: what was asked, what was written per second, failures by kind
and write latency. A write that would start while 50 are still in flight is skipped and counted (the
writers fell behind).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # before benchmarks/, whose moderation.py would hide the `moderation` package

MAX_IN_FLIGHT = 50


async def run(args) -> dict:
    from sns import areas, db
    from sns.context import Ctx, Limits
    from sns.models import Diary, User
    from sns.policies import load_viewer
    from sns.services import diaries
    from sns.settings import load_settings
    from town import COMMENTS, PARAGRAPHS, TITLES, VISIBILITY_WEIGHTS

    settings = load_settings(args.data, **({"database_url": args.database_url} if args.database_url else {}))
    rng = random.Random()
    async with db.database(settings):
        limits = Limits.from_settings(settings)
        site = areas.site()  # what a held post's notice to the moderators reads (the review kinds)
        people = await User.filter(role="resident", state="active", deleted_at=None).values_list("id", flat=True)
        targets = list(await Diary.filter(visibility="public", state="published", deleted_at=None)
                       .order_by("-id").limit(2000).values_list("id", flat=True))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        counts = {"diaries": 0, "comments": 0, "skipped": 0}
        failures: dict[str, int] = {}
        latencies: list[float] = []
        in_flight: set[asyncio.Task] = set()

        async def as_someone() -> Ctx:
            user = await User.get(id=rng.choice(people))
            return Ctx(settings, limits, await load_viewer(user), "127.0.0.1", site=site)

        async def write(kind: str) -> None:
            t0 = time.perf_counter()
            try:
                ctx = await as_someone()
                if kind == "diaries":
                    vis = rng.choices([v for v, _ in VISIBILITY_WEIGHTS], [w for _, w in VISIBILITY_WEIGHTS])[0]
                    diary = await diaries.write_diary(ctx, title=rng.choice(TITLES), visibility=vis,
                                                      body="\n\n".join(rng.sample(PARAGRAPHS, rng.randint(1, 3))))
                    if vis == "public":
                        targets.append(diary.id)
                else:
                    await diaries.add_comment(ctx, rng.choice(targets[-2000:]), rng.choice(COMMENTS))
                counts[kind] += 1
                latencies.append(time.perf_counter() - t0)
            except Exception as exc:  # refused (blocked, rate limit) or failed: counted by kind
                name = f"{kind}: {type(exc).__name__}"
                failures[name] = failures.get(name, 0) + 1

        # one tick per write, evenly spaced: every fifth a diary when 5 + 20 per second
        total = args.diaries + args.comments
        plan = ["diaries" if (i * args.diaries) % total < args.diaries else "comments" for i in range(total)]
        print("ready", flush=True)
        started = time.perf_counter()
        tick = 0
        while not stop.is_set():
            due = started + tick / total
            delay = due - time.perf_counter()
            if delay > 0:
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                    break
                except asyncio.TimeoutError:
                    pass
            if len(in_flight) >= MAX_IN_FLIGHT:
                counts["skipped"] += 1
            else:
                task = asyncio.create_task(write(plan[tick % total]))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
            tick += 1
        elapsed = time.perf_counter() - started
        if in_flight:
            await asyncio.wait(in_flight, timeout=30)
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000, 1) if latencies else None

    return {"seconds": round(elapsed, 1), "asked_per_s": {"diaries": args.diaries, "comments": args.comments},
            "written": {k: counts[k] for k in ("diaries", "comments")},
            "per_s": {k: round(counts[k] / elapsed, 2) for k in ("diaries", "comments")},
            "skipped": counts["skipped"], "failures": failures, "write_p50_ms": pct(50), "write_p99_ms": pct(99)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True)
    p.add_argument("--database-url", default="")
    p.add_argument("--diaries", type=int, default=5)
    p.add_argument("--comments", type=int, default=20)
    args = p.parse_args()
    print(json.dumps(asyncio.run(run(args))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
