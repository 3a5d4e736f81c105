"""The soak's load: a few dozen clients in one asyncio process, timed per route.

Each client has one connection and runs a loop of its own (draw a call, send it,
settle its answer) at its share of a fixed rate, or back to back when the rate is 0. A
fixed rate keeps the latencies those of a loaded server rather than of a queue, and
leaves CPU for the server and PostgreSQL on a small machine; a client that falls behind
skips ahead instead of bursting to catch up. Workers' memory is read at the end of the
warm-up and then every RSS_EVERY_S seconds.
"""

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from bench.soak.traffic import Call, Traffic, is_error

RSS_EVERY_S = 30.0
ERROR_SAMPLES = 10
TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Pace:
    connections: int
    rate: float  # requests per second in all; 0: as fast as answers come
    warmup_s: float
    duration_s: float  # measured, after the warm-up


@dataclass
class Tally:
    """What the load saw. Latencies count from the end of the warm-up; errors from the
    first request, since an error in the warm-up is an error too."""

    measuring: bool = False
    requests: int = 0
    errors: int = 0
    latencies_s: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    route_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    rss: list[tuple[float, dict[int, int]]] = field(default_factory=list)  # (s, pid: bytes)
    load_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    measured_s: float = 0.0

    def error(self, call: Call, what: str) -> None:
        self.errors += 1
        self.route_errors[call.route] += 1
        if len(self.error_samples) < ERROR_SAMPLES:
            self.error_samples.append(f"{call.method} {call.path}: {what}")


async def send(client: httpx.AsyncClient, call: Call, tally: Tally) -> None:
    started = time.perf_counter()
    response: httpx.Response | None = None
    try:
        response = await client.request(
            call.method, call.path, headers=call.headers, content=call.content
        )
    except httpx.HTTPError as exc:
        tally.error(call, f"no answer: {exc!r}")
    else:
        if tally.measuring:
            tally.requests += 1
            tally.latencies_s[call.route].append(time.perf_counter() - started)
        if is_error(response.status_code, call.expect):
            tally.error(call, f"{response.status_code} {response.content[:300]!r}")
    if call.settle is not None:
        call.settle(response)


async def _connection(
    client: httpx.AsyncClient,
    traffic: Traffic,
    tally: Tally,
    pace: Pace,
    offset: float,
    end: float,
) -> None:
    loop = asyncio.get_running_loop()
    interval = pace.connections / pace.rate if pace.rate else 0.0
    next_at = loop.time() + offset * interval
    while loop.time() < end:
        if interval:
            delay = next_at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            next_at = max(next_at + interval, loop.time())
        kind = traffic.kind()
        if kind == "write":
            editor = traffic.editor()
            async with editor.lock:
                await send(client, editor.next_call(), tally)
        elif kind.startswith("POST"):
            await send(client, traffic.beacon(), tally)
        else:
            await send(client, traffic.read(kind), tally)


async def drive(
    base_url: str,
    traffic: Traffic,
    pace: Pace,
    worker_rss: Callable[[], dict[int, int]],
    server_cpu: Callable[[], float],
) -> Tally:
    tally = Tally()
    loop = asyncio.get_running_loop()
    began = loop.time()
    end = began + pace.warmup_s + pace.duration_s
    # One client per connection: httpx's pool costs CPU per request in proportion to its
    # size (about 3 ms a request with 32 connections in one pool, under 1 ms with one).
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=base_url, limits=limits, timeout=TIMEOUT_S, follow_redirects=False
                )
            )
            for _ in range(pace.connections)
        ]
        connections = [
            asyncio.create_task(
                _connection(client, traffic, tally, pace, n / pace.connections, end)
            )
            for n, client in enumerate(clients)
        ]
        await asyncio.sleep(pace.warmup_s)
        tally.measuring = True
        measured_from, cpu, server = loop.time(), time.process_time(), server_cpu()
        while (left := end - loop.time()) > 0:
            tally.rss.append((loop.time() - measured_from, worker_rss()))
            await asyncio.sleep(min(RSS_EVERY_S, left))
        tally.rss.append((loop.time() - measured_from, worker_rss()))
        await asyncio.gather(*connections)
        tally.measuring = False
        tally.measured_s = loop.time() - measured_from
        tally.load_cpu_s = time.process_time() - cpu
        tally.server_cpu_s = server_cpu() - server
    return tally
