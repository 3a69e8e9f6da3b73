"""Load generation for pages.py: wrk (one URL, or a table of requests picked at random per request,
written into the Lua script), else a small asyncio HTTP/1.1 keep-alive client."""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, '
    .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "bytes": %d}\\n', summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), summary.bytes))
end
"""

# A table of requests: each thread formats them once (wrk.format adds Host and Content-Length) and
# each request picks one at random.
TABLE = """
local data = {
%s
}
local reqs = {}
init = function(args)
  math.randomseed(os.time() + tonumber(string.sub(tostring({}), 8), 16))
  for i, d in ipairs(data) do
    local h = {["Accept-Encoding"] = "identity"}
    if d[3] ~= "" then h["Cookie"] = d[3] end
    if d[4] ~= "" then h["Content-Type"] = "application/x-www-form-urlencoded" end
    reqs[i] = wrk.format(d[1], d[2], h, d[4] ~= "" and d[4] or nil)
  end
end
request = function()
  return reqs[math.random(#reqs)]
end
"""


@dataclass(frozen=True)
class Req:
    """One request of a table: a GET, or a form POST when `body` is set."""

    path: str
    cookie: str = ""
    body: str = ""

    @property
    def method(self) -> str:
        return "POST" if self.body else "GET"


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


def lua_script(table: list[Req] | None) -> str:
    if not table:
        return DONE
    rows = ",\n".join("{%s}" % ", ".join(json.dumps(v) for v in (r.method, r.path, r.cookie, r.body))
                      for r in table)
    return TABLE % rows + DONE


def load_wrk(wrk: str, port: int, table: list[Req], connections: int, seconds: float) -> dict:
    one = len(table) == 1 and not table[0].body
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, dir=None) as fh:
        fh.write(lua_script(None if one else table))
    try:
        argv = [wrk, f"-t{min(2, connections)}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout",
                "30s", "-s", fh.name]
        if one:
            argv += ["-H", "Accept-Encoding: identity"] + (["-H", f"Cookie: {table[0].cookie}"] if table[0].cookie
                                                           else [])
        url = f"http://127.0.0.1:{port}{table[0].path if one else '/'}"
        out = subprocess.run(argv + [url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(fh.name)
    raw = json.loads(out.split("WRKJSON ", 1)[1].splitlines()[0])
    seconds_run = raw["duration_us"] / 1e6
    return {"requests": raw["requests"], "rps": raw["requests"] / seconds_run, "p50_ms": raw["p50_us"] / 1000,
            "p90_ms": raw["p90_us"] / 1000, "p99_ms": raw["p99_us"] / 1000,
            "errors": raw["errors"] + raw["non2xx"]}


async def _load_python(port: int, table: list[Req], connections: int, seconds: float) -> dict:
    """A small HTTP/1.1 keep-alive load generator (when wrk is not available)."""
    def raw(r: Req) -> bytes:
        head = f"{r.method} {r.path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: identity\r\n"
        if r.cookie:
            head += f"Cookie: {r.cookie}\r\n"
        if r.body:
            head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(r.body)}\r\n"
        return (head + "\r\n" + r.body).encode()

    requests = [raw(r) for r in table]
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker():
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                writer.write(random.choice(requests))
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - t0)
                if status >= 400:
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


def fetch(base: str, path: str, cookie: str = "") -> tuple[int, bytes]:
    import httpx

    headers = {"Accept-Encoding": "identity", **({"Cookie": cookie} if cookie else {})}
    r = httpx.get(base + path, headers=headers, timeout=120)
    return r.status_code, r.content


def load(wrk: str | None, port: int, table: list[Req], connections: int, seconds: float) -> dict:
    if wrk:
        figures = load_wrk(wrk, port, table, connections, seconds)
    else:
        figures = asyncio.run(_load_python(port, table, connections, seconds))
    # the server still answers requests that were in flight when the load stopped: let it finish
    # them, so that they do not count against the next measurement
    first = next((r for r in table if not r.body), table[0])
    fetch(f"http://127.0.0.1:{port}", first.path, first.cookie)
    return figures


def measure(wrk: str | None, port: int, table: list[Req], connections: int, seconds: float, warmup: float,
            connections_low: int, seconds_low: float) -> dict:
    """Warm up, load at `connections` for `seconds`, then a shorter run at `connections_low` (its p99)."""
    if warmup:
        load(wrk, port, table, connections, warmup)
    figures = load(wrk, port, table, connections, seconds)
    if seconds_low:
        low = load(wrk, port, table, connections_low, seconds_low)
        figures.update({f"rps_{connections_low}c": low["rps"], f"p50_ms_{connections_low}c": low["p50_ms"],
                        f"p99_ms_{connections_low}c": low["p99_ms"], f"errors_{connections_low}c": low["errors"]})
    return figures
