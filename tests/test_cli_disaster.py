"""`sns disaster start NAME [--drill]` and `sns disaster end`, as an operator (or a benchmark) runs them."""

from __future__ import annotations

import sqlite3

from test_cli import run


def test_start_and_end_from_the_command_line(tmp_path):
    started = run(tmp_path, "disaster", "start", "Benchmark quake", "--drill")
    assert started.returncode == 0, started.stderr
    assert "Started drill: Benchmark quake" in started.stderr
    again = run(tmp_path, "disaster", "start", "Another")
    assert again.returncode == 1 and "already on" in again.stderr
    db = sqlite3.connect(tmp_path / "sns.sqlite3")
    assert db.execute("SELECT name, drill, live FROM disaster_events").fetchall() == [("Benchmark quake", 1, "on")]
    ended = run(tmp_path, "disaster", "end")
    assert ended.returncode == 0 and "Ended drill: Benchmark quake" in ended.stderr
    assert run(tmp_path, "disaster", "end").returncode == 1
    actions = db.execute("SELECT action, actor_id, detail FROM staff_action_log ORDER BY created_at").fetchall()
    assert actions == [("disaster.drill_start", None, "Benchmark quake (command line)"),
                       ("disaster.drill_end", None, "Benchmark quake (command line)")]
