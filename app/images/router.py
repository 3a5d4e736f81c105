from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.container import Now, public_read_in_thread, services
from app.documents import queries
from app.documents.graph import Builder, Graph
from app.documents.images import ImagePublic
from app.documents.refs import RefKind, surrogate_key
from app.errors import NotFound
from app.http import model_response, public_description, read_responses
from app.params import StrictQueryRoute
from app.types import Id

router = APIRouter(route_class=StrictQueryRoute, prefix="/images", tags=["images"])


@router.get(
    "/{image_id}",
    operation_id="getImage",
    summary="Get an image with its credit, caption and who is pictured",
    description=public_description(
        "An image's URL, alt text, caption, credit line and its parts (photographer, "
        "provider, distributor, pool, file and handout flags), size, date, place and the "
        "people pictured.",
        "It is public only while a published article whose time has come shows it; "
        "otherwise the answer is 404.",
    ),
    response_model=ImagePublic,
    responses=read_responses(lookup=True),
)
async def get_image(
    request: Request,
    now: Now,
    image_id: Annotated[Id, Path(examples=[1])],
) -> Response:
    def read(session: Session) -> Response:
        if not queries.is_visible(session, RefKind.image, image_id, now):
            raise NotFound(f"No published content shows an image with id {image_id}.")
        graph = Graph(session)
        graph.load_images([image_id])
        image = Builder(graph).image(image_id)
        return model_response(
            request,
            services(request).public_headers,
            image,
            surrogate_keys=[surrogate_key("image", image_id)],
        )

    return await public_read_in_thread(request, read)
