"""Reads by key that arrive together, sent to the database as one query.

Over a network a read costs its round trip more than its lookup, and under load a
worker has many reads of documents waiting at once (often of the same breaking
story). A read that arrives while another query is out joins the next batch;
when the query out returns, the batch goes as one statement for all its keys.
Every batch's query starts after each of its requests arrived, so a write any
process committed before a request arrived is seen by that request: nothing is
shared across time, only the round trip. A lone read goes at once, as before.
"""

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
# The rows of one batch by key: (the keys, the latest `now` among their requests).
FetchMany = Callable[[list[K], datetime], Awaitable[dict[K, Any]]]


class _Queue(Generic[K]):
    def __init__(self) -> None:
        self.waiting: dict[K, list[asyncio.Future[Any]]] = {}
        self.now: datetime | None = None
        self.sending = False
        # Held so the task is not collected while it runs.
        self.sender: asyncio.Task[None] | None = None


class Batches(Generic[K]):
    def __init__(self, fetch_many: FetchMany[K]) -> None:
        self._fetch_many = fetch_many
        # One queue per event loop: futures belong to the loop that made them.
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue[K]] = (
            weakref.WeakKeyDictionary()
        )

    async def read(self, key: K, now: datetime) -> Any:
        """The row for `key` visible at `now` (or a little later), or None."""
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue()
        future: asyncio.Future[Any] = loop.create_future()
        queue.waiting.setdefault(key, []).append(future)
        if queue.now is None or now > queue.now:
            queue.now = now
        if not queue.sending:
            queue.sending = True
            queue.sender = loop.create_task(self._send(queue))
        return await future

    async def _send(self, queue: _Queue[K]) -> None:
        try:
            while queue.waiting:
                batch, queue.waiting = queue.waiting, {}
                now, queue.now = queue.now, None
                assert now is not None
                failure: Exception | None = None
                rows: dict[K, Any] = {}
                try:
                    rows = await self._fetch_many(list(batch), now)
                except Exception as exc:
                    failure = exc
                for key, futures in batch.items():
                    for future in futures:
                        if future.done():  # a request cancelled while it waited
                            continue
                        if failure is not None:
                            future.set_exception(failure)
                        else:
                            future.set_result(rows.get(key))
        finally:
            queue.sending = False
