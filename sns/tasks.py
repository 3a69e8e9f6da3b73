"""Background work owned by the lifespan: periodic jobs, each supervised.

An area registers a job once at import time (`register(Job(name, run, every))`); the app's lifespan
starts every registered job when `background_tasks` is on, and stops them on shutdown. A job takes no
arguments but the settings, reloads what it needs from the database, and must be safe to repeat. When
it raises, the supervisor logs it and waits longer before the next round (doubling up to
`max_backoff`), then goes back to the normal pace after a round that succeeds. A job never kills the
site, and one job's failure never stops another.

`run_once(name, settings)` runs one round now (tests and `sns` commands use it).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable

from sns.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Settings], Awaitable[None]]
    every: Callable[[Settings], float]  # seconds between rounds, read from the settings
    max_backoff: float = 600.0


_JOBS: dict[str, Job] = {}


def register(job: Job) -> Job:
    _JOBS[job.name] = job
    return job


def jobs() -> list[Job]:
    return list(_JOBS.values())


async def run_once(name: str, settings: Settings) -> None:
    await _JOBS[name].run(settings)


async def _supervise(job: Job, settings: Settings, wake: asyncio.Event) -> None:
    failures = 0
    while True:
        try:
            await job.run(settings)
            failures = 0
        except asyncio.CancelledError:
            raise
        except Exception:
            failures += 1
            log.exception("background job %s failed (%d in a row)", job.name, failures)
        pause = max(0.05, job.every(settings))
        if failures:
            pause = min(job.max_backoff, pause * 2 ** min(failures, 16))
        try:
            await asyncio.wait_for(wake.wait(), timeout=pause)
        except asyncio.TimeoutError:
            pass
        wake.clear()


class Supervisor:
    """Starts the registered jobs and stops them; `nudge(name)` runs a job's next round now."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.tasks: dict[str, asyncio.Task] = {}
        self.wakes: dict[str, asyncio.Event] = {}

    def start(self) -> None:
        for job in jobs():
            wake = self.wakes[job.name] = asyncio.Event()
            self.tasks[job.name] = asyncio.create_task(_supervise(job, self.settings, wake), name=f"job:{job.name}")

    def nudge(self, name: str) -> None:
        if name in self.wakes:
            self.wakes[name].set()

    async def stop(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        for task in self.tasks.values():
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        self.tasks.clear()


_current: Supervisor | None = None


def nudge(name: str) -> None:
    """Ask the running app's job `name` to run its next round now (nothing happens without one)."""
    if _current is not None:
        _current.nudge(name)


def set_current(supervisor: Supervisor | None) -> None:
    global _current
    _current = supervisor
