"""The supervisor of background jobs: each job runs in one process at a time, under a lease in the database
(SQLite or PostgreSQL); a failing job is retried with back-off and never stops another; a dead holder's
job is taken over after its lease expires, and a clean stop hands it over at once.

Two supervisors with different holders on one database stand for two processes (or machines)."""

import asyncio
import time
from datetime import timedelta

from sns import leases, tasks
from sns.areas import Area, build_site
from sns.models import JobLease
from sns.models.base import utcnow

LEASE = 1  # seconds: a holder renews every 0.25 s


def supervisor(site, job, holder, lease=LEASE):
    return tasks.Supervisor(site.settings.replace(job_lease_seconds=lease),
                            build_site([Area("test", jobs=(job,))]), holder=holder)


def kill(sup: tasks.Supervisor) -> None:
    """As if the process died: its tasks stop, nothing is released."""
    for task in sup.tasks.values():
        task.cancel()


async def wait_until(check, timeout: float = 5.0) -> float:
    """Seconds until `check()` (awaited) is true; fails after `timeout`."""
    start = time.monotonic()
    while not await check():
        assert time.monotonic() - start < timeout, "not in time"
        await asyncio.sleep(0.02)
    return time.monotonic() - start


def recording(rounds: list, seconds: float = 0.0, fail: bool = False):
    async def run(settings, site):
        rounds.append(settings)
        if seconds:
            await asyncio.sleep(seconds)
        if fail:
            raise RuntimeError("the source is down")
    return run


async def test_of_many_processes_taking_a_lease_at_once_exactly_one_wins(site):
    """The missing row (INSERT) and the expired one (conditional UPDATE), each raced by 12 holders at once
    (on PostgreSQL, on as many connections)."""
    for round_ in range(2):
        won = await asyncio.gather(*(leases.take("raced", f"h{round_}-{i}", 30) for i in range(12)))
        assert won.count(True) == 1, won
        await JobLease.filter(name="raced").update(expires_at=utcnow() - timedelta(seconds=1))


async def test_two_processes_run_each_round_once(site):
    a_rounds, b_rounds, running = [], [], []

    async def run(settings, site_):
        running.append(1)
        assert len(running) == 1, "two rounds at once"
        await asyncio.sleep(0.05)
        running.pop()

    def job(rounds):
        async def counted(settings, site_):
            rounds.append(1)
            await run(settings, site_)
        return tasks.Job("shared", counted, lambda s: 0.3)

    a, b = supervisor(site, job(a_rounds), "a"), supervisor(site, job(b_rounds), "b")
    a.start()
    b.start()
    await asyncio.sleep(2.2)
    await a.stop()
    await b.stop()
    lease = await JobLease.get(name="shared")
    total = len(a_rounds) + len(b_rounds)
    assert 4 <= total <= 9, (a_rounds, b_rounds)  # one round every 0.3 s, not two
    assert not (a_rounds and b_rounds)  # neither died: the first to take the lease kept it
    assert total - 1 <= lease.runs <= total  # rounds finished (a stop may cut the last one short)
    assert lease.failures == 0 and lease.holder == ""  # both stopped cleanly: released
    assert lease.last_started_at and lease.last_finished_at


async def test_a_dead_holders_job_is_taken_after_its_lease_expires(site):
    a_rounds, b_rounds = [], []
    a = supervisor(site, tasks.Job("dies", recording(a_rounds), lambda s: 0.2), "a")
    b = supervisor(site, tasks.Job("dies", recording(b_rounds), lambda s: 0.2), "b")
    a.start()
    await wait_until(lambda: _holder("dies", "a"))
    b.start()
    await asyncio.sleep(0.5)
    kill(a)
    taken = await wait_until(lambda: _holder("dies", "b"))
    await asyncio.sleep(0.3)
    await b.stop()
    assert 0.25 < taken < LEASE + 0.75, taken  # not before the lease expired, within one lease period after
    assert a_rounds and b_rounds
    assert (await JobLease.get(name="dies")).runs >= len(a_rounds) + len(b_rounds) - 2  # (a round cut short)


async def test_a_clean_stop_hands_the_job_over_at_once(site):
    a = supervisor(site, tasks.Job("handed", recording([]), lambda s: 0.2), "a", lease=2)
    b_rounds = []
    b = supervisor(site, tasks.Job("handed", recording(b_rounds), lambda s: 0.2), "b", lease=2)
    a.start()
    await wait_until(lambda: _holder("handed", "a"))
    b.start()
    await a.stop()
    taken = await wait_until(lambda: _holder("handed", "b"))
    await b.stop()
    assert taken < 1.0, taken  # at b's next look (every 0.5 s), not when the 2 s lease would have expired


async def test_a_round_longer_than_the_lease_keeps_it(site):
    a_rounds, b_rounds = [], []
    a = supervisor(site, tasks.Job("long", recording(a_rounds, seconds=2.5 * LEASE), lambda s: 60), "a")
    b = supervisor(site, tasks.Job("long", recording(b_rounds), lambda s: 60), "b")
    a.start()
    await wait_until(lambda: _holder("long", "a"))
    b.start()
    await wait_until(lambda: _finished("long"), timeout=3 * LEASE + 2)
    await a.stop()
    await b.stop()
    assert len(a_rounds) == 1 and not b_rounds  # renewed while it ran: b never took it


async def test_a_round_whose_lease_was_taken_stops_and_leaves_the_row_alone(site):
    """A holder that could not renew in time (a stalled machine) finds another holding the job: it stops
    its round rather than run beside the new holder's, and writes nothing in the new holder's row."""
    finished = []

    async def long(settings, site_):
        await asyncio.sleep(3 * LEASE)
        finished.append(1)

    a = supervisor(site, tasks.Job("stolen", long, lambda s: 60), "a")
    a.start()
    await wait_until(lambda: _holder("stolen", "a"))
    await JobLease.filter(name="stolen").update(holder="b", expires_at=utcnow() + timedelta(minutes=5))
    await asyncio.sleep(LEASE / 4 + 0.3)
    assert "round:stolen" not in {t.get_name() for t in asyncio.all_tasks()}  # stopped at the next renewal
    await a.stop()
    row = await JobLease.get(name="stolen")
    assert not finished and row.holder == "b" and row.runs == 0 and row.failures == 0


async def test_a_failing_job_backs_off_is_counted_and_never_stops_another(site):
    bad, good = [], []
    sup = tasks.Supervisor(site.settings.replace(job_lease_seconds=LEASE), build_site([Area("test", jobs=(
        tasks.Job("bad", recording(bad, fail=True), lambda s: 0.05, max_backoff=0.4),
        tasks.Job("good", recording(good), lambda s: 0.05)))]), holder="a")
    sup.start()
    await asyncio.sleep(1.5)
    await sup.stop()
    failing = await JobLease.get(name="bad")
    assert failing.failures == failing.runs == len(bad) and "the source is down" in failing.last_error
    assert 3 <= len(bad) <= 7, bad  # 0.1, 0.2, 0.4, 0.4... s apart, not every 0.05 s
    assert len(good) > 2 * len(bad)
    assert (await JobLease.get(name="good")).failures == 0


async def test_nudge_runs_the_next_round_at_once(site):
    rounds = []
    sup = supervisor(site, tasks.Job("slow", recording(rounds), lambda s: 3600), "a")
    sup.start()
    tasks.set_current(sup)
    try:
        await wait_until(lambda: _count(rounds, 1))
        tasks.nudge("slow")
        waited = await wait_until(lambda: _count(rounds, 2))
    finally:
        tasks.set_current(None)
        await sup.stop()
    assert waited < 1.0 and len(rounds) == 2


async def _holder(name: str, holder: str) -> bool:
    return await JobLease.filter(name=name, holder=holder).exists()


async def _finished(name: str) -> bool:
    return await JobLease.filter(name=name, runs__gte=1).exists()


async def _count(rounds: list, n: int) -> bool:
    return len(rounds) >= n
