"""Rate limits counted where every worker and machine of a city sees them (setting `limits_url`).

Why a sliding window: a bare fixed window lets a burst at its end and another at the next one's start
through, twice the limit within seconds. Like Cloudflare's limiter, each key keeps two fixed windows
and weighs the previous one by how much of it still lies within one window of now:

    estimate = previous x (1 - elapsed / window) + current

So right after a window turns over the old count still weighs almost fully, and it fades out evenly.
One hit is one atomic statement in the store (an upsert in the database, one Redis transaction), so
many hits at once, on any machine, are counted exactly. A refused hit is given back: what stays counted
is what was let through, so a resident who keeps pressing "post" while refused is not kept out longer.

When the store cannot be reached (Redis down, the database gone away), the limiter counts in this
process for `RETRY_SECONDS`, logs a warning, and then tries the store again: nobody is locked out of the
site by a broken store, and sign-in protection weakens to per-process counts for a while instead of
vanishing.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Callable, Protocol

from tortoise import connections

log = logging.getLogger(__name__)
RETRY_SECONDS = 30.0  # how long a limiter counts in its process after its store failed, before asking it again


class Store(Protocol):
    """Where counts are kept. `row` names one key in one window; `previous` the same key's window before."""

    async def add(self, row: str, previous: str, window_start: int, ttl: int, n: int) -> tuple[int, int]:
        """Add `n` to `row`'s count: (that count afterwards, `previous`'s count)."""

    async def read(self, row: str, previous: str) -> tuple[int, int]: ...

    async def clear(self, *rows: str) -> None: ...

    async def sweep(self, name: str, before: int) -> None:
        """Forget `name`'s windows that started before `before` (seconds since the epoch)."""

    async def close(self) -> None: ...


class MemoryStore:
    """Counts in this process only (`limits_url = "memory://"`, the demo seeder, and the fallback)."""

    MAX_ROWS = 100_000  # bounded memory under a flood of keys

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._rows: dict[str, tuple[float, int]] = {}  # row -> (when it expires, count)

    def _count(self, row: str) -> int:
        expires, hits = self._rows.get(row, (0.0, 0))
        return hits if expires > self.clock() else 0

    async def add(self, row: str, previous: str, window_start: int, ttl: int, n: int) -> tuple[int, int]:
        hits = max(self._count(row) + n, 0)  # a hit given back after the store failed is not owed
        self._rows[row] = (self.clock() + ttl, hits)
        if len(self._rows) > self.MAX_ROWS:
            now = self.clock()
            self._rows = {k: v for k, v in self._rows.items() if v[0] > now}
        return hits, self._count(previous)

    async def read(self, row: str, previous: str) -> tuple[int, int]:
        return self._count(row), self._count(previous)

    async def clear(self, *rows: str) -> None:
        for row in rows:
            self._rows.pop(row, None)

    async def sweep(self, name: str, before: int) -> None:
        pass  # expired rows are dropped when there are too many

    async def close(self) -> None:
        pass


class DatabaseStore:
    """The table `rate_counts` of the site's database: one row per key and window."""

    _ADD = ("INSERT INTO rate_counts (key, window_start, hits) VALUES ({0}, {1}, {2}) "
            "ON CONFLICT (key) DO UPDATE SET hits = rate_counts.hits + excluded.hits "
            "RETURNING hits, (SELECT p.hits FROM rate_counts AS p WHERE p.key = {3}) AS previous")
    _READ = "SELECT key, hits FROM rate_counts WHERE key IN ({0}, {1})"

    @staticmethod
    def _marks(conn, count: int) -> list[str]:
        return ["?"] * count if conn.capabilities.dialect == "sqlite" else [f"${i + 1}" for i in range(count)]

    async def add(self, row: str, previous: str, window_start: int, ttl: int, n: int) -> tuple[int, int]:
        conn = connections.get("default")
        sql = self._ADD.format(*self._marks(conn, 4))
        found = await conn.execute_query_dict(sql, [row, window_start, n, previous])
        return int(found[0]["hits"]), int(found[0]["previous"] or 0)

    async def read(self, row: str, previous: str) -> tuple[int, int]:
        conn = connections.get("default")
        found = {r["key"]: r["hits"] for r in await conn.execute_query_dict(
            self._READ.format(*self._marks(conn, 2)), [row, previous])}
        return int(found.get(row, 0)), int(found.get(previous, 0))

    async def clear(self, *rows: str) -> None:
        conn = connections.get("default")
        await conn.execute_query(
            f"DELETE FROM rate_counts WHERE key IN ({', '.join(self._marks(conn, len(rows)))})", list(rows))

    async def sweep(self, name: str, before: int) -> None:
        conn = connections.get("default")
        await conn.execute_query("DELETE FROM rate_counts WHERE key LIKE {0} AND window_start < {1}".format(
            *self._marks(conn, 2)), [f"{name}:%", before])

    async def close(self) -> None:
        pass  # the connection is the site's


class RedisStore:
    """A Redis server (`redis://...`): the same arithmetic, INCRBY/EXPIRE/GET in one transaction."""

    def __init__(self, url: str, prefix: str = "sns:rate:") -> None:
        import redis.asyncio

        self.prefix = prefix
        # short timeouts: a Redis that does not answer must not hold a resident's request for long
        self.client = redis.asyncio.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    async def add(self, row: str, previous: str, window_start: int, ttl: int, n: int) -> tuple[int, int]:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incrby(self.prefix + row, n).expire(self.prefix + row, ttl).get(self.prefix + previous)
            hits, _, before = await pipe.execute()
        return int(hits), int(before or 0)

    async def read(self, row: str, previous: str) -> tuple[int, int]:
        hits, before = await self.client.mget(self.prefix + row, self.prefix + previous)
        return int(hits or 0), int(before or 0)

    async def clear(self, *rows: str) -> None:
        await self.client.delete(*(self.prefix + r for r in rows))

    async def sweep(self, name: str, before: int) -> None:
        pass  # every count expires by itself

    async def close(self) -> None:
        await self.client.aclose()


def open_store(settings) -> Store:
    """The store `limits_url` names: empty means `broadcast_url`'s Redis if it is one, else the database."""
    url = settings.limits_url or (settings.broadcast_url if settings.broadcast_url.startswith("redis") else "")
    if url.startswith("memory:"):
        return MemoryStore()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(url, f"sns:{settings.origin}:rate:")
    if url:
        raise ValueError(f"limits_url must be empty, memory:// or redis://..., not {url!r}")
    return DatabaseStore()


def _short(key: str) -> str:
    """Keys carry what a visitor typed (a username): long ones are hashed so a row's key stays short."""
    return key if len(key) <= 120 else "sha256-" + hashlib.sha256(key.encode()).hexdigest()


class RateLimiter:
    """At most about `limit` events per `window` seconds per key, counted in `store` (see the module)."""

    def __init__(self, name: str, limit: int, window: float, store: Store | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.name, self.limit, self.window = name, limit, int(window)
        self.store: Store = store if store is not None else MemoryStore(clock)
        self.clock = clock
        self._local = MemoryStore(clock)  # used while the store cannot be reached
        self._store_down_until = 0.0
        self._next_sweep = 0.0

    def _rows(self, key: str) -> tuple[str, str, int, float]:
        """This window's row, the previous window's row, this window's start, and how much of the
        previous window still counts (1 at the turn, 0 at the end)."""
        now = self.clock()
        index = int(now // self.window)
        weight = 1 - (now - index * self.window) / self.window
        base = f"{self.name}:{_short(key)}:"
        return f"{base}{index}", f"{base}{index - 1}", index * self.window, weight

    async def _ask(self, method: str, *args):
        """Ask the store, or this process's counts while the store is failing (logged)."""
        now = time.monotonic()
        if now >= self._store_down_until:
            try:
                answer = await getattr(self.store, method)(*args)
                if self._store_down_until:
                    log.warning("rate limit %s: its store answers again; counting across machines", self.name)
                    self._store_down_until = 0.0
                return answer
            except Exception as exc:  # noqa: BLE001 - any failure of the store: count here for a while
                log.warning("rate limit %s: its store failed (%s: %s); counting in this process only for %d s",
                            self.name, type(exc).__name__, exc, RETRY_SECONDS)
                self._store_down_until = now + RETRY_SECONDS
        return await getattr(self._local, method)(*args)

    async def hit(self, key: str) -> bool:
        """Count one event; False (and not counted) when the limit was already reached."""
        row, previous, start, weight = self._rows(key)
        hits, before = await self._ask("add", row, previous, start, 2 * self.window, 1)
        if before * weight + hits - 1 < self.limit:
            await self._sweep_now_and_then(start)
            return True
        await self._ask("add", row, previous, start, 2 * self.window, -1)  # refused: given back
        return False

    async def blocked(self, key: str) -> bool:
        """Whether the next event would be refused (without counting it)."""
        row, previous, _, weight = self._rows(key)
        hits, before = await self._ask("read", row, previous)
        return before * weight + hits >= self.limit

    async def reset(self, key: str) -> None:
        """Forget the key's counts (a right password ends the count of wrong ones for that username)."""
        row, previous, _, _ = self._rows(key)
        await self._ask("clear", row, previous)

    async def _sweep_now_and_then(self, start: int) -> None:
        """Once per window per process, windows older than the previous one are deleted: cheap, and the
        table holds no more than two windows' keys."""
        if self.clock() < self._next_sweep:
            return
        self._next_sweep = self.clock() + self.window
        await self._ask("sweep", self.name, start - self.window)
