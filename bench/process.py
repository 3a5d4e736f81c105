"""Starting and stopping the uvicorn process under test."""

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

from bench.server import CEILING_BYTES_ENV

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def server_options() -> list[str]:
    """The uvicorn settings under test, the same for every route."""
    return [
        "--workers=1",
        "--no-access-log",
        "--no-server-header",
        "--log-level=warning",
        f"--http={'httptools' if _installed('httptools') else 'h11'}",
        f"--loop={'uvloop' if _installed('uvloop') else 'asyncio'}",
    ]


def fetch(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status: int = response.status
            return status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Server:
    """uvicorn in a subprocess: `with Server(...) as server:` always stops it."""

    def __init__(
        self,
        *,
        database_url: str,
        ceiling_bytes: int,
        log_path: Path,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.log_path = log_path
        self.command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "bench.server:create_bench_app",
            f"--host={HOST}",
            f"--port={self.port}",
            *server_options(),
        ]
        pythonpath = os.environ.get("PYTHONPATH")
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "warning",
            CEILING_BYTES_ENV: str(ceiling_bytes),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), pythonpath])),
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        if self.process is None:
            raise ServerError("the server is not running")
        return self.process.pid

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self, timeout_s: float = 30.0) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command, cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"uvicorn exited with {self.process.returncode}:\n{self.log()}")
            with contextlib.suppress(OSError):
                if fetch(self.base_url + "/healthz", timeout=1.0)[0] == 200:
                    return
            time.sleep(0.1)
        raise ServerError(
            f"uvicorn did not answer /healthz within {timeout_s:.0f} s:\n{self.log()}"
        )

    def stop(self) -> bool:
        """SIGTERM, so the app's shutdown runs (the Redis store flushes then); True when
        it exited on its own within the grace period, False when it had to be killed."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return True
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
            return False
        return True

    def log(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def cpu_seconds(self) -> float | None:
        """User plus system CPU the server has used so far (Linux only)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        # After the command name: state is field 3, so utime (14) and stime (15) sit at 11, 12.
        ticks = int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")
