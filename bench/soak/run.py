"""`python -m bench.soak`: `byline serve --workers 2` under mixed load on PostgreSQL.

About 90% public reads across the dataset's articles, lists, authors, people, tags,
related and popular; 8% page-view beacons; 2% editors' writes and publishes through the
management API, with tokens made by `byline tokens create`. Byline runs as shipped
(default settings) on a scratch copy of the cached bench dataset, with the view store
chosen here: Redis by default, as production is advised to run, so its flush to the
database is soaked too. The run reports errors, p50/p99 per route, requests per second
and each worker's memory after the warm-up and at the end, checks that every
acknowledged write and counted view is in the database, writes soak.json, soak.md and
the server's log to --out-dir, and exits 1 when a target is missed. Not part of
`make test`.
"""

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
import redis
import uvloop

from bench import data
from bench.beacons import REDIS_URL, STORES, clear_redis, views_total
from bench.process import BYLINE, REPO_ROOT, ServerError, byline_server
from bench.run import CHECK_ARTICLES, code_version, machine
from bench.soak import report
from bench.soak.load import Pace, Tally, drive
from bench.soak.traffic import Catalog, Editor, Traffic, WriteLedger
from bench.soak.verify import counted_by_server, write_problems

WORKERS = 2
SCRATCH_DATABASE = "byline_soak"
FLUSH_WAIT_S = 30.0
# About half of what 2 workers serve of this mix on a quiet 2-core machine: the soak is
# a steady news day, not a saturation test, and the load generator needs a core share.
RATE = 400.0


@dataclass(frozen=True)
class Settings:
    minutes: float
    warmup_s: float
    rate: float
    connections: int
    editors: int
    view_store: str
    articles: int
    seed: int
    rebuild: bool
    out_dir: Path
    command: str


def parse_args(argv: Sequence[str] | None) -> Settings:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="measured (10)")
    parser.add_argument("--warmup", type=float, default=30.0, help="seconds before it (30)")
    parser.add_argument(
        "--rate", type=float, default=RATE, help=f"requests per second in all ({RATE:g}); 0: no cap"
    )
    parser.add_argument("--connections", type=int, default=32, help="concurrent (32)")
    parser.add_argument("--editors", type=int, default=4, help="each with a token (4)")
    parser.add_argument("--view-store", choices=STORES, default="redis")
    parser.add_argument(
        "--articles", type=int, default=CHECK_ARTICLES, help=f"bench-data size ({CHECK_ARTICLES:,})"
    )
    parser.add_argument("--seed", type=int, default=1, help="bench-data seed")
    parser.add_argument("--rebuild-dataset", action="store_true", help="ignore the cached one")
    parser.add_argument("--out-dir", type=Path, default=REPO_ROOT / "bench" / "out" / "soak")
    args = parser.parse_args(argv)
    if min(args.minutes, args.connections, args.editors, args.articles) <= 0:
        parser.error("minutes, connections, editors and articles must be positive")
    if args.rate < 0 or args.warmup < 0:
        parser.error("the rate and the warm-up cannot be negative")
    return Settings(
        minutes=args.minutes,
        warmup_s=args.warmup,
        rate=args.rate,
        connections=args.connections,
        editors=args.editors,
        view_store=args.view_store,
        articles=args.articles,
        seed=args.seed,
        rebuild=args.rebuild_dataset,
        out_dir=args.out_dir,
        command="python -m bench.soak " + " ".join(argv if argv is not None else sys.argv[1:]),
    )


def create_token(database_url: str, name: str) -> str:
    """A token made as an operator makes one; the command prints its secret on line 2."""
    done = subprocess.run(
        [
            str(BYLINE),
            "tokens",
            "create",
            f"--name={name}",
            "--scope=content:write",
            "--scope=content:publish",
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ServerError(f"`byline tokens create` failed: {done.stderr.strip()}")
    return done.stdout.splitlines()[1].strip()


def wait_for_views(database_url: str, expected: int) -> float | None:
    """Seconds until the database holds `expected` views (the Redis store flushes every
    few seconds), or None when it did not within FLUSH_WAIT_S."""
    started = time.monotonic()
    while time.monotonic() - started < FLUSH_WAIT_S:
        if views_total(database_url) >= expected:
            return time.monotonic() - started
        time.sleep(0.5)
    return None


def log_errors(log: Path) -> list[str]:
    """The server's log lines at error level or above (it logs JSON lines)."""
    text = log.read_text(encoding="utf-8", errors="replace")
    return [
        line
        for line in text.splitlines()
        if '"level":"error"' in line or '"level":"critical"' in line or "Traceback" in line
    ]


def soak(database_url: str, settings: Settings, directory: Path) -> report.Outcome:
    run_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    catalog = Catalog.load(database_url)
    ledger = WriteLedger()
    editors = [
        Editor(n, create_token(database_url, f"soak editor {n}"), run_id, catalog, ledger)
        for n in range(settings.editors)
    ]
    env = {"VIEW_STORE": settings.view_store}
    if settings.view_store == "redis":
        clear_redis()
        env["REDIS_URL"] = REDIS_URL
    views_before = views_total(database_url)
    log = directory / "byline.log"
    server = byline_server(database_url, log, workers=WORKERS, env=env)
    pace = Pace(settings.connections, settings.rate, settings.warmup_s, settings.minutes * 60)
    print(
        f"soak: {WORKERS} workers, {settings.view_store} view store, {len(catalog.slugs):,} "
        f"articles; {settings.warmup_s:.0f} s warm-up + {pace.duration_s:.0f} s at "
        f"{settings.rate or 'uncapped'} req/s over {settings.connections} connections",
        flush=True,
    )
    try:
        server.start()
        counted_before = counted_by_server(server.base_url)
        traffic = Traffic(catalog, editors, run_id, time.monotonic)
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            tally = runner.run(
                drive(server.base_url, traffic, pace, server.worker_rss_bytes, server.cpu_seconds)
            )
        counted = counted_by_server(server.base_url) - counted_before
        flushed_within = wait_for_views(database_url, views_before + counted)
    finally:
        clean = server.stop()
    views = traffic.views
    problems = write_problems(database_url, ledger)
    exactness = report.Exactness(
        writes_acknowledged=ledger.acknowledged,
        writes_missing=len(problems),
        views_expected_min=views.counted,
        views_expected_max=views.counted + views.lost,
        views_counted_by_server=counted,
        views_added=views_total(database_url) - views_before,
        views_flushed_within_s=flushed_within if settings.view_store == "redis" else None,
    )
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(log, settings.out_dir / "byline.log")
    return outcome(settings, tally, exactness, clean, problems, log_errors(log))


def outcome(
    settings: Settings,
    tally: Tally,
    exactness: report.Exactness,
    clean: bool,
    problems: list[str],
    log_lines: list[str],
) -> report.Outcome:
    found = report.Outcome(
        settings={k: str(v) if isinstance(v, Path) else v for k, v in asdict(settings).items()},
        duration_s=tally.measured_s,
        requests=tally.requests,
        errors=tally.errors,
        error_samples=tally.error_samples + problems[:10] + log_lines[:10],
        routes=[
            report.route_stats(route, latencies, tally.route_errors.get(route, 0))
            for route, latencies in sorted(tally.latencies_s.items())
        ],
        workers=report.pair_workers(tally.rss[0][1], tally.rss[-1][1]),
        rss_samples=tally.rss,
        exactness=exactness,
        clean_shutdown=clean,
        server_log_errors=len(log_lines),
        load_cpu_s=tally.load_cpu_s,
        server_cpu_s=tally.server_cpu_s,
    )
    found.checks = report.checks(found)
    return found


def run(settings: Settings) -> int:
    with data.exclusive(), tempfile.TemporaryDirectory(prefix="byline-soak-") as tmp:
        print("soak: preparing the dataset...", flush=True)
        dataset = data.prepare(
            "postgresql", settings.articles, settings.seed, rebuild=settings.rebuild
        )
        with data.scratch_copy(dataset, SCRATCH_DATABASE) as database_url:
            found = soak(database_url, settings, Path(tmp))
    when = datetime.now(UTC)
    heading = "\n".join(
        [
            f"### {when:%Y-%m-%d %H:%M} UTC",
            "",
            f"- Command: `{settings.command.strip()}`",
            f"- Code: {code_version()}",
            f"- Machine: {machine()}",
            f"- Dataset: {settings.articles:,} articles (bench-data seed {settings.seed}), "
            f"`byline serve --workers {WORKERS}`, view store {settings.view_store}",
        ]
    )
    text = report.markdown(found, heading)
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    (settings.out_dir / "soak.md").write_text(text, encoding="utf-8")
    (settings.out_dir / "soak.json").write_bytes(
        orjson.dumps(report.as_json(found), option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
    )
    print("\n" + text)
    print(f"wrote {settings.out_dir}/soak.json, soak.md and byline.log (the server's log)")
    return 0 if found.passed else 1


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    try:
        return run(settings)
    except (ServerError, data.DatasetError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except redis.RedisError as exc:
        print(f"error: Redis at {REDIS_URL}: {exc} (or use --view-store database)", file=sys.stderr)
        return 1
