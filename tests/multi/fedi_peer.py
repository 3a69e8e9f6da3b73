"""The bovine-based fediverse peer (tests/fediverse_peer) as a child process for the tests: it runs with the
python of its own virtual environment (`.venv-fediverse`, made by .ci/env), because bovine and the city's
webauthn need different versions of cryptography. The test drives it over HTTP (its /control/ API)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from fixtures import ChildServer, free_port, wait_until_answering

ROOT = Path(__file__).resolve().parents[2]
PEER_PYTHON = Path(os.environ.get("SNS_FEDIVERSE_VENV") or ROOT / ".venv-fediverse") / "bin" / "python"


def peer_python() -> Path:
    """The peer's python, or skip: only a missing peer environment skips (.ci/env makes it, so CI never does)."""
    if not PEER_PYTHON.exists():
        pytest.skip(f"the fediverse peer's environment is missing ({PEER_PYTHON}): make it as .ci/test does, "
                    "with bash -c '. .ci/env test && make_fediverse_venv'")
    return PEER_PYTHON


class PeerProcess(ChildServer):
    """`python -m sns_fediverse_peer serve` on a loopback port, in its own working directory."""

    def __init__(self, workdir: Path, name: str = "peer") -> None:
        self.workdir, self.name = workdir, name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.actor = f"{self.url}/users/{name}"
        self.handle = f"{name}@127.0.0.1:{self.port}"
        self.log = workdir / "peer.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(peer_python()), "-m", "sns_fediverse_peer", "serve", "--port", str(self.port),
                 "--state", str(self.workdir / "state.json"), "--name", self.name],
                cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        try:
            wait_until_answering(self.process, self.url + "/control/state", "the peer", self.tail, timeout)
        except RuntimeError:
            self.stop()
            raise

    def tail(self, lines: int = 60) -> str:
        return super().tail(lines)

    def control(self, what: str, **asked) -> dict:
        answer = httpx.post(f"{self.url}/control/{what}", json=asked, timeout=60, trust_env=False)
        assert answer.status_code == 200, (answer.status_code, answer.text, self.tail())
        return answer.json()

    def state(self) -> dict:
        return httpx.get(self.url + "/control/state", timeout=10, trust_env=False).json()

    def received(self) -> list[dict]:
        """Every inbox post that arrived, oldest first: {"path", "verified", "signer", "activity", ...}."""
        return self.state()["received"]

    def follow(self, handle: str) -> dict:
        return self.control("follow", handle=handle)

    def send(self, kind: str, inbox: str, **more) -> dict:
        """One crafted post (sns_fediverse_peer/crafted.py): answers {"status", "text", "activity_id"}."""
        return self.control("send", kind=kind, inbox=inbox, **more)


def verify_actors(workdir: Path, *actor_uris: str, timeout: float = 15) -> list[dict]:
    """fediverse-pasture's actor verifier, run once over the actors (sns_fediverse_peer/verifier.py)."""
    workdir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([str(peer_python()), "-m", "sns_fediverse_peer", "verify-actor", "--port", str(free_port()),
                           "--workdir", str(workdir), "--timeout", str(timeout), *actor_uris],
                          cwd=workdir, capture_output=True, text=True, timeout=120 + 60 * len(actor_uris))
    assert done.returncode == 0, done.stdout + done.stderr[-5000:]
    return json.loads(done.stdout)
