"""Starting, watching and stopping the servers under test.

Byline runs as `byline serve` runs it (the console script of this venv, default
settings, its log on stderr going to a file); the ceiling is bench/bare.py under the
same uvicorn with the settings `byline serve` passes. CPU and memory are read from
/proc for the server and every process it started (uvicorn's workers).
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from bench.bare import BODY_ENV

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
BYLINE = Path(sys.executable).parent / "byline"


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def request(
    url: str, *, method: str = "GET", headers: Mapping[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request without redirects or retries: status, headers, body."""
    data = b"" if method == "POST" else None
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _stat_fields(pid: int) -> list[str]:
    # After the command name (which may hold spaces), state is field 3 of proc(5).
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                children.setdefault(int(_stat_fields(int(entry.name))[1]), []).append(
                    int(entry.name)
                )
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _rss_bytes(pid: int) -> int:
    with contextlib.suppress(OSError, IndexError):
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return 0


class Server:
    """A server in a subprocess: `with Server(...) as server:` always stops it."""

    def __init__(
        self, name: str, command: Sequence[str], env: Mapping[str, str], log_path: Path
    ) -> None:
        self.name = name
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.command = [*command, f"--host={HOST}", f"--port={self.port}"]
        self.env = {**os.environ, **env}
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        if self.process is None:
            raise ServerError(f"{self.name} is not running")
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

    def start(self, timeout_s: float = 60.0) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, cwd=REPO_ROOT, env=self.env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(
                    f"{self.name} exited with {self.process.returncode}:\n{self.log()}"
                )
            # Any answer means the app has started; the bare POST app answers GET with 405.
            with contextlib.suppress(OSError):
                if request(self.base_url + "/healthz")[0] < 500:
                    return
            time.sleep(0.2)
        raise ServerError(f"{self.name} did not answer within {timeout_s:.0f} s:\n{self.log()}")

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

    def cpu_seconds(self) -> float:
        """User plus system CPU used so far by the server and its workers (Linux only)."""
        ticks = 0
        for pid in _descendants(self.pid):
            with contextlib.suppress(OSError, IndexError):
                fields = _stat_fields(pid)
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def rss_bytes(self) -> int:
        """Resident memory of the server and its workers."""
        return sum(_rss_bytes(pid) for pid in _descendants(self.pid))

    def worker_rss_bytes(self) -> dict[int, int]:
        """Resident memory of each worker process, by pid: the processes uvicorn spawned
        to serve (`--workers` above 1), not the supervisor or multiprocessing's tracker."""
        found = {}
        for pid in _descendants(self.pid)[1:]:
            with contextlib.suppress(OSError):
                if b"multiprocessing.spawn" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found[pid] = _rss_bytes(pid)
        return found


def byline_server(
    database_url: str, log_path: Path, *, workers: int = 1, env: Mapping[str, str] | None = None
) -> Server:
    """`byline serve` with default settings, but for the database and what `env` says."""
    return Server(
        f"byline x{workers}",
        [str(BYLINE), "serve", f"--workers={workers}"],
        {"DATABASE_URL": database_url, **(env or {})},
        log_path,
    )


def uvicorn_server(name: str, factory: str, env: Mapping[str, str], log_path: Path) -> Server:
    """An app factory of bench/ under uvicorn with what `byline serve` passes (app/cli.py)."""
    pythonpath = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    return Server(
        name,
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            factory,
            "--workers=1",
            "--no-access-log",
            "--no-server-header",
            "--log-level=warning",
        ],
        {"PYTHONPATH": pythonpath, **env},
        log_path,
    )


def bare_server(log_path: Path, body_file: Path | None) -> Server:
    env = {BODY_ENV: str(body_file)} if body_file else {}
    return uvicorn_server("bare FastAPI", "bench.bare:create_app", env, log_path)
