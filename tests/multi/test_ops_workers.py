"""`sns serve --workers 2` with `log_format = "json"`: requests that both workers answered are all counted in
one scrape of /metrics (whichever worker answers it), and every line the server logs is a JSON object."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from browser.live import POSTGRES_HALF, LiveServer, migrated_database

pytestmark = [pytest.mark.slow, POSTGRES_HALF]
ROUNDS, PER_ROUND = 5, 40


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("ops-workers")
    live = LiveServer(data, migrated_database(data))  # `sns serve` makes the keys itself
    live.extra_env = {"SNS_LOG_FORMAT": "json"}
    try:
        live.start(workers=2)
        yield live
    finally:
        live.stop()


def _healthz(url: str) -> int:
    """One request on a connection of its own, so that the kernel may hand it to either worker."""
    with httpx.Client(trust_env=False, timeout=10) as client:
        return client.get(url + "/healthz").status_code


def _log_lines(server: LiveServer) -> list[dict]:
    lines = [line for line in server.log.read_text().splitlines() if line.strip()]
    assert lines
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not a JSON line: {line!r}") from None
    return parsed


def _healthz_pids(server: LiveServer) -> set[int]:
    return {line["pid"] for line in _log_lines(server) if line.get("path") == "/healthz"}


def test_both_workers_are_counted_in_one_scrape_and_every_log_line_is_json(server):
    sent = 0
    with ThreadPoolExecutor(8) as pool:
        for _ in range(ROUNDS):  # until both workers have answered some (the kernel decides who accepts)
            assert set(pool.map(_healthz, [server.url] * PER_ROUND)) == {200}
            sent += PER_ROUND
            if len(_healthz_pids(server)) == 2:
                break
    assert len(_healthz_pids(server)) == 2, "one worker answered every request"
    for _ in range(3):  # any worker's scrape sums both
        text = httpx.get(server.url + "/metrics", trust_env=False, timeout=10).text
        found = re.search(r'^sns_http_requests_total\{method="GET",route="/healthz",status="2xx"\} (\S+)$', text, re.M)
        assert found and float(found.group(1)) == sent, text[:2000]
    access = [line for line in _log_lines(server) if line.get("path") == "/healthz"]
    assert len(access) == sent
    line = access[0]
    assert line["logger"] == "uvicorn.access" and line["method"] == "GET" and line["status"] == 200
    assert line["client"].startswith("127.0.0.1") and line["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"]) and line["level"] == "INFO"
