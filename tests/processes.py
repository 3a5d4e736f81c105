"""Byline run as its own process, the way an operator or a container runs it."""

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

STARTUP_SECONDS = 30
STOP_SECONDS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def run(command: Sequence[str | Path], *, env: Mapping[str, str], cwd: Path) -> str:
    """Run a command to completion and return its output; fail with its errors."""
    done = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stderr}"
    return done.stdout


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self) -> None:
        """SIGTERM, as `docker stop` sends it; the process must end by it within the time.

        uvicorn shuts down, then re-raises the signal, so the status says SIGTERM; whether
        the shutdown ran is for the caller to check by its effects.
        """
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running {STOP_SECONDS} s after SIGTERM") from None
        assert status in (0, -signal.SIGTERM), f"exited {status}:\n{self.log.read_text()}"


@contextmanager
def serving(
    command: Sequence[str | Path],
    *,
    env: Mapping[str, str],
    cwd: Path,
    port: int,
    ready_path: str = "/readyz",
) -> Iterator[Server]:
    """The command started and answering 200 at `ready_path` on the port; killed afterwards
    if it lingers.

    It runs in a session of its own, so whatever it starts is killed with it.
    """
    log = cwd / f"server-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=output, stderr=output, start_new_session=True
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_until_ready(server, ready_path)
        yield server
    finally:
        # The session outlives its leader when a child was left behind: kill them all.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_until_ready(server: Server, ready_path: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"exited {server.process.returncode}:\n{server.log.read_text()}")
        try:
            if httpx.get(f"{server.url}{ready_path}", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"not ready after {STARTUP_SECONDS} s:\n{server.log.read_text()}")
