"""A private PostgreSQL server, started by a test so that stopping it touches nothing else.

The machine's own PostgreSQL serves every other test and must never be stopped, so
the fault and replica tests run their own clusters: `initdb` into a temporary
directory, on a free loopback port, with the machine's PostgreSQL binaries. A
streaming replica is a `pg_basebackup -R` of such a cluster, which is how an
operator makes one.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg
import pytest

from tests.processes import free_port

# PostgreSQL refuses to run as root; as root the clusters belong to this account.
SERVER_ACCOUNT = "postgres"
START_SECONDS = 30
# Written into every cluster: fast to start and stop, nothing a test waits on.
SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{directory}'
max_connections = 60
shared_buffers = 16MB
fsync = off
full_page_writes = off
wal_level = replica
max_wal_senders = 4
hot_standby = on
log_min_messages = warning
"""
ACCESS = """
local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
"""


def server_binaries() -> Path:
    """The newest PostgreSQL server installed, as Debian places it."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3])
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb is None:
        reason = "PostgreSQL's server binaries (initdb, pg_ctl) are not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI requires them)")
        pytest.skip(reason)
    return Path(initdb).parent


def _as_server_account(command: Sequence[str | Path | int]) -> list[str]:
    words = [str(word) for word in command]
    return ["runuser", "-u", SERVER_ACCOUNT, "--", *words] if os.geteuid() == 0 else words


def _run(command: Sequence[str | Path | int]) -> None:
    done = subprocess.run(
        _as_server_account(command), capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stderr}"


class Cluster:
    """One PostgreSQL server in a directory of its own."""

    def __init__(self, directory: Path, port: int) -> None:
        self.directory = directory
        self.port = port
        self.data = directory / "data"
        self.log = directory / "server.log"
        self._bin = server_binaries()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def conninfo(self, database: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def initialize(self) -> None:
        _run([self._bin / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-N"])
        self._configure()

    def _configure(self) -> None:
        conf = self.data / "postgresql.conf"
        settings = SETTINGS.format(port=self.port, directory=self.directory)
        conf.write_text(conf.read_text() + settings)
        (self.data / "pg_hba.conf").write_text(ACCESS)

    def start(self) -> None:
        _run([self._bin / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", START_SECONDS,
              "start"])  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """`fast` disconnects clients and shuts down cleanly; `immediate` is a crash."""
        _run([self._bin / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop"])

    def running(self) -> bool:
        done = subprocess.run(
            _as_server_account([self._bin / "pg_ctl", "-D", self.data, "status"]),
            capture_output=True,
            check=False,
        )
        return done.returncode == 0

    def execute(self, sql: str, database: str = "postgres") -> list[tuple[object, ...]]:
        with psycopg.connect(self.conninfo(database), autocommit=True) as connection:
            cursor = connection.execute(sql.encode())
            return cursor.fetchall() if cursor.description else []

    def create_database(self, name: str) -> str:
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def replica(self, directory: Path, port: int) -> "Cluster":
        """A streaming replica of this cluster, started: a base backup with -R, as an
        operator makes one, so it follows the primary over replication."""
        replica = Cluster(directory, port)
        _run([self._bin / "pg_basebackup", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres",
              "-D", replica.data, "-R", "-X", "stream", "-c", "fast"])  # fmt: skip
        # The backup copied the primary's settings; the replica listens elsewhere.
        replica._configure()
        replica.start()
        return replica

    def wait_for_replay(self, primary: "Cluster", timeout: float = 10) -> None:
        """Until this replica has replayed everything the primary has written so far."""
        (target,) = primary.execute("SELECT pg_current_wal_lsn()")[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            (caught_up,) = self.execute(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0]
            if caught_up:
                return
            time.sleep(0.05)
        raise AssertionError(f"the replica had not replayed {target} after {timeout} s")


def _private_directory() -> Path:
    # Not pytest's tmp_path: its parents are closed to the server account.
    directory = Path(tempfile.mkdtemp(prefix="byline-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam(SERVER_ACCOUNT)
        os.chown(directory, account.pw_uid, account.pw_gid)
    return directory


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    """A started cluster of its own; stopped and removed afterwards, whatever happened."""
    with _cluster_directory() as directory:
        cluster = Cluster(directory, free_port())
        cluster.initialize()
        cluster.start()
        try:
            yield cluster
        finally:
            _stop_if_running(cluster)


@contextmanager
def private_replica(primary: Cluster) -> Iterator[Cluster]:
    with _cluster_directory() as directory:
        replica = primary.replica(directory, free_port())
        try:
            yield replica
        finally:
            _stop_if_running(replica)


@contextmanager
def _cluster_directory() -> Iterator[Path]:
    directory = _private_directory()
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _stop_if_running(cluster: Cluster) -> None:
    with suppress(AssertionError):
        if cluster.running():
            cluster.stop("immediate")
