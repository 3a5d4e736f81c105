"""A worker's memory while editors upload large photographs at once.

A fresh Byline (one worker, so the server process is the worker) takes one small
upload to load everything an upload uses, then N uploads of the same ~30 MB noisy
6000x4000 JPEG, all started together, each into its own image record. A thread reads
the worker's resident memory from /proc/<pid>/status every few milliseconds; the
kernel's own high-water mark (VmHWM) catches a peak between two readings.
"""

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.images.newsroom import Newsroom, Record, newsroom
from bench.process import ServerError
from tests.images.files import picture

SOURCE_WIDTH, SOURCE_HEIGHT = 6000, 4000
# Heavy grain at quality 100 makes a JPEG of about 30 MB, as a camera's largest files are.
GRAIN, QUALITY = 20.0, 100
WARM_UP = (800, 600)
SAMPLE_EVERY_S = 0.005


def memory_from_status(text: str) -> tuple[int, int]:
    """(VmRSS, VmHWM) in bytes from the text of /proc/<pid>/status."""
    found: dict[str, int] = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name in {"VmRSS", "VmHWM"}:
            number, unit = value.split()
            if unit != "kB":
                raise ValueError(f"unexpected unit in /proc status: {line!r}")
            found[name] = int(number) * 1024
    if set(found) != {"VmRSS", "VmHWM"}:
        raise ValueError("no VmRSS and VmHWM in /proc status")
    return found["VmRSS"], found["VmHWM"]


def read_memory(pid: int) -> tuple[int, int]:
    return memory_from_status(Path(f"/proc/{pid}/status").read_text())


@dataclass(frozen=True)
class UploadMemory:
    uploads: int
    file_bytes: int
    baseline_rss: int  # after the warm-up upload, before the large ones
    peak_rss: int  # the most seen while they ran, or the high-water mark if higher
    seconds: float
    statuses: list[int]

    @property
    def growth(self) -> int:
        return self.peak_rss - self.baseline_rss

    @property
    def per_upload(self) -> float:
        return self.growth / self.uploads


class Sampler:
    """The highest RSS of a process, read in a thread until stopped."""

    def __init__(self, pid: int, read: Callable[[int], tuple[int, int]] = read_memory) -> None:
        self.pid, self.read = pid, read
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.read(self.pid)[0])
            time.sleep(SAMPLE_EVERY_S)

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        rss, hwm = self.read(self.pid)
        self.peak = max(self.peak, rss, hwm)


def write_large_jpeg(path: Path) -> Path:
    picture(SOURCE_WIDTH, SOURCE_HEIGHT, noise=GRAIN).jpegsave(str(path), Q=QUALITY)
    return path


def _upload_all(site: Newsroom, path: Path, records: list[Record]) -> list[int]:
    start = threading.Barrier(len(records))

    def one(record: Record) -> int:
        with site.client() as client:
            start.wait()
            return site.upload(client, record, path).status_code

    with ThreadPoolExecutor(len(records)) as pool:
        return list(pool.map(one, records))


def run(large: Path, uploads: int, directory: Path) -> UploadMemory:
    warm_up = directory / "warm-up.jpg"
    picture(*WARM_UP).jpegsave(str(warm_up), Q=85)
    with newsroom(directory, f"uploads-{uploads}") as site:
        with site.client() as client:
            first = site.create_image(client, "warm-up")
            if not site.upload(client, first, warm_up).is_success:
                raise ServerError("the warm-up upload failed")
            records = [site.create_image(client, f"upload {n}") for n in range(uploads)]
        baseline, _ = read_memory(site.server.pid)
        started = time.monotonic()
        with Sampler(site.server.pid) as sampler:
            statuses = _upload_all(site, large, records)
        seconds = time.monotonic() - started
    failed = [s for s in statuses if not 200 <= s < 300]
    if failed:
        raise ServerError(f"{len(failed)} of {uploads} uploads failed: {sorted(set(failed))}")
    return UploadMemory(uploads, large.stat().st_size, baseline, sampler.peak, seconds, statuses)
