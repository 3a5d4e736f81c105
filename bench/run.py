"""Article read vs fixed-bytes ceiling: rps and latency, as ratios from one run."""

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

from bench import dataset, wrk
from bench.process import REPO_ROOT, Server, ServerError, fetch, server_options
from bench.server import CEILING_PATH

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


def parse_args(argv: Sequence[str] | None) -> Settings:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds measured per run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per run")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--rounds", type=int, default=2, help="measurements per route")
    parser.add_argument("--slug", default=dataset.FLAGSHIP_SLUG, help="article to read")
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=REPO_ROOT / "bench" / "out",
        help="where results.json and results.md go (git-ignored)",
    )
    args = parser.parse_args(argv)
    if args.duration < 1 or args.warmup < 0 or args.connections < 1 or args.rounds < 1:
        parser.error("--duration, --connections and --rounds must be positive")
    return Settings(
        duration_s=args.duration,
        warmup_s=args.warmup,
        connections=args.connections,
        rounds=args.rounds,
        slug=args.slug,
        out_dir=args.out_dir,
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


def markdown(
    results: dict[str, RouteResult], settings: Settings, data: dataset.Dataset, when: datetime
) -> str:
    lines = [
        f"### {when:%Y-%m-%d %H:%M} UTC",
        "",
        f"- Command: `make bench` (wrk 1 thread, {settings.connections} connections, "
        f"{settings.warmup_s} s warm-up + {settings.duration_s} s measured per run, "
        f"{settings.rounds} rounds per route in alternating order)",
        f"- Server: uvicorn {' '.join(server_options())}; SQLite (WAL) with the demo "
        f"newsroom ({data.published_articles} published articles)",
        f"- Article: `{data.slug}`, {data.document_bytes:,} bytes; the ceiling sends as many",
        f"- Code: {code_version()}",
        f"- Machine: {machine_notes()}",
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
    return "\n".join(lines) + "\n"


def write_outputs(
    out_dir: Path, results: dict[str, RouteResult], text: str, data: dataset.Dataset
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.md").write_text(text, encoding="utf-8")
    raw = {
        "slug": data.slug,
        "document_bytes": data.document_bytes,
        "routes": {
            name: {"path": r.route.path, "samples": [asdict(s) for s in r.samples]}
            for name, r in results.items()
        },
    }
    (out_dir / "results.json").write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")


def run(settings: Settings) -> int:
    wrk_path = wrk.ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="byline-bench-") as tmp:
        directory = Path(tmp)
        print("preparing a SQLite database with the demo newsroom...", flush=True)
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
                f"server pid {server.pid} at {server.base_url}; {len(plan)} runs, about {total} s",
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
    print()
    for line in ratio_lines(results):
        print(line)
    text = markdown(results, settings, data, datetime.now(UTC))
    print("\nMarkdown for bench/RESULTS.md:\n")
    print(text)
    write_outputs(settings.out_dir, results, text, data)
    errors = sum(r.errors for r in results.values())
    if errors:
        print(f"error: {errors} failed requests; the numbers are not valid", file=sys.stderr)
        if server_log:
            print(server_log, file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    started = time.monotonic()
    try:
        status = run(settings)
    except (wrk.WrkError, ServerError, dataset.DatasetError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"done in {time.monotonic() - started:.0f} s")
    return status
