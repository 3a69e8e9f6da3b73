"""Servers the benchmarks start and stop: `sns serve` or a bare baseline, as processes on loopback ports."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A process serving on 127.0.0.1:`port`, its output in benchmarks/out/<log_name>.log."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int, probe: str,
                 log_name: str | None = None) -> None:
        self.name, self.port, self.probe = name, port, probe
        OUT.mkdir(parents=True, exist_ok=True)
        self.log = open(OUT / f"{log_name or name}.log", "w")
        self.proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 300) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.proc.returncode}; see {self.log.name}")
            try:
                httpx.get(f"http://127.0.0.1:{self.port}{self.probe}", timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise SystemExit(f"{self.name} did not start in {timeout} s; see {self.log.name}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
