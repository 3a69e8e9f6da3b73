"""Background work owned by the lifespan: periodic jobs, each supervised.

An area hands over its jobs as data (`Job(name, run, every)`, named in the manifest, sns/areas.py); the
app's lifespan gives the site's jobs to a `Supervisor`, which starts them when `background_tasks` is on and
stops them on shutdown. A job takes the settings and the site (`run(settings, site)`: the mirror's pull
runs the hooks the site's areas hand over), reloads what it needs from the database, and must be safe
to repeat. When
it raises, the supervisor logs it and waits longer before the next round (doubling up to
`max_backoff`), then goes back to the normal pace after a round that succeeds. A job never kills the
site, and one job's failure never stops another.

`run_once(name, settings, site)` runs one round of the site's job now (tests and `sns` commands use it).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from sns.settings import Settings

if TYPE_CHECKING:  # the manifest names the jobs, so it imports this module
    from sns.areas import Site

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Settings, Any], Awaitable[None]]  # (settings, the site)
    every: Callable[[Settings], float]  # seconds between rounds, read from the settings
    max_backoff: float = 600.0


async def run_once(name: str, settings: Settings, site: Site) -> None:
    await site.jobs[name].run(settings, site)


async def _supervise(job: Job, settings: Settings, site: Site, wake: asyncio.Event) -> None:
    failures = 0
    while True:
        try:
            await job.run(settings, site)
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
    """Starts the site's jobs and stops them; `nudge(name)` runs a job's next round now."""

    def __init__(self, settings: Settings, site: Site):
        self.settings = settings
        self.site = site
        self.tasks: dict[str, asyncio.Task] = {}
        self.wakes: dict[str, asyncio.Event] = {}

    def start(self) -> None:
        for job in self.site.jobs.values():
            wake = self.wakes[job.name] = asyncio.Event()
            self.tasks[job.name] = asyncio.create_task(_supervise(job, self.settings, self.site, wake),
                                                       name=f"job:{job.name}")

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
