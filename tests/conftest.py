import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher

import sns.security

sys.path.insert(0, str(Path(__file__).parent))

from fixtures import drop_databases, make_site, redis_server, smtp_server  # noqa: E402

# Argon2id at its cheapest for the sites that run inside this process: the suite makes and signs in
# over a thousand accounts, and at the library's recommended cost (64 MiB, 3 passes, 4 lanes) each hash
# takes 0.1-0.9 s of a shared machine. Still argon2id and still checked; `sns` processes that the tests
# start (browser, several-process and command tests) hash at the production cost, which
# tests/test_cli.py checks on a hash made by `sns user create`.
sns.security._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
sns.security._DUMMY_HASH = sns.security._hasher.hash("unknown username")


@pytest.hookimpl(trylast=True)  # after the session's fixtures (the browser tests' server) are torn down
def pytest_sessionfinish(session):
    """The PostgreSQL databases this run made are dropped (each module makes one or more)."""
    drop_databases()


@pytest.fixture(scope="module")
async def site(tmp_path_factory):
    async with make_site(tmp_path_factory.mktemp("site")) as s:
        yield s


@pytest.fixture(scope="module")
def smtp():
    """A real SMTP server (aiosmtpd) on a loopback port: (controller, inbox)."""
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="session")
def redis_url():
    """One real redis-server for the whole run, started the first time a test asks (tests keep their keys
    apart by what they name them, or flush the database number they use)."""
    with redis_server() as url:
        yield url
