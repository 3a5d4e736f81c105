"""The image bench: `make bench-images`, or `python -m bench.images`.

cold:    a 6000x4000 JPEG to an 800 px WebP, Byline's pyvips path against Pillow in the
         same run (median of --repeats each, alternating); AVIF and JPEG for the record.
cached:  the stored 800 px WebP at its versioned URL, Byline as shipped (SQLite, one
         worker, default settings) against bench/bare.py sending the same bytes; wrk,
         the same connections both sides, alternating rounds. Target >= 0.8.
uploads: a worker's peak resident memory while --uploads editors upload a ~30 MB
         6000x4000 JPEG at once, and while one does.
Results go to bench/out/images.md and images.json; bench/RESULTS.md keeps them by hand.
"""

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import data, wrk
from bench.images import cached, cold, uploads
from bench.measure import Load, Sample, Series
from bench.process import REPO_ROOT, ServerError
from bench.run import code_version, machine
from bench.targets import Check

PARTS = ("cold", "cached", "uploads")
CACHED_OVER_BARE = 0.80
MIB = 2**20


@dataclass(frozen=True)
class Settings:
    parts: tuple[str, ...]
    repeats: int
    load: Load
    uploads: int
    out_dir: Path
    command: str


@dataclass
class Results:
    rendering: cold.Cold | None = None
    serving: cached.Cached | None = None
    memory: list[uploads.UploadMemory] = field(default_factory=list)

    def checks(self) -> list[Check]:
        found = []
        if self.serving is not None:
            ratio = self.serving.comparison.ratio
            found.append(Check("cached rendition / bare", ratio, CACHED_OVER_BARE))
        if self.rendering is not None:
            found.append(
                Check("pyvips speed-up over Pillow (800 px WebP)", self.rendering.speedup, None)
            )
        return found


def parse_args(argv: Sequence[str] | None) -> Settings:
    parser = argparse.ArgumentParser(
        prog="python -m bench.images",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--only", type=lambda v: tuple(p for p in v.split(",") if p), help=", ".join(PARTS)
    )
    parser.add_argument("--repeats", type=int, default=7, help="cold renditions per side (7)")
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per run")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the cached comparison")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--uploads", type=int, default=20, help="concurrent uploads (20)")
    parser.add_argument("--out-dir", type=Path, default=REPO_ROOT / "bench" / "out")
    args = parser.parse_args(argv)
    parts = args.only or PARTS
    if set(parts) - set(PARTS):
        parser.error(f"--only: choose from {', '.join(PARTS)}")
    if min(args.repeats, args.duration, args.rounds, args.connections, args.uploads) < 1:
        parser.error("repeats, durations, rounds, connections and uploads must be positive")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    return Settings(
        parts=parts,
        repeats=args.repeats,
        load=Load(args.connections, args.warmup, args.duration, args.rounds),
        uploads=args.uploads,
        out_dir=args.out_dir,
        command="python -m bench.images " + " ".join(argv if argv is not None else sys.argv[1:]),
    )


def _print_sample(series: Series, sample: Sample) -> None:
    print(
        f"    {series.name:<16} {sample.rps:>8,.0f}/s  p50 {sample.p50_ms:6.2f} ms  "
        f"p99 {sample.p99_ms:7.2f} ms  CPU {sample.cpu_us:6,.0f} us/req"
        + (f"  ERRORS {sample.errors}" if sample.errors else ""),
        flush=True,
    )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def markdown(settings: Settings, results: Results, when: datetime, environment: str) -> str:
    load = settings.load
    lines = [
        f"#### {when:%Y-%m-%d %H:%M} UTC",
        "",
        f"- Command: `{settings.command.strip()}`",
        f"- Machine: {environment}",
    ]
    if results.rendering is not None:
        found = results.rendering
        lines += [
            "",
            f"Cold rendition, 6000x4000 JPEG ({found.source_bytes / MIB:.1f} MiB) to 800 px, "
            f"median of {settings.repeats}:",
            "",
            "| path | median ms | min ms | max ms | output bytes |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for timing in (found.pyvips, found.pillow, *found.others):
            lines.append(
                f"| {timing.name} | {_ms(timing.median)} | {_ms(min(timing.seconds))} | "
                f"{_ms(max(timing.seconds))} | {timing.output_bytes:,} |"
            )
        lines += ["", f"pyvips is {found.speedup:.2f}x as fast as Pillow (medians)."]
    if results.serving is not None:
        c = results.serving.comparison
        lines += [
            "",
            f"Cached rendition, {results.serving.body_bytes:,} bytes of "
            f"{results.serving.media_type}; wrk {load.connections} connections, "
            f"{load.warmup_s} s warm-up + {load.duration_s} s, {load.rounds} round(s):",
            "",
            "| server | path | rps | p50 ms | p99 ms | CPU µs/req |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for series in (c.subject, c.baseline):
            lines.append(
                f"| {series.server} | `{series.path}` | {series.rps:,.0f} | "
                f"{series.mean('p50_ms'):.2f} | {series.mean('p99_ms'):.2f} | "
                f"{series.mean('cpu_us'):,.0f} |"
            )
        lines += ["", f"Byline / bare: {c.ratio:.2f} (target >= {CACHED_OVER_BARE:.2f})."]
    if results.memory:
        lines += [
            "",
            "Worker memory under concurrent uploads (RSS of the one worker):",
            "",
            "| uploads at once | file MiB | baseline MiB | peak MiB | peak - baseline MiB | "
            "growth per upload MiB | seconds |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for memory in results.memory:
            lines.append(
                f"| {memory.uploads} | {memory.file_bytes / MIB:.1f} | "
                f"{memory.baseline_rss / MIB:.0f} | {memory.peak_rss / MIB:.0f} | "
                f"{memory.growth / MIB:.0f} | {memory.per_upload / MIB:.1f} | "
                f"{memory.seconds:.1f} |"
            )
    return "\n".join(lines) + "\n"


def _raw(results: Results) -> dict[str, Any]:
    return {
        "cold": asdict(results.rendering) if results.rendering else None,
        "cached": asdict(results.serving) if results.serving else None,
        "uploads": [asdict(m) for m in results.memory],
        "checks": [{**asdict(c), "verdict": c.verdict} for c in results.checks()],
    }


def run(settings: Settings) -> int:
    if "cached" in settings.parts:
        wrk.ensure_wrk()
    results = Results()
    with data.exclusive(), tempfile.TemporaryDirectory(prefix="byline-bench-images-") as tmp:
        directory = Path(tmp)
        source = cold.write_source(directory / "source-6000x4000.jpg")
        if "cold" in settings.parts:
            print(f"cold: 6000x4000 JPEG to 800 px, {settings.repeats} repeats", flush=True)
            results.rendering = cold.run(source, settings.repeats)
        if "cached" in settings.parts:
            print("cached: the stored 800 px WebP against a bare route", flush=True)
            results.serving = cached.run(source, settings.load, directory, _print_sample)
        if "uploads" in settings.parts:
            large = uploads.write_large_jpeg(directory / "large-6000x4000.jpg")
            for count in (1, settings.uploads):
                print(f"uploads: {count} at once of {large.stat().st_size:,} bytes", flush=True)
                results.memory.append(uploads.run(large, count, directory))
    environment = f"{machine()}; code {code_version()}"
    text = markdown(settings, results, datetime.now(UTC), environment)
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    (settings.out_dir / "images.md").write_text(text, encoding="utf-8")
    (settings.out_dir / "images.json").write_text(
        json.dumps(_raw(results), indent=2, default=str) + "\n", encoding="utf-8"
    )
    print("\n" + text)
    for check in results.checks():
        bound = "" if check.target is None else f" (target >= {check.target:.2f})"
        print(f"{check.label}: {check.value:.2f}{bound} {check.verdict}")
    print(f"wrote {settings.out_dir}/images.md and images.json")
    errors = results.serving.comparison.subject.errors if results.serving else 0
    errors += results.serving.comparison.baseline.errors if results.serving else 0
    if errors:
        print(f"error: {errors} requests failed; the numbers are not valid", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    started = time.monotonic()
    try:
        status = run(settings)
    except (wrk.WrkError, ServerError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"done in {time.monotonic() - started:.0f} s")
    return status
