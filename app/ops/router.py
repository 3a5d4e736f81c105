"""Liveness and readiness probes and metrics; outside /v1 and the content contract."""

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy import text

from app.container import EngineDep, services
from app.errors import AppError, NotFound, problem_responses
from app.metrics import MEDIA_TYPE, exposition
from app.params import StrictQueryRoute

router = APIRouter(route_class=StrictQueryRoute, tags=["operations"])


class Health(BaseModel):
    status: str


class DatabaseUnavailable(AppError):
    status = 503
    slug = "database-unavailable"


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
    summary="Check that the database answers",
    description="For readiness probes: runs `SELECT 1` and answers 200 "
    '`{"status": "ready"}`, or 503 problem+json when the database does not answer. '
    "Anyone may call it without a token; it sends no Cache-Control.",
    response_model=Health,
    responses=problem_responses(503),
)
def readyz(engine: EngineDep) -> Health:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        raise DatabaseUnavailable("The database did not answer.") from exc
    return Health(status="ready")


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
