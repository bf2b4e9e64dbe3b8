"""Building the index of a publication in a worker process.

A rebuild is a few hundred milliseconds of pure Python on a busy machine. In a thread of the
bot's process it holds the GIL against the event loop, and every reply in progress waits for
it at each hand-over; in a worker process only the finished index crosses over (pickled, read
back in one step), so replies keep their pace while staff publish."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.knowledge.content import Entry
from bot.knowledge.search import KnowledgeIndex
from bot.knowledge.synonyms import Synonyms

logger = logging.getLogger(__name__)

# Scheduling priority of the worker below the bot's (0 is normal, 19 the lowest).
WORKER_NICENESS = 10


def _build_pickled(entries: dict[str, Entry], synonyms: Synonyms) -> bytes:
    index = KnowledgeIndex.build(entries, synonyms=synonyms)
    # The bot has the entries already: a third less to read back, in one step that holds
    # the GIL.
    index.entries = {}
    return pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)


def _yield_to_the_bot() -> None:
    """The worker gives way when CPUs are short: a reply matters more than a publication being
    a few hundred milliseconds sooner."""
    os.nice(WORKER_NICENESS)


def _noop() -> None:
    """Started the worker: its interpreter and imports are ready for the first publication."""


class IndexBuilder:
    """One worker process, started at the first publication and kept for the next ones."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def _worker(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn: a fresh interpreter, not a fork of a process with running threads.
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_yield_to_the_bot,
            )
        return self._pool

    def warm(self) -> None:
        """Start the worker now (staff opened the knowledge pages), not at the publication:
        a new interpreter with numpy takes a second or more on a busy machine."""
        if self._pool is None:
            self._worker().submit(_noop)

    async def build(self, entries: dict[str, Entry], synonyms: Synonyms) -> KnowledgeIndex:
        pool = self._worker()
        loop = asyncio.get_running_loop()
        try:
            pickled = await loop.run_in_executor(pool, _build_pickled, entries, synonyms)
        except BrokenProcessPool:
            # The worker died (killed, out of memory): this build happens here, the next
            # publication starts a new worker.
            logger.warning("knowledge index worker gone; building in a thread instead")
            self._pool = None
            return await asyncio.to_thread(KnowledgeIndex.build, entries, synonyms=synonyms)
        index: KnowledgeIndex = await asyncio.to_thread(pickle.loads, pickled)
        index.entries = entries
        return index

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
