"""What each scope allows. Broader scopes include the narrower ones they need."""

from collections.abc import Iterable
from enum import StrEnum


class Scope(StrEnum):
    content_read = "content:read"
    content_write = "content:write"
    content_publish = "content:publish"
    analytics_write = "analytics:write"
    admin = "admin"


_IMPLIES: dict[Scope, frozenset[Scope]] = {
    Scope.content_read: frozenset(),
    Scope.analytics_write: frozenset(),
    # Writing and publishing need the draft's ETag, so they include reading it.
    # Whoever may write content may also import its view counts.
    Scope.content_write: frozenset({Scope.content_read, Scope.analytics_write}),
    Scope.content_publish: frozenset({Scope.content_read}),
    Scope.admin: frozenset(Scope),
}


def granted_scopes(scopes: Iterable[str]) -> frozenset[Scope]:
    granted: set[Scope] = set()
    for name in scopes:
        scope = Scope(name)
        granted |= {scope, *_IMPLIES[scope]}
    return frozenset(granted)


def token_needed(scope: Scope) -> str:
    """Who may call an operation that needs `scope`, in words for its description."""
    wider = [f"`{s}`" for s in Scope if s != scope and scope in granted_scopes([s])]
    if not wider:
        return f"a bearer token with `{scope}`"
    alternatives = wider[0] if len(wider) == 1 else f"{', '.join(wider[:-1])} or {wider[-1]}"
    verb = "includes" if len(wider) == 1 else "include"
    return f"a bearer token with `{scope}` (or {alternatives}, which {verb} it)"
