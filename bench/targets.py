"""The targets, each a ratio measured within one run, and the checks against them."""

from collections.abc import Sequence
from dataclasses import dataclass

from bench.measure import Comparison

# Rate of the named measurement over its baseline (the bare app, or 1 worker).
MINIMUM_RATIO = {
    "article": 0.90,
    "article 7 KB": 0.90,
    "304": 1.0,
    "list": 0.50,
    "list page 1,000": 0.50,
    "list by tag": 0.50,
    "list by author": 0.50,
    "beacon database": 0.30,
    "beacon redis": 0.60,
    "2 workers": 1.7,
}
DEEP_OVER_FIRST = 0.90  # page 1,000 within 10% of page 1
POSTGRESQL_OVER_SQLITE = 0.80  # the article read
MAXIMUM_RSS_GROWTH = 0.10


@dataclass(frozen=True)
class Check:
    label: str
    value: float
    target: float | None  # None: reported, no target
    at_most: bool = False

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        return self.value <= self.target if self.at_most else self.value >= self.target

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "-"}[self.passed]


def _find(comparisons: Sequence[Comparison], backend: str, name: str) -> Comparison | None:
    return next((c for c in comparisons if c.backend == backend and c.name == name), None)


def ratio_checks(comparisons: Sequence[Comparison]) -> list[Check]:
    checks = [
        Check(f"{c.backend}: {c.name} / {c.baseline.name}", c.ratio, MINIMUM_RATIO.get(c.name))
        for c in comparisons
    ]
    for backend in dict.fromkeys(c.backend for c in comparisons):
        first = _find(comparisons, backend, "list")
        deep = _find(comparisons, backend, "list page 1,000")
        if first and deep:
            checks.append(
                Check(
                    f"{backend}: list page 1,000 / page 1",
                    deep.subject.rps / first.subject.rps,
                    DEEP_OVER_FIRST,
                )
            )
    sqlite = _find(comparisons, "sqlite", "article")
    postgresql = _find(comparisons, "postgresql", "article")
    if sqlite and postgresql:
        # Each side against its own bare ceiling, so drift between the two phases cancels.
        checks.append(
            Check(
                "postgresql article / sqlite article (each over its bare)",
                postgresql.ratio / sqlite.ratio,
                POSTGRESQL_OVER_SQLITE,
            )
        )
    return checks


def memory_check(backend: str, requests: int, growth: float) -> Check:
    return Check(
        f"{backend}: RSS growth over {requests:,} article requests",
        growth,
        MAXIMUM_RSS_GROWTH,
        at_most=True,
    )
