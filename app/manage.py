"""The management API under /v1/manage: authenticated, never cached, ids everywhere.

It lives apart from the public delivery routes so a CDN can cache every public
URL without ever varying on credentials, and so both halves can address
records the way their users do (readers by slug, editors by stable id).
"""

from fastapi import APIRouter

from app.articles import manage as articles
from app.auth.router import router as tokens
from app.images import manage as images
from app.people import manage as people
from app.quotes import manage as quotes
from app.tags import manage as tags

PREFIX = "/manage"


def management_routers() -> list[APIRouter]:
    """Flat routers (no nesting: each level of inclusion costs every request a match),
    in the order the OpenAPI document lists them: every kind's records, then what only
    articles have, then tokens."""
    records = (articles.router, people.router, images.router, quotes.router, tags.router)
    return [*records, articles.actions, tokens]
