"""Alerts under a surge: the alerts page and the front page at 500 connections, and one alert reaching
1,000 open pages (Server-Sent Events).

    .venv/bin/python benchmarks/alerts.py                 # 3 rounds of 5 s per page, 1,000 SSE clients, 5 alerts
    .venv/bin/python benchmarks/alerts.py --seconds 2 --clients 200 --rounds 2   # a quick run
    .venv/bin/python benchmarks/alerts.py --only surge    # or --only fan-out

1. Makes a small instance in benchmarks/out/alerts-data/ (made again every run): `sns init`, a `fire`
   account with an API token (`sns user create`, `sns token create`), then through the API three active
   alerts (one a drill) and six that ended (extinguished or cancelled), each with its history.
2. Serves it with the real `sns serve --workers 1` on a free loopback port.
3. **Fan-out**: 1,000 clients open `GET /live` with `Accept: text/event-stream` (as static/live.js's
   EventSource does; the stream was at `/events` before), each on its own socket, all read by this
   one asyncio process. Then, `--rounds` times, an alert is posted through `POST /api/v1/alerts` with the
   token, and then its status changed (`POST /api/v1/alerts/{id}/status`): for each change and each
   client, the time from just before the request to the arrival of its `alert` event (p50, p95, p99, max,
   and how many arrived within `--timeout`), and the server's CPU time per change (from /proc).
4. **Surge**: loads `/alerts` and the front page `/` with wrk at 500 connections, without cookies, as
   visitors arriving from a link do. When the `sns disaster` command exists (disaster mode), the front
   page is measured in a disaster drill (`sns disaster start NAME --drill`, ended afterwards): the light,
   text-first front page; otherwise the normal front page. The output says which.
   **Baseline**: benchmarks/bare.py, a bare Starlette route serving the very bytes each page answered
   (fetched once), served by uvicorn the same way (one worker, access log on), running at the same time.
   After a short warm-up of each, the page and the bare route are loaded in turn, `--surge-rounds` times
   `--seconds`, so that both meet the same machine (other jobs' load drifts during a run).
5. Prints one JSON line of figures, then a short table.

The load generator is wrk (Debian package `wrk`): installed with `apt-get install wrk` when missing and
the script runs as root. The file-descriptor limit of this process (inherited by the servers and wrk) is
raised for the connections. Everything runs on 127.0.0.1; every loop is bounded in count and time.
Server logs go to benchmarks/out/alerts-sns.log and benchmarks/out/alerts-bare.log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import find_wrk, lua_script  # noqa: E402
from servers import Server, free_port  # noqa: E402

PYTHON = sys.executable
FIRE_USER, FIRE_PASSWORD = "firedept", "fire password 2024"
ORIGIN = "bench.localhost"
AIM_RATIO, AIM_P99_MS = 0.5, 2000.0
ALERT = {"kind": "fire", "description": "Smoke over the harbour warehouses.",
         "instruction": "Close your windows and keep away from the harbour road.", "lat": 32.5052,
         "lon": 130.6039, "radius_m": 300, "severity": "Severe"}


# --- the instance ------------------------------------------------------------------------------------

def server_env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNS_") and k != "DATABASE_URL"}
    env.update({"SNS_DATA": str(data), "SNS_ORIGIN": ORIGIN, "SNS_POSTS_PER_10MIN": "100000",
                "PYTHONUNBUFFERED": "1"})
    return env


def sns(data: Path, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "sns", "--data", str(data), *args], env=server_env(data), cwd=ROOT,
                          input=stdin, capture_output=True, text=True, timeout=120, check=check)


def make_instance() -> tuple[Path, str]:
    data = OUT / "alerts-data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    sns(data, "init")
    sns(data, "user", "create", FIRE_USER, "--role", "fire", "--display-name", "Fire department",
        stdin=FIRE_PASSWORD + "\n")
    token = sns(data, "token", "create", FIRE_USER, "--name", "bench").stdout.strip()
    return data, token


def post_alerts(base: str, token: str) -> None:
    """Three active alerts (one a drill) and six that ended, through the API."""
    import httpx

    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as api:
        for i in range(9):
            r = api.post("/api/v1/alerts", json={**ALERT, "title": f"Fire near the harbour, warehouse {i + 1}",
                                                 "exercise": i == 1, "lat": ALERT["lat"] + i / 1000})
            r.raise_for_status()
            if i >= 3:
                api.post(f"/api/v1/alerts/{r.json()['id']}/status",
                         json={"status": "under_control", "note": "No longer spreading."}).raise_for_status()
                api.post(f"/api/v1/alerts/{r.json()['id']}/status",
                         json={"status": "extinguished" if i % 2 else "cancelled"}).raise_for_status()


def disaster_command(data: Path) -> bool:
    return sns(data, "disaster", "--help", check=False).returncode == 0


_in_disaster = False


def set_disaster(data: Path, on: bool) -> None:
    """Disaster mode as a drill (`sns disaster start NAME --drill`) or not (`sns disaster end`); then a wait,
    since the mode is shared like the banner: the server sees it within `shared_cache_seconds` (5)."""
    global _in_disaster
    if on == _in_disaster:
        return
    sns(data, "disaster", "start", "Benchmark drill", "--drill") if on else sns(data, "disaster", "end")
    _in_disaster = on
    time.sleep(6)


def fetch(base: str, path: str) -> tuple[int, bytes]:
    import httpx

    r = httpx.get(base + path, headers={"Accept-Encoding": "identity"}, timeout=60)
    return r.status_code, r.content


# --- surge (wrk) -------------------------------------------------------------------------------------

def wrk_load(wrk: str, url: str, connections: int, seconds: float) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua_script(None))  # the script that reports its figures as one JSON line
    try:
        argv = [wrk, "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", fh.name,
                "-H", "Accept-Encoding: identity", url]
        out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=seconds + 120).stdout
    finally:
        os.unlink(fh.name)
    raw = json.loads(out.split("WRKJSON ", 1)[1].splitlines()[0])
    seconds_run = raw["duration_us"] / 1e6
    return {"requests": raw["requests"], "rps": raw["requests"] / seconds_run, "p50_ms": raw["p50_us"] / 1000,
            "p99_ms": raw["p99_us"] / 1000, "socket_errors": raw["errors"], "non2xx": raw["non2xx"],
            "errors": raw["errors"] + raw["non2xx"]}


def alternating(wrk: str, targets: dict[str, str], connections: int, seconds: float, warmup: float,
                rounds: int) -> dict[str, dict]:
    """Each target (`sns`, `bare`) loaded in turn, `rounds` times, so that both meet the same machine (its
    load drifts over a run): requests and errors summed, req/s over the time loaded, p50 and p99 the
    median of the rounds' figures."""
    runs: dict[str, list[dict]] = {name: [] for name in targets}
    for url in targets.values():
        if warmup:
            wrk_load(wrk, url, connections, warmup)
    for _ in range(rounds):
        for name, url in targets.items():
            runs[name].append(wrk_load(wrk, url, connections, seconds))
            fetch(url.rsplit("/", 1)[0], "/" + url.rsplit("/", 1)[1])  # what was in flight is answered first
    out = {}
    for name, found in runs.items():
        requests = sum(r["requests"] for r in found)
        took = sum(r["requests"] / r["rps"] for r in found if r["rps"]) or 1.0
        median = lambda key: sorted(r[key] for r in found)[len(found) // 2]  # noqa: E731
        out[name] = {"requests": requests, "rps": requests / took if requests else 0.0, "p50_ms": median("p50_ms"),
                     "p99_ms": median("p99_ms"), "socket_errors": sum(r["socket_errors"] for r in found),
                     "non2xx": sum(r["non2xx"] for r in found), "errors": sum(r["errors"] for r in found),
                     "rps_rounds": [round(r["rps"], 1) for r in found]}
    return out


# --- fan-out (Server-Sent Events) --------------------------------------------------------------------

class SseClient:
    """One open page: a raw HTTP/1.1 connection to /events; remembers when each alert change arrived."""

    def __init__(self) -> None:
        self.arrived: dict[tuple[str, str], float] = {}  # (alert id, status) -> perf_counter at arrival
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self, port: int) -> asyncio.StreamReader:
        reader, self.writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 30)
        self.writer.write(b"GET /live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                          b"Cache-Control: no-cache\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        if b" 200 " not in head.split(b"\r\n", 1)[0] or b"text/event-stream" not in head:
            raise RuntimeError(f"/live answered {head[:200]!r}")
        self.chunked = b"transfer-encoding: chunked" in head.lower()
        await self._chunk(reader)  # "retry: 3000": the stream is open and subscribed
        return reader

    async def _chunk(self, reader: asyncio.StreamReader) -> bytes:
        if not self.chunked:
            return await reader.read(65536)
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            return b""
        return (await reader.readexactly(size + 2))[:-2]

    async def listen(self, reader: asyncio.StreamReader) -> None:
        buffer = b""
        while True:
            data = await self._chunk(reader)
            if not data:
                return
            now = time.perf_counter()
            buffer += data
            while b"\n\n" in buffer:
                message, buffer = buffer.split(b"\n\n", 1)
                for line in message.split(b"\n"):
                    if line.startswith(b"data: "):
                        payload = json.loads(line[6:])
                        if payload.get("event") == "alert":
                            self.arrived.setdefault((payload["id"], payload["status"]), now)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user + system, all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))] if ordered else 0.0


async def fan_out(port: int, pid: int, token: str, clients: int, rounds: int, timeout: float) -> dict:
    import httpx

    opened = [SseClient() for _ in range(clients)]
    gate = asyncio.Semaphore(50)  # connect 50 at a time: no SYN storm

    async def connect(client: SseClient):
        async with gate:
            return await client.connect(port)

    t0 = time.perf_counter()
    readers = await asyncio.gather(*(connect(c) for c in opened))
    connect_s = time.perf_counter() - t0
    listening = [asyncio.create_task(c.listen(r)) for c, r in zip(opened, readers)]
    await asyncio.sleep(1)
    changes = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30,
                                     headers={"Authorization": f"Bearer {token}"}) as api:
            for i in range(rounds):
                for step in ("post", "status"):
                    cpu = cpu_seconds(pid)
                    started = time.perf_counter()
                    if step == "post":
                        r = await api.post("/api/v1/alerts", json={**ALERT, "title": f"Fan-out fire {i + 1}"})
                        r.raise_for_status()
                        alert_id, status = r.json()["id"], "outbreak"
                    else:
                        status = "extinguished"
                        r = await api.post(f"/api/v1/alerts/{alert_id}/status", json={"status": status})
                        r.raise_for_status()
                    answered = time.perf_counter() - started
                    key = (alert_id, status)
                    deadline = started + timeout
                    while time.perf_counter() < deadline and not all(key in c.arrived for c in opened):
                        await asyncio.sleep(0.02)
                    times = [(c.arrived[key] - started) * 1000 for c in opened if key in c.arrived]
                    changes.append({"change": step, "arrived": len(times), "request_ms": answered * 1000,
                                    "server_cpu_ms": (cpu_seconds(pid) - cpu) * 1000,
                                    "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95),
                                    "p99_ms": percentile(times, 99), "max_ms": max(times, default=0.0),
                                    "all": times})
                    await asyncio.sleep(0.5)
    finally:
        for task in listening:
            task.cancel()
        for c in opened:
            c.close()
        await asyncio.gather(*listening, return_exceptions=True)
    every = [t for c in changes for t in c.pop("all")]
    expected = clients * len(changes)
    return {"clients": clients, "changes": len(changes), "connect_s": connect_s, "arrived": len(every),
            "expected": expected, "p50_ms": percentile(every, 50), "p95_ms": percentile(every, 95),
            "p99_ms": percentile(every, 99), "max_ms": max(every, default=0.0),
            "server_cpu_ms_per_change": percentile([c["server_cpu_ms"] for c in changes], 50), "per_change": changes}


def raise_fd_limit(needed: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed if hard == resource.RLIM_INFINITY else min(max(soft, needed), hard)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- the run -----------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=5.0, help="load time per page and round (default 5)")
    p.add_argument("--surge-rounds", type=int, default=3,
                   help="rounds per page, each loading sns then the bare route (default 3)")
    p.add_argument("--warmup", type=float, default=2.0, help="load before each measurement (default 2)")
    p.add_argument("--connections", type=int, default=500)
    p.add_argument("--clients", type=int, default=1000, help="SSE clients (default 1,000)")
    p.add_argument("--rounds", type=int, default=5, help="alerts posted, each then changed (default 5)")
    p.add_argument("--timeout", type=float, default=10.0, help="how long to wait for each change (default 10 s)")
    p.add_argument("--only", choices=("surge", "fan-out"), help="measure only this (no figures for the other)")
    args = p.parse_args(argv)

    fd_limit = raise_fd_limit(max(args.connections, args.clients) * 2 + 512)
    wrk = find_wrk()
    if wrk is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    loadavg = {"before": round(os.getloadavg()[0], 2)}
    data, token = make_instance()
    pages: dict[str, dict] = {}
    disaster = disaster_command(data)

    port = free_port()
    server = Server("sns", [PYTHON, "-m", "sns", "--data", str(data), "serve", "--host", "127.0.0.1", "--port",
                            str(port), "--workers", "1"], server_env(data), port, "/login", log_name="alerts-sns")
    bare = None
    try:
        server.wait_ready()
        base = f"http://127.0.0.1:{port}"
        post_alerts(base, token)
        fan = None
        if args.only != "surge":
            fan = asyncio.run(fan_out(port, server.proc.pid, token, args.clients, args.rounds, args.timeout))
            loadavg["after_fan_out"] = round(os.getloadavg()[0], 2)
        if args.only != "fan-out":
            # the bytes each page answers (the front page in disaster mode when there is one), for the bare route
            plain_front = fetch(base, "/")[1]
            for name, path in (("front", "/"), ("alerts", "/alerts")):
                set_disaster(data, name == "front" and disaster)
                status, body = fetch(base, path)
                if status != 200 or (name == "alerts" and b"Fire near the harbour" not in body):
                    raise SystemExit(f"{path} answered {status}" + ("" if status != 200 else " without the alerts"))
                (OUT / f"alerts-body-{name}.html").write_bytes(body)
                pages[name] = {"path": path, "bytes": len(body)}
                if name == "front":
                    pages[name]["disaster_mode"] = disaster and body != plain_front
            bare_port = free_port()
            env = {**os.environ, "PYTHONPATH": str(ROOT / "benchmarks"),
                   "BENCH_FILES": json.dumps({name: str(OUT / f"alerts-body-{name}.html") for name in pages})}
            bare = Server("bare", [PYTHON, "-c", "import uvicorn; uvicorn.run('bare:create_app', factory=True, "
                                   f"host='127.0.0.1', port={bare_port}, workers=1, proxy_headers=True, "
                                   "log_level='info', timeout_graceful_shutdown=5)"], env, bare_port, "/alerts",
                          log_name="alerts-bare")
            bare.wait_ready()
            for name in ("alerts", "front"):  # the alerts page first: disaster mode is off now
                set_disaster(data, name == "front" and disaster)
                r = pages[name]
                assert len(fetch(base, r["path"])[1]) == r["bytes"], name
                found = alternating(wrk, {"sns": f"{base}{r['path']}", "bare": f"http://127.0.0.1:{bare_port}/{name}"},
                                    args.connections, args.seconds, args.warmup, args.surge_rounds)
                r.update(found["sns"])
                r["baseline"] = found["bare"]
                r["ratio_rps"] = r["rps"] / r["baseline"]["rps"] if r["baseline"]["rps"] else 0.0
                r["loadavg_after"] = round(os.getloadavg()[0], 2)
            set_disaster(data, False)
            loadavg["after_surge"] = round(os.getloadavg()[0], 2)
    finally:
        server.stop()
        if bare is not None:
            bare.stop()
    loadavg["after"] = round(os.getloadavg()[0], 2)
    if not pages:
        print(json.dumps({"bench": "alerts", "fan_out": _rounded(fan), "loadavg": loadavg}))
        return 0

    met_surge = all(r["ratio_rps"] >= AIM_RATIO and r["errors"] == 0 for r in pages.values())
    met_fan = fan is not None and fan["arrived"] == fan["expected"] and fan["p99_ms"] < AIM_P99_MS
    figures = {"bench": "alerts", "load": "wrk", "connections": args.connections, "seconds": args.seconds,
               "surge_rounds": args.surge_rounds,
               "workers": 1, "cpus": os.cpu_count(), "fd_limit": fd_limit, "loadavg": loadavg,
               "front_page": "light (disaster drill)" if pages["front"].get("disaster_mode") else "normal",
               "surge": _rounded(pages), "fan_out": _rounded(fan),
               "aim": {"ratio_min": AIM_RATIO, "errors": 0, "fan_out_p99_ms_max": AIM_P99_MS,
                       "surge_met": met_surge, "fan_out_met": met_fan}}
    print(json.dumps(figures, ensure_ascii=False))
    print(_table(figures))
    return 0


def _rounded(value):
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _table(f: dict) -> str:
    head = f"{'page':<8} {'bytes':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} | " \
           f"{'bare req/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} | {'ratio':>6}"
    lines = [head, "-" * len(head)]
    for name, r in f["surge"].items():
        b = r["baseline"]
        lines.append(f"{name:<8} {r['bytes']:>7} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
                     f"{r['errors']:>6} | {b['rps']:>10.1f} {b['p50_ms']:>7.1f} {b['p99_ms']:>7.1f} {b['errors']:>6} | "
                     f"{r['ratio_rps']:>6.3f}")
    fan = f["fan_out"]
    lines.append(f"front page: {f['front_page']}; {f['connections']} connections; each page and the bare route "
                 f"loaded in turn, {f['surge_rounds']} rounds of {f['seconds']} s")
    if fan:
        lines.append(f"fan-out: {fan['clients']} SSE clients (connected in {fan['connect_s']:.1f} s), "
                     f"{fan['changes']} changes, {fan['arrived']}/{fan['expected']} arrived; post to arrival p50 "
                     f"{fan['p50_ms']:.0f} ms, p95 {fan['p95_ms']:.0f} ms, p99 {fan['p99_ms']:.0f} ms, "
                     f"max {fan['max_ms']:.0f} ms; server CPU per change (median) "
                     f"{fan['server_cpu_ms_per_change']:.0f} ms")
    la = f["loadavg"]
    lines.append(f"{f['cpus']} CPUs; load average {la['before']} before, {la.get('after_fan_out')} after the fan-out, "
                 f"{la.get('after_surge')} after the surge, {la['after']} at the end")
    aim = f["aim"]
    lines.append(f"aim: each page >= {aim['ratio_min']:.0%} of the bare route with 0 errors: "
                 f"{'met' if aim['surge_met'] else 'NOT met'}; fan-out p99 < {aim['fan_out_p99_ms_max']:.0f} ms, "
                 f"all arrived: {'met' if aim['fan_out_met'] else 'NOT met'}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
