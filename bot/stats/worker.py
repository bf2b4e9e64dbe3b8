"""Long statistics work away from the bot: a worker process, at a lower priority, that reads
the database on a read-only connection of its own.

The report and the charts are long reads (a full year of 100,000 questions) and CPU work
(figures, openpyxl, matplotlib). In a thread they share the interpreter lock with the event
loop that answers everyone: replies waited five times longer at p99 while a full-year report
was built (benchmarks/report_beside_replies.py). A process has a lock of its own; SQLite's WAL
lets its read-only connection read beside the bot's writer; and at a lower priority the
machine gives the bot's replies its cores first.

Two processes, two lanes: a year-long report used to hold the only process while staff who
opened the figures of the last 30 days waited behind it. What was made is kept by
bot/stats/cache.py, so a figures page's charts are one job, not one per image.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from bot.clock import ManualClock
from bot.i18n import Translator
from bot.stats.areas import AREAS
from bot.stats.charts import Chart
from bot.stats.service import Overview, StatsService
from bot.stats.workbook import build_workbook
from storage.db import Database, ReadOnlyConnection
from storage.stats import StatsRepository, Window

T = TypeVar("T")

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


class Lane(StrEnum):
    """Which worker process a job goes to: a quick one never waits behind a long one."""

    QUICK = "quick"  # a figures page or /stats for up to a quarter
    LONG = "long"  # a /report workbook, or figures over more than a quarter


# Windows up to this long are quick to read (a quarter holds the figures staff open most).
QUICK_WINDOW = timedelta(days=92)


def lane_for(window: Window, *, workbook: bool = False) -> Lane:
    """A workbook reads every request's history and writes a spreadsheet, and a year reads
    four times a quarter: both go to the long lane, so the figures of the last 30 days come
    back while a year-long report is being built."""
    if workbook or window.end - window.start > QUICK_WINDOW:
        return Lane.LONG
    return Lane.QUICK


class StatsWorker:
    """One worker process per lane, each started at its first job and kept for the next; both
    at a lower priority than the bot, whose replies to focal points go first."""

    def __init__(self, database_path: Path) -> None:
        self._path = database_path
        self._pools: dict[Lane, ProcessPoolExecutor] = {}
        self.jobs: Counter[Lane] = Counter()  # jobs sent to each lane (tests count them)

    def _executor(self, lane: Lane) -> ProcessPoolExecutor:
        pool = self._pools.get(lane)
        if pool is None:
            # Spawned, not forked: the bot's process has threads (SQLite's, the loop's).
            pool = self._pools[lane] = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_lower_priority,
            )
        return pool

    async def run(self, lane: Lane, job: Callable[..., T], *args: Any) -> T:
        """``job(*args)`` in the lane's process (a module-level function: it is pickled)."""
        self.jobs[lane] += 1
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor(lane), job, *args)

    async def workbook(self, t: Translator, window: Window, now: datetime) -> bytes:
        lane = lane_for(window, workbook=True)
        return await self.run(lane, report_workbook, self._path, t, window, now)

    async def overview(self, window: Window, now: datetime) -> Overview:
        return await self.run(lane_for(window), area_figures, self._path, window, now)

    async def charts(
        self, area: str, t: Translator, scope: str, window: Window, now: datetime
    ) -> list[Chart]:
        return await self.run(
            lane_for(window), area_charts, self._path, area, t, scope, window, now
        )

    def close(self) -> None:
        pools, self._pools = self._pools, {}
        for pool in pools.values():
            pool.shutdown(wait=False, cancel_futures=True)
