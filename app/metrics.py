"""Prometheus metrics: request rates, latencies and page-view outcomes.

With several worker processes each one writes its samples to files in
PROMETHEUS_MULTIPROC_DIR (`byline serve --workers N` makes one), and a scrape
answered by any worker reads them all, so /metrics speaks for the whole server.
"""

import os
from collections.abc import Iterable
from pathlib import Path

from fastapi.routing import APIRoute
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Scope

# The classic text format, which every Prometheus version and agent scrapes.
MEDIA_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Requests that matched no route share one label, so a scan of random URLs
# cannot grow the number of series.
UNMATCHED = "unmatched"

REQUESTS = Counter(
    "byline_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
REQUEST_SECONDS = Histogram(
    "byline_http_request_duration_seconds",
    "Time from a request's arrival to its last byte, by method and route template.",
    ["method", "route"],
    # A stored document is served in well under a millisecond: start fine.
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
IN_FLIGHT = Gauge(
    "byline_http_requests_in_flight",
    "Requests being answered now (with several workers, summed over the live ones).",
    multiprocess_mode="livesum",
)
PAGE_VIEWS = Counter(
    "byline_page_views",
    "Page-view beacons for published articles: counted, a repeat by the same visitor "
    "(repeat) or from a bot.",
    ["outcome"],
)
IMPORTED_VIEWS = Counter("byline_imported_views", "Views added by POST /v1/views:batch imports.")


def route_template(scope: Scope, templates: dict[int, str]) -> str:
    """The matched route's full path template, from the app's map of templates by route."""
    # Routing names the route of an API operation; for the app's own routes it
    # leaves only their endpoint (see app_route_templates).
    matched = scope.get("route") or scope.get("endpoint")
    if matched is None:
        return UNMATCHED
    return templates.get(id(matched), UNMATCHED)


def app_route_templates(routes: Iterable[BaseRoute]) -> dict[int, str]:
    """Templates of the routes added to the app itself: the OpenAPI document, the docs
    pages and their assets, keyed by what routing leaves in the scope for each."""
    templates: dict[int, str] = {}
    for route in routes:
        if isinstance(route, APIRoute):
            templates[id(route)] = route.path_format
        elif isinstance(route, Route):
            templates[id(route.endpoint)] = route.path_format
        elif isinstance(route, Mount):
            templates[id(route.app)] = route.path_format
    return templates


# Any token can arrive as a method; the label keeps to the ones HTTP APIs use.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# labels() costs more than the update itself; series are few, so keep them.
_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def observe(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request under its route template."""
    key = (method if method in METHODS else "other", route, status)
    series = _series.get(key)
    if series is None:
        series = (
            REQUESTS.labels(key[0], route, str(status)),
            REQUEST_SECONDS.labels(key[0], route),
        )
        _series[key] = series
    series[0].inc()
    series[1].observe(seconds)


def exposition(multiprocess_dir: Path | None) -> bytes:
    """The text a scrape gets: this process's samples, or every worker's."""
    if multiprocess_dir is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(multiprocess_dir))
    return generate_latest(registry)


def forget_dead_workers(multiprocess_dir: Path | None) -> None:
    """Drop the gauges of worker processes that are gone.

    A gauge of the live workers (requests in flight, pool connections) sums the
    files of each worker, and prometheus_client cannot tell a dead worker's file
    from a live one's. Each worker calls this as it starts, so the replacement of a
    crashed worker clears what the crashed one left.
    """
    if multiprocess_dir is None:
        return
    for path in multiprocess_dir.glob("gauge_live*_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, str(multiprocess_dir))
        except PermissionError:
            pass  # alive, as another user


def forget_this_worker(multiprocess_dir: Path | None) -> None:
    """Drop this worker's gauges as it stops: nothing of it is in flight any more."""
    if multiprocess_dir is not None:
        multiprocess.mark_process_dead(os.getpid(), str(multiprocess_dir))
