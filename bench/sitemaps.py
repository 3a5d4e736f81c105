"""Generating a full sitemap: 50,000 URLs (the protocol's bound) out of a large archive.

`python -m bench.sitemaps --articles 100000` prepares the bench dataset on SQLite and
PostgreSQL (bench.data, cached), then times the sitemap of the 50,000 oldest articles, the
code path of a monthly sitemap (one keyset pass, documents parsed, XML written as it
goes), read to the last byte, a few times each; it prints the median and the size.
"""

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime

from app.db import create_db_engine
from app.documents.driver import DriverReads
from app.sitemaps.query import SitemapReader, Window
from app.sitemaps.service import MAX_URLS, sitemap_entries
from app.sitemaps.writing import urlset
from bench.data import BACKENDS, prepare

ORIGIN = "https://api.example.com"
SEED = 2026


async def _generate(reader: SitemapReader, window: Window) -> tuple[int, int]:
    """(bytes, URLs) of the sitemap, read to its end."""
    size = 0
    batches = reader.documents(window, newest_first=False, skip=0, limit=MAX_URLS)
    async for chunk in urlset(sitemap_entries(batches, ORIGIN)):
        size += len(chunk)
    state = await reader.state(window)
    return size, min(state.articles, MAX_URLS)


async def _time(database_url: str, repeats: int) -> tuple[list[float], int, int]:
    engine = create_db_engine(database_url)
    driver = DriverReads(engine)
    try:
        reader = SitemapReader(driver)
        window = Window(datetime(1970, 1, 1, tzinfo=UTC), datetime.now(UTC))
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            size, urls = await _generate(reader, window)
            seconds.append(time.perf_counter() - started)
        return seconds, size, urls
    finally:
        await driver.aclose()
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000, help="archive size (100000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per backend (5)")
    parser.add_argument("--backend", choices=BACKENDS, action="append", help="default: both")
    args = parser.parse_args()
    for backend in args.backend or BACKENDS:
        dataset = prepare(backend, args.articles, SEED)
        seconds, size, urls = asyncio.run(_time(dataset.database_url, args.repeats))
        print(
            f"{backend}: {urls:,} URLs of {args.articles:,} articles, {size / 2**20:.1f} MiB: "
            f"median {statistics.median(seconds):.2f} s "
            f"(min {min(seconds):.2f}, max {max(seconds):.2f}, {len(seconds)} runs)"
        )


if __name__ == "__main__":
    main()
