"""The soak's arithmetic and verdicts: percentiles, workers' memory, errors, exactness."""

import math
from dataclasses import replace

import pytest

from bench.soak.report import (
    Exactness,
    Outcome,
    WorkerMemory,
    checks,
    pair_workers,
    percentile,
    route_stats,
)
from bench.soak.traffic import is_error

EXACT = Exactness(
    writes_acknowledged=50,
    writes_missing=0,
    views_expected_min=100,
    views_expected_max=100,
    views_counted_by_server=100,
    views_added=100,
    views_flushed_within_s=1.0,
)
MIB = 2**20


def outcome(**fields: object) -> Outcome:
    found = Outcome(
        settings={"rate": 400.0},
        duration_s=60.0,
        requests=1200,
        errors=0,
        error_samples=[],
        routes=[],
        workers=pair_workers({11: 100 * MIB, 12: 100 * MIB}, {11: 105 * MIB, 12: 109 * MIB}),
        rss_samples=[],
        exactness=EXACT,
        clean_shutdown=True,
        server_log_errors=0,
        load_cpu_s=10.0,
        server_cpu_s=20.0,
    )
    found = replace(found, **fields)  # type: ignore[arg-type]
    found.checks = checks(found)
    return found


def failed(found: Outcome) -> list[str]:
    return [c.label for c in found.checks if c.passed is False]


@pytest.mark.parametrize(
    ("fraction", "expected"), [(0.0, 1.0), (0.5, 5.0), (0.51, 6.0), (0.99, 10.0), (1.0, 10.0)]
)
def test_percentiles_are_nearest_rank(fraction: float, expected: float) -> None:
    assert percentile([float(v) for v in range(1, 11)], fraction) == expected


def test_route_stats_sort_the_latencies_and_report_milliseconds() -> None:
    stats = route_stats("GET /v1/tags", [0.003, 0.001, 0.002, 0.100], errors=1)
    assert (stats.requests, stats.errors, stats.p50_ms, stats.p99_ms) == (4, 1, 2.0, 100.0)
    assert route_stats("GET /v1/tags", [], errors=0).p99_ms == 0.0


def test_a_clean_run_passes_every_check() -> None:
    found = outcome()
    assert found.passed
    assert found.rps == 20.0
    assert [round(w.growth, 2) for w in found.workers] == [0.05, 0.09]


def test_one_error_or_one_error_line_in_the_log_fails_the_run() -> None:
    assert failed(outcome(errors=1)) == ["errors (any request)"]
    assert failed(outcome(server_log_errors=1)) == ["server log lines at error level"]


def test_memory_growing_past_ten_percent_fails_for_that_worker_only() -> None:
    workers = pair_workers({11: 100 * MIB, 12: 100 * MIB}, {11: 111 * MIB, 12: 100 * MIB})
    assert failed(outcome(workers=workers)) == ["worker 11: RSS growth"]


def test_a_replaced_worker_is_a_failure_not_a_comparison() -> None:
    workers = pair_workers({11: 100 * MIB, 12: 100 * MIB}, {11: 100 * MIB, 13: 90 * MIB})
    assert workers[1:] == [
        WorkerMemory(12, 100 * MIB, 0, 0),
        WorkerMemory(0, 0, 13, 90 * MIB),
    ]
    assert all(math.isinf(w.growth) for w in workers[1:])
    assert failed(outcome(workers=workers)) == ["worker 12: RSS growth", "worker 13: RSS growth"]
    assert failed(outcome(workers=[])) == ["workers found"]


def test_views_must_land_between_those_acknowledged_and_those_that_could_count() -> None:
    # Three first views got no answer: each may or may not have been counted.
    unsure = replace(EXACT, views_expected_max=103, views_added=102, views_counted_by_server=102)
    assert failed(outcome(exactness=unsure)) == []
    lost = replace(EXACT, views_added=99, views_counted_by_server=99)
    assert failed(outcome(exactness=lost)) == ["counted views not in the database"]
    twice = replace(EXACT, views_added=101, views_counted_by_server=101)
    assert failed(outcome(exactness=twice)) == ["views in the database beyond those sent"]
    unflushed = replace(EXACT, views_counted_by_server=101)
    assert failed(outcome(exactness=unflushed)) == [
        "views counted by the server but not in the database, or the reverse"
    ]


def test_a_missing_write_or_an_unclean_shutdown_fails_the_run() -> None:
    assert failed(outcome(exactness=replace(EXACT, writes_missing=1))) == [
        "acknowledged writes not in the database"
    ]
    assert failed(outcome(clean_shutdown=False)) == ["clean shutdown"]


@pytest.mark.parametrize(
    ("status", "expect", "error"),
    [
        (200, None, False),
        (304, None, False),
        (404, 404, False),
        (404, None, True),
        (429, None, True),
        (503, 404, True),
        (500, None, True),
    ],
)
def test_only_the_expected_4xx_is_not_an_error(
    status: int, expect: int | None, error: bool
) -> None:
    assert is_error(status, expect) is error
