"""Long statistics work away from the bot: a worker process, at a lower priority, that reads
the database on a read-only connection of its own.

The report and the charts are long reads (a full year of 100,000 questions) and CPU work
(figures, openpyxl, matplotlib). In a thread they share the interpreter lock with the event
loop that answers everyone: replies waited five times longer at p99 while a full-year report
was built (benchmarks/report_beside_replies.py). A process has a lock of its own; SQLite's WAL
lets its read-only connection read beside the bot's writer; and at a lower priority the
machine gives the bot's replies its cores first.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

from bot.clock import ManualClock
from bot.i18n import Translator
from bot.stats.areas import AREAS
from bot.stats.charts import Chart
from bot.stats.service import Overview, StatsService
from bot.stats.workbook import build_workbook
from storage.db import Database, ReadOnlyConnection
from storage.stats import StatsRepository, Window

# Added to the worker's niceness, up to the lowest priority there is: the bot's own process
# keeps the cores when both want them (at 10, reply p99 during reports was x1.9-2.2).
WORKER_NICENESS = 19


def _lower_priority() -> None:
    os.nice(WORKER_NICENESS)


def _service(path: Path, connection: ReadOnlyConnection, now: datetime) -> StatsService:
    # The figures as of the bot's own clock when it asked (a fake one in tests).
    return StatsService(stats=StatsRepository(Database(path), connection), clock=ManualClock(now))


def report_workbook(path: Path, t: Translator, window: Window, now: datetime) -> bytes:
    """In the worker: the report's figures, then its workbook."""
    connection = ReadOnlyConnection(path)
    try:
        report = asyncio.run(_service(path, connection, now).report(window))
    finally:
        connection.close()
    return build_workbook(t, report)


def area_figures(path: Path, window: Window, now: datetime) -> Overview:
    """In the worker: every area's figures, for the console's figures page."""
    connection = ReadOnlyConnection(path)
    try:
        return asyncio.run(_service(path, connection, now).overview(window))
    finally:
        connection.close()


def area_charts(
    path: Path, area: str, t: Translator, scope: str, window: Window, now: datetime
) -> list[Chart]:
    """In the worker: one /stats area's figures, then its charts."""
    connection = ReadOnlyConnection(path)
    try:
        draw = asyncio.run(AREAS[area](t, scope, _service(path, connection, now), window))
    finally:
        connection.close()
    return draw()


class StatsWorker:
    """One worker process, started at the first report or chart and kept for the next."""

    def __init__(self, database_path: Path) -> None:
        self._path = database_path
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Spawned, not forked: the bot's process has threads (SQLite's, the loop's).
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_lower_priority,
            )
        return self._pool

    async def workbook(self, t: Translator, window: Window, now: datetime) -> bytes:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor(), report_workbook, self._path, t, window, now
        )

    async def overview(self, window: Window, now: datetime) -> Overview:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor(), area_figures, self._path, window, now)

    async def charts(
        self, area: str, t: Translator, scope: str, window: Window, now: datetime
    ) -> list[Chart]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor(), area_charts, self._path, area, t, scope, window, now
        )

    def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.shutdown(wait=False, cancel_futures=True)
