from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.container import Now, public_read_in_thread, services
from app.documents import queries
from app.documents.graph import Builder, Graph
from app.documents.images import ImagePublic
from app.documents.refs import RefKind, surrogate_key
from app.errors import NotFound
from app.http import etag_matches, model_response, public_description, read_responses
from app.images.serving import (
    IMMUTABLE,
    current_file,
    rendition_bytes,
    rendition_etag,
    rendition_headers,
    requested,
)
from app.media.renditions import FORMATS
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


RENDITION_DESCRIPTION = public_description(
    "A rendition of the image's uploaded file: the width from the allowlist (never "
    "enlarged: a width beyond the picture's gives it at its own size), in AVIF, WebP or "
    "JPEG, sRGB, with no metadata. Documents list these URLs in `file.renditions`, with "
    "`?v=`: served under its current version, a URL is answered whether or not readers "
    "can see the image yet and is cacheable for a year (`Cache-Control: public, "
    "max-age=31536000, immutable`). Without `v`, or with a version an upload or a moved "
    "focal point has replaced, the image must be shown by a published article whose time "
    "has come, and the current file is served with the ordinary lifetimes.",
    "A crop, width or format outside the allowlist is 404, and the problem names what is "
    "served; so is an image without a file.",
    cache_control="`immutable` for a versioned URL, else `public` with max-age, s-maxage "
    "and stale-while-revalidate",
)


def _rendition_responses() -> dict[int | str, Any]:
    responses = read_responses(lookup=True)
    responses[200] = {
        **responses[200],
        "description": "The rendition's file.",
        "content": {
            media_type: {"schema": {"type": "string", "format": "binary"}}
            for media_type in FORMATS.values()
        },
    }
    return responses


ImageIdPath = Annotated[Id, Path(examples=[1])]
WidthPath = Annotated[
    int, Path(description="A width from the allowlist, in pixels.", examples=[800])
]
# Without a dot, so that "800.webp" splits one way only.
FormatPath = Annotated[
    str, Path(pattern=r"^[a-z0-9]+$", description="avif, webp or jpeg.", examples=["webp"])
]
VersionQuery = Annotated[
    str | None,
    Query(
        max_length=64,
        description="The version the document names; the URL then never changes meaning.",
        examples=["3f9a1c0e5b7d2a64"],
    ),
]


@router.get(
    "/{image_id}/w/{width}.{format}",
    operation_id="getImageRendition",
    summary="Get the image's file at a width, in a format",
    description=RENDITION_DESCRIPTION,
    response_class=Response,
    responses=_rendition_responses(),
)
async def get_rendition(
    request: Request,
    now: Now,
    image_id: ImageIdPath,
    width: WidthPath,
    format: FormatPath,
    v: VersionQuery = None,
) -> Response:
    return await _rendition(request, now, image_id, None, width, format, v)


@router.get(
    "/{image_id}/{crop}/w/{width}.{format}",
    operation_id="getImageCropRendition",
    summary="Get a crop of the image at a width, in a format",
    description=RENDITION_DESCRIPTION
    + " The crop is the largest box of the ratio that fits, centred on the focal point "
    "as far as the picture's edges allow.",
    response_class=Response,
    responses=_rendition_responses(),
)
async def get_crop_rendition(
    request: Request,
    now: Now,
    image_id: ImageIdPath,
    crop: Annotated[str, Path(description="A ratio from the allowlist.", examples=["16x9"])],
    width: WidthPath,
    format: FormatPath,
    v: VersionQuery = None,
) -> Response:
    return await _rendition(request, now, image_id, crop, width, format, v)


async def _rendition(
    request: Request,
    now: datetime,
    image_id: int,
    crop: str | None,
    width: int,
    format: str,
    v: str | None,
) -> Response:
    held = services(request)
    rendition = requested(held.rendition_rules, crop, width, format)
    file = await public_read_in_thread(request, lambda s: current_file(s, image_id, v, now))
    etag = rendition_etag(file.version, rendition)
    cache_control = IMMUTABLE if v == file.version else held.public_headers.cache_control
    headers = rendition_headers(image_id, etag, cache_control)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None and etag_matches(if_none_match, etag, weak=True):
        return Response(status_code=304, headers=headers)
    body = await rendition_bytes(held.media, held.image_work, file, rendition)
    return Response(body, media_type=FORMATS[rendition.format], headers=headers)
