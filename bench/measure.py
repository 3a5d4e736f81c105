"""One wrk measurement of one server, and the alternating rounds that compare two."""

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench import wrk
from bench.process import Server


@dataclass(frozen=True)
class Load:
    """How hard and how long wrk pushes: the same for both sides of a ratio."""

    connections: int
    warmup_s: int
    duration_s: int
    rounds: int
    threads: int = 1


@dataclass(frozen=True)
class Sample:
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_us: float  # server CPU per request, all its processes
    requests: int
    errors: int
    answered: int  # requests answered without error, warm-up included


@dataclass
class Series:
    """The samples of one request against one server, one per round."""

    name: str
    server: str
    path: str
    samples: list[Sample] = field(default_factory=list)

    def mean(self, attribute: str) -> float:
        return statistics.fmean(getattr(s, attribute) for s in self.samples)

    @property
    def rps(self) -> float:
        return self.mean("rps")

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.samples)


@dataclass(frozen=True)
class Request:
    """What wrk sends: a GET by default, or a HEAD, or with extra headers."""

    server: Server
    path: str
    script: Path
    post: bool = False  # the beacon script: a POST whose 202s are counted


def measure(request: Request, load: Load) -> Sample:
    url = request.server.base_url + request.path

    def run(seconds: int) -> wrk.WrkResult:
        # The POST script stops sending at its deadline and waits for the last answers.
        return wrk.run(
            wrk.ensure_wrk(),
            url,
            script=request.script,
            connections=load.connections,
            threads=load.threads,
            duration_s=seconds + (wrk.POST_GRACE_S if request.post else 0),
            script_args=[str(seconds * 1000)] if request.post else (),
        )

    warmup = run(load.warmup_s) if load.warmup_s else None
    cpu_before = request.server.cpu_seconds()
    result = run(load.duration_s)
    cpu = request.server.cpu_seconds() - cpu_before
    if request.post:
        accepted = result.accepted or 0
        return Sample(
            rps=result.accepted_per_s,
            p50_ms=result.p50_ms,
            p99_ms=result.p99_ms,
            cpu_us=cpu * 1e6 / max(accepted, 1),
            requests=accepted,
            errors=max(result.errors, result.requests - accepted),
            answered=accepted + (warmup.accepted or 0 if warmup else 0),
        )
    return Sample(
        rps=result.rps,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        cpu_us=cpu * 1e6 / max(result.requests, 1),
        requests=result.requests,
        errors=result.errors,
        answered=result.requests - result.errors + (warmup.requests if warmup else 0),
    )


def alternate(
    requests: Sequence[tuple[Series, Request]],
    load: Load,
    report: Callable[[Series, Sample], None],
) -> None:
    """Rounds in the order ABC CBA ABC ...: drift on a noisy machine hits all alike."""
    for number in range(load.rounds):
        order = requests if number % 2 == 0 else list(reversed(requests))
        for series, request in order:
            sample = measure(request, load)
            series.samples.append(sample)
            report(series, sample)


@dataclass(frozen=True)
class Comparison:
    """A series against its baseline measured in the same rounds: the ratio of rates."""

    part: str
    backend: str
    name: str
    subject: Series
    baseline: Series

    @property
    def ratio(self) -> float:
        return self.subject.rps / self.baseline.rps if self.baseline.rps else 0.0
