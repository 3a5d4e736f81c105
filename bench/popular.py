"""GET /v1/popular on 100,000 articles and 10 million views, database store, compacted.

Two numbers per window: the served latency of /v1/popular?window=W&limit=10 under wrk
with the app's default ranking cache (POPULAR_CACHE_SECONDS), and the cold time of the
ranking itself (app.popularity.ranking.compute_ranking called directly), which the cache
hides from all but the first request of each process and from the refresh thread.
"""

import json
import statistics
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.config import Settings
from app.db import create_db_engine
from app.popularity.ranking import RankingKey, compute_ranking
from app.popularity.windows import Window
from bench import popular_data, wrk
from bench.process import Server, ServerError, request, uvicorn_server
from bench.server import CLOCK_START_ENV

WINDOWS = (Window.hour, Window.day, Window.week, Window.month)
TARGET_P99_MS = 20.0
LIMIT = 10


@dataclass(frozen=True)
class PopularSettings:
    duration_s: int
    warmup_s: int
    connections: tuple[int, ...]
    cold_repeats: int
    rebuild: bool
    out_dir: Path


@dataclass(frozen=True)
class ColdTiming:
    window: str
    median_ms: float
    min_ms: float
    max_ms: float
    repeats: int
    articles_ranked: int
    top_views: int


@dataclass(frozen=True)
class Served:
    window: str
    connections: int
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_us_per_request: float | None

    @property
    def meets(self) -> bool:
        return self.p99_ms < TARGET_P99_MS and not self.errors


@dataclass
class PopularResult:
    data: popular_data.PopularDataset
    cache_seconds: float
    cold: list[ColdTiming]
    first_request_ms: dict[str, float]
    served: list[Served]


def path_for(window: Window) -> str:
    return f"/v1/popular?window={window.value}&limit={LIMIT}"


def measure_cold(data: popular_data.PopularDataset, repeats: int) -> list[ColdTiming]:
    engine = create_db_engine(data.database_url)
    timings = []
    try:
        for window in WINDOWS:
            key = RankingKey(window=window, type=None, tag_id=None)
            seconds = []
            ranking: list[tuple[int, int]] = []
            for _ in range(repeats):
                with Session(engine) as session:
                    started = time.perf_counter()
                    ranking = compute_ranking(session, key, data.anchor)
                    seconds.append(time.perf_counter() - started)
            timing = ColdTiming(
                window=window.value,
                median_ms=statistics.median(seconds) * 1000,
                min_ms=min(seconds) * 1000,
                max_ms=max(seconds) * 1000,
                repeats=repeats,
                articles_ranked=len(ranking),
                top_views=ranking[0][1] if ranking else 0,
            )
            timings.append(timing)
            print(
                f"  cold compute_ranking {window.value:>3}: median {timing.median_ms:7.1f} ms "
                f"(min {timing.min_ms:.1f}, max {timing.max_ms:.1f}, {repeats} calls); "
                f"#1 has {timing.top_views:,} views",
                flush=True,
            )
    finally:
        engine.dispose()
    return timings


def _check_page(window: Window, body: bytes) -> None:
    page = json.loads(body)
    views = [item["views"] for item in page["items"]]
    if len(views) != LIMIT or views != sorted(views, reverse=True) or page["window"] != window:
        raise ServerError(f"/v1/popular?window={window.value} answered an unexpected page")


def measure_served(
    server: Server, wrk_path: str, script: Path, settings: PopularSettings
) -> tuple[dict[str, float], list[Served]]:
    first: dict[str, float] = {}
    served = []
    for window in WINDOWS:
        url = server.base_url + path_for(window)
        started = time.perf_counter()
        status, _, body = request(url)
        first[window.value] = (time.perf_counter() - started) * 1000
        if status != 200:
            raise ServerError(f"GET {path_for(window)} answered {status}: {body[:300]!r}")
        _check_page(window, body)
        print(
            f"  {window.value:>3}: first request (empty cache) {first[window.value]:,.0f} ms",
            flush=True,
        )
        for connections in settings.connections:
            if settings.warmup_s:
                wrk.run(
                    wrk_path,
                    url,
                    script=script,
                    connections=connections,
                    duration_s=settings.warmup_s,
                )
            cpu_before = server.cpu_seconds()
            result = wrk.run(
                wrk_path,
                url,
                script=script,
                connections=connections,
                duration_s=settings.duration_s,
            )
            cpu_after = server.cpu_seconds()
            cpu_us = None
            if cpu_before is not None and cpu_after is not None and result.requests:
                cpu_us = (cpu_after - cpu_before) * 1e6 / result.requests
            sample = Served(
                window=window.value,
                connections=connections,
                requests=result.requests,
                rps=result.rps,
                p50_ms=result.p50_ms,
                p99_ms=result.p99_ms,
                errors=result.errors,
                cpu_us_per_request=cpu_us,
            )
            served.append(sample)
            print(
                f"  {window.value:>3} x{connections:<3} {sample.rps:>8,.0f} rps  "
                f"p50 {sample.p50_ms:7.2f} ms  p99 {sample.p99_ms:7.2f} ms  "
                f"CPU {cpu_us or 0:,.0f} us/req  p99 < {TARGET_P99_MS:.0f} ms: "
                f"{'yes' if sample.meets else 'NO'}"
                + (f"  ERRORS {sample.errors}" if sample.errors else ""),
                flush=True,
            )
    return first, served


def run(settings: PopularSettings, wrk_path: str, directory: Path) -> PopularResult:
    data = popular_data.prepare(settings.out_dir, rebuild=settings.rebuild)
    if data.reused:
        print(f"  reusing {data.path.name} (built {data.built_at:%Y-%m-%d %H:%M} UTC)", flush=True)
    cold = measure_cold(data, settings.cold_repeats)
    cache_seconds = float(Settings.model_fields["popular_cache_seconds"].default)
    script = wrk.write_script(directory / "popular.lua")
    with uvicorn_server(
        "byline (bench clock)",
        "bench.server:create_bench_app",
        {
            "DATABASE_URL": data.database_url,
            "LOG_LEVEL": "warning",
            "VIEW_STORE": "database",
            "POPULAR_CACHE_SECONDS": f"{cache_seconds:g}",
            CLOCK_START_ENV: data.anchor.isoformat(),
        },
        directory / "uvicorn-popular.log",
    ) as server:
        print(f"  server pid {server.pid}, clock starting at {data.anchor:%H:%M} UTC", flush=True)
        first, served = measure_served(server, wrk_path, script, settings)
    return PopularResult(
        data=data, cache_seconds=cache_seconds, cold=cold, first_request_ms=first, served=served
    )


def _fmt_time(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def summary_lines(result: PopularResult) -> list[str]:
    lines = []
    for window in WINDOWS:
        rows = [s for s in result.served if s.window == window.value]
        cold = next(c for c in result.cold if c.window == window.value)
        parts = ", ".join(
            f"x{s.connections}: p99 {s.p99_ms:.2f} ms {'<' if s.meets else '>='} "
            f"{TARGET_P99_MS:.0f} ms ({'meets' if s.meets else 'MISSES'})"
            for s in rows
        )
        lines.append(
            f"{window.value} window: {parts}; cold ranking {cold.median_ms:,.1f} ms (median)"
        )
    return lines


def markdown(result: PopularResult, settings: PopularSettings) -> list[str]:
    d = result.data
    lines = [
        f"- Dataset: `bench/out/{d.path.name}` ({'reused' if d.reused else 'built this run'}; "
        f"built {_fmt_time(d.built_at)}, its clock at {_fmt_time(d.anchor)}): "
        f"{d.articles:,} published articles, {d.views:,} views over 30 days; loaded in "
        f"{d.load_s:.0f} s",
        f"- Compaction (`compact_views`, after_days=14, through the app on a Session): "
        f"{d.compact_s:.1f} s; {d.folded:,} hourly buckets folded; rows before "
        f"{d.hourly_rows_before:,} hourly; after {d.hourly_rows_after:,} hourly + "
        f"{d.daily_rows_after:,} daily = {d.hourly_rows_after + d.daily_rows_after:,}",
        f"- Served: wrk 1 thread, connections {', '.join(map(str, settings.connections))}, "
        f"{settings.warmup_s} s warm-up + {settings.duration_s} s measured per run, "
        f"POPULAR_CACHE_SECONDS={result.cache_seconds:g} (the default), one uvicorn worker",
        f"- Cold: `compute_ranking` called directly, {settings.cold_repeats} times per window "
        "on a fresh Session, before the server starts",
        "",
        "| window | connections | rps | p50 ms | p99 ms | p99 < 20 ms | server CPU µs/req | "
        "cold ranking ms (median / min / max) | first request ms |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: |",
    ]
    for s in result.served:
        cold = next(c for c in result.cold if c.window == s.window)
        cpu = "n/a" if s.cpu_us_per_request is None else f"{s.cpu_us_per_request:,.0f}"
        lines.append(
            f"| {s.window} | {s.connections} | {s.rps:,.0f} | {s.p50_ms:.2f} | "
            f"{s.p99_ms:.2f} | {'yes' if s.meets else '**no**'} | {cpu} | "
            f"{cold.median_ms:,.1f} / {cold.min_ms:,.1f} / {cold.max_ms:,.1f} | "
            f"{result.first_request_ms[s.window]:,.0f} |"
        )
    lines.append("")
    lines.extend(f"- {line}" for line in summary_lines(result))
    return lines


def raw(result: PopularResult) -> dict[str, Any]:
    return {
        "dataset": result.data.metadata(),
        "cache_seconds": result.cache_seconds,
        "cold": [asdict(c) for c in result.cold],
        "first_request_ms": result.first_request_ms,
        "served": [{**asdict(s), "meets": s.meets} for s in result.served],
    }
