"""The API does what its OpenAPI document says, checked by a third-party fuzzer (schemathesis).

A real `sns serve` and schemathesis' own command line, as a city's partner would run it against
/api/v1/openapi.json: its examples, coverage, fuzzing and stateful phases (following the document's
links from what creates a record to what reads, changes and deletes it), as a resident, a staff member
and a visitor. No server error, no status or content type the document does not list, no answer
outside its schema, no request that breaks the document accepted, and none that keeps to it refused
(except for the reasons an operation lists in `x-refuses`: tests/api/contract_checks.py).

The contract is the same on both databases: this runs in the SQLite pass of .ci/test only.
`SNS_CONTRACT_EXAMPLES` and `SNS_CONTRACT_SEED` widen or vary a run by hand.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from browser.live import LiveServer
from multi.cities import migrated_database

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    bool(os.environ.get("SNS_TEST_DATABASE_URL")), reason="the API contract is checked on SQLite only")]

HERE = Path(__file__).parent
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
EXAMPLES = os.environ.get("SNS_CONTRACT_EXAMPLES", "12")
SEED = os.environ.get("SNS_CONTRACT_SEED", "20261206")
# Every check schemathesis has, but its positive_data_acceptance gives way to ours (contract_checks.py).
CHECKS = ["--checks", "all", "--exclude-checks", "positive_data_acceptance"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("contract")
    live = LiveServer(data, migrated_database(data))
    live.extra_env = {"SNS_POSTS_PER_10MIN": "100000", "SNS_ORIGIN": "contract.test"}
    for name, role in (("rika", "resident"), ("shoji", "staff")):
        live.create_user(name, role)
    live.start()
    yield live
    live.stop()


def token(server: LiveServer, username: str) -> str:
    return server.sns("token", "create", username).strip().splitlines()[-1]


CALLERS = {"resident": "rika", "staff": "shoji", "visitor": None}


def test_the_api_keeps_to_its_document(server, tmp_path):
    """The three callers' runs go side by side (the server serves them all at once, as it would)."""
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "contract_checks",
           "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    runs = {}
    for who, username in CALLERS.items():
        headers = ["-H", f"Authorization: Bearer {token(server, username)}"] if username else []
        (tmp_path / who).mkdir()
        runs[who] = subprocess.Popen(
            [str(SCHEMATHESIS), "run", f"{server.url}/api/v1/openapi.json", *CHECKS, *headers,
             "--phases", "examples,coverage,fuzzing,stateful", "--max-examples", EXAMPLES, "--seed", SEED,
             "--workers", "1", "--request-timeout", "20", "--no-color"],
            cwd=tmp_path / who, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    reports = {who: run.communicate(timeout=600)[0] for who, run in runs.items()}
    for who, report in reports.items():
        assert "Operations:" in report and "Tested:" in report, (who, report[-3000:])
    failed = {who: report[-12000:] for who, report in reports.items() if runs[who].returncode != 0}
    assert not failed, "\n\n".join(f"=== as a {who}\n{report}" for who, report in failed.items())
