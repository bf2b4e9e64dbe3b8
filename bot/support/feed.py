"""The in-process feed of support request changes: each change the desk records, to listeners.

The desk publishes after its transaction commits, whichever way the change came (a Telegram
card, the console, a city's answer), so an open console page learns of it at once.
Publishing never waits: a listener that falls behind loses its backlog and is told to reload.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from storage.models import SupportRequest

logger = logging.getLogger(__name__)

# Changes a listener may have waiting before it is told to reload instead.
LISTENER_BACKLOG = 256


@dataclass(frozen=True)
class RequestChange:
    """What happened to one request: its new state and who acted (None: nobody did)."""

    request_id: int
    reference: str
    kind: str  # filed | status | assigned | note | question | answer
    status: str
    version: int
    actor: int | None
    at: datetime

    @classmethod
    def of(cls, request: SupportRequest, kind: str, actor: int | None) -> RequestChange:
        return cls(
            request.id,
            request.reference,
            kind,
            request.status,
            request.version,
            actor,
            request.updated_at,
        )


class FeedClosed(Exception):
    """The bot is stopping: listeners end (an open console page reconnects to the next run)."""


_CLOSED = object()


class Listener:
    """One subscriber's queue. ``next()`` gives None after changes were lost: reload all."""

    def __init__(self, backlog: int) -> None:
        self._queue: asyncio.Queue[object] = asyncio.Queue(backlog)

    def offer(self, change: RequestChange) -> None:
        try:
            self._queue.put_nowait(change)
        except asyncio.QueueFull:
            # Whatever is queued is now incomplete: replace it all with one "reload".
            self._empty()
            self._queue.put_nowait(None)

    def close(self) -> None:
        self._empty()
        self._queue.put_nowait(_CLOSED)

    def _empty(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()

    async def next(self) -> RequestChange | None:
        """The next change; None when some were lost; FeedClosed once the feed is closed."""
        item = await self._queue.get()
        if item is _CLOSED:
            self._queue.put_nowait(_CLOSED)
            raise FeedClosed()
        assert item is None or isinstance(item, RequestChange)
        return item

    def pending(self) -> int:
        return self._queue.qsize()


class RequestFeed:
    def __init__(self, *, backlog: int = LISTENER_BACKLOG) -> None:
        self._backlog = backlog
        self._listeners: set[Listener] = set()
        self._closed = False

    def publish(self, change: RequestChange) -> None:
        for listener in list(self._listeners):
            listener.offer(change)
        logger.debug("request %s: %s, %d listeners", change.request_id, change.kind, self.count)

    def close(self) -> None:
        """End every listener now and any that comes later (the bot is stopping)."""
        self._closed = True
        for listener in self._listeners:
            listener.close()

    @asynccontextmanager
    async def listen(self) -> AsyncIterator[Listener]:
        listener = Listener(self._backlog)
        if self._closed:
            listener.close()
        self._listeners.add(listener)
        try:
            yield listener
        finally:
            self._listeners.discard(listener)

    @property
    def count(self) -> int:
        return len(self._listeners)
