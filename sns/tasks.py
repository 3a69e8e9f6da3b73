"""Background work owned by the lifespan: periodic jobs, each supervised, each run by one process at a time.

An area hands over its jobs as data (`Job(name, run, every)`, named in the manifest, sns/areas.py); the
app's lifespan (or `sns jobs`) gives the site's jobs to a `Supervisor`, which starts them when
`background_tasks` is on and stops them on shutdown. A job takes the settings and the site (`run(settings,
site)`), reloads what it needs from the database, and must be safe to repeat.

A city may run on several machines, each with several workers: every process supervises every job, but a
round runs only in the process holding the job's lease, a row of `job_leases` (sns/leases.py). The holder
renews it every quarter of `job_lease_seconds`, while idle and while a round runs, and releases it when it
stops cleanly; when the holder dies, its lease expires and another process takes the job within about one
lease period. The pace is kept in the row (`last_started_at`), so a new holder does not run a round that
the old one has just run. When a round raises, the row counts the failures in a row and the next round
waits longer (doubling up to `max_backoff`); a job never kills the site, and one job's failure never
stops another.

`nudge(name)` runs a job's next round now wherever it is held: it wakes this process's job and publishes a
"job" event that every other process hears (`wake`, called from sns/services/live.py). `run_once(name,
settings, site)` runs one round here and now, without a lease (tests and `sns` commands use it).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from sns import events, leases
from sns.leases import HOLDER
from sns.models.base import utcnow
from sns.settings import Settings

if TYPE_CHECKING:  # the manifest names the jobs, so it imports this module
    from sns.areas import Site

log = logging.getLogger(__name__)
__all__ = ["HOLDER", "Job", "Supervisor", "nudge", "run_once", "set_current", "wake"]


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Settings, Any], Awaitable[None]]  # (settings, the site)
    every: Callable[[Settings], float]  # seconds between rounds, read from the settings
    max_backoff: float = 600.0


async def run_once(name: str, settings: Settings, site: Site) -> None:
    await site.jobs[name].run(settings, site)


def _pace(job: Job, settings: Settings, failures: int) -> float:
    """Seconds between the starts of two rounds: the job's pace, doubled for each failure in a row."""
    pause = max(0.05, job.every(settings))
    return min(job.max_backoff, pause * 2 ** min(failures, 16)) if failures else pause


class LeaseLost(Exception):
    """Another process took the lease while a round ran (this one could not renew it in time)."""


class Supervisor:
    """Supervises the site's jobs in this process; `nudge(name)` runs a job's next round now if held here."""

    def __init__(self, settings: Settings, site: Site, holder: str = HOLDER):
        self.settings, self.site, self.holder = settings, site, holder
        self.lease = float(settings.job_lease_seconds)
        self.tasks: dict[str, asyncio.Task] = {}
        self.wakes: dict[str, asyncio.Event] = {}
        self.held: set[str] = set()

    @property
    def tick(self) -> float:
        """How often a lease is renewed (or an absent holder's lease looked at)."""
        return self.lease / 4

    def start(self) -> None:
        for job in self.site.jobs.values():
            self.wakes[job.name] = asyncio.Event()
            self.tasks[job.name] = asyncio.create_task(self._supervise(job), name=f"job:{job.name}")

    def nudge(self, name: str) -> None:
        if name in self.wakes:
            self.wakes[name].set()

    async def stop(self) -> None:
        """Stops the jobs, then releases this process's leases so another process carries on at once."""
        for task in self.tasks.values():
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        self.tasks.clear()
        if self.held:
            try:
                await leases.release(sorted(self.held), self.holder)
            except Exception:  # the database is gone already: the leases simply expire
                log.warning("could not release the job leases %s", sorted(self.held), exc_info=True)
            self.held.clear()

    async def _supervise(self, job: Job) -> None:
        wake = self.wakes[job.name]
        while True:
            pause, nudged = self.tick, wake.is_set()
            wake.clear()  # before the round: a nudge that comes while it runs gives one more round
            try:
                pause = await self._turn(job, nudged)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is away: try again at the next tick
                log.exception("background job %s: could not take its lease", job.name)
            try:
                await asyncio.wait_for(wake.wait(), timeout=max(0.01, min(pause, self.tick)))
            except asyncio.TimeoutError:
                pass

    async def _turn(self, job: Job, nudged: bool) -> float:
        """Take or renew the lease; run a round when held and due (or nudged). Returns the wait till due."""
        if not await leases.take(job.name, self.holder, self.lease):
            self.held.discard(job.name)
            return self.tick
        self.held.add(job.name)
        state = await leases.state(job.name)
        pace = _pace(job, self.settings, state.failures)
        waited = float("inf") if state.last_started_at is None else \
            (utcnow() - state.last_started_at).total_seconds()
        if not nudged and waited < pace:
            return pace - waited
        await self._round(job)
        state = await leases.state(job.name)
        return _pace(job, self.settings, state.failures)

    async def _round(self, job: Job) -> None:
        """One round, renewing the lease while it runs; its outcome is written in the lease's row."""
        await leases.started(job.name)
        started, error = time.monotonic(), ""
        try:
            await self._run_renewing(job)
        except asyncio.CancelledError:
            raise
        except LeaseLost as exc:  # the row is the new holder's now: its counts are not this round's to change
            log.warning("background job %s: %s", job.name, exc)
            return
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
            log.exception("background job %s failed", job.name)
        await leases.finished(job.name, error)
        log.debug("background job %s: round in %.2f s", job.name, time.monotonic() - started)

    async def _run_renewing(self, job: Job) -> None:
        round_ = asyncio.create_task(job.run(self.settings, self.site), name=f"round:{job.name}")
        try:
            while True:
                done, _ = await asyncio.wait({round_}, timeout=self.tick)
                if done:
                    return round_.result()
                if not await self._renew(job.name):
                    raise LeaseLost(f"the lease of {job.name} was taken while its round ran; round stopped")
        finally:
            if not round_.done():
                round_.cancel()
                await asyncio.gather(round_, return_exceptions=True)

    async def _renew(self, name: str) -> bool:
        """False only when another process holds the lease; a database hiccup keeps the round going."""
        try:
            held = await leases.take(name, self.holder, self.lease)
        except Exception:
            log.warning("background job %s: could not renew its lease", name, exc_info=True)
            return True
        if not held:
            self.held.discard(name)
        return held


_current: Supervisor | None = None
_publishing: set[asyncio.Task] = set()


def wake(name: str) -> None:
    """Run this process's job `name` now, if it holds the lease (a "job" event arrived)."""
    if _current is not None:
        _current.nudge(name)


def nudge(name: str) -> None:
    """Ask job `name` to run its next round now, in whichever process holds its lease: a "job" event
    reaches every process (this one too; other machines through `broadcast_url`), and each wakes its own
    job (`wake`). Without a broker (no running app), only this process's job is woken."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is None or events.broadcast() is None:
        wake(name)
        return
    task = loop.create_task(events.publish("job", {"name": name}))
    _publishing.add(task)
    task.add_done_callback(_publishing.discard)


def set_current(supervisor: Supervisor | None) -> None:
    global _current
    _current = supervisor
