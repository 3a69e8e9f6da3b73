"""A real redis-server (Debian's) that a test may stop and start again on the same port, as when an
operator restarts Redis: what the broker tests need, which `fixtures.redis_server()` (one server for the
run, shared by other tests) cannot give.

    with RestartableRedis() as server:
        server.url ...; server.stop(); server.start()
"""

from __future__ import annotations

import subprocess
import time

import redis

from fixtures import free_port


class RestartableRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start (is Debian's redis-server installed?)")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def client(self) -> redis.Redis:
        """A plain client for the test's own commands (CLIENT KILL, CLIENT LIST...)."""
        return redis.Redis(port=self.port, socket_timeout=2)

    def subscribers(self) -> int:
        """How many pub/sub connections the server holds (the hubs' listening connections)."""
        with self.client() as c:
            return sum(1 for client in c.client_list() if "P" in client["flags"])

    def __enter__(self) -> RestartableRedis:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
