"""`sns jobs`: a process that runs the background jobs and serves nothing (a systemd unit of its own).

It enters the app's own lifespan (sns/app.py), so the jobs get exactly what they get inside `sns serve`:
the database, the broker (nudges from the web machines arrive through `broadcast_url`) and the supervisor
of jobs under their leases. SIGTERM or SIGINT leaves the lifespan cleanly, which releases the leases so
another process takes the jobs at once.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from sns.app import create_app
from sns.leases import HOLDER
from sns.logs import configure as configure_logs
from sns.settings import Settings

log = logging.getLogger(__name__)


async def run_jobs(settings: Settings) -> None:
    configure_logs(settings)  # text, or JSON lines with `log_format = "json"` (sns/logs.py)
    app = create_app(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with app.router.lifespan_context(app):
        log.info("running the background jobs (%s) as %s", ", ".join(app.state.site.jobs), HOLDER)
        await stop.wait()
        log.info("stopping: the jobs' leases are released")

