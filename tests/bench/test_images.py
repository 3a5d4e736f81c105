"""The image bench's arithmetic: memory read from /proc, timings compared, the target."""

from pathlib import Path

import pytest
import pyvips

from app.media.render import _ENCODERS
from bench.images import cold
from bench.images.cached import Cached
from bench.images.run import Results
from bench.images.timing import Timing, alternate, over
from bench.images.uploads import Sampler, UploadMemory, memory_from_status
from bench.measure import Comparison, Sample, Series
from tests.images import files

STATUS = """Name:\tbyline
VmPeak:\t 1200000 kB
VmHWM:\t  512000 kB
VmRSS:\t  256000 kB
Threads:\t12
"""


def test_resident_memory_and_its_high_water_mark_come_from_proc_status_in_bytes() -> None:
    assert memory_from_status(STATUS) == (256000 * 1024, 512000 * 1024)


def test_a_status_without_the_memory_lines_is_refused() -> None:
    with pytest.raises(ValueError, match="VmRSS"):
        memory_from_status("Name:\tbyline\n")


def test_the_peak_is_the_high_water_mark_when_sampling_missed_it() -> None:
    def read(_pid: int) -> tuple[int, int]:
        return 120, 900  # resident now, and the most it ever was

    with Sampler(1, read) as sampler:
        pass

    assert sampler.peak == 900


def test_an_upload_costs_its_share_of_the_growth_over_the_baseline() -> None:
    memory = UploadMemory(20, 30 * 2**20, 200 * 2**20, 400 * 2**20, 9.0, [200] * 20)

    assert (memory.growth, memory.per_upload) == (200 * 2**20, 10 * 2**20)


def test_timed_work_runs_once_untimed_then_in_alternating_order() -> None:
    calls: list[str] = []
    first, second = Timing("a"), Timing("b")

    def work(name: str) -> bytes:
        calls.append(name)
        return name.encode() * 3

    alternate([(first, lambda: work("a")), (second, lambda: work("b"))], repeats=3)

    assert calls == ["a", "b", "a", "b", "b", "a", "a", "b"]
    assert (len(first.seconds), first.output_bytes) == (3, 3)


def test_the_speed_up_compares_medians_so_one_slow_repetition_does_not_count() -> None:
    fast = Timing("pyvips", [0.1, 0.1, 5.0])
    slow = Timing("pillow", [0.4, 0.4, 0.3])

    assert over(fast, slow) == pytest.approx(4.0)


def series(name: str, rps: float) -> Series:
    return Series(name, name, "/", [Sample(rps, 1.0, 2.0, 100.0, int(rps), 0, int(rps))])


@pytest.mark.parametrize(("byline", "passed"), [(800.0, True), (790.0, False)])
def test_the_cached_rendition_must_reach_most_of_the_bare_rate(byline: float, passed: bool) -> None:
    comparison = Comparison(
        "images", "sqlite", "cached", series("byline", byline), series("bare", 1000)
    )
    results = Results(serving=Cached(comparison, 40_000, "image/webp"))

    (check,) = results.checks()

    assert check.value == pytest.approx(byline / 1000)
    assert check.passed is passed


def test_pillow_encodes_webp_with_bylines_settings() -> None:
    assert _ENCODERS["webp"][1] == {"Q": cold.WEBP_QUALITY, "effort": cold.WEBP_EFFORT}


def test_pillow_shrinks_to_the_width_keeping_the_shape(tmp_path: Path) -> None:
    source = tmp_path / "source.jpg"
    source.write_bytes(files.jpeg(1200, 900))

    rendition = pyvips.Image.new_from_buffer(cold.pillow_webp(source, 800), "")

    assert (rendition.get("vips-loader"), rendition.width, rendition.height) == (
        "webpload_buffer",
        800,
        600,
    )
