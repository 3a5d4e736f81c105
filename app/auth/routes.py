"""Authenticated operations check the token before FastAPI reads the body.

FastAPI parses the body before it resolves dependencies, so with the check
in a dependency alone a caller without a token got a 422 for malformed JSON,
learning about the payload before being told to authenticate. The route
class runs the check first; the `authenticate` dependency then hands on its
result, so there is one check and the OpenAPI security listing stays with
the endpoint's signature.
"""

from fastapi.dependencies.models import Dependant
from starlette.requests import Request
from starlette.responses import Response

from app.auth.dependencies import PRINCIPAL_STATE, authenticate, authorize, bearer
from app.container import read_in_thread
from app.params import Handler, StrictQueryRoute


def _needed_scopes(dependant: Dependant) -> tuple[str, ...] | None:
    """The scopes of the operation's `Security(authenticate, ...)`, or None without one."""
    if dependant.call is authenticate:
        return tuple(dependant.own_oauth_scopes or ())
    for sub in dependant.dependencies:
        found = _needed_scopes(sub)
        if found is not None:
            return found
    return None


class AuthenticatedRoute(StrictQueryRoute):
    """Answers 401 or 403 before anything else about the request is looked at;
    an operation without `authenticate` among its dependencies passes untouched."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        needed = _needed_scopes(self.dependant)
        if needed is None:
            return handler

        async def authenticated(request: Request) -> Response:
            credentials = await bearer(request)
            principal = await read_in_thread(
                request, lambda session: authorize(session, credentials, needed)
            )
            setattr(request.state, PRINCIPAL_STATE, principal)
            return await handler(request)

        return authenticated
