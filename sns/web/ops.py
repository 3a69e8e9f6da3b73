"""What a load balancer and a monitoring system ask (docs/monitoring.md): `/healthz`, `/readyz`, `/metrics`.

All three are cheap, never cached (`Cache-Control: no-store`, and no page cache is given their paths),
read no session and write no cookie; they are GET-only, so CSRF never applies.

- `/healthz`: the process answers (no database): a load balancer restarts what fails it.
- `/readyz`: the database answers, the live-events broker is connected and the job leases can be read;
  503 with a JSON body naming what failed otherwise (a load balancer stops sending requests here).
  A job whose lease expired long ago is a warning in the answer, not a failure: this machine can serve.
- `/metrics`: Prometheus text, only to the addresses in `metrics_allow` (others get the ordinary 404
  page): the per-request and per-query values of sns/metrics.py (summed over workers), and what is read
  from the database once per scrape, in a few queries (jobs, mail outbox, CAP sources, neighbours,
  moderation queue).
"""

from __future__ import annotations

import asyncio
import inspect
import ipaddress
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from tortoise import connections
from tortoise.functions import Count

from sns import events, metrics
from sns.mirror import replicas
from sns.mirror.status import PeerStatus, peer_status
from sns.models import CapSource, JobLease, OutboxMail, Peer
from sns.models.base import utcnow
from sns.services.review import waiting_count

log = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}
CHECK_SECONDS = 3.0  # a check that takes longer has failed (a load balancer waits for the answer)


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok\n", headers=NO_STORE)


# --- /readyz ---------------------------------------------------------------------------------------------

async def _check_database() -> None:
    await connections.get("default").execute_query("SELECT 1")


def _check_events() -> None:
    if not events.connected():
        raise ConnectionError("the live-events broker is not connected")


def stale_jobs(leases: list[JobLease], jobs: set[str], lease_seconds: int, now: datetime) -> list[str]:
    """Jobs of this site whose lease expired more than two lease periods ago: no process runs them."""
    late = now - timedelta(seconds=2 * lease_seconds)
    return sorted(lease.name for lease in leases if lease.name in jobs and lease.expires_at < late)


async def _check(name: str, check, failed: dict[str, str]):
    """Run one check within CHECK_SECONDS; a failure is noted by the exception's kind only (the load
    balancer's answer is public; the detail goes to the log)."""
    try:
        result = check()
        return await asyncio.wait_for(result, CHECK_SECONDS) if inspect.isawaitable(result) else result
    except Exception as exc:
        log.warning("readiness check %s failed: %r", name, exc)
        failed[name] = type(exc).__name__ if not isinstance(exc, asyncio.TimeoutError) else "timeout"
        return None


async def readyz(request: Request) -> Response:
    settings, site = request.app.state.settings, request.app.state.site
    failed: dict[str, str] = {}
    _, _, leases = await asyncio.gather(  # at once: the answer comes within one CHECK_SECONDS
        _check("database", _check_database, failed), _check("events", _check_events, failed),
        _check("jobs", lambda: JobLease.all(), failed))
    warnings = [f"job {name}: its lease expired more than two lease periods ago"
                for name in stale_jobs(leases or [], set(site.jobs), settings.job_lease_seconds, utcnow())]
    body = {"ready": not failed, "failed": sorted(failed), "errors": failed, "warnings": warnings}
    return JSONResponse(body, status_code=503 if failed else 200, headers=NO_STORE)


# --- /metrics --------------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def allowed_networks(spec: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """`metrics_allow`, parsed once per value (a bad entry is skipped with a warning, not fatal)."""
    networks = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            log.warning("metrics_allow: %r is no address or network; ignored", part)
    return tuple(networks)


def may_scrape(client_host: str | None, spec: str) -> bool:
    try:
        address = ipaddress.ip_address(client_host or "")
    except ValueError:
        return False
    return any(address in network for network in allowed_networks(spec))


@dataclass
class Snapshot:
    """What the database says at scrape time, read once (a few queries) and written out as gauges."""

    at: datetime
    database_up: bool = True
    jobs: list[JobLease] = field(default_factory=list)
    outbox: dict[str, int] = field(default_factory=dict)
    cap_sources: list[CapSource] = field(default_factory=list)
    peers: list[tuple[Peer, PeerStatus | None]] = field(default_factory=list)  # (peer, its status if held)
    moderation_queue: int = 0


async def _status(settings, peer: Peer) -> PeerStatus | None:
    """What the mirror's status page shows of a neighbour (entries behind, lag), when its replica exists:
    a scrape never makes one (None: not known)."""
    if not await replicas.exists(settings, peer.origin):
        return None
    return await peer_status(settings, peer)


async def read_snapshot(settings) -> Snapshot:
    snap = Snapshot(at=utcnow())
    try:
        snap.jobs = await JobLease.all().order_by("name")
        rows = await OutboxMail.annotate(n=Count("id")).group_by("state").values("state", "n")
        snap.outbox = {"queued": 0, **{row["state"]: row["n"] for row in rows}}
        snap.cap_sources = await CapSource.filter(enabled=True).order_by("label")
        snap.peers = [(p, await _status(settings, p)) for p in await Peer.exclude(state="removed")]
        snap.moderation_queue = await waiting_count()
    except Exception:
        log.exception("metrics: could not read the database")
        snap.database_up = False
    return snap


def _age(now: datetime, since: datetime | None, fallback: datetime) -> float:
    return max(0.0, (now - (since or fallback)).total_seconds())


def snapshot_families(snap: Snapshot) -> list:
    now = snap.at
    up = GaugeMetricFamily("sns_database_up", "1 when the scrape could read the database")
    up.add_metric([], 1 if snap.database_up else 0)
    runs = CounterMetricFamily("sns_job_runs", "Rounds a background job has run (any process)", labels=["job_name"])
    failures = GaugeMetricFamily("sns_job_failures", "A job's failed rounds in a row (0: the last one worked)",
                                 labels=["job_name"])
    finished = GaugeMetricFamily("sns_job_last_finished_age_seconds", "Seconds since a job's last round ended",
                                 labels=["job_name"])
    for job in snap.jobs:
        runs.add_metric([job.name], job.runs)
        failures.add_metric([job.name], job.failures)
        if job.last_finished_at is not None:
            finished.add_metric([job.name], _age(now, job.last_finished_at, now))
    outbox = GaugeMetricFamily("sns_mail_outbox", "Mails in the outbox, by state", labels=["state"])
    for state, count in sorted(snap.outbox.items()):
        outbox.add_metric([state], count)
    cap_age = GaugeMetricFamily("sns_cap_source_success_age_seconds", "Seconds since a CAP source was last "
                                "polled successfully (never: since it was added)", labels=["source", "id"])
    cap_failing = GaugeMetricFamily("sns_cap_source_failing", "1 when a CAP source's last poll failed",
                                    labels=["source", "id"])
    for source in snap.cap_sources:
        cap_age.add_metric([source.label, source.id], _age(now, source.last_success_at, source.created_at))
        failing = source.last_error_at is not None and (
            source.last_success_at is None or source.last_error_at > source.last_success_at)
        cap_failing.add_metric([source.label, source.id], 1 if failing else 0)
    pull_age = GaugeMetricFamily("sns_mirror_pull_age_seconds", "Seconds since a neighbour was last pulled "
                                 "successfully (never: since it was added)", labels=["peer"])
    behind = GaugeMetricFamily("sns_mirror_entries_behind", "Journal entries a neighbour has that we do not "
                               "hold yet (as it last told us)", labels=["peer"])
    pull_failures = GaugeMetricFamily("sns_mirror_pull_failures", "Failed pulls of a neighbour in a row",
                                      labels=["peer"])
    lag = GaugeMetricFamily("sns_mirror_lag_seconds", "How old the newest change of a neighbour that we do not "
                            "hold yet is (0: caught up), as on the mirror's status page", labels=["peer"])
    for peer, status in snap.peers:
        pull_age.add_metric([peer.origin], _age(now, peer.last_ok_at, peer.added_at))
        pull_failures.add_metric([peer.origin], peer.failures)
        if status is not None:
            behind.add_metric([peer.origin], status.behind)
            if status.lag_seconds is not None:
                lag.add_metric([peer.origin], status.lag_seconds)
    queue = GaugeMetricFamily("sns_moderation_queue", "Flags waiting for a moderator")
    queue.add_metric([], snap.moderation_queue)
    return [up, runs, failures, finished, outbox, cap_age, cap_failing, pull_age, behind, lag, pull_failures, queue]


class _Families:
    """A one-shot collector: the snapshot's families, for `generate_latest`."""

    def __init__(self, families: list) -> None:
        self.families = families

    def collect(self):
        return iter(self.families)


def snapshot_text(snap: Snapshot) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(snapshot_families(snap)))
    return generate_latest(registry)


async def metrics_page(request: Request) -> Response:
    settings = request.app.state.settings
    if not may_scrape(request.client.host if request.client else None, settings.metrics_allow):
        raise HTTPException(404)
    snap = await read_snapshot(settings)
    body = metrics.exposition() + snapshot_text(snap)
    return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4, headers=NO_STORE)


ROUTES: list[Route] = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/metrics", metrics_page, methods=["GET"]),
]
