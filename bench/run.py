"""Byline as shipped against a bare FastAPI app, on SQLite and PostgreSQL.

reads:   article (largest and ~7 KB), 304, lists (page 1, page 1,000, by tag, by
         author), an author, related articles, /v1/popular; each against bench/bare.py
         sending the same bytes.
beacons: POST /v1/articles/{slug}/views per view store against a bare POST answering 202.
workers: `byline serve --workers 2` against `--workers 1`, the article.
soak:    RSS of one worker over --soak-requests article requests (not run by default).
popular: /v1/popular p99 on 100,000 articles and 10 million views (SQLite only).
Byline runs as `byline serve` with default settings; every ratio is taken within one
run, in alternating rounds. See bench/RESULTS.md.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import beacons, chart, data, popular, popular_data, reads, workers, wrk
from bench.measure import Comparison, Load, Sample, Series
from bench.process import REPO_ROOT, ServerError
from bench.targets import Check, memory_check, ratio_checks

PARTS = ("reads", "beacons", "workers", "soak", "popular")
DEFAULT_PARTS = ("reads", "beacons", "workers", "popular")
CHECK_PARTS = ("reads", "beacons", "workers")
# Articles `byline bench-data` generates (`--articles 0`: the demo newsroom). The check's
# smaller dataset has no page 1,000; its deep page starts half way down the list.
FULL_ARTICLES = 100_000
CHECK_ARTICLES = 20_000


@dataclass(frozen=True)
class Settings:
    parts: tuple[str, ...]
    backends: tuple[str, ...]
    stores: tuple[str, ...]
    articles: int | None
    seed: int
    load: Load
    soak_requests: int
    rebuild: bool
    check: bool
    out_dir: Path
    chart_path: Path
    command: str


def _choices(allowed: Sequence[str]) -> Any:
    def parse(value: str) -> tuple[str, ...]:
        chosen = tuple(v.strip() for v in value.split(",") if v.strip())
        if not chosen or set(chosen) - set(allowed):
            raise argparse.ArgumentTypeError(f"choose from {', '.join(allowed)} (got {value!r})")
        return chosen

    return parse


def parse_args(argv: Sequence[str] | None) -> Settings:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--only", type=_choices(PARTS), help="parts to run, comma-separated")
    parser.add_argument(
        "--check",
        action="store_true",
        help="the short run of `make bench-check`: exits 1 when a ratio misses its target",
    )
    parser.add_argument(
        "--databases", type=_choices(data.BACKENDS), default=data.BACKENDS, metavar="DB[,DB]"
    )
    parser.add_argument("--stores", type=_choices(beacons.STORES), default=beacons.STORES)
    parser.add_argument(
        "--articles",
        type=int,
        help=f"bench-data size ({FULL_ARTICLES:,}; check {CHECK_ARTICLES:,}); 0: demo",
    )
    parser.add_argument("--seed", type=int, default=1, help="bench-data seed")
    parser.add_argument("--duration", type=int, help="seconds measured per run (10; check 3)")
    parser.add_argument("--warmup", type=int, help="seconds of warm-up per run (3; check 1)")
    parser.add_argument("--rounds", type=int, help="rounds per comparison (2; check 1)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--soak-requests", type=int, default=1_000_000)
    parser.add_argument("--rebuild-dataset", action="store_true", help="ignore cached data")
    parser.add_argument("--out-dir", type=Path, default=REPO_ROOT / "bench" / "out")
    parser.add_argument("--chart", type=Path, help="PNG path (bench/results.png; check: out)")
    args = parser.parse_args(argv)
    check = args.check
    duration = args.duration or (3 if check else 10)
    warmup = args.warmup if args.warmup is not None else (1 if check else 3)
    rounds = args.rounds or (1 if check else 2)
    if min(duration, rounds, args.connections, args.soak_requests) < 1 or warmup < 0:
        parser.error("durations, rounds, connections and requests must be positive")
    articles = (
        args.articles if args.articles is not None else (CHECK_ARTICLES if check else FULL_ARTICLES)
    )
    default_chart = args.out_dir / "results.png" if check else REPO_ROOT / "bench" / "results.png"
    return Settings(
        parts=args.only or (CHECK_PARTS if check else DEFAULT_PARTS),
        backends=args.databases,
        stores=args.stores,
        articles=articles or None,
        seed=args.seed,
        load=Load(args.connections, warmup, duration, rounds),
        soak_requests=args.soak_requests,
        rebuild=args.rebuild_dataset,
        check=check,
        out_dir=args.out_dir,
        chart_path=args.chart or default_chart,
        command="python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
    )


def _print_sample(series: Series, sample: Sample) -> None:
    print(
        f"    {series.name:<16} {series.server:<13} {sample.rps:>8,.0f}/s  "
        f"p50 {sample.p50_ms:6.2f} ms  p99 {sample.p99_ms:7.2f} ms  "
        f"CPU {sample.cpu_us:6,.0f} us/req"
        + (f"  ERRORS {sample.errors}" if sample.errors else ""),
        flush=True,
    )


@dataclass
class Results:
    comparisons: list[Comparison] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


def run_backend(backend: str, settings: Settings, directory: Path, results: Results) -> None:
    print(f"{backend}: preparing the dataset...", flush=True)
    dataset = data.prepare(backend, settings.articles, settings.seed, rebuild=settings.rebuild)
    results.notes.append(
        f"{backend}: dataset {dataset.size} ({'cached' if dataset.reused else 'built this run'})"
    )
    picks = reads.pick_documents(dataset.database_url)
    results.raw.setdefault("picks", {})[backend] = asdict(picks)
    if "reads" in settings.parts:
        print(f"{backend}: reads", flush=True)
        _, found = reads.run(dataset.database_url, backend, settings.load, directory, _print_sample)
        results.comparisons.extend(found)
    if "beacons" in settings.parts:
        for store in settings.stores:
            print(f"{backend}: beacons, {store} store", flush=True)
            comparison, exact = beacons.run(
                dataset.database_url, backend, store, settings.load, directory, _print_sample
            )
            results.comparisons.append(comparison)
            results.raw.setdefault("exactness", {})[f"{backend} {store}"] = asdict(exact)
            line = (
                f"{backend} {store} store: {exact.added_to_database:,} views added, "
                f"{exact.counted_by_wrk:,} 202s counted by wrk"
            )
            print(f"    {line}", flush=True)
            results.notes.append(line + ("" if exact.matched else " (MISMATCH)"))
            if not exact.matched:
                results.failures.append(f"beacons were not counted exactly: {line}")
    if "workers" in settings.parts:
        print(f"{backend}: 2 workers against 1", flush=True)
        results.comparisons.append(
            workers.run_workers(
                dataset.database_url,
                backend,
                picks.large_slug,
                settings.load,
                directory,
                _print_sample,
            )
        )
    if "soak" in settings.parts:
        print(f"{backend}: memory soak, {settings.soak_requests:,} requests", flush=True)
        soak = workers.run_soak(
            dataset.database_url,
            backend,
            picks.large_slug,
            settings.soak_requests,
            settings.load.connections,
            directory,
        )
        results.checks.append(memory_check(backend, soak.requests, soak.growth))
        results.raw.setdefault("soak", {})[backend] = asdict(soak)


def run_popular(directory: Path, results: Results, rebuild: bool) -> None:
    print("popular: /v1/popular on 100,000 articles and 10 million views...", flush=True)
    popular_settings = popular.PopularSettings(
        duration_s=10,
        warmup_s=2,
        connections=(1, 32),
        cold_repeats=5,
        rebuild=rebuild,
        out_dir=REPO_ROOT / "bench" / "out",
    )
    result = popular.run(popular_settings, wrk.ensure_wrk(), directory)
    results.raw["popular"] = popular.raw(result)
    results.notes.extend(popular.summary_lines(result))
    results.raw["popular_markdown"] = popular.markdown(result, popular_settings)


def machine() -> str:
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    return (
        f"nproc {os.cpu_count()}, {model}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; servers and wrk on the same machine"
    )


def code_version() -> str:
    """The commit measured, and whether app/ had uncommitted changes then."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "app", "migrations")
    return f"{head} with uncommitted app changes" if dirty else head


def _series_cells(series: Series) -> str:
    return (
        f"{series.rps:,.0f} | {series.mean('p50_ms'):.2f} | {series.mean('p99_ms'):.2f} | "
        f"{series.mean('cpu_us'):,.0f}"
    )


def markdown(settings: Settings, results: Results, when: datetime) -> str:
    load = settings.load
    lines = [
        f"### {when:%Y-%m-%d %H:%M} UTC",
        "",
        f"- Command: `{settings.command.strip()}`",
        f"- Code: {code_version()}",
        f"- Machine: {machine()}",
        f"- Load: wrk {load.threads} thread, {load.connections} connections, {load.warmup_s} s "
        f"warm-up + {load.duration_s} s measured per run, {load.rounds} round(s), alternating",
        *(f"- {note}" for note in results.notes),
        "",
        "| db | measurement | path | rps | p50 ms | p99 ms | CPU µs/req | baseline rps | "
        "p50 ms | p99 ms | CPU µs/req | ratio |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for c in results.comparisons:
        path = c.subject.path if len(c.subject.path) < 60 else c.subject.path[:57] + "..."
        lines.append(
            f"| {c.backend} | {c.name} | `{path}` | {_series_cells(c.subject)} | "
            f"{_series_cells(c.baseline)} | {c.ratio:.2f} |"
        )
    lines += ["", "| check | value | target | verdict |", "| --- | ---: | ---: | --- |"]
    for check in results.checks:
        bound = (
            "-" if check.target is None else f"{'<=' if check.at_most else '>='} {check.target:.2f}"
        )
        lines.append(f"| {check.label} | {check.value:.2f} | {bound} | {check.verdict} |")
    lines.extend(results.raw.get("popular_markdown", []))
    return "\n".join(lines) + "\n"


def _check_table(checks: Sequence[Check]) -> str:
    width = max((len(c.label) for c in checks), default=10)
    rows = [f"{'check':<{width}}  {'value':>6}  {'target':>8}  verdict"]
    for c in checks:
        bound = "" if c.target is None else f"{'<=' if c.at_most else '>='}{c.target:.2f}"
        rows.append(f"{c.label:<{width}}  {c.value:>6.2f}  {bound:>8}  {c.verdict}")
    return "\n".join(rows)


def _raw(results: Results) -> dict[str, Any]:
    return {
        **{k: v for k, v in results.raw.items() if k != "popular_markdown"},
        "comparisons": [
            {
                "part": c.part,
                "backend": c.backend,
                "name": c.name,
                "ratio": c.ratio,
                "subject": asdict(c.subject),
                "baseline": asdict(c.baseline),
            }
            for c in results.comparisons
        ],
        "checks": [{**asdict(c), "verdict": c.verdict} for c in results.checks],
    }


def run(settings: Settings) -> int:
    wrk.ensure_wrk()
    results = Results()
    with data.exclusive(), tempfile.TemporaryDirectory(prefix="byline-bench-") as tmp:
        for backend in settings.backends:
            if set(settings.parts) - {"popular"}:
                directory = Path(tmp) / backend
                directory.mkdir()
                run_backend(backend, settings, directory, results)
        if "popular" in settings.parts:
            run_popular(Path(tmp), results, settings.rebuild)
    results.checks[:0] = ratio_checks(results.comparisons)
    errors = sum(c.subject.errors + c.baseline.errors for c in results.comparisons)
    if errors:
        results.failures.append(f"{errors} requests failed; the numbers are not valid")
    text = markdown(settings, results, datetime.now(UTC))
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    (settings.out_dir / "results.md").write_text(text, encoding="utf-8")
    (settings.out_dir / "results.json").write_text(
        json.dumps(_raw(results), indent=2, default=str) + "\n", encoding="utf-8"
    )
    if results.checks:
        chart.write(results.checks, settings.chart_path, f"Byline as shipped, {code_version()}")
    print("\n" + text)
    print(_check_table(results.checks))
    print(f"\nwrote {settings.out_dir}/results.json, results.md and {settings.chart_path}")
    missed = [c for c in results.checks if c.passed is False]
    if settings.check and missed:
        results.failures.append(f"{len(missed)} ratio(s) below target")
    for failure in results.failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if results.failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    started = time.monotonic()
    try:
        status = run(settings)
    except (wrk.WrkError, ServerError, data.DatasetError, popular_data.PopularDataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"done in {time.monotonic() - started:.0f} s")
    return status
