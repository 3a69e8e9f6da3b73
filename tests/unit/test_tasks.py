"""The supervisor of background jobs: a failing job is retried with back-off and never stops another."""

import asyncio

from sns import tasks
from sns.areas import Area, build_site
from sns.settings import Settings


async def test_a_failing_job_is_retried_and_never_stops_another():
    calls = {"bad": 0, "good": 0}
    bad_times = []

    async def bad(settings, site):
        calls["bad"] += 1
        bad_times.append(asyncio.get_running_loop().time())
        raise RuntimeError("the source is down")

    async def good(settings, site):
        calls["good"] += 1

    site = build_site([Area("test", jobs=(tasks.Job("bad", bad, lambda s: 0.01, max_backoff=0.2),
                                          tasks.Job("good", good, lambda s: 0.01)))])
    supervisor = tasks.Supervisor(Settings(), site)
    supervisor.start()
    await asyncio.sleep(0.5)
    await supervisor.stop()
    # The bad one backed off (0.02, 0.04, 0.08, 0.16, then 0.2 s at most) instead of spinning; a busy
    # machine only stretches the pauses. The good one kept its own pace meanwhile.
    gaps = [b - a for a, b in zip(bad_times, bad_times[1:])]
    assert len(gaps) >= 2
    for i, gap in enumerate(gaps):
        assert gap >= min(0.2, 0.01 * 2 ** (i + 1)) * 0.9, gaps
    assert calls["good"] > calls["bad"]


async def test_nudge_runs_the_next_round_at_once():
    ran = asyncio.Event()
    rounds = []

    async def job(settings, site):
        rounds.append(1)
        if len(rounds) == 2:
            ran.set()

    site = build_site([Area("test", jobs=(tasks.Job("slow", job, lambda s: 3600),))])
    supervisor = tasks.Supervisor(Settings(), site)
    supervisor.start()
    tasks.set_current(supervisor)
    try:
        await asyncio.sleep(0.05)
        tasks.nudge("slow")
        await asyncio.wait_for(ran.wait(), timeout=2)
    finally:
        tasks.set_current(None)
        await supervisor.stop()
    assert len(rounds) == 2
