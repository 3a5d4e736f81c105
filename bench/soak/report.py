"""What a soak run found, held against its targets, as JSON and as a summary for people."""

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.targets import MAXIMUM_RSS_GROWTH, Check


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of sorted `values`: the smallest value with at least
    `fraction` of them at or below it (0.0 for no values)."""
    if not values:
        return 0.0
    rank = max(math.ceil(fraction * len(values)), 1)
    return values[rank - 1]


@dataclass(frozen=True)
class RouteStats:
    route: str
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float


def route_stats(route: str, latencies_s: Sequence[float], errors: int) -> RouteStats:
    ordered = sorted(latencies_s)
    return RouteStats(
        route,
        len(ordered),
        errors,
        percentile(ordered, 0.50) * 1000,
        percentile(ordered, 0.99) * 1000,
    )


@dataclass(frozen=True)
class WorkerMemory:
    """One worker's resident memory after the warm-up and at the end of the load; a pid
    of 0 at one end means the worker was not there (it died, or was replaced)."""

    start_pid: int
    start_bytes: int
    end_pid: int
    end_bytes: int

    @property
    def growth(self) -> float:
        if not self.start_bytes or self.start_pid != self.end_pid:
            return math.inf
        return self.end_bytes / self.start_bytes - 1


def pair_workers(start: dict[int, int], end: dict[int, int]) -> list[WorkerMemory]:
    """Workers matched by pid; one that is gone, or new, stands alone (infinite growth)."""
    pids = sorted(start) + sorted(set(end) - set(start))
    return [
        WorkerMemory(p if p in start else 0, start.get(p, 0), p if p in end else 0, end.get(p, 0))
        for p in pids
    ]


@dataclass(frozen=True)
class Exactness:
    """What the database holds against what the load was told was kept."""

    writes_acknowledged: int
    writes_missing: int  # acknowledged, but the database holds something else
    views_expected_min: int  # 202s for views that must count
    views_expected_max: int  # ... plus fresh views whose beacon got no answer
    views_counted_by_server: int  # its Prometheus counter of counted page views
    views_added: int
    views_flushed_within_s: float | None  # Redis: when the running server's count caught up


@dataclass
class Outcome:
    """Everything the soak measured; `checks` says which targets it met."""

    settings: dict[str, Any]
    duration_s: float
    requests: int
    errors: int
    error_samples: list[str]
    routes: list[RouteStats]
    workers: list[WorkerMemory]
    rss_samples: list[tuple[float, dict[int, int]]]  # seconds into the measured part
    exactness: Exactness
    clean_shutdown: bool
    server_log_errors: int
    load_cpu_s: float
    server_cpu_s: float
    checks: list[Check] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def passed(self) -> bool:
        return all(c.passed is not False for c in self.checks)


def checks(outcome: Outcome) -> list[Check]:
    exact = outcome.exactness
    found = [
        Check("errors (any request)", outcome.errors, 0, at_most=True),
        Check("server log lines at error level", outcome.server_log_errors, 0, at_most=True),
        *(
            Check(
                f"worker {w.start_pid or w.end_pid}: RSS growth",
                w.growth,
                MAXIMUM_RSS_GROWTH,
                at_most=True,
            )
            for w in outcome.workers
        ),
        Check("acknowledged writes not in the database", exact.writes_missing, 0, at_most=True),
        Check(
            "counted views not in the database",
            max(exact.views_expected_min - exact.views_added, 0),
            0,
            at_most=True,
        ),
        Check(
            "views in the database beyond those sent",
            max(exact.views_added - exact.views_expected_max, 0),
            0,
            at_most=True,
        ),
        Check(
            "views counted by the server but not in the database, or the reverse",
            abs(exact.views_counted_by_server - exact.views_added),
            0,
            at_most=True,
        ),
        Check("clean shutdown", float(outcome.clean_shutdown), 1),
    ]
    if not outcome.workers:
        found.append(Check("workers found", 0, 1))
    return found


def as_json(outcome: Outcome) -> dict[str, Any]:
    return {
        **asdict(outcome),
        "rps": outcome.rps,
        "passed": outcome.passed,
        "workers": [{**asdict(w), "growth": w.growth} for w in outcome.workers],
        "checks": [{**asdict(c), "verdict": c.verdict} for c in outcome.checks],
    }


def _mib(value: int) -> str:
    return f"{value / 2**20:.1f}"


def markdown(outcome: Outcome, heading: str) -> str:
    exact = outcome.exactness
    flushed = (
        ""
        if exact.views_flushed_within_s is None
        else f"; the running server's Redis flush caught up within "
        f"{exact.views_flushed_within_s:.1f} s"
    )
    lines = [
        heading,
        "",
        f"- {outcome.requests:,} requests in {outcome.duration_s:.0f} s measured "
        f"({outcome.rps:,.0f}/s; asked for {outcome.settings.get('rate') or 'no cap'}), "
        f"{outcome.errors} errors, "
        f"{outcome.server_log_errors} server log lines at error level",
        f"- CPU: server {outcome.server_cpu_s:.0f} s, load generator {outcome.load_cpu_s:.0f} s",
        f"- Writes: {exact.writes_acknowledged:,} acknowledged, {exact.writes_missing} not as "
        "acknowledged in the database",
        f"- Views: {exact.views_added:,} added to the database, {exact.views_expected_min:,} "
        f"acknowledged as counted (at most {exact.views_expected_max:,} could count), "
        f"{exact.views_counted_by_server:,} counted by the server{flushed}",
        "",
        "| route | requests | errors | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: |",
        *(
            f"| `{r.route}` | {r.requests:,} | {r.errors} | {r.p50_ms:.1f} | {r.p99_ms:.1f} |"
            for r in outcome.routes
        ),
        "",
        "| worker | RSS after warm-up MiB | RSS at end MiB | growth |",
        "| --- | ---: | ---: | ---: |",
        *(
            f"| {w.start_pid or '-'} / {w.end_pid or '-'} | {_mib(w.start_bytes)} | "
            f"{_mib(w.end_bytes)} | {w.growth:+.1%} |"
            for w in outcome.workers
        ),
        "",
        "| check | value | target | verdict |",
        "| --- | ---: | ---: | --- |",
        *(
            f"| {c.label} | {c.value:.3g} | {'<=' if c.at_most else '>='} {c.target:g} | "
            f"{c.verdict} |"
            for c in outcome.checks
            if c.target is not None
        ),
        "",
        f"Verdict: {'PASS' if outcome.passed else 'FAIL'}",
    ]
    if outcome.error_samples:
        lines += ["", "First errors:", *(f"- {e}" for e in outcome.error_samples)]
    return "\n".join(lines) + "\n"
