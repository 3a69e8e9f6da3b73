"""In-process time per page on the benchmark town: no server, no load generator, one request at a time.

    .venv/bin/python benchmarks/inprocess.py --scale 0.1            # the town of `pages.py --scale 0.1`
    .venv/bin/python benchmarks/inprocess.py --rounds 3 --requests 100

What the application itself spends on a page (routing, the rules, the queries, rendering), measured by
driving the app through httpx's ASGITransport with its lifespan running: for each page, the best of
`--rounds` rounds of `--requests` sequential requests, in milliseconds per request. Pages: My page,
a diary page with 3 photos and 40 comments, a community's topic list (first page and half-way down),
signed in as the town's `bench` resident. Uses (and generates if needed) the same town as `pages.py`.
Prints one JSON line, then a short table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from town import BENCH_PASSWORD, BENCH_USER, ensure_town, reset_town, sizes_for  # noqa: E402


async def _signed_in_client(app):
    import httpx

    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench.localhost",
                               headers={"Accept-Encoding": "identity"})
    form = await client.get("/login")
    token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    done = await client.post("/login", data={"username": BENCH_USER, "password": BENCH_PASSWORD,
                                             "csrf_token": token})
    if done.status_code != 303:
        raise SystemExit(f"sign-in failed: {done.status_code}")
    return client


async def _time_page(client, path: str, rounds: int, requests: int) -> dict:
    response = await client.get(path)  # warm: templates compiled, shared lists kept
    if response.status_code != 200:
        raise SystemExit(f"{path}: {response.status_code}")
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(requests):
            await client.get(path)
        best = min(best, (time.perf_counter() - t0) * 1000 / requests)
    return {"path": path, "ms": round(best, 2), "bytes": len(response.content)}


async def measure(data: Path, meta: dict, rounds: int, requests: int) -> dict:
    from sns.app import create_app
    from sns.settings import load_settings

    settings = load_settings(data, database_url="", background_tasks=False, origin="bench.localhost")
    app = create_app(settings)
    pages = {"my_page": "/home", "diary": f"/diaries/{meta['featured_diary']}",
             "topics": f"/communities/{meta['community']}",
             "topics_deep": f"/communities/{meta['community']}?before={meta['deep_topic']}"}
    async with app.router.lifespan_context(app):
        client = await _signed_in_client(app)
        try:
            return {name: await _time_page(client, path, rounds, requests) for name, path in pages.items()}
        finally:
            await client.aclose()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", type=float, default=0.1, help="town size relative to pages.py's full one (default 0.1)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--requests", type=int, default=100, help="sequential requests per round (default 100)")
    args = p.parse_args(argv)
    sizes = sizes_for(args.scale)
    data, meta = ensure_town(sizes, False)
    reset_town(data, meta)
    pages = asyncio.run(measure(data, meta, args.rounds, args.requests))
    print(json.dumps({"bench": "inprocess", "scale": args.scale, "sizes": sizes, "rounds": args.rounds,
                      "requests": args.requests, "cpus": os.cpu_count(), "loadavg": round(os.getloadavg()[0], 2),
                      "pages": pages}))
    print(f"{'page':<12} {'ms/request':>10}  path")
    for name, figures in pages.items():
        print(f"{name:<12} {figures['ms']:>10.2f}  {figures['path'][:60]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
