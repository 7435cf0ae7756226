"""A real `lrtsim serve` on loopback, in a subprocess on a free port, for the API tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

START_TIMEOUT_S = 60.0
RUN_SEED = 7
"""The seed of the Astana run the session shares (conftest's `astana_run`)."""


@dataclass(frozen=True)
class Server:
    """A running service: its address, process and runs folder."""

    url: str
    process: subprocess.Popen[bytes]
    runs_dir: Path
    log: Path

    def client(self, **headers: str) -> httpx.Client:
        """An httpx client of this service."""
        return httpx.Client(base_url=self.url, timeout=30.0, headers=headers)


def free_port() -> int:
    """A port of loopback that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(folder: Path, *options: str) -> Iterator[Server]:
    """`lrtsim serve --runs folder/runs OPTIONS` until the block ends (then stopped, SIGTERM)."""
    port = free_port()
    runs_dir = folder / "runs"
    log = folder / "serve.log"
    command = [sys.executable, "-m", "lrtsim.cli", "serve", "--port", str(port)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*command, "--runs", str(runs_dir), *options], stdout=sink, stderr=sink, env=env
        )
    server = Server(f"http://127.0.0.1:{port}", process, runs_dir, log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"lrtsim serve exited: {server.log.read_text()}")
        try:
            httpx.get(server.url + "/openapi.json", timeout=2.0)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"lrtsim serve did not answer in {START_TIMEOUT_S} s")


def wait_for(client: httpx.Client, run_id: str, statuses: set[str], timeout_s: float) -> dict:
    """The run once its status is one of `statuses` (polled)."""
    deadline = time.monotonic() + timeout_s
    while True:
        run = client.get(f"/api/runs/{run_id}").json()
        if run["status"] in statuses or time.monotonic() > deadline:
            return dict(run)
        time.sleep(0.5)


def worker_pids(server_pid: int) -> list[int]:
    """The worker processes (multiprocessing 'spawn' children) of the service."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == server_pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found
