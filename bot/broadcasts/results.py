"""Broadcast outcomes recorded as they come, many to a transaction when they come fast."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from storage.broadcasts import RecipientResult

# How long finished deliveries gather before they are committed together.
GROUP_COMMIT_S = 0.02


class ResultWriter:
    """Records outcomes as they come, many per transaction when they come fast (group commit).

    What a kill loses is only what was sent but not yet committed: messages in flight, and
    the outcomes of the last GROUP_COMMIT_S (twenty at a thousand a second).
    """

    def __init__(self, write: Callable[[list[RecipientResult]], Awaitable[None]]) -> None:
        self._write = write
        self._queue: list[RecipientResult] = []
        self._more = asyncio.Event()
        self._closing = False
        self._task = asyncio.create_task(self._loop())

    def add(self, result: RecipientResult) -> None:
        self._queue.append(result)
        self._more.set()

    async def _loop(self) -> None:
        while True:
            await self._more.wait()
            self._more.clear()
            batch, self._queue = self._queue, []
            if batch:
                await self._write(batch)
            if self._closing and not self._queue:
                return
            if not self._closing:
                # Outcomes gather for a moment before the next transaction: at a thousand a
                # second, a commit for every message or two cost more than its message.
                await asyncio.sleep(GROUP_COMMIT_S)

    async def close(self) -> None:
        """Write everything queued, then stop."""
        self._closing = True
        self._more.set()
        await self._task

    def kill(self) -> None:
        self._task.cancel()
