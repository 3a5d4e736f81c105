"""Slow and idle clients (slowloris) against `byline serve --workers 2`.

Each worker's event loop holds an idle or trickling connection for the price of a
socket, so a few hundred of them must not keep anyone else waiting. uvicorn has no
timeout for reading request headers: these connections stay open for as long as
their clients keep them (see "Slow clients and connection limits" in the README).
"""

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import cli
from app.config import get_settings
from tests.ops.servers import Served, scratch_database, served

IDLE = 100
TRICKLING = 100
NORMAL = 50
READERS = 4
ANSWER_WITHIN_SECONDS = 2.0
KEEP_ALIVE_SECONDS = 1
GRACEFUL_SHUTDOWN_SECONDS = 2
# One byte a second of a request that never ends its headers.
TRICKLED = b"GET /v1/articles HTTP/1.1\r\nHost: byline\r\nX-Slow: " + b"a" * 100


SETTINGS = {
    "KEEP_ALIVE_SECONDS": str(KEEP_ALIVE_SECONDS),
    "GRACEFUL_SHUTDOWN_SECONDS": str(GRACEFUL_SHUTDOWN_SECONDS),
}


@pytest.fixture(scope="module")
def byline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the tests that leave it running."""
    directory = tmp_path_factory.mktemp("slow-clients")
    with (
        scratch_database("sqlite", directory) as database_url,
        served(database_url, directory, settings=SETTINGS) as server,
    ):
        yield server


@pytest.fixture
def stopped_byline(tmp_path: Path) -> Iterator[Served]:
    """A server of its own for a test that stops it."""
    with (
        scratch_database("sqlite", tmp_path) as database_url,
        served(database_url, tmp_path, settings=SETTINGS) as server,
    ):
        yield server


def address(byline: Served) -> tuple[str, int]:
    host, port = byline.url.removeprefix("http://").split(":")
    return host, int(port)


def test_slow_and_idle_connections_keep_no_one_else_waiting(byline: Served) -> None:
    _, slug = byline.publish_article()
    stop = threading.Event()
    with ExitStack() as open_connections:
        connections = [
            open_connections.enter_context(socket.create_connection(address(byline)))
            for _ in range(IDLE + TRICKLING)
        ]
        trickling = connections[IDLE:]

        def trickle() -> None:
            for offset in range(len(TRICKLED)):
                for connection in trickling:
                    connection.send(TRICKLED[offset : offset + 1])
                if stop.wait(1):
                    return

        def read(_: int) -> tuple[int, float]:
            # A connection of its own each time, so the requests spread over both workers.
            started = time.monotonic()
            response = httpx.get(f"{byline.url}/v1/articles/{slug}", timeout=10)
            return response.status_code, time.monotonic() - started

        with ThreadPoolExecutor(1 + READERS) as pool:
            trickler = pool.submit(trickle)
            time.sleep(1.5)  # a couple of bytes in on every trickling connection
            answers = list(pool.map(read, range(NORMAL)))
            stop.set()
            trickler.result()
        # Every one of the slow connections is still open: nothing timed them out.
        for connection in connections:
            connection.setblocking(False)
            with pytest.raises(BlockingIOError):
                connection.recv(1)

    assert [status for status, _ in answers] == [200] * NORMAL
    slowest = max(taken for _, taken in answers)
    assert slowest < ANSWER_WITHIN_SECONDS, slowest
    print(f"{NORMAL} reads beside {IDLE + TRICKLING} slow connections, slowest {slowest:.3f} s")


def whole_response(connection: socket.socket) -> bytes:
    """One response read off the socket, by its Content-Length."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(4096)
    head, body = received.split(b"\r\n\r\n", 1)
    [length] = [
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    ]
    while len(body) < length:
        body += connection.recv(4096)
    return received


def test_an_idle_keep_alive_connection_is_closed_after_keep_alive_seconds(
    byline: Served,
) -> None:
    with socket.create_connection(address(byline)) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: byline\r\n\r\n")
        connection.settimeout(KEEP_ALIVE_SECONDS + 5)
        answered = whole_response(connection)
        assert answered.startswith(b"HTTP/1.1 200 "), answered
        answered_at = time.monotonic()
        assert connection.recv(4096) == b""  # closed by the server
        idle = time.monotonic() - answered_at
    assert KEEP_ALIVE_SECONDS - 0.5 < idle < KEEP_ALIVE_SECONDS + 2, idle


def test_a_stop_does_not_wait_on_a_client_that_never_finishes_its_body(
    stopped_byline: Served,
) -> None:
    byline = stopped_byline
    with socket.create_connection(address(byline)) as connection:
        connection.sendall(
            b"POST /v1/articles/any/views HTTP/1.1\r\nHost: byline\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
        )
        time.sleep(0.5)  # the request is in the app, waiting for the rest of its body
        stopping = time.monotonic()
        byline.server.stop()
        stopped_after = time.monotonic() - stopping
    assert stopped_after < GRACEFUL_SHUTDOWN_SECONDS + 3, stopped_after
    assert "timeout graceful shutdown exceeded" in byline.server.log.read_text()


def test_serve_passes_the_connection_settings_to_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    passed: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda *_args, **options: passed.update(options))
    monkeypatch.setattr(cli, "configure_logging", lambda _level: None)
    monkeypatch.setenv("KEEP_ALIVE_SECONDS", "75")
    monkeypatch.setenv("MAX_CONNECTIONS", "2000")
    monkeypatch.setenv("GRACEFUL_SHUTDOWN_SECONDS", "20")
    get_settings.cache_clear()
    try:
        assert cli.main(["serve", "--workers", "1"]) == 0
        assert passed["timeout_keep_alive"] == 75
        assert passed["limit_concurrency"] == 2000
        assert passed["timeout_graceful_shutdown"] == 20
        monkeypatch.setenv("MAX_CONNECTIONS", "0")
        get_settings.cache_clear()
        assert cli.main(["serve", "--workers", "1"]) == 0
        assert passed["limit_concurrency"] is None
    finally:
        get_settings.cache_clear()
