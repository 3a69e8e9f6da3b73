"""The `sns` command as an administrator runs it: real processes on a real data directory."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher

SNS = [sys.executable, "-m", "sns"]


def run(data: Path, *args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SNS_") and k != "DATABASE_URL"}
    environ.update(env or {})
    return subprocess.run([*SNS, "--data", str(data), *args], input=stdin, capture_output=True, text=True,
                          env=environ, timeout=120)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


def test_init_creates_the_instance_and_is_safe_to_repeat(data):
    first = run(data, "init")
    assert first.returncode == 0, first.stderr
    key = (data / "keys" / "secret.key").read_bytes()
    signing = (data / "keys" / "instance.ed25519").read_bytes()
    assert oct((data / "keys" / "secret.key").stat().st_mode & 0o777) == "0o600"
    tables = {r[0] for r in sqlite3.connect(data / "sns.sqlite3").execute(
        "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"users", "diaries", "comments", "journal", "tortoise_migrations"} <= tables

    again = run(data, "init")
    assert again.returncode == 0, again.stderr
    assert (data / "keys" / "secret.key").read_bytes() == key  # keys are never replaced
    assert (data / "keys" / "instance.ed25519").read_bytes() == signing


def test_user_create_reads_the_password_from_stdin(data):
    made = run(data, "user", "create", "Mayor", "--role", "admin", stdin="correct horse battery staple\n")
    assert made.returncode == 0, made.stderr
    row = sqlite3.connect(data / "sns.sqlite3").execute(
        "SELECT role, password_hash FROM users WHERE username='mayor'").fetchone()
    assert row[0] == "admin" and row[1].startswith("$argon2id$")
    # At the library's recommended cost (the in-process tests hash at the cheapest: tests/conftest.py).
    recommended = PasswordHasher()
    assert row[1].startswith(f"$argon2id$v=19$m={recommended.memory_cost},t={recommended.time_cost},"
                             f"p={recommended.parallelism}$"), row[1]
    assert "correct horse" not in row[1]

    taken = run(data, "user", "create", "mayor", stdin="another long password\n")
    assert taken.returncode != 0 and "taken" in taken.stderr
    weak = run(data, "user", "create", "newbie", stdin="short\n")
    assert weak.returncode != 0 and "Traceback" not in weak.stderr
    bad_role = run(data, "user", "create", "someone", "--role", "emperor", stdin="a long enough password\n")
    assert bad_role.returncode != 0 and "Traceback" not in bad_role.stderr


def test_token_create_prints_a_usable_secret(data):
    made = run(data, "token", "create", "mayor")
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    assert secret.startswith("sns_") and len(secret) > 20
    stored = [r[0] for r in sqlite3.connect(data / "sns.sqlite3").execute("SELECT token_hash FROM api_tokens")]
    assert stored and secret not in stored  # kept only as a hash
    missing = run(data, "token", "create", "nobody")
    assert missing.returncode != 0 and "nobody" in missing.stderr


def test_demo_seeds_a_town_once(tmp_path):
    first = run(tmp_path, "demo", "--no-serve")
    assert first.returncode == 0, first.stderr
    db = sqlite3.connect(tmp_path / "sns.sqlite3")
    diaries = db.execute("SELECT count(*) FROM diaries").fetchone()[0]
    located = db.execute("SELECT count(*) FROM diaries WHERE lat IS NOT NULL").fetchone()[0]
    photos = db.execute("SELECT count(*) FROM photos").fetchone()[0]
    assert diaries >= 8 and located >= 1 and photos >= 1
    assert "demo-password" in first.stdout + first.stderr
    second = run(tmp_path, "demo", "--no-serve")
    assert second.returncode == 0
    assert db.execute("SELECT count(*) FROM diaries").fetchone()[0] == diaries
