"""Query strings are an allowlist: a parameter no operation declares is a 400."""

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request

from app.errors import UnknownQueryParameter

_allowed_by_route: dict[int, frozenset[str]] = {}


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _allowed(route: APIRoute) -> frozenset[str]:
    key = id(route)
    if key not in _allowed_by_route:
        _allowed_by_route[key] = frozenset(_query_names(route.dependant))
    return _allowed_by_route[key]


def reject_unknown_query_params(request: Request) -> None:
    if not request.query_params:
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params) - _allowed(route))
    if unknown:
        allowed = ", ".join(sorted(_allowed(route))) or "none"
        raise UnknownQueryParameter(
            f"Unknown query parameter(s): {', '.join(unknown)}. Allowed: {allowed}."
        )
