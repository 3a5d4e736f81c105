"""The management API under /v1/manage: authenticated, never cached, ids everywhere.

It lives apart from the public delivery routes so a CDN can cache every public
URL without ever varying on credentials, and so both halves can address
records the way their users do (readers by slug, editors by stable id).
"""

from fastapi import APIRouter

from app.articles.manage import articles
from app.articles.manage import router as article_actions
from app.auth.router import router as tokens_router
from app.editing.resource import add_crud_routes
from app.editing.responses import ManagementRoute
from app.images.manage import images
from app.people.manage import people
from app.quotes.manage import quotes
from app.tags.manage import tags

PREFIX = "/manage"


def management_routers() -> list[APIRouter]:
    """Flat routers (no nesting: each level of inclusion costs every request a match)."""
    crud = APIRouter(route_class=ManagementRoute)
    for resource in (articles, people, images, quotes, tags):
        add_crud_routes(crud, resource, tag=f"manage: {resource.path.strip('/')}")
    return [crud, article_actions, tokens_router]
