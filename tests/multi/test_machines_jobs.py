"""Background jobs and mail on a city of two machines (real `sns serve` processes, one PostgreSQL database),
as an operator sees them: each job's rounds run on one machine at a time (the lease row counts them); when
the machine holding a job is killed (SIGKILL), the other takes it within one lease period; a reset mail
written on A while the SMTP server is unreachable survives A's kill -9 and arrives exactly once when the
server comes up; `sns jobs` runs the jobs without serving and hands them over when it is stopped."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time

import asyncpg
import httpx
import pytest
from aiosmtpd.controller import Controller

from browser.live import SNS, wait_for
from fixtures import CSRF_RE, PASSWORD, Inbox, free_port
from multi.machines import city_machines, needs_postgres

pytestmark = [pytest.mark.slow, needs_postgres]
LEASE = 2  # seconds (SNS_JOB_LEASE_SECONDS)
PACE = 1  # seconds between rounds of the alert notices job
MAIL_PACE = 10  # seconds between the mail job's rounds: a mail sent sooner was sent because of its nudge


@pytest.fixture(scope="module")
def smtp_port():
    return free_port()  # nothing listens here until a test starts the SMTP server


@pytest.fixture(scope="module")
def city(tmp_path_factory, smtp_port):
    env = {"SNS_JOB_LEASE_SECONDS": str(LEASE), "SNS_ALERT_NOTICE_SECONDS": str(PACE),
           "SNS_MAIL_OUTBOX_SECONDS": str(MAIL_PACE), "SNS_MAIL_RETRY_SECONDS": "1", "SNS_MAIL_MAX_ATTEMPTS": "50",
           "SNS_SMTP_HOST": "127.0.0.1", "SNS_SMTP_PORT": str(smtp_port)}
    with city_machines(tmp_path_factory.mktemp("jobs"), 2, env=env, start=False) as machines:
        machines[0].sns("user", "create", "forgetful", "--email", "forgetful@example.org", stdin=PASSWORD + "\n")
        for m in machines:
            m.start()
        yield machines


def query(url: str, sql: str, *args) -> list:
    async def run():
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()
    return asyncio.run(run())


def lease(city, name: str):
    rows = query(city[0].database_url, "SELECT holder, runs, failures FROM job_leases WHERE name = $1", name)
    return rows[0] if rows else None


def holder_machine(city, name: str):
    """The machine whose process holds the lease of `name` (holders are "<host>:<pid>:<random>")."""
    row = lease(city, name)
    for m in city:
        if row and m.process is not None and row["holder"].split(":")[1] == str(m.process.pid):
            return m
    return None


def test_each_round_runs_on_one_machine(city):
    wait_for(lambda: holder_machine(city, "alert_notices"), "a machine holds the alert notices job", timeout=15)
    start = lease(city, "alert_notices")["runs"]
    time.sleep(4 * PACE)
    row = lease(city, "alert_notices")
    assert 2 <= row["runs"] - start <= 5, (start, row)  # one round a second in all, not one per machine
    assert row["failures"] == 0
    assert holder_machine(city, "alert_notices") is not None


def test_the_other_machine_takes_a_killed_machines_job_within_a_lease(city):
    holder = wait_for(lambda: holder_machine(city, "alert_notices"), "a holder", timeout=15)
    other = next(m for m in city if m is not holder)
    runs = lease(city, "alert_notices")["runs"]
    holder.kill()
    killed = time.monotonic()
    wait_for(lambda: holder_machine(city, "alert_notices") is other, "the other machine takes the job",
             timeout=LEASE * 3, pause=0.05)
    taken = time.monotonic() - killed
    wait_for(lambda: lease(city, "alert_notices")["runs"] > runs, "a round on the other machine", timeout=5)
    holder.start()  # back for the next test
    assert taken <= LEASE + LEASE / 4 + 1.0, taken  # expiry, plus the next look, plus a shared machine's slack


@pytest.fixture(scope="module")
def inbox(smtp_port):
    """The SMTP server, started by the first test that wants it up (until then nothing listens)."""
    inbox = Inbox()
    inbox.server = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    yield inbox
    try:
        inbox.server.stop()
    except AssertionError:  # never started
        pass


def ask_reset(machine, who: str = "forgetful@example.org") -> None:
    with httpx.Client(base_url=machine.url, trust_env=False, timeout=10) as browser:
        csrf = CSRF_RE.search(browser.get("/password/forgot").text).group(1)
        answer = browser.post("/password/forgot", data={"who": who, "csrf_token": csrf})
        assert answer.status_code in (200, 303), answer.text[:500]


def test_a_reset_mail_survives_a_kill_and_arrives_once_when_smtp_is_up(city, inbox):
    a = city[0]
    ask_reset(a)
    queued = wait_for(lambda: query(a.database_url, "SELECT id FROM mail_outbox WHERE to_addr = 'forgetful@example.org'"),
                      "the mail in the outbox", timeout=5)
    wait_for(lambda: query(a.database_url, "SELECT 1 FROM mail_outbox WHERE attempts > 0"), "a try that failed",
             timeout=10)
    a.kill()
    a.start()
    inbox.server.start()
    wait_for(lambda: inbox.messages, "the reset mail", timeout=45)  # its back-off, then the job's next round
    time.sleep(2)  # time for a second copy, if anything were to send one
    assert [rcpts for rcpts, _ in inbox.messages] == [["forgetful@example.org"]]
    assert "/password/reset/" in inbox.messages[0][1].get_content()
    (row,) = query(a.database_url, "SELECT state, message_id FROM mail_outbox WHERE id = $1", queued[0]["id"])
    assert row["state"] == "sent" and row["message_id"] == inbox.messages[0][1]["Message-ID"]


def test_mail_written_on_one_machine_is_sent_at_once_by_the_machine_holding_the_job(city, inbox):
    sender = wait_for(lambda: holder_machine(city, "mail"), "a machine holds the mail job", timeout=15)
    writer = next(m for m in city if m is not sender)
    last = query(writer.database_url, "SELECT last_started_at FROM job_leases WHERE name = 'mail'")[0][0]
    wait_for(lambda: query(writer.database_url, "SELECT 1 FROM job_leases WHERE name = 'mail' AND "
                           "last_started_at > $1", last), "a round of the mail job", timeout=MAIL_PACE + 2)
    before, asked = len(inbox.messages), time.monotonic()
    ask_reset(writer)  # the next round by its pace is about MAIL_PACE away: only the nudge sends it sooner
    wait_for(lambda: len(inbox.messages) > before, "the mail", timeout=MAIL_PACE)
    assert time.monotonic() - asked < MAIL_PACE / 2


def test_sns_jobs_runs_the_jobs_and_hands_them_over_on_sigterm(city):
    """(Last: it leaves both machines stopped.)"""
    a = city[0]
    a.stop()  # a clean stop: its leases are released, b takes them all
    wait_for(lambda: all(holder_machine(city, n) is city[1] for n in ("alert_notices", "mail")), "b holds the jobs",
             timeout=LEASE * 2)
    city[1].stop()
    log = (a.data_dir / "jobs.log").open("ab")
    jobs = subprocess.Popen([str(SNS), "--data", str(a.data_dir), "jobs"], env=a.env, stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: _held_by(city, jobs.pid) >= 3, "sns jobs holds the jobs", timeout=30)
        jobs.send_signal(signal.SIGTERM)
        assert jobs.wait(15) == 0
    finally:
        if jobs.poll() is None:
            jobs.kill()
        log.close()
    assert _held_by(city, jobs.pid) == 0  # released: a web machine would take them at its next look


def _held_by(city, pid: int) -> int:
    rows = query(city[0].database_url, "SELECT holder FROM job_leases WHERE expires_at > now()")
    return sum(1 for r in rows if r["holder"].split(":")[1] == str(pid))
