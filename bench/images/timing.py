"""Repeated timings of one piece of work, and how two of them compare."""

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Timing:
    """The wall-clock seconds of each repetition of one piece of work."""

    name: str
    seconds: list[float] = field(default_factory=list)
    output_bytes: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else 0.0


def over(subject: Timing, baseline: Timing) -> float:
    """How many times faster `subject` is than `baseline`, by their medians."""
    return baseline.median / subject.median if subject.median else 0.0


def alternate(work: Sequence[tuple[Timing, Callable[[], bytes]]], repeats: int) -> None:
    """Each piece of work once untimed (libraries load, caches fill), then `repeats`
    rounds in the order AB BA AB ...: drift on a busy machine hits every piece alike."""
    for _, run in work:
        run()
    for number in range(repeats):
        for timing, run in work if number % 2 == 0 else list(reversed(work)):
            started = time.perf_counter()
            output = run()
            timing.seconds.append(time.perf_counter() - started)
            timing.output_bytes = len(output)
