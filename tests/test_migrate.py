"""Migrating one PostgreSQL database from several processes at once."""

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Connection, inspect, text

from app.db import create_db_engine
from app.migrate import MIGRATION_LOCK_KEY, head_revision

BYLINE = Path(sys.executable).with_name("byline")
REPLICAS = 3


def _waiting_for_lock(connection: Connection) -> int:
    # pg_locks shows a bigint advisory key as its high and low 32 bits.
    waiting = connection.execute(
        text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND classid = :high AND objid = :low"
        ),
        {"high": MIGRATION_LOCK_KEY >> 32, "low": MIGRATION_LOCK_KEY & 0xFFFF_FFFF},
    ).scalar_one()
    connection.rollback()
    return int(waiting)


def test_replicas_starting_together_migrate_the_schema_once(empty_postgres_url: str) -> None:
    engine = create_db_engine(empty_postgres_url)
    with engine.connect() as holder:
        # Hold the migration lock so every replica is provably started before any migrates.
        holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        holder.commit()
        environment = {**os.environ, "DATABASE_URL": empty_postgres_url}
        replicas = [
            subprocess.Popen(
                [BYLINE, "migrate"], env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for _ in range(REPLICAS)
        ]
        deadline = time.monotonic() + 30
        while _waiting_for_lock(holder) < REPLICAS and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _waiting_for_lock(holder) == REPLICAS
        assert not inspect(holder).has_table("alembic_version")
        holder.rollback()
        holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
        holder.commit()

    for replica in replicas:
        _out, errors = replica.communicate(timeout=60)
        assert replica.returncode == 0, errors.decode()
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    engine.dispose()
    assert [row.version_num for row in versions] == [head_revision()]
