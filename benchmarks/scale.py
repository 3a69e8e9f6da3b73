"""How the site scales out on PostgreSQL: My page and the light disaster page with 1, 2 and 4 worker
processes, and on two "machines" (two `sns serve` with their own data directories, one database, one Redis).

    .venv/bin/python benchmarks/scale.py                  # the full town (benchmarks/town.py, copied to PostgreSQL)
    .venv/bin/python benchmarks/scale.py --scale 0.05     # a small town, for a quick run
    .venv/bin/python benchmarks/scale.py --seconds 15     # load each setup longer (default 8 s, after 12 s warm-up)

Every setup is served by the real `sns serve` on the town's PostgreSQL copy (pgtown.py), with Debian's
redis-server as `broadcast_url` (so live events and rate limits are shared as on several machines), and
loaded by the crowd of signed-in residents (crowd.py) through wrk, 100 connections. Two machines are
loaded by two wrk processes at once, half the connections each (as a load balancer would spread them);
their req/s are added and the higher of their two p99s is reported.

The baseline, measured in the same run: `benchmarks/bare.py` serving the same number of bytes with 1 and
with 4 uvicorn workers. Its 4/1 ratio is what this machine lets any Python server gain from more processes
(on a 2-core machine, with the load generator on the same cores, little); the site's efficiency is reported
both as its own 4/1 ratio and against the bare one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import crowd  # noqa: E402
import pgtown  # noqa: E402
from load import Req, fetch, find_wrk, load_wrk, measure  # noqa: E402
from scenarios import run_sns, server_env  # noqa: E402
from servers import Server, free_port  # noqa: E402
from town import ensure_town, reset_town, sizes_for  # noqa: E402

PYTHON = sys.executable
SETUPS = (("1 worker", 1, 1), ("2 workers", 1, 2), ("4 workers", 1, 4), ("2 machines", 2, 1))


def postgres_url(given: str | None) -> str:
    if given or os.environ.get("SNS_BENCH_DATABASE_URL"):
        return given or os.environ["SNS_BENCH_DATABASE_URL"]
    return subprocess.run(["bash", str(HERE.parent / ".ci" / "postgres")], capture_output=True, text=True,
                          check=True).stdout.strip()


def second_machine(data: Path) -> Path:
    """Another machine of the same city: its own data directory, the first one's keys and settings."""
    other = data.parent / (data.name + "-machine-b")
    if not other.exists():
        other.mkdir()
        shutil.copy(data / "sns.toml", other / "sns.toml")
        shutil.copytree(data / "keys", other / "keys")
    return other


def serve(data: Path, url: str, redis: str, workers: int, media: Path, name: str) -> Server:
    port = free_port()
    env = {**server_env(data, url), "SNS_BROADCAST_URL": redis, "SNS_MEDIA_DIR": str(media)}
    server = Server(name, [PYTHON, "-m", "sns", "--data", str(data), "serve", "--host", "127.0.0.1", "--port",
                           str(port), "--workers", str(workers)], env, port, "/login", log_name=f"scale-{name}")
    return server


def spread(wrk: str, ports: list[int], table: list[Req], connections: int, seconds: float) -> dict:
    """Load every port at once with an equal share of the connections: req/s added, the worst p99."""
    with ThreadPoolExecutor(len(ports)) as pool:
        parts = list(pool.map(lambda p: load_wrk(wrk, p, table, max(1, connections // len(ports)), seconds), ports))
    for port in ports:  # let each finish what was in flight
        first = table[0]
        fetch(f"http://127.0.0.1:{port}", first.path, first.cookie)
    return {"rps": sum(p["rps"] for p in parts), "p50_ms": max(p["p50_ms"] for p in parts),
            "p99_ms": max(p["p99_ms"] for p in parts), "errors": sum(p["errors"] for p in parts),
            "requests": sum(p["requests"] for p in parts)}


def check(base: str, table: list[Req], marker: bytes) -> int:
    status, body = fetch(base, table[0].path, table[0].cookie)
    if status != 200 or marker not in body:
        raise SystemExit(f"{base}{table[0].path} answered {status} without {marker!r}: is the setup right?")
    return len(body)


def run_setup(name: str, machines: int, workers: int, datas: list[Path], url: str, redis: str,
              tables: dict[str, tuple[list[Req], bytes]], args, wrk: str) -> dict:
    servers = [serve(datas[i], url, redis, workers, datas[0] / "media", f"{name.replace(' ', '-')}-{i}")
               for i in range(machines)]
    try:
        for s in servers:
            s.wait_ready()
        out = {}
        for page, (table, marker) in tables.items():
            for s in servers:
                size = check(f"http://127.0.0.1:{s.port}", table, marker)
            print(f"  {name}: {page} ...", file=sys.stderr, flush=True)
            ports = [s.port for s in servers]
            if args.warmup:
                spread(wrk, ports, table, args.connections, args.warmup)
            out[page] = {**spread(wrk, ports, table, args.connections, args.seconds), "bytes": size}
        return out
    finally:
        for s in servers:
            s.stop()


def bare(sizes: dict[str, int], workers: int, args, wrk: str | None) -> dict:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(HERE), "BENCH_SIZES": json.dumps(sizes)}
    server = Server(f"bare{workers}", [PYTHON, "-c", "import uvicorn; uvicorn.run('bare:create_app', factory=True, "
                                       f"host='127.0.0.1', port={port}, workers={workers}, proxy_headers=True, "
                                       "log_level='info', timeout_graceful_shutdown=5)"], env, port, "/",
                    log_name=f"scale-bare{workers}")
    try:
        server.wait_ready()
        out = {}
        for page in sizes:
            print(f"  bare, {workers} worker(s): {page} ...", file=sys.stderr, flush=True)
            out[page] = measure(wrk, port, [Req(f"/{page}")], args.connections, args.seconds, args.warmup, 0, 0)
        return out
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", type=float, default=1.0, help="town size (1.0: 10,000 residents)")
    p.add_argument("--seconds", type=float, default=8.0)
    p.add_argument("--warmup", type=float, default=12.0,
                   help="seconds of load before each measurement: every process keeps each reader's My page, so "
                        "more processes need longer to fill (default 12)")
    p.add_argument("--connections", type=int, default=100)
    p.add_argument("--postgres", default=None, help="URL of a role that may create databases")
    args = p.parse_args(argv)
    wrk = find_wrk()
    if not wrk:
        raise SystemExit("wrk is needed (apt-get install wrk)")
    from fixtures import redis_server

    data, meta = ensure_town(sizes_for(args.scale), False)
    reset_town(data, meta)
    pg_data, url, _ = pgtown.ensure_pg_town(data, postgres_url(args.postgres))
    residents = crowd.make_residents(pg_data, meta["crowd"])
    import asyncio

    asyncio.run(crowd.store_postgres(url, residents))
    datas = [pg_data, second_machine(pg_data)]
    my_page = [Req("/home", r.cookie) for r in residents]
    light = [Req("/", r.cookie) for r in residents]
    figures: dict = {"bench": "scale", "scale": args.scale, "cpus": os.cpu_count(), "connections": args.connections,
                     "seconds": args.seconds, "residents": len(residents), "database": "postgresql",
                     "broker": "redis", "loadavg_before": round(os.getloadavg()[0], 2), "setups": {}}
    with redis_server() as redis:
        for name, machines, workers in SETUPS:
            figures["setups"][name] = run_setup(name, machines, workers, datas, url, redis,
                                                {"my_page": (my_page, b'action="/logout"')}, args, wrk)
        run_sns(pg_data, "disaster", "start", "Benchmark flood", "--kind", "flood", database_url=url,
                stdout=subprocess.DEVNULL)
        try:
            for name, machines, workers in SETUPS:
                figures["setups"][name].update(run_setup(name, machines, workers, datas, url, redis,
                                                         {"light_page": (light, b'class="light"')}, args, wrk))
        finally:
            run_sns(pg_data, "disaster", "end", database_url=url, stdout=subprocess.DEVNULL)
    sizes = {page: figures["setups"]["1 worker"][page]["bytes"] for page in ("my_page", "light_page")}
    figures["baseline"] = {"1 worker": bare(sizes, 1, args, wrk), "4 workers": bare(sizes, 4, args, wrk)}
    figures["loadavg_after"] = round(os.getloadavg()[0], 2)
    figures["efficiency"] = {}
    for page in sizes:
        one = figures["setups"]["1 worker"][page]["rps"]
        base1, base4 = (figures["baseline"][w][page]["rps"] for w in ("1 worker", "4 workers"))
        figures["efficiency"][page] = {
            "4_workers_over_1": round(figures["setups"]["4 workers"][page]["rps"] / one, 3),
            "2_workers_over_1": round(figures["setups"]["2 workers"][page]["rps"] / one, 3),
            "2_machines_over_1": round(figures["setups"]["2 machines"][page]["rps"] / one, 3),
            "bare_4_over_1": round(base4 / base1, 3),
            "site_1_worker_over_bare": round(one / base1, 3),
        }
    print(json.dumps(figures))
    print(table(figures))
    return 0


def table(figures: dict) -> str:
    lines = [f"{'setup':<12} {'page':<11} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"]
    for name, pages in figures["setups"].items():
        for page, r in pages.items():
            lines.append(f"{name:<12} {page:<11} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
                         f"{r['errors']:>6}")
    for workers, pages in figures["baseline"].items():
        for page, r in pages.items():
            lines.append(f"{'bare ' + workers:<12} {page:<11} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} "
                         f"{r['p99_ms']:>8.1f} {r['errors']:>6}")
    lines.append(f"on {figures['cpus']} CPUs, the load generator on the same cores:")
    for page, e in figures["efficiency"].items():
        lines.append(f"  {page}: 4 workers / 1 = {e['4_workers_over_1']}, 2 machines / 1 = {e['2_machines_over_1']}"
                     f" (bare uvicorn 4/1 = {e['bare_4_over_1']}; 1 worker / bare = {e['site_1_worker_over_bare']})")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
