"""`sns alerts poll` and `sns alerts sources` as an administrator runs them: real processes, a real data
directory, real CAP sources on 127.0.0.1."""

from __future__ import annotations

import sqlite3
import uuid

from cap_server import cap, cap_server
from test_cli import run


def add_source(data, url: str, label: str, enabled: bool = True) -> None:
    with sqlite3.connect(data / "sns.sqlite3") as db:
        db.execute("INSERT INTO cap_sources (id, url, label, enabled, created_at, last_error_code, last_error, "
                   "imported, changes, refused, etag, last_modified, seen_links) "
                   "VALUES (?, ?, ?, ?, '2026-12-01 10:00:00+00:00', '', '', 0, 0, 0, '', '', '[]')",
                   (str(uuid.uuid4()), url, label, int(enabled)))


def test_poll_prints_each_source_and_imports_once(tmp_path):
    data = tmp_path / "instance"
    assert run(data, "init", "--origin", "cli.test").returncode == 0
    empty = run(data, "alerts", "poll")
    assert empty.returncode == 0 and "No enabled alert sources" in empty.stderr
    with cap_server() as server:
        server.serve("/ok.cap", cap("CLI-1"))
        server.serve("/broken", b"<html>Bad gateway</html>", status=502, content_type="text/html")
        add_source(data, server.url("/ok.cap"), "Prefecture")
        add_source(data, server.url("/broken"), "Broken desk")
        add_source(data, server.url("/paused.cap"), "Paused desk", enabled=False)
        first = run(data, "alerts", "poll", env={"COLUMNS": "200"})
        second = run(data, "alerts", "poll", env={"COLUMNS": "200"})
        assert server.hits["/paused.cap"] == 0
    assert first.returncode == 1, first.stderr  # a source failed: say so to cron
    lines = {line.split("│")[1].strip(): line for line in first.stdout.splitlines() if line.count("│") > 3}
    assert "ok" in lines["Prefecture"] and "HTTP 502 Bad Gateway" in lines["Broken desk"]
    assert "Paused desk" not in first.stdout and "Traceback" not in first.stderr + second.stderr
    with sqlite3.connect(data / "sns.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM alerts WHERE identifier='CLI-1'").fetchone() == (1,)
        assert db.execute("SELECT imported, last_error FROM cap_sources WHERE label='Prefecture'").fetchone() == (1, "")
    listing = run(data, "alerts", "sources", env={"COLUMNS": "200"})
    assert listing.returncode == 0, listing.stderr
    assert "Prefecture" in listing.stdout and "failing" in listing.stdout and "paused" in listing.stdout
