"""Progress of long work: a bar on a terminal, and nothing in a log file or a pipe."""

import contextlib
import sys
from collections.abc import Callable, Iterator

Progress = Callable[[int, int], None]
"""Told how many of how many items are done, after each batch."""

BAR_WIDTH = 30


@contextlib.contextmanager
def terminal_progress(label: str) -> Iterator[Progress]:
    """Draw `label [#####.....] done/total` in place on stderr while the work runs.

    Cron mails and captured logs would fill with carriage returns, so when
    stderr is not a terminal the work runs silently and only its final count,
    which the command prints itself, is seen.
    """
    stream = sys.stderr
    drawn = False

    def draw(done: int, total: int) -> None:
        nonlocal drawn
        # A count can pass a total measured before the work started.
        filled = BAR_WIDTH * min(done, total) // total if total else BAR_WIDTH
        stream.write(f"\r{label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}")
        stream.flush()
        drawn = True

    try:
        yield draw if stream.isatty() else lambda _done, _total: None
    finally:
        if drawn:
            stream.write("\n")
            stream.flush()
