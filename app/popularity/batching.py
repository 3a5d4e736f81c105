"""Group commit: concurrent callers share one write, each awaiting its own outcome.

A view store that paid one transaction (or one Redis round trip) per beacon would
spend most of its time on the fixed cost of each. Here a caller queues its item
and waits; one drain task per batcher writes everything queued so far in one go,
and whatever arrives meanwhile waits for the next write. Under load batches grow
by themselves; a lone caller waits for nothing but its own write. A caller is
answered only once its batch is written, so an acknowledged item is durable.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


class BatchFailed(RuntimeError):
    """The write of a caller's batch failed, so none of that batch was written."""


class Batcher(Generic[Item, Outcome]):
    def __init__(self, write: Callable[[list[Item]], Awaitable[Sequence[Outcome]]]) -> None:
        # All or nothing, one outcome per item in order; only one write runs at a time.
        self._write = write
        self._queued: list[tuple[Item, asyncio.Future[Outcome]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Outcome:
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._queued.append((item, future))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._queued:
                batch, self._queued = self._queued, []
                try:
                    outcomes = await self._write([item for item, _ in batch])
                except Exception as exc:
                    for _, future in batch:
                        if not future.done():  # its caller may have gone away
                            failure = BatchFailed(f"a batch of {len(batch)} was not written")
                            failure.__cause__ = exc
                            future.set_exception(failure)
                    continue
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if not future.done():
                        future.set_result(outcome)
        finally:
            # No await since the queue was seen empty: nothing queued is left unwritten.
            self._drainer = None

    async def drain(self) -> None:
        """Wait until everything queued so far is written (or has failed)."""
        while self._drainer is not None:
            await asyncio.shield(self._drainer)
