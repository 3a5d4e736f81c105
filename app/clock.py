"""The request's notion of now, so visibility of scheduled content is testable."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

Clock = Callable[[], datetime]


async def get_now(request: Request) -> datetime:
    clock: Clock = request.app.state.clock
    return clock()


Now = Annotated[datetime, Depends(get_now)]
