"""Liveness and readiness probes and metrics; outside /v1 and the content contract."""

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine, TextClause, text

from app.container import services
from app.errors import DatabaseUnavailable, NotFound, problem_responses
from app.metrics import MEDIA_TYPE, exposition
from app.params import StrictQueryRoute

router = APIRouter(route_class=StrictQueryRoute, tags=["operations"])


class Health(BaseModel):
    status: str


Database = Literal["primary", "replica"]


class Readiness(BaseModel):
    status: Literal["ready"]
    databases: dict[Database, Literal["ready"]] = Field(
        description="Each database the app uses: the primary, and the read replica when "
        "DATABASE_READ_URL is set.",
        examples=[{"primary": "ready", "replica": "ready"}],
    )
    replica_lag_seconds: float | None = Field(
        description="How far the replica's replay trails the primary: 0 when it has replayed "
        "all it received, else the seconds since the last transaction it replayed was "
        "committed (an upper bound). Null without a replica, or when the replica cannot tell "
        "(nothing replayed since it started).",
        examples=[0.0],
    )
    image_store: Literal["ready"] = Field(
        description="The store of image files (IMAGE_STORAGE): a local directory or S3."
    )


# On a standby, pg_last_xact_replay_timestamp() alone would count an idle primary's
# quiet time as lag; a replica that has replayed everything it received trails by nothing.
REPLAY_LAG = text(
    """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN NULL
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
        ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp()))::float8
    END
    """
)


@router.get(
    "/healthz",
    operation_id="getHealth",
    summary="Check that the process is up",
    description='For liveness probes: answers 200 `{"status": "ok"}` whenever the '
    "process can answer at all, without touching the database. Anyone may call it without a "
    "token; it sends no Cache-Control.",
    response_model=Health,
)
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    operation_id="getReadiness",
    summary="Check that the databases and the image store answer",
    description="For readiness probes: asks the primary database and, when DATABASE_READ_URL "
    "is set, the read replica, then the image store, and answers 200 with each one's state "
    "and the replica's replay lag, or 503 problem+json naming the database "
    "(database-unavailable) or the image store (storage-unavailable) that does not answer. "
    "A replica that is "
    "down fails readiness, since public reads go to it; lag alone never does. Anyone may call "
    "it without a token; it sends no Cache-Control.",
    response_model=Readiness,
    responses=problem_responses(503),
)
def readyz(request: Request) -> Readiness:
    held = services(request)
    asked: dict[Database, tuple[bool, float | None]] = {
        "primary": _ask(held.engine, text("SELECT 1"))
    }
    if held.read_engine is not held.engine:
        asked["replica"] = _ask(held.read_engine, REPLAY_LAG)
    down = [name for name, (answered, _) in asked.items() if not answered]
    if down:
        raise DatabaseUnavailable(f"The {' and '.join(down)} database did not answer.")
    held.media.check()
    _, lag = asked.get("replica", (True, None))
    return Readiness(
        status="ready",
        databases=dict.fromkeys(asked, "ready"),
        replica_lag_seconds=lag,
        image_store="ready",
    )


def _ask(engine: Engine, query: TextClause) -> tuple[bool, float | None]:
    """Whether the database answered, and the one value it answered with."""
    try:
        with engine.connect() as connection:
            return True, connection.execute(query).scalar()
    except Exception:
        return False, None


@router.get(
    "/metrics",
    operation_id="getMetrics",
    summary="Get Prometheus metrics",
    description="Request counts and latencies by route template, and page-view outcomes, "
    "in the Prometheus text format. With several workers it covers all of them. "
    "Turned off (404) by METRICS_ENABLED=false. Anyone may call it without a token, so block "
    "it at the CDN or proxy for all but Prometheus; never cached (`Cache-Control: no-store`).",
    response_class=Response,
    responses={
        200: {"content": {MEDIA_TYPE: {"schema": {"type": "string"}}}},
        **problem_responses(404),
    },
)
def metrics(request: Request) -> Response:
    settings = services(request).settings
    if not settings.metrics_enabled:
        raise NotFound("Metrics are turned off.")
    return Response(
        exposition(settings.prometheus_multiproc_dir),
        media_type=MEDIA_TYPE,
        headers={"Cache-Control": "no-store"},
    )
