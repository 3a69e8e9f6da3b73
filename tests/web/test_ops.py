"""What operators ask of a running site: /healthz, /readyz (and its 503 naming what failed), /metrics (only
to `metrics_allow`), and the per-request, per-query and scrape-time values it shows."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from fixtures import free_port, make_settings
from sns.app import create_app
from sns.models import JobLease, OutboxMail
from sns.models.base import utcnow

BAD = "What a fucking mess at the station"


def value(text: str, name: str, **labels) -> float:
    """One sample of a scrape (0 when absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))  # as prometheus-client writes them
    pattern = rf"^{re.escape(name)}{re.escape('{' + want + '}') if labels else ''} (\S+)$"
    found = re.search(pattern, text, re.M)
    return float(found.group(1)) if found else 0.0


async def scrape(site) -> str:
    response = await site.client().get("/metrics")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return response.text


async def test_healthz_answers_without_a_session(site):
    response = await site.client().get("/healthz")
    assert response.status_code == 200 and response.text == "ok\n"
    assert "set-cookie" not in response.headers and response.headers["cache-control"] == "no-store"


async def test_readyz_is_ready_when_database_broker_and_jobs_answer(site):
    response = await site.client().get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {"ready": True, "failed": [], "errors": {}, "warnings": []}
    assert "set-cookie" not in response.headers and response.headers["cache-control"] == "no-store"


async def test_a_job_nobody_runs_is_a_warning_not_a_failure(site):
    name = next(iter(site.app.state.site.jobs))
    await JobLease.create(name=name, holder="gone:1:x", expires_at=utcnow() - timedelta(hours=1), runs=3)
    try:
        response = await site.client().get("/readyz")
        assert response.status_code == 200
        assert response.json()["warnings"] == [f"job {name}: its lease expired more than two lease periods ago"]
        text = await scrape(site)
        assert value(text, "sns_job_runs_total", job_name=name) == 3
        assert value(text, "sns_job_failures", job_name=name) == 0
    finally:
        await JobLease.filter(name=name).delete()


async def test_metrics_count_requests_by_route_template(site):
    client = site.client()
    for _ in range(3):
        assert (await client.get("/diaries/0193aaaa-0000-7000-8000-00000000dead")).status_code == 404
    await client.get("/no/such/place/x9q")
    await client.get("/")  # the visitors' cached front page counts too (twice: the second from the cache)
    await client.get("/")
    text = await scrape(site)
    assert value(text, "sns_http_requests_total", route="/diaries/{id}", method="GET", status="4xx") >= 3
    assert value(text, "sns_http_requests_total", route="/", method="GET", status="2xx") >= 2
    assert value(text, "sns_http_requests_total", route="(unmatched)", method="GET", status="4xx") >= 1
    assert "0193aaaa" not in text and "x9q" not in text  # never the raw path
    assert value(text, "sns_http_request_duration_seconds_count", route="/diaries/{id}", method="GET") >= 3
    assert value(text, "sns_db_query_duration_seconds_count") > 0
    assert value(text, "sns_database_up") == 1
    # a scrape sees the one before it: nothing is kept and served again
    again = await scrape(site)
    assert value(again, "sns_http_requests_total", route="/metrics", method="GET", status="2xx") \
        == value(text, "sns_http_requests_total", route="/metrics", method="GET", status="2xx") + 1


async def test_outbox_depth_and_moderation_queue_at_scrape_time(site):
    before = await scrape(site)
    await OutboxMail.create(message_id="<ops-test@test.example>", to_addr="someone@example.org",
                            subject="Hello", body="Hi")
    await site.user("grumpy")
    writer = site.client()
    await writer.login("grumpy")
    response = await writer.submit("/diaries/new", {"title": "Station", "body": BAD, "visibility": "public"})
    assert response.status_code == 303
    after = await scrape(site)
    assert value(after, "sns_mail_outbox", state="queued") == value(before, "sns_mail_outbox", state="queued") + 1
    assert value(after, "sns_moderation_queue") == value(before, "sns_moderation_queue") + 1


async def test_cap_sources_and_neighbours_at_scrape_time(site):
    from sns.models import CapSource, Peer

    now = utcnow()
    ok = await CapSource.create(url="https://ok.example/cap.xml", label="Prefecture", last_success_at=now)
    bad = await CapSource.create(url="https://bad.example/cap.xml", label="River office",
                                 last_success_at=now - timedelta(hours=2), last_error_at=now - timedelta(hours=1),
                                 last_error="timeout")
    await Peer.create(origin="bville.example", url="https://bville.example", fingerprint="f" * 64,
                      public_key="k" * 43, last_ok_at=now - timedelta(minutes=5), failures=2)
    text = await scrape(site)
    assert value(text, "sns_cap_source_failing", id=ok.id, source="Prefecture") == 0
    assert value(text, "sns_cap_source_failing", id=bad.id, source="River office") == 1
    assert 7100 < value(text, "sns_cap_source_success_age_seconds", id=bad.id, source="River office") < 7300
    assert 290 < value(text, "sns_mirror_pull_age_seconds", peer="bville.example") < 400
    assert value(text, "sns_mirror_pull_failures", peer="bville.example") == 2
    assert "sns_mirror_entries_behind{" not in text  # no replica of it yet: not known


async def test_statements_in_transactions_are_timed_too(site):
    from prometheus_client import REGISTRY
    from tortoise.transactions import in_transaction

    before = REGISTRY.get_sample_value("sns_db_query_duration_seconds_count")
    async with in_transaction() as tx:
        await tx.execute_query("SELECT 1")
        async with in_transaction() as nested:  # a savepoint: a wrapper of its own
            await nested.execute_query("SELECT 1")
    assert REGISTRY.get_sample_value("sns_db_query_duration_seconds_count") == before + 2


async def test_an_open_live_stream_is_counted_until_it_ends():
    from prometheus_client import REGISTRY
    from sns.metrics import counted_stream

    async def stream():
        yield "retry: 3000\n\n"
        yield ": still here\n\n"

    before = REGISTRY.get_sample_value("sns_live_streams")
    opened = counted_stream(stream())
    assert await opened.__anext__() == "retry: 3000\n\n"
    assert REGISTRY.get_sample_value("sns_live_streams") == before + 1
    await opened.aclose()  # the page went away
    assert REGISTRY.get_sample_value("sns_live_streams") == before


async def test_an_unhandled_exception_is_counted_as_an_error_of_its_route():
    from prometheus_client import REGISTRY
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import Route

    from sns.metrics import RequestMetrics

    async def boom(request):
        raise RuntimeError("a bug")

    app = Starlette(routes=[Route("/boom/{n}", boom)], middleware=[Middleware(RequestMetrics)])
    labels = {"route": "/boom/{n}", "method": "GET", "status": "5xx"}
    before = REGISTRY.get_sample_value("sns_http_requests_total", labels) or 0
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test.example") as client:
        assert (await client.get("/boom/7")).status_code == 500
    assert REGISTRY.get_sample_value("sns_http_unhandled_exceptions_total", {"route": "/boom/{n}"}) == 1
    assert REGISTRY.get_sample_value("sns_http_requests_total", labels) == before + 1


async def test_metrics_are_refused_with_the_ordinary_404_page_elsewhere(site):
    transport = httpx.ASGITransport(app=site.app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test.example") as stranger:
        refused = await stranger.get("/metrics")
        missing = await stranger.get("/no-such-page")
    assert refused.status_code == 404 and "sns_http" not in refused.text
    assert refused.headers["content-type"].startswith("text/html")
    assert refused.text.replace("/metrics", "") == missing.text.replace("/no-such-page", "")  # (the language form)


async def test_page_caches_never_keep_metrics_or_readyz(site):
    from sns.app import READER_PAGES, VISITOR_PAGES

    for path in ("/metrics", "/readyz", "/healthz"):
        assert path not in VISITOR_PAGES and not any(path.startswith(p) for p in READER_PAGES)


@pytest.fixture
async def unreachable_site(tmp_path):
    """A site whose database does not answer (a PostgreSQL address where nothing listens)."""
    settings = await make_settings(tmp_path, database_url=f"postgres://nobody:x@127.0.0.1:{free_port()}/none")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


# last in this module: a second app in this process replaces the live-events broker of the first
async def test_readyz_names_the_database_when_it_does_not_answer(unreachable_site):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=unreachable_site, client=("127.0.0.1", 1)),
                                 base_url="http://test.example") as client:
        response = await client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["ready"] is False and "database" in body["failed"] and "events" not in body["failed"]
        assert (await client.get("/healthz")).status_code == 200  # the process itself is up
        text = (await client.get("/metrics")).text
        assert value(text, "sns_database_up") == 0


def test_a_json_log_line_carries_the_exception():
    import json
    import logging
    import sys

    from sns.logs import JsonFormatter

    try:
        raise ValueError("broken\nacross lines")
    except ValueError:
        record = logging.LogRecord("sns.app", logging.ERROR, __file__, 1, "failed on %s", ("/x",), sys.exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "failed on /x" and parsed["level"] == "ERROR" and parsed["logger"] == "sns.app"
    assert "ValueError: broken" in parsed["exception"] and parsed["time"].endswith("Z")
