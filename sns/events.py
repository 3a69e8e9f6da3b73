"""Live events for open pages, through one hub per process that keeps its broker connection up.

Services publish after their transaction commits; pages subscribe (`/live`, sns/web/live.py). With several
workers or machines, `broadcast_url` names a shared broker so every process hears every event: PostgreSQL
(LISTEN/NOTIFY) or Redis (pub/sub); `memory://` is one process.

A broker connection drops now and then (the server restarts, an administrator kills it, the network is
cut). The hub notices (asyncpg's termination listener, redis-py's errors, a publish that fails or hangs),
reconnects with back-off, subscribes again and hands every subscriber `RECONNECTED`: what was published
meanwhile never arrived, so subscribers catch up (open pages replay alerts from the database, every
worker forgets what it shares). Publishing during an outage drops the event quietly: it never fails or
holds up the request that committed the change, and pages catch up from the database afterwards.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable
from urllib.parse import urlparse

log = logging.getLogger(__name__)
CHANNEL = "sns"
APPLICATION_NAME = "sns-live"  # the hub's connection as PostgreSQL and Redis list it (pg_stat_activity, CLIENT LIST)
RECONNECTED_EVENT = "live.reconnected"
RECONNECTED = json.dumps({"event": RECONNECTED_EVENT})  # handed to subscribers by the hub, never published
PUBLISH_SECONDS = 2.0  # a publish that takes longer means a dead connection: it is dropped and the hub reconnects
CONNECT_SECONDS = 5.0
FIRST_RETRY, LONGEST_RETRY = 0.1, 5.0  # back-off between tries to reconnect: doubles from the first to the longest
_broadcast: Hub | None = None


@dataclass(frozen=True, slots=True)
class Event:
    channel: str
    message: str


class PostgresBroker:
    """LISTEN/NOTIFY on one asyncpg connection, named `sns-live` so that an operator (or a test) finds it.
    NOTIFYs go one at a time: a second statement while one is in flight fails on that connection."""

    def __init__(self, url: str):
        self._url, self._conn, self._sending = url, None, asyncio.Lock()
        self._lost = asyncio.Event()

    async def open(self, deliver: Callable[[str], None]) -> None:
        import asyncpg

        self._lost = lost = asyncio.Event()
        conn = await asyncpg.connect(self._url, timeout=CONNECT_SECONDS,
                                     server_settings={"application_name": APPLICATION_NAME})
        conn.add_termination_listener(lambda _conn: lost.set())
        await conn.add_listener(CHANNEL, lambda _conn, _pid, _channel, payload: deliver(payload))
        self._conn = conn

    async def lost(self) -> None:
        await self._lost.wait()

    async def send(self, message: str) -> None:
        async with self._sending:
            await self._conn.execute("SELECT pg_notify($1, $2)", CHANNEL, message)

    async def close(self) -> None:
        self._lost.set()
        if self._conn is not None:
            self._conn.terminate()  # no goodbye: the connection may be half dead
            self._conn = None


class RedisBroker:
    """Pub/sub on one Redis connection and publishes on another. redis-py's own retries are off: it would
    reconnect and resubscribe silently, and nobody would know that events were lost in between."""

    def __init__(self, url: str):
        self._url, self._client, self._pubsub, self._reader = url, None, None, None
        self._lost = asyncio.Event()

    async def open(self, deliver: Callable[[str], None]) -> None:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        self._lost = asyncio.Event()
        self._client = Redis.from_url(self._url, retry=Retry(NoBackoff(), 0), client_name=APPLICATION_NAME,
                                      socket_connect_timeout=CONNECT_SECONDS)
        self._pubsub = self._client.pubsub()
        await self._pubsub.subscribe(CHANNEL)
        self._reader = asyncio.create_task(self._read(self._pubsub, deliver, self._lost))

    @staticmethod
    async def _read(pubsub, deliver: Callable[[str], None], lost: asyncio.Event) -> None:
        try:
            async for message in pubsub.listen():
                if message["type"] == "message":
                    deliver(message["data"].decode())
        except Exception as exc:  # the connection is gone: the hub reconnects
            log.debug("redis pub/sub connection ended: %r", exc)
        finally:
            lost.set()

    async def lost(self) -> None:
        await self._lost.wait()

    async def send(self, message: str) -> None:
        await self._client.publish(CHANNEL, message)

    async def close(self) -> None:
        self._lost.set()
        if self._reader is not None:
            self._reader.cancel()
        for closing in (self._pubsub, self._client):
            if closing is not None:
                try:
                    await asyncio.wait_for(closing.aclose(), 1)
                except Exception:
                    pass
        self._client = self._pubsub = self._reader = None


class MemoryBroker:
    """One process: what is published is delivered at once. It never drops."""

    async def open(self, deliver: Callable[[str], None]) -> None:
        self._deliver = deliver

    async def lost(self) -> None:
        await asyncio.Event().wait()

    async def send(self, message: str) -> None:
        self._deliver(message)

    async def close(self) -> None:
        pass


def broker_for(url: str):
    scheme = urlparse(url).scheme
    if scheme in ("postgres", "postgresql"):
        return PostgresBroker(url)
    if scheme in ("redis", "rediss"):
        return RedisBroker(url)
    if scheme == "memory":
        return MemoryBroker()
    raise ValueError(f"broadcast_url: unsupported scheme {scheme!r} (memory://, postgres://, redis://)")


def retry_delay(tries: int) -> float:
    """Short first tries (a restarting server is back within a second), then one every LONGEST_RETRY."""
    return min(LONGEST_RETRY, FIRST_RETRY * 2 ** tries)


class Hub:
    """Fans the broker's messages out to every subscriber's queue and keeps the broker connected."""

    def __init__(self, broker):
        self._broker = broker
        self._queues: set[asyncio.Queue] = set()
        self._up = asyncio.Event()
        self._keeper: asyncio.Task | None = None
        self.dropped = 0  # events not sent during the current outage (logged when it ends)

    @property
    def connected(self) -> bool:
        return self._up.is_set()

    async def connect(self, wait: float = CONNECT_SECONDS) -> None:
        """Start keeping the connection; wait for the first one a little. A broker that is down when the
        process starts does not stop it: the hub keeps trying, and `connected()` says it is not there yet."""
        self._keeper = asyncio.create_task(self._keep_connected())
        try:
            await asyncio.wait_for(self._up.wait(), wait)
        except asyncio.TimeoutError:
            pass

    async def disconnect(self) -> None:
        if self._keeper is not None:
            self._keeper.cancel()
            await asyncio.gather(self._keeper, return_exceptions=True)
        self._up.clear()
        await self._broker.close()
        for queue in list(self._queues):
            queue.put_nowait(None)

    async def _keep_connected(self) -> None:
        while True:
            down_since = time.monotonic()
            await self._reconnect(down_since)
            await self._broker.lost()
            self._up.clear()
            log.warning("live events: lost the broker connection; reconnecting (pages catch up afterwards)")
            await self._broker.close()

    async def _reconnect(self, down_since: float) -> None:
        tries = 0
        while True:
            try:
                await asyncio.wait_for(self._broker.open(self._deliver), 2 * CONNECT_SECONDS)  # a cut network: no hang
                break
            except Exception as exc:
                await self._broker.close()
                if tries == 0:  # once per outage, not once per try
                    log.warning("live events: cannot reach the broker (%r); retrying", exc)
                await asyncio.sleep(retry_delay(tries))
                tries += 1
        self._up.set()
        if tries or self.dropped:
            log.warning("live events: broker connected again after %.1f s (%d events not sent meanwhile)",
                        time.monotonic() - down_since, self.dropped)
        self.dropped = 0
        self._deliver(RECONNECTED)  # whatever was published while we were away, subscribers catch up

    def _deliver(self, message: str) -> None:
        event = Event(CHANNEL, message)
        for queue in self._queues:
            queue.put_nowait(event)

    async def publish(self, channel: str, message: str) -> None:
        """Send to every process; during an outage the event is dropped (subscribers catch up later). A send
        that fails or hangs means the connection is dead: the hub is told to reconnect."""
        if not self._up.is_set():
            self.dropped += 1
            return
        try:
            await asyncio.wait_for(self._broker.send(message), PUBLISH_SECONDS)
        except Exception as exc:
            self.dropped += 1
            if self._up.is_set():
                self._up.clear()
                log.warning("live events: could not publish (%r); reconnecting", exc)
                await self._broker.close()  # `lost()` returns: the keeper reconnects

    @asynccontextmanager
    async def subscribe(self, channel: str = CHANNEL) -> AsyncIterator[Subscriber]:
        queue: asyncio.Queue = asyncio.Queue()
        self._queues.add(queue)
        try:
            yield Subscriber(queue)
        finally:
            self._queues.discard(queue)


class Subscriber:
    """The events one subscriber hears, in order; `RECONNECTED` (as an event's message) after an outage."""

    def __init__(self, queue: asyncio.Queue):
        self._queue = queue

    async def __aiter__(self):
        while (event := await self._queue.get()) is not None:
            yield event


def open_broadcast(url: str) -> Hub:
    global _broadcast
    _broadcast = Hub(broker_for(url))
    return _broadcast


def close_broadcast() -> None:
    global _broadcast
    _broadcast = None


def broadcast() -> Hub | None:
    return _broadcast


def connected() -> bool:
    """For readiness checks: the hub has its broker connection (always, for memory://). False when no hub
    is open in this process."""
    return _broadcast is not None and _broadcast.connected


async def publish(event: str, data: dict[str, Any]) -> None:
    """Tell open pages about a committed change. Never fails the caller, never holds it up for long."""
    if _broadcast is None:
        return
    try:
        await _broadcast.publish(CHANNEL, json.dumps({"event": event, **data}))
    except Exception:  # a live-update hiccup must not undo a committed post
        log.exception("could not publish %s", event)
