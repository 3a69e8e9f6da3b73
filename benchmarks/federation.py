"""One new alert reaching 1,000 fediverse followers on 50 servers: how long until every server has it.

    .venv/bin/python benchmarks/federation.py                      # 50 servers x 20 followers, 3 alerts each way
    .venv/bin/python benchmarks/federation.py --servers 20 --rounds 1   # a quick run
    SNS_BENCH_DATABASE_URL=postgres://u:p@127.0.0.1/postgres .venv/bin/python benchmarks/federation.py

1. The receiving servers: one child process (uvicorn, one asyncio loop) listening on 50 loopback addresses of
   their own (127.0.2.1 ... 127.0.2.50, so each is a separate server by host name), each answering 202 to a
   POST and recording when each activity arrived. Only 127.0.0.0/8; bounded in count and time.
2. The city: a fresh site (SQLite in a temporary directory, or a fresh PostgreSQL database) with its
   background jobs running, 1,000 followers of the city's actor (20 per server, each server's followers
   sharing its shared inbox).
3. An alert is queued as the alerts' hook queues it (`queue.enqueue` in a transaction); the job
   "fediverse_delivery", woken by the queueing, signs and posts one delivery per server. The figure: seconds
   from the commit until the last server has it (median over the rounds).
4. The baseline, same run: the same 50 posts (same body) sent unsigned by plain httpx, all at once.
5. The variant: 5 of the 50 servers answer only after 10 s; the figure is how long the other 45 take.
Prints one JSON line of figures, then a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
SLOW_SECONDS = 10.0
WAIT_AT_MOST = 60.0  # a round that has not reached every server by then is reported as incomplete


def address(n: int) -> str:
    return f"127.0.2.{n + 1}"


def serve_receivers(count: int, port: int) -> None:
    """The child process: `count` servers on one port of `count` loopback addresses."""
    import socket

    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    arrivals: dict[str, dict[str, float]] = {}  # activity id -> host -> when
    slow: set[str] = set()

    async def inbox(request: Request) -> Response:
        at = time.time()
        host = request.scope["server"][0]
        body = await request.body()
        try:
            activity_id = json.loads(body).get("id", "")
        except ValueError:
            return Response(status_code=400)
        if host in slow:
            await asyncio.sleep(SLOW_SECONDS)
        arrivals.setdefault(activity_id, {}).setdefault(host, at)
        return Response(status_code=202)

    async def seen(request: Request) -> Response:
        return JSONResponse(arrivals.get(request.query_params["id"], {}))

    async def control(request: Request) -> Response:
        slow.clear()
        slow.update((await request.json())["slow"])
        return Response(status_code=204)

    app = Starlette(routes=[Route("/inbox", inbox, methods=["POST"]), Route("/arrivals", seen),
                            Route("/control", control, methods=["POST"])])
    sockets = []
    for n in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address(n), port))
        sock.listen(1024)
        sockets.append(sock)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                                           backlog=1024))
    print("ready", flush=True)
    asyncio.run(server.serve(sockets=sockets))


def alert(n: int, base: str) -> dict:
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{base}/ap/alerts/bench-{n}#create",
            "type": "Create", "actor": f"{base}/ap/users/city", "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": {"id": f"{base}/alerts/bench-{n}", "type": "Note", "content": "<p>Evacuation advisory</p>"}}


async def _until_all(client, control: str, activity_id: str, hosts: set[str], started: float) -> float | None:
    deadline = time.time() + WAIT_AT_MOST
    while time.time() < deadline:
        got = (await client.get(f"{control}/arrivals", params={"id": activity_id})).json()
        if hosts <= set(got):
            return max(got[h] for h in hosts) - started
        await asyncio.sleep(0.02)
    return None


async def main(servers: int, per_server: int, rounds: int) -> dict:
    import httpx
    from tortoise.transactions import in_transaction

    from fixtures import free_port, make_site
    from sns.fediverse import keys
    from sns.fediverse.addresses import CITY
    from sns.fediverse.queue import enqueue
    from sns.models import Delivery, Follower

    logging.disable(logging.WARNING)
    pg = os.environ.get("SNS_BENCH_DATABASE_URL")
    if pg:
        os.environ["SNS_TEST_DATABASE_URL"] = pg
    port = free_port()
    child = subprocess.Popen([sys.executable, __file__, "--serve", str(servers), "--port", str(port)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        inboxes = [f"http://{address(n)}:{port}/inbox" for n in range(servers)]
        control = f"http://{address(0)}:{port}"
        all_hosts = {address(n) for n in range(servers)}
        slow_hosts = {address(n) for n in range(servers - 5, servers)}
        async with make_site(Path(tempfile.mkdtemp(prefix="sns-bench-fedi-")), fediverse_loopback=True,
                             background_tasks=True, fediverse_timeout_seconds=int(SLOW_SECONDS + 5)) as site, \
                httpx.AsyncClient(timeout=30) as client:
            base = site.settings.base_url
            await keys.key_of(CITY)  # made once, as the city's actor document would have made it
            await Follower.bulk_create([
                Follower(actor=CITY, remote_actor=f"http://{address(n)}:{port}/users/{i}", host=address(n),
                         inbox=f"http://{address(n)}:{port}/users/{i}/inbox", shared_inbox=inboxes[n])
                for n in range(servers) for i in range(per_server)], batch_size=1000)

            async def federate(n: int, hosts: set[str]) -> float | None:
                activity = alert(n, base)
                async with in_transaction() as conn:
                    queued = await enqueue(conn, CITY, activity)
                started = time.time()  # committed: from here the job is woken and posts
                assert queued == servers
                return await _until_all(client, control, activity["id"], hosts, started)

            async def baseline(n: int) -> float | None:
                activity = alert(n, base)
                body = json.dumps(activity).encode()
                started = time.time()
                await asyncio.gather(*(client.post(url, content=body, headers={
                    "Content-Type": "application/activity+json"}) for url in inboxes))
                return await _until_all(client, control, activity["id"], all_hosts, started)

            plain = [await baseline(1000 + n) for n in range(rounds)]
            signed = [await federate(n, all_hosts) for n in range(rounds)]
            await client.post(f"{control}/control", json={"slow": sorted(slow_hosts)})
            slowed = [await federate(100 + n, all_hosts - slow_hosts) for n in range(rounds)]
            await asyncio.sleep(SLOW_SECONDS * rounds + 2)  # the slow ones answer, one post at a time each
            pending = await Delivery.filter(state="pending").count()
    finally:
        child.terminate()
        child.wait(10)

    def median(values):
        done = [v for v in values if v is not None]
        return round(statistics.median(done), 3) if len(done) == len(values) else None

    figures = {"benchmark": "federation", "database": "postgresql" if pg else "sqlite", "servers": servers,
               "followers": servers * per_server, "rounds": rounds,
               "baseline_unsigned_s": median(plain), "delivered_s": median(signed),
               "with_5_slow_others_s": median(slowed), "slow_server_seconds": SLOW_SECONDS,
               "left_pending_after": pending}
    if figures["baseline_unsigned_s"] and figures["delivered_s"]:
        figures["ratio"] = round(figures["delivered_s"] / figures["baseline_unsigned_s"], 2)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=50)
    parser.add_argument("--per-server", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_receivers(min(args.serve, 200), args.port)
        sys.exit(0)
    figures = asyncio.run(main(min(args.servers, 200), min(args.per_server, 100), min(args.rounds, 10)))
    print(json.dumps(figures))
    for key, value in figures.items():
        print(f"{key:24} {value}")
