"""The bench's checks: which ratio meets which target, and the derived ratios."""

from bench.measure import Comparison, Sample, Series
from bench.targets import memory_check, ratio_checks


def series(name: str, *rates: float) -> Series:
    samples = [Sample(r, 1.0, 2.0, 100.0, int(r), 0, int(r)) for r in rates]
    return Series(name, "server", "/", samples)


def comparison(backend: str, name: str, subject: float, bare: float) -> Comparison:
    return Comparison("reads", backend, name, series(name, subject), series("bare", bare))


def verdicts(comparisons: list[Comparison]) -> dict[str, tuple[float, bool | None]]:
    return {c.label: (round(c.value, 3), c.passed) for c in ratio_checks(comparisons)}


def test_each_ratio_meets_its_own_target_and_untargeted_ones_are_only_reported() -> None:
    found = verdicts(
        [
            comparison("sqlite", "article", 900, 1000),
            comparison("sqlite", "304", 990, 1000),
            comparison("sqlite", "related", 100, 1000),
        ]
    )
    assert found == {
        "sqlite: article / bare": (0.9, True),
        "sqlite: 304 / bare": (0.99, False),
        "sqlite: related / bare": (0.1, None),
    }


def test_the_mean_of_the_rounds_makes_the_ratio() -> None:
    article = Comparison(
        "reads", "sqlite", "article", series("article", 800, 1000), series("bare", 1000, 1000)
    )
    assert verdicts([article]) == {"sqlite: article / bare": (0.9, True)}


def test_page_1000_is_compared_with_page_1_of_the_same_database() -> None:
    found = verdicts(
        [
            comparison("sqlite", "list", 1000, 2000),
            comparison("sqlite", "list page 1,000", 890, 2000),
            comparison("postgresql", "list", 1000, 2000),
        ]
    )
    assert found["sqlite: list page 1,000 / page 1"] == (0.89, False)
    assert not any(label.startswith("postgresql: list page") for label in found)


def test_postgresql_is_compared_with_sqlite_through_each_ones_bare_ceiling() -> None:
    found = verdicts(
        [
            comparison("sqlite", "article", 4000, 8000),
            comparison("postgresql", "article", 2000, 5000),
        ]
    )
    assert found["postgresql article / sqlite article (each over its bare)"] == (0.8, True)


def test_memory_growth_is_a_ceiling_not_a_floor() -> None:
    assert memory_check("sqlite", 1_000_000, 0.05).passed is True
    assert memory_check("sqlite", 1_000_000, 0.12).passed is False
