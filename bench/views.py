"""Beacon ingest per view store, against a POST ceiling of the same run, counted exactly.

For each store (database, redis) a fresh demo database and one uvicorn worker with
VIEW_STORE set and VIEWS_PER_MINUTE_PER_CLIENT=0. wrk POSTs bodiless beacons with a
browser User-Agent to /v1/articles/<slug>/views, alternating with the same POST to the
ceiling route (202, no body). Every beacon run, warm-up included, ends with nothing in
flight (see wrk.POST_SCRIPT), so after the server has stopped (the Redis store flushes
on shutdown) the views in the database must equal the 202s wrk counted.
"""

import contextlib
import sqlite3
import statistics
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import redis

from bench import dataset, wrk
from bench.process import Server, ServerError
from bench.server import CEILING_POST_PATH

STORES = ("database", "redis")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
REDIS_KEYS = "byline:views:*"
# Our connections carry this name, so other clients of the same database stand out:
# another Redis store flushing from database 9 would take our buffered views with it.
CLIENT_NAME = "byline-bench"
# After the measured time, each connection waits for its last answer; wrk stops later.
GRACE_S = 3


@dataclass(frozen=True)
class ViewsSettings:
    duration_s: int
    warmup_s: int
    connections: int
    rounds: int
    slug: str
    redis_url: str
    stores: tuple[str, ...] = STORES


@dataclass(frozen=True)
class PostSample:
    round: int
    accepted: int
    active_s: float
    per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_us_per_request: float | None


@dataclass
class StoreResult:
    store: str
    beacon: list[PostSample] = field(default_factory=list)
    ceiling: list[PostSample] = field(default_factory=list)
    sent_202: int = 0  # every 202 wrk (and the route check) saw, warm-ups included
    db_total: int | None = None
    redis_keys_left: int | None = None
    clean_shutdown: bool = True
    foreign_clients: set[str] = field(default_factory=set)
    skipped: str | None = None
    server_log: str = ""

    @property
    def matched(self) -> bool:
        return self.db_total == self.sent_202 and not self.redis_keys_left

    @staticmethod
    def mean(samples: list[PostSample], attribute: str) -> float:
        return statistics.fmean(float(getattr(s, attribute)) for s in samples)

    @property
    def ratio(self) -> float:
        return self.mean(self.beacon, "per_s") / self.mean(self.ceiling, "per_s")

    @property
    def ratios_per_round(self) -> list[float]:
        return [b.per_s / c.per_s for b, c in zip(self.beacon, self.ceiling, strict=True)]

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.beacon + self.ceiling)


def _post(url: str) -> int:
    request = urllib.request.Request(
        url, data=b"", method="POST", headers={"User-Agent": wrk.BROWSER_USER_AGENT}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code


def _redis_clean(url: str) -> int:
    """Delete the store's keys in the bench's Redis database; returns how many there were."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=REDIS_KEYS, count=1000))
        if keys:
            client.delete(*keys)
        return len(keys)
    finally:
        client.close()


def _named(url: str) -> str:
    return url + ("&" if "?" in url else "?") + f"client_name={CLIENT_NAME}"


def _foreign_clients(url: str) -> set[str]:
    """Clients of the bench's Redis database that are not the bench's (addr and name)."""
    client = redis.Redis.from_url(url, client_name=f"{CLIENT_NAME}-check")
    try:
        db = str(client.get_connection_kwargs().get("db", 0))
        return {
            f"{c.get('addr')} {c.get('name') or '(unnamed)'}"
            for c in client.client_list()
            if str(c.get("db")) == db and not str(c.get("name", "")).startswith(CLIENT_NAME)
        }
    finally:
        client.close()


def _redis_problem(url: str) -> str | None:
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"Redis at {url} is not reachable ({exc})"
    finally:
        client.close()
    return None


def _db_total(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as db:
        total: int = db.execute("SELECT coalesce(sum(views), 0) FROM view_buckets").fetchone()[0]
        return total


def _run_post(
    server: Server, wrk_path: str, script: Path, path: str, seconds: int, connections: int
) -> tuple[wrk.WrkResult, float | None]:
    cpu_before = server.cpu_seconds()
    result = wrk.run(
        wrk_path,
        server.base_url + path,
        script=script,
        connections=connections,
        duration_s=seconds + GRACE_S,
        script_args=[str(seconds * 1000)],
    )
    cpu_after = server.cpu_seconds()
    cpu_us = None
    if cpu_before is not None and cpu_after is not None and result.requests:
        cpu_us = (cpu_after - cpu_before) * 1e6 / result.requests
    return result, cpu_us


def measure_store(
    store: str, settings: ViewsSettings, wrk_path: str, directory: Path
) -> StoreResult:
    result = StoreResult(store)
    env = {"VIEW_STORE": store, "VIEWS_PER_MINUTE_PER_CLIENT": "0"}
    if store == "redis":
        problem = _redis_problem(settings.redis_url)
        if problem is not None:
            result.skipped = problem
            return result
        _redis_clean(settings.redis_url)
        env["REDIS_URL"] = _named(settings.redis_url)
    directory.mkdir(parents=True, exist_ok=True)
    data = dataset.prepare(directory, settings.slug)
    database = directory / "bench.sqlite3"
    script = wrk.write_post_script(directory)
    beacon_path = f"/v1/articles/{data.slug}/views"
    paths = {"beacon": beacon_path, "ceiling": CEILING_POST_PATH}
    server = Server(
        database_url=data.database_url,
        ceiling_bytes=data.document_bytes,
        log_path=directory / "uvicorn.log",
        env=env,
    )
    try:
        server.start()
        for name, path in paths.items():
            status = _post(server.base_url + path)
            if status != 202:
                raise ServerError(f"POST {path} answered {status}; a beacon needs 202")
            if name == "beacon":
                result.sent_202 += 1
        print(f"  {store} store: server pid {server.pid}", flush=True)
        for number in range(1, settings.rounds + 1):
            order = ["beacon", "ceiling"] if number % 2 else ["ceiling", "beacon"]
            for name in order:
                if store == "redis":
                    result.foreign_clients |= _foreign_clients(settings.redis_url)
                if settings.warmup_s:
                    warm, _ = _run_post(
                        server,
                        wrk_path,
                        script,
                        paths[name],
                        settings.warmup_s,
                        settings.connections,
                    )
                    if name == "beacon":
                        result.sent_202 += warm.accepted or 0
                run, cpu_us = _run_post(
                    server, wrk_path, script, paths[name], settings.duration_s, settings.connections
                )
                accepted = run.accepted or 0
                if name == "beacon":
                    result.sent_202 += accepted
                sample = PostSample(
                    round=number,
                    accepted=accepted,
                    active_s=run.active_s or 0.0,
                    per_s=run.accepted_per_s,
                    p50_ms=run.p50_ms,
                    p99_ms=run.p99_ms,
                    errors=max(run.errors, run.requests - accepted),
                    cpu_us_per_request=cpu_us,
                )
                (result.beacon if name == "beacon" else result.ceiling).append(sample)
                print(
                    f"    round {number} {name:<8} {sample.per_s:>8,.0f} /s accepted  "
                    f"p50 {sample.p50_ms:7.2f} ms  p99 {sample.p99_ms:8.2f} ms  "
                    f"CPU {sample.cpu_us_per_request or 0:,.0f} us/req"
                    + (f"  ERRORS {sample.errors}" if sample.errors else ""),
                    flush=True,
                )
    finally:
        result.clean_shutdown = server.stop()
        result.server_log = server.log()
        if store == "redis":
            result.foreign_clients |= _foreign_clients(settings.redis_url)
            time.sleep(0.1)
            result.redis_keys_left = _redis_clean(settings.redis_url)
    result.db_total = _db_total(database)
    return result


def run(settings: ViewsSettings, wrk_path: str, directory: Path) -> list[StoreResult]:
    results = []
    for store in settings.stores:
        result = measure_store(store, settings, wrk_path, directory / store)
        if result.skipped:
            print(f"  {store} store skipped: {result.skipped}", flush=True)
        else:
            print("    " + check_line(result), flush=True)
        results.append(result)
    return results


def check_line(result: StoreResult) -> str:
    verdict = "matched" if result.matched else "MISMATCH"
    line = (
        f"exactness: {result.db_total:,} views in the database after shutdown, "
        f"{result.sent_202:,} 202s counted by wrk: {verdict}"
    )
    if result.redis_keys_left:
        line += f" ({result.redis_keys_left} byline:views:* keys were left in Redis)"
    if not result.clean_shutdown:
        line += " (the server had to be killed)"
    if result.foreign_clients:
        line += (
            "; other clients used the same Redis database meanwhile and may have taken "
            f"buffered views: {', '.join(sorted(result.foreign_clients))}"
        )
    return line


def _fmt_cpu(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def _cpu(samples: list[PostSample]) -> float | None:
    values = [s.cpu_us_per_request for s in samples]
    if not values or any(v is None for v in values):
        return None
    return statistics.fmean(v for v in values if v is not None)


def summary_lines(results: list[StoreResult]) -> list[str]:
    lines = []
    for r in results:
        if r.skipped:
            lines.append(f"{r.store} store: skipped ({r.skipped})")
            continue
        per_round = r.ratios_per_round
        lines.append(
            f"{r.store} store: {StoreResult.mean(r.beacon, 'per_s'):,.0f} views/s accepted, "
            f"{r.ratio:.2f} of the POST ceiling ({StoreResult.mean(r.ceiling, 'per_s'):,.0f}/s; "
            f"per round {min(per_round):.2f} to {max(per_round):.2f}); "
            f"p50 {StoreResult.mean(r.beacon, 'p50_ms'):.2f} ms "
            f"({StoreResult.mean(r.beacon, 'p50_ms') / StoreResult.mean(r.ceiling, 'p50_ms'):.1f}x"
            f" the ceiling's), p99 {StoreResult.mean(r.beacon, 'p99_ms'):.2f} ms "
            f"({StoreResult.mean(r.beacon, 'p99_ms') / StoreResult.mean(r.ceiling, 'p99_ms'):.1f}x)"
        )
        lines.append(f"{r.store} store {check_line(r)}")
    return lines


def markdown(results: list[StoreResult], settings: ViewsSettings) -> list[str]:
    lines = [
        f"- Load: wrk 1 thread, {settings.connections} connections, {settings.warmup_s} s "
        f"warm-up + {settings.duration_s} s measured per run, then up to "
        f"{GRACE_S} s for the last answers; {settings.rounds} rounds, beacon and ceiling "
        "alternating; bodiless POSTs with a Chrome User-Agent and an Origin header",
        f"- Redis: `{settings.redis_url}` (byline:views:* keys deleted before and after); "
        "VIEW_FLUSH_SECONDS=2 (the default)",
        "",
        "| store | route | views/s accepted | p50 ms | p99 ms | server CPU µs/req | per round |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        if r.skipped:
            lines.append(f"| {r.store} | skipped: {r.skipped} | | | | | |")
            continue
        for name, samples in (("beacon", r.beacon), ("POST ceiling", r.ceiling)):
            per_round = " / ".join(f"{s.per_s:,.0f}" for s in samples)
            lines.append(
                f"| {r.store} | {name} | {StoreResult.mean(samples, 'per_s'):,.0f} | "
                f"{StoreResult.mean(samples, 'p50_ms'):.2f} | "
                f"{StoreResult.mean(samples, 'p99_ms'):.2f} | {_fmt_cpu(_cpu(samples))} | "
                f"{per_round} |"
            )
    lines.append("")
    lines.extend(f"- {line}" for line in summary_lines(results))
    return lines


def raw(results: list[StoreResult]) -> list[dict[str, Any]]:
    return [
        {
            "store": r.store,
            "skipped": r.skipped,
            "beacon": [asdict(s) for s in r.beacon],
            "ceiling": [asdict(s) for s in r.ceiling],
            "sent_202": r.sent_202,
            "db_total": r.db_total,
            "redis_keys_left": r.redis_keys_left,
            "matched": r.matched,
            "foreign_redis_clients": sorted(r.foreign_clients),
        }
        for r in results
    ]
