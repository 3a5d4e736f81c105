"""The databases the bench reads: SQLite and PostgreSQL, filled once and cached.

A dataset is the demo newsroom (`byline load-demo`) or, with an article count,
`byline bench-data --articles N --seed S`, both run by the `byline` command against a
freshly migrated database. Each is cached under a key of its size, seed and the
migration head, so a rerun reuses it and a schema change rebuilds it: SQLite as a file
in var/bench/, PostgreSQL as the database `byline_bench_<size>` on the local server, its
key kept as the database's comment. The bench creates and drops only those databases,
and the scratch copies of them that a run which writes (the soak) works on.
"""

import contextlib
import fcntl
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.migrate import head_revision
from bench.process import BYLINE, REPO_ROOT

BACKENDS = ("sqlite", "postgresql")
CACHE_DIR = REPO_ROOT / "var" / "bench"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
POSTGRES_TOOLS_ARGS = ("--host=127.0.0.1", "--port=5432", "--username=postgres")


class DatasetError(RuntimeError):
    pass


@dataclass(frozen=True)
class Dataset:
    backend: str
    database_url: str
    size: str  # "demo" or the article count
    reused: bool


def _key(articles: int | None, seed: int) -> str:
    size = "demo" if articles is None else f"{articles}-seed{seed}"
    return f"{size}-{head_revision()}"


def _byline(database_url: str, *args: str) -> None:
    done = subprocess.run(
        [str(BYLINE), *args],
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        check=False,
    )
    if done.returncode != 0:
        raise DatasetError(f"`byline {' '.join(args)}` exited with {done.returncode}")


def fill(database_url: str, articles: int | None, seed: int) -> None:
    """Migrate an empty database and put the dataset in it."""
    _byline(database_url, "migrate")
    if articles is None:
        _byline(database_url, "load-demo")
    else:
        _byline(database_url, "bench-data", f"--articles={articles}", f"--seed={seed}")


def _sqlite(articles: int | None, seed: int, rebuild: bool) -> Dataset:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"byline-{_key(articles, seed)}.sqlite3"
    size = "demo" if articles is None else str(articles)
    if path.exists() and not rebuild:
        return Dataset("sqlite", f"sqlite:///{path}", size, reused=True)
    # Built under another name and renamed at the end: a failed build is never reused.
    building = path.with_suffix(".building")
    for stale in (path, building):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{stale}{suffix}").unlink(missing_ok=True)
    fill(f"sqlite:///{building}", articles, seed)
    building.rename(path)
    return Dataset("sqlite", f"sqlite:///{path}", size, reused=False)


def _psql(sql: str, database: str = "postgres") -> str:
    done = subprocess.run(
        ["psql", *POSTGRES_TOOLS_ARGS, "--no-psqlrc", "-tA", f"--dbname={database}", "-c", sql],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise DatasetError(f"psql failed: {done.stderr.strip()}")
    return done.stdout.strip()


def _postgresql(articles: int | None, seed: int, rebuild: bool) -> Dataset:
    size = "demo" if articles is None else str(articles)
    name, key = f"byline_bench_{size}", _key(articles, seed)
    url = f"{POSTGRES_SERVER}/{name}"
    comment = _psql(
        "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database "
        f"WHERE datname = '{name}'"
    )
    if comment == key and not rebuild:
        return Dataset("postgresql", url, size, reused=True)
    # The comment is set last, so a half-built database never matches its key.
    _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _psql(f"CREATE DATABASE {name}")
    fill(url, articles, seed)
    _psql(f"COMMENT ON DATABASE {name} IS '{key}'")
    return Dataset("postgresql", url, size, reused=False)


@contextlib.contextmanager
def scratch_copy(dataset: Dataset, name: str) -> Iterator[str]:
    """A copy of a cached PostgreSQL dataset, dropped afterwards, for a run that writes:
    the cached one stays as it was built. Yields its URL."""
    if dataset.backend != "postgresql":
        raise DatasetError("only PostgreSQL datasets are copied")
    source = dataset.database_url.rsplit("/", 1)[1]
    _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    # A template copy takes a second or two; the source must have no session open.
    _psql(f"CREATE DATABASE {name} TEMPLATE {source}")
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextlib.contextmanager
def exclusive() -> Iterator[None]:
    """One bench run at a time: runs share the cached databases and Redis database 9,
    so a second run would rebuild the first one's data or count its beacons."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with (CACHE_DIR / "lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("another bench run is going; waiting for it to finish...", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def prepare(backend: str, articles: int | None, seed: int, *, rebuild: bool = False) -> Dataset:
    """The cached dataset for `backend`, built first when missing or stale."""
    if backend == "sqlite":
        return _sqlite(articles, seed, rebuild)
    if backend == "postgresql":
        return _postgresql(articles, seed, rebuild)
    raise DatasetError(f"unknown backend {backend!r}; choose from {', '.join(BACKENDS)}")
