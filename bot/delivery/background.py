"""Sends nobody waits on (a card to staff, a word to another person): they run beside the
handler, so a busy staff group never holds up the chat of the person who caused them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)


class BackgroundSends:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self.failed = 0

    def start(self, work: Coroutine[Any, Any, None], what: str) -> None:
        task = asyncio.create_task(self._run(work, what), name=what)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, work: Coroutine[Any, Any, None], what: str) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            # Nobody awaits this: the log and the count are where a failure shows.
            self.failed += 1
            logger.exception("%s failed", what)

    async def idle(self) -> None:
        """Until everything started (and anything it started) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self, grace_s: float = 10.0) -> None:
        if self._tasks:
            _, pending = await asyncio.wait(list(self._tasks), timeout=grace_s)
            for task in pending:
                logger.error("stopping before %s finished", task.get_name())
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
