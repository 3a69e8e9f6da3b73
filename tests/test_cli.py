"""The `sns` command as an administrator runs it: real processes on a real data directory."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tomllib
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
    first = run(data, "init", "--origin", "cli.test")
    assert first.returncode == 0, first.stderr
    assert 'origin = "cli.test"' in (data / "sns.toml").read_text()  # later commands know the name
    key = (data / "keys" / "secret.key").read_bytes()
    signing = (data / "keys" / "instance.ed25519").read_bytes()
    assert oct((data / "keys" / "secret.key").stat().st_mode & 0o777) == "0o600"
    tables = {r[0] for r in sqlite3.connect(data / "sns.sqlite3").execute(
        "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"users", "diaries", "comments", "journal", "tortoise_migrations"} <= tables

    again = run(data, "init")  # the name is in sns.toml now: not asked again
    assert again.returncode == 0, again.stderr
    assert "cli.test" in again.stderr
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
    # notices near home: one for a district where a demo resident lives, one around a point (sns/demos/notices.py)
    assert db.execute("SELECT count(*) FROM notices n JOIN users u ON u.username = 'taro' WHERE n.scope ="
                      " 'districts' AND n.district_ids LIKE '%' || u.district_id || '%'").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM notices WHERE scope = 'radius'").fetchone()[0] == 1
    assert "demo-password" in first.stdout + first.stderr
    second = run(tmp_path, "demo", "--no-serve")
    assert second.returncode == 0
    assert db.execute("SELECT count(*) FROM diaries").fetchone()[0] == diaries


def test_init_without_an_origin_says_to_name_the_city(tmp_path):
    refused = run(tmp_path, "init")
    assert refused.returncode != 0
    assert "sns init --origin HOST" in refused.stderr
    assert not any(tmp_path.iterdir())  # nothing made


def test_init_with_an_origin_adds_it_to_the_settings_already_there(tmp_path):
    (tmp_path / "sns.toml").write_text("# the city's own settings\nport = 8001\n")
    made = run(tmp_path, "init", "--origin", "SNS.City.Example")
    assert made.returncode == 0, made.stderr
    assert tomllib.loads((tmp_path / "sns.toml").read_text()) == {"origin": "sns.city.example", "port": 8001}
    assert "# the city's own settings\nport = 8001\n" in (tmp_path / "sns.toml").read_text()
    other = run(tmp_path, "init", "--origin", "another.example")  # an origin never changes
    assert other.returncode != 0 and "already names this instance sns.city.example" in other.stderr


@pytest.mark.parametrize("bad", ["https://city.example/", "city example", "city_.example", "-city.example", ""])
def test_init_refuses_a_malformed_host_name(tmp_path, bad):
    refused = run(tmp_path, "init", "--origin", bad)
    assert refused.returncode != 0 and "is not a host name" in refused.stderr
    assert not (tmp_path / "sns.toml").exists()


def test_init_needs_no_origin_when_the_environment_gives_it(tmp_path):
    made = run(tmp_path, "init", env={"SNS_ORIGIN": "env.example"})
    assert made.returncode == 0, made.stderr
    assert "env.example" in made.stderr and not (tmp_path / "sns.toml").exists()


def test_peering_with_an_instance_of_the_same_name_says_which_setting_to_change(data):
    from mirror_peer import neighbour_server

    with neighbour_server(origin="cli.test") as twin:  # made with the same name as `data` (cli.test)
        refused = run(data, "mirror", "add", twin.url, "--fingerprint", twin.fingerprint, env={"COLUMNS": "300"})
    assert refused.returncode != 0
    assert ("That address answers as cli.test, the same name as this instance: each city needs its own origin "
            "(the `origin` setting, set by sns init --origin).") in " ".join(refused.stderr.split())
