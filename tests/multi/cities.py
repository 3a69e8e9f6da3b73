"""Neighbouring cities for the mirroring tests: real `sns serve` processes on loopback ports, each on its
own data directory and database (PostgreSQL when the suite runs on it, and then the replicas are schemas of
that database; else SQLite, replicas are files in the data directory),
peered the way administrators do it (`sns mirror add URL --fingerprint FP` on both sides)."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg

from browser.live import SNS, LiveServer, migrated_database
from sns.keys import ensure_keys, fingerprint
from sns.mirror.replica_pg import quoted
from sns.mirror.replicas import path_of, schema_of
from sns.mirror.sql import numbered

TOOL = Path(__file__).with_name("mirror_tool.py")


class City(LiveServer):
    def __init__(self, root: Path, name: str, **settings: str) -> None:
        data = root / name
        data.mkdir(parents=True, exist_ok=True)
        super().__init__(data, migrated_database(data))
        self.name, self.origin = name, f"{name}.test"
        self.extra_env = {"SNS_ORIGIN": self.origin, "SNS_MIRROR_PULL_SECONDS": "1", "COLUMNS": "250",
                          "SNS_MIRROR_DOWN_AFTER_SECONDS": "3", **settings}
        ensure_keys(data / "keys")  # what `sns init` makes (and `sns mirror fingerprint` prints)
        self.fingerprint = fingerprint(data / "keys")

    def run_sns(self, *args: str) -> subprocess.CompletedProcess:
        """`sns ...` that may fail: the finished process (for a refused sync)."""
        return subprocess.run([str(SNS), "--data", str(self.data_dir), *args], env=self.env,
                              capture_output=True, text=True, timeout=120)

    def tool(self, *args: str) -> dict:
        done = subprocess.run([sys.executable, str(TOOL), "--data", str(self.data_dir), *args], env=self.env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    def write(self, count: int) -> int:
        """Write `count` journal entries (a mix of open and private records); returns the new head."""
        return self.tool("write", str(count))["head"]

    def compare(self, origin_city: "City") -> dict:
        """Digests of `origin_city`'s open records and of our replica of it, and the numbers we hold."""
        return origin_city.tool("compare", "--replica-data", str(self.data_dir), "--replica-db", self.database_url)

    def cursor_of(self, origin: str) -> int:
        """The highest entry of `origin` this city's replica holds, read straight from it."""
        rows = replica_rows(self, origin, "SELECT MAX(seq) FROM journal WHERE origin = ?", origin)
        return (rows[0][0] or 0) if rows else 0

    def wait_for(self, origin: str, head: int, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            cursor = self.cursor_of(origin)
            if cursor >= head:
                return cursor
            time.sleep(0.1)
        raise AssertionError(f"{self.origin} holds {self.cursor_of(origin)} of {origin}'s {head} entries after "
                             f"{timeout} s:\n{self.tail()}")

    def status(self) -> str:
        """What `sns mirror status` prints (the table of peers, the latest refusals)."""
        done = self.run_sns("mirror", "status")
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr


def replica_rows(server: LiveServer, origin: str, sql: str, *args) -> list[tuple]:
    """The rows of `sql` (with `?` marks) read straight from `server`'s replica of `origin`, wherever it
    lives (its schema on PostgreSQL, its file on SQLite); [] while it is not made yet."""
    if server.database_url:
        return _schema_rows(server.database_url, schema_of(origin), numbered(sql), args)
    path = path_of(server.data_dir, origin)
    if not path.exists():
        return []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as db:
        try:
            return db.execute(sql, args).fetchall()
        except sqlite3.OperationalError:  # being made right now
            return []


def _schema_rows(url: str, schema: str, sql: str, args: tuple) -> list[tuple]:
    async def read() -> list[tuple]:
        conn = await asyncpg.connect(url, server_settings={"search_path": quoted(schema)})
        try:
            return [tuple(r) for r in await conn.fetch(sql, *args)]
        except asyncpg.UndefinedTableError:  # being made right now
            return []
        finally:
            await conn.close()

    with ThreadPoolExecutor(1) as pool:  # this thread may have an event loop of its own
        return pool.submit(asyncio.run, read()).result()


def peer(*pairs: tuple[City, City]) -> None:
    """For each pair, each administrator adds the other with the fingerprint read to them (all running)."""
    runs = [subprocess.Popen([str(SNS), "--data", str(x.data_dir), "mirror", "add", y.url, "--fingerprint",
                              y.fingerprint], env=x.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for a, b in pairs for x, y in ((a, b), (b, a))]
    for run in runs:
        out, _ = run.communicate(timeout=120)
        assert run.returncode == 0, out


def assert_converged(city: City, origin_city: City) -> None:
    """No entry lost or held twice (the numbers are 1..head, each once) and the same content."""
    seen = city.compare(origin_city)
    seqs = seen["seqs"]
    assert seqs["contiguous"] and seqs["count"] == seqs["distinct"] == seen["head"], seen
    assert seen["replica"] == seen["own_open"] and seen["records"] > 0, seen


class Proxy:
    """A TCP proxy on a loopback port in front of `target_port` that a test can cut and heal: cut closes
    every connection and refuses new ones (a cable pulled), heal lets them through again."""

    def __init__(self, target_port: int) -> None:
        from fixtures import free_port

        self.target, self.port = target_port, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cut_off = False
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self.cut_off:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
                with self._lock:
                    self._open.discard(s)

    def cut(self) -> None:
        self.cut_off = True
        with self._lock:
            for s in list(self._open):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def heal(self) -> None:
        self.cut_off = False

    def close(self) -> None:
        self.cut()
        self._server.close()
