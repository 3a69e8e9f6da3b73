"""Job leases in the database (`job_leases`): which process runs a background job, and how its rounds went.

A process names itself once (`HOLDER`, "<host>:<pid>:<random>": a restarted process with the same pid is
still someone else). `take` is one conditional UPDATE (the row is ours already, or its holder let it
expire), or the row's INSERT when the job never ran: PostgreSQL re-checks the UPDATE's condition on a row
that another transaction just changed, and SQLite writes one statement at a time, so two processes never
both win. The other columns are what operators read (/metrics, /readyz): rounds run, failures in a row,
the last error, when the last round started and finished.

Times come from each process's clock: the machines of one city keep theirs in step (NTP), as they must
for sessions and tokens anyway.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

from sns.models import JobLease
from sns.models.base import utcnow

HOLDER = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


async def take(name: str, holder: str, seconds: float) -> bool:
    """Take or renew the lease of job `name` for `seconds`; True when `holder` holds it now."""
    at = utcnow()
    until = at + timedelta(seconds=seconds)
    renewed = await JobLease.filter(Q(holder=holder) | Q(expires_at__lt=at), name=name).update(
        holder=holder, expires_at=until)
    if renewed:
        return True
    if await JobLease.exists(name=name):
        return False
    try:
        await JobLease.create(name=name, holder=holder, expires_at=until)
    except IntegrityError:  # another process made the row first: it holds the lease
        return False
    return True


async def release(names: list[str], holder: str) -> None:
    """Give up `holder`'s leases of `names` (a clean stop): another process may take them at once."""
    await JobLease.filter(name__in=names, holder=holder).update(holder="", expires_at=utcnow() - timedelta(seconds=1))


async def state(name: str) -> JobLease:
    return await JobLease.get(name=name)


async def started(name: str) -> None:
    await JobLease.filter(name=name).update(last_started_at=utcnow())


async def finished(name: str, error: str) -> None:
    """A round ended: counted, and its failure (or success, which ends a run of failures) written down."""
    if error:
        await JobLease.filter(name=name).update(runs=F("runs") + 1, failures=F("failures") + 1, last_error=error,
                                                last_finished_at=utcnow())
    else:
        await JobLease.filter(name=name).update(runs=F("runs") + 1, failures=0, last_error="", last_finished_at=utcnow())
