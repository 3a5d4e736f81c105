"""Scaling and staying flat: 2 workers against 1, and memory over a long article soak."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import wrk
from bench.measure import Comparison, Load, Request, Sample, Series, alternate, measure
from bench.process import byline_server

# wrk's one thread could not keep two workers busy; both sides get the same two.
WRK_THREADS = 2
SOAK_CHUNK_S = 10


def run_workers(
    database_url: str,
    backend: str,
    slug: str,
    load: Load,
    directory: Path,
    report: Callable[[Series, Sample], None],
) -> Comparison:
    path = f"/v1/articles/{slug}"
    script = wrk.write_script(directory / "workers.lua")
    load = Load(load.connections, load.warmup_s, load.duration_s, load.rounds, WRK_THREADS)
    with (
        byline_server(database_url, directory / "byline-x1.log", workers=1) as one,
        byline_server(database_url, directory / "byline-x2.log", workers=2) as two,
    ):
        single = Series("1 worker", one.name, path)
        double = Series("2 workers", two.name, path)
        alternate(
            [(single, Request(one, path, script)), (double, Request(two, path, script))],
            load,
            report,
        )
    return Comparison("workers", backend, "2 workers", double, single)


@dataclass(frozen=True)
class Soak:
    backend: str
    path: str
    requests: int
    rss_bytes: list[tuple[int, int]]  # (requests served so far, RSS) after each chunk

    @property
    def growth(self) -> float:
        """RSS at the end over RSS after the first chunk (the warmed-up process), minus 1."""
        first, last = self.rss_bytes[0][1], self.rss_bytes[-1][1]
        return last / first - 1


def run_soak(
    database_url: str, backend: str, slug: str, requests: int, connections: int, directory: Path
) -> Soak:
    path = f"/v1/articles/{slug}"
    script = wrk.write_script(directory / "soak.lua")
    load = Load(connections, warmup_s=0, duration_s=SOAK_CHUNK_S, rounds=1)
    served, rss = 0, []
    with byline_server(database_url, directory / "byline-soak.log") as server:
        while served < requests:
            sample = measure(Request(server, path, script), load)
            served += sample.requests
            rss.append((served, server.rss_bytes()))
            print(
                f"  soak {backend}: {served:>10,} requests, RSS {rss[-1][1] / 2**20:6.1f} MiB",
                flush=True,
            )
    return Soak(backend, path, served, rss)
