"""Liveness and readiness probes; outside /v1 and the content contract."""

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from app.db import EngineDep
from app.errors import AppError, problem_responses
from app.params import StrictQueryRoute

router = APIRouter(route_class=StrictQueryRoute, tags=["operations"])


class Health(BaseModel):
    status: str


class DatabaseUnavailable(AppError):
    status = 503
    slug = "database-unavailable"


@router.get(
    "/healthz", operation_id="getHealth", summary="The process is up", response_model=Health
)
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    operation_id="getReadiness",
    summary="The database answers",
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
