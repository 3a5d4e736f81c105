"""Byline benchmarks, each part measured against a ceiling or a target in one run.

article: the article read vs a fixed-bytes GET ceiling (rps and latency ratios).
views:   beacon ingest per view store (database, redis) vs a POST ceiling, counted exactly.
popular: /v1/popular on 100,000 articles and 10 million views, per window (p99 < 20 ms).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import dataset, popular, popular_data, views, wrk
from bench.process import REPO_ROOT, Server, ServerError, fetch, server_options
from bench.server import CEILING_PATH

PARTS = ("article", "views", "popular")

TARGET_RPS_RATIO = 0.70
LIST_LIMIT = 20


@dataclass(frozen=True)
class Route:
    name: str
    path: str


@dataclass(frozen=True)
class Sample:
    round: int
    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_us_per_request: float | None


@dataclass
class RouteResult:
    route: Route
    samples: list[Sample] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return statistics.fmean(s.rps for s in self.samples)

    @property
    def p50_ms(self) -> float:
        return statistics.fmean(s.p50_ms for s in self.samples)

    @property
    def p99_ms(self) -> float:
        return statistics.fmean(s.p99_ms for s in self.samples)

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.samples)

    @property
    def cpu_us_per_request(self) -> float | None:
        values = [s.cpu_us_per_request for s in self.samples]
        if not values or any(v is None for v in values):
            return None
        weights = [s.requests for s in self.samples]
        total = sum(w * v for w, v in zip(weights, values, strict=True) if v is not None)
        return total / sum(weights)


@dataclass(frozen=True)
class Settings:
    duration_s: int
    warmup_s: int
    connections: int
    rounds: int
    slug: str
    out_dir: Path
    parts: tuple[str, ...] = PARTS
    views_settings: views.ViewsSettings | None = None
    popular_settings: popular.PopularSettings | None = None


def _parts(value: str) -> list[str]:
    parts = [p.strip() for p in value.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown or not parts:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(PARTS)} (got {value!r})")
    return parts


def _connections(value: str) -> tuple[int, ...]:
    try:
        levels = tuple(int(v) for v in value.split(","))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"comma-separated integers, not {value!r}") from exc
    if not levels or min(levels) < 1:
        raise argparse.ArgumentTypeError("connections must be positive")
    return levels


def parse_args(argv: Sequence[str] | None) -> Settings:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--only",
        type=_parts,
        action="extend",
        metavar="PART[,PART]",
        help=f"run only these parts ({', '.join(PARTS)}); repeatable; default: all",
    )
    parser.add_argument("--duration", type=int, default=15, help="article: seconds measured")
    parser.add_argument("--warmup", type=int, default=5, help="article: seconds of warm-up")
    parser.add_argument("--connections", type=int, default=32, help="article, views: wrk conns")
    parser.add_argument("--rounds", type=int, default=2, help="article: measurements per route")
    parser.add_argument("--slug", default=dataset.FLAGSHIP_SLUG, help="article to read and view")
    parser.add_argument("--views-duration", type=int, default=10, help="views: seconds measured")
    parser.add_argument("--views-warmup", type=int, default=3, help="views: seconds of warm-up")
    parser.add_argument("--views-rounds", type=int, default=2, help="views: runs per route")
    parser.add_argument(
        "--views-stores",
        type=lambda v: tuple(s.strip() for s in v.split(",")),
        default=views.STORES,
        help="views: stores to measure, comma-separated",
    )
    parser.add_argument(
        "--redis-url", default=views.DEFAULT_REDIS_URL, help="views: Redis for the redis store"
    )
    parser.add_argument(
        "--popular-duration", type=int, default=10, help="popular: seconds measured per run"
    )
    parser.add_argument("--popular-warmup", type=int, default=2, help="popular: warm-up seconds")
    parser.add_argument(
        "--popular-connections",
        type=_connections,
        default=(1, 32),
        help="popular: wrk connection levels, comma-separated",
    )
    parser.add_argument(
        "--cold-repeats", type=int, default=5, help="popular: compute_ranking calls per window"
    )
    parser.add_argument(
        "--rebuild-dataset",
        action="store_true",
        help="popular: rebuild the cached 100k-article database even if present",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=REPO_ROOT / "bench" / "out",
        help="where results and the cached popular dataset go (git-ignored)",
    )
    args = parser.parse_args(argv)
    if args.duration < 1 or args.warmup < 0 or args.connections < 1 or args.rounds < 1:
        parser.error("--duration, --connections and --rounds must be positive")
    if min(args.views_duration, args.views_rounds, args.popular_duration, args.cold_repeats) < 1:
        parser.error("durations, rounds and repeats must be positive")
    if args.views_warmup < 0 or args.popular_warmup < 0:
        parser.error("warm-ups cannot be negative")
    if unknown := set(args.views_stores) - set(views.STORES):
        parser.error(f"unknown view stores: {', '.join(sorted(unknown))}")
    return Settings(
        duration_s=args.duration,
        warmup_s=args.warmup,
        connections=args.connections,
        rounds=args.rounds,
        slug=args.slug,
        out_dir=args.out_dir,
        parts=tuple(p for p in PARTS if p in (args.only or PARTS)),
        views_settings=views.ViewsSettings(
            duration_s=args.views_duration,
            warmup_s=args.views_warmup,
            connections=args.connections,
            rounds=args.views_rounds,
            slug=args.slug,
            redis_url=args.redis_url,
            stores=args.views_stores,
        ),
        popular_settings=popular.PopularSettings(
            duration_s=args.popular_duration,
            warmup_s=args.popular_warmup,
            connections=args.popular_connections,
            cold_repeats=args.cold_repeats,
            rebuild=args.rebuild_dataset,
            out_dir=args.out_dir,
        ),
    )


def schedule(routes: Sequence[Route], rounds: int) -> list[tuple[int, Route]]:
    """ABC CBA ABC ...: alternating order cancels drift in a noisy machine."""
    order: list[tuple[int, Route]] = []
    for number in range(1, rounds + 1):
        this_round = routes if number % 2 else list(reversed(routes))
        order.extend((number, route) for route in this_round)
    return order


def check_routes(server: Server, routes: Sequence[Route], expected_bytes: int) -> None:
    """Every route answers 200 before we measure; article and ceiling sizes agree."""
    for route in routes:
        status, body = fetch(server.base_url + route.path)
        if status != 200:
            raise ServerError(f"GET {route.path} answered {status}: {body[:300]!r}")
        if route.name in {"article", "ceiling"} and len(body) != expected_bytes:
            raise ServerError(
                f"GET {route.path} sent {len(body)} bytes; the ceiling needs {expected_bytes}"
            )


def measure(
    server: Server, wrk_path: str, script: Path, route: Route, settings: Settings, number: int
) -> Sample:
    url = server.base_url + route.path
    if settings.warmup_s:
        wrk.run(
            wrk_path,
            url,
            script=script,
            connections=settings.connections,
            duration_s=settings.warmup_s,
        )
    cpu_before = server.cpu_seconds()
    result = wrk.run(
        wrk_path,
        url,
        script=script,
        connections=settings.connections,
        duration_s=settings.duration_s,
    )
    cpu_after = server.cpu_seconds()
    cpu_us = None
    if cpu_before is not None and cpu_after is not None and result.requests:
        cpu_us = (cpu_after - cpu_before) * 1e6 / result.requests
    return Sample(
        round=number,
        requests=result.requests,
        duration_s=result.duration_s,
        rps=result.rps,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        errors=result.errors,
        cpu_us_per_request=cpu_us,
    )


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}{suffix}"


def machine_notes() -> str:
    return (
        f"{os.cpu_count()} CPUs ({platform.machine()}, {platform.system()} "
        f"{platform.release()}), Python {platform.python_version()}; "
        "server and wrk on the same machine"
    )


def code_version() -> str:
    """The commit measured, and whether app/ had uncommitted changes then."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "app", "migrations"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return f"{head} with uncommitted app changes" if dirty else head


def ratio_lines(results: dict[str, RouteResult]) -> list[str]:
    article, ceiling = results["article"], results["ceiling"]
    rps = article.rps / ceiling.rps
    per_round = [
        a.rps / c.rps for a, c in zip(article.samples, ceiling.samples, strict=True) if c.rps
    ]
    verdict = "meets" if rps >= TARGET_RPS_RATIO else "misses"
    cpu = _ratio(article.cpu_us_per_request, ceiling.cpu_us_per_request)
    return [
        f"article/ceiling rps: {rps:.2f} (per round {min(per_round):.2f} to "
        f"{max(per_round):.2f}); {verdict} the target of >= {TARGET_RPS_RATIO:.2f}",
        f"article/ceiling p50 latency: {article.p50_ms / ceiling.p50_ms:.2f}x",
        f"article/ceiling p99 latency: {article.p99_ms / ceiling.p99_ms:.2f}x",
        f"article/ceiling server CPU per request: {_fmt(cpu, suffix='x')}",
    ]


def text_table(results: dict[str, RouteResult]) -> str:
    header = f"{'route':<9} {'rps':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU us/req':>10}  path"
    rows = [header, "-" * len(header)]
    for r in results.values():
        rows.append(
            f"{r.route.name:<9} {r.rps:>9,.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
            f"{_fmt(r.cpu_us_per_request, 0):>10}  {r.route.path}"
        )
    return "\n".join(rows)


def command_line(settings: Settings) -> str:
    if settings.parts == PARTS:
        return "make bench"
    return f"python -m bench --only {','.join(settings.parts)}"


def article_markdown(
    results: dict[str, RouteResult], settings: Settings, data: dataset.Dataset
) -> list[str]:
    lines = [
        f"- Load: wrk 1 thread, {settings.connections} connections, "
        f"{settings.warmup_s} s warm-up + {settings.duration_s} s measured per run, "
        f"{settings.rounds} rounds per route in alternating order",
        f"- Data: SQLite (WAL) with the demo newsroom ({data.published_articles} published "
        "articles)",
        f"- Article: `{data.slug}`, {data.document_bytes:,} bytes; the ceiling sends as many",
        "",
        "| route | path | rps | p50 ms | p99 ms | server CPU µs/req | rps per round |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results.values():
        per_round = " / ".join(f"{s.rps:,.0f}" for s in r.samples)
        lines.append(
            f"| {r.route.name} | `{r.route.path}` | {r.rps:,.0f} | {r.p50_ms:.2f} | "
            f"{r.p99_ms:.2f} | {_fmt(r.cpu_us_per_request, 0)} | {per_round} |"
        )
    lines.append("")
    lines.extend(f"- {line}" for line in ratio_lines(results))
    return lines


@dataclass
class Report:
    """What each part measured: markdown lines, a summary for the terminal, raw data."""

    sections: dict[str, list[str]] = field(default_factory=dict)
    summaries: dict[str, list[str]] = field(default_factory=dict)
    raw: dict[str, object] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


SECTION_TITLES = {
    "article": "Article read vs the GET ceiling",
    "views": "Beacon ingest vs the POST ceiling",
    "popular": "/v1/popular on 100,000 articles and 10 million views",
}


def markdown(report: Report, settings: Settings, when: datetime) -> str:
    lines = [
        f"### {when:%Y-%m-%d %H:%M} UTC",
        "",
        f"- Command: `{command_line(settings)}`",
        f"- Server: uvicorn {' '.join(server_options())}",
        f"- Code: {code_version()}",
        f"- Machine: {machine_notes()}",
    ]
    for part, section in report.sections.items():
        lines.extend(["", f"#### {SECTION_TITLES[part]}", "", *section])
    return "\n".join(lines) + "\n"


def write_outputs(out_dir: Path, report: Report, text: str) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.md").write_text(text, encoding="utf-8")
    (out_dir / "results.json").write_text(
        json.dumps(report.raw, indent=2, default=str) + "\n", encoding="utf-8"
    )


def run_article(settings: Settings, wrk_path: str, directory: Path, report: Report) -> None:
    print("article: preparing a SQLite database with the demo newsroom...", flush=True)
    data = dataset.prepare(directory, settings.slug)
    routes = [
        Route("article", f"/v1/articles/{data.slug}"),
        Route("ceiling", CEILING_PATH),
        Route("list", f"/v1/articles?limit={LIST_LIMIT}"),
    ]
    script = wrk.write_script(directory)
    results = {route.name: RouteResult(route) for route in routes}
    plan = schedule(routes, settings.rounds)
    total = len(plan) * (settings.warmup_s + settings.duration_s)
    with Server(
        database_url=data.database_url,
        ceiling_bytes=data.document_bytes,
        log_path=directory / "uvicorn.log",
    ) as server:
        check_routes(server, routes, data.document_bytes)
        print(
            f"  server pid {server.pid} at {server.base_url}; {len(plan)} runs, about {total} s",
            flush=True,
        )
        for number, route in plan:
            sample = measure(server, wrk_path, script, route, settings, number)
            results[route.name].samples.append(sample)
            print(
                f"  round {number} {route.name:<8} {sample.rps:>9,.0f} rps  "
                f"p50 {sample.p50_ms:6.2f} ms  p99 {sample.p99_ms:6.2f} ms  "
                f"CPU {_fmt(sample.cpu_us_per_request, 0)} us/req"
                + (f"  ERRORS {sample.errors}" if sample.errors else ""),
                flush=True,
            )
        server_log = server.log()
    print()
    print(text_table(results))
    report.sections["article"] = article_markdown(results, settings, data)
    report.summaries["article"] = ratio_lines(results)
    report.raw["article"] = {
        "slug": data.slug,
        "document_bytes": data.document_bytes,
        "routes": {
            name: {"path": r.route.path, "samples": [asdict(s) for s in r.samples]}
            for name, r in results.items()
        },
    }
    errors = sum(r.errors for r in results.values())
    if errors:
        report.failures.append(f"article: {errors} failed requests; the numbers are not valid")
        if server_log:
            print(server_log, file=sys.stderr)


def run_views(settings: Settings, wrk_path: str, directory: Path, report: Report) -> None:
    assert settings.views_settings is not None
    print("views: beacon ingest per store vs the POST ceiling...", flush=True)
    results = views.run(settings.views_settings, wrk_path, directory / "views")
    report.sections["views"] = views.markdown(results, settings.views_settings)
    report.summaries["views"] = views.summary_lines(results)
    report.raw["views"] = views.raw(results)
    for r in results:
        if r.skipped:
            continue
        if r.errors:
            report.failures.append(f"views ({r.store}): {r.errors} failed or non-202 requests")
        if not r.matched:
            report.failures.append(f"views ({r.store}): {views.check_line(r)}")
        if (r.errors or not r.matched) and r.server_log:
            print(r.server_log, file=sys.stderr)


def run_popular(settings: Settings, wrk_path: str, directory: Path, report: Report) -> None:
    assert settings.popular_settings is not None
    print("popular: /v1/popular on 100,000 articles and 10 million views...", flush=True)
    result = popular.run(settings.popular_settings, wrk_path, directory)
    report.sections["popular"] = popular.markdown(result, settings.popular_settings)
    report.summaries["popular"] = popular.summary_lines(result)
    report.raw["popular"] = popular.raw(result)
    errors = sum(s.errors for s in result.served)
    if errors:
        report.failures.append(f"popular: {errors} failed requests; the numbers are not valid")


RUNNERS = {"article": run_article, "views": run_views, "popular": run_popular}


def run(settings: Settings) -> int:
    wrk_path = wrk.ensure_wrk()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="byline-bench-") as tmp:
        for part in settings.parts:
            directory = Path(tmp) / part
            directory.mkdir()
            started = time.monotonic()
            RUNNERS[part](settings, wrk_path, directory, report)
            print(f"{part}: done in {time.monotonic() - started:.0f} s\n", flush=True)
    for part, lines in report.summaries.items():
        print(f"[{part}]")
        for line in lines:
            print(f"  {line}")
    text = markdown(report, settings, datetime.now(UTC))
    print("\nMarkdown for bench/RESULTS.md:\n")
    print(text)
    write_outputs(settings.out_dir, report, text)
    for failure in report.failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if report.failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    started = time.monotonic()
    try:
        status = run(settings)
    except (
        wrk.WrkError,
        ServerError,
        dataset.DatasetError,
        popular_data.PopularDataError,
    ) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"done in {time.monotonic() - started:.0f} s")
    return status
