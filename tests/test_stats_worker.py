"""The statistics worker beside staff: what it made is kept until the data changes (a figures
page's charts are one job, not one per image), and a quick figures request is not stuck
behind a long report (two lanes, each a process at a lower priority than the bot)."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from bot.console.server import SESSION_COOKIE
from bot.stats.cache import FRESH_S, PAST_S, FigureCache
from bot.stats.periods import Period
from bot.stats.worker import WORKER_NICENESS, Lane, StatsWorker, lane_for
from storage.db import Database
from storage.stats import Window
from tests import stats_fixture
from tests.console_harness import console_url, with_console
from tests.harness import ADMIN, Harness, catalogs

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Long enough for a worker process to start on a busy machine; a stuck request fails, not hangs.
WAIT_S = 120


@pytest.fixture
async def hub(harness: Harness) -> AsyncIterator[Harness]:
    """The statistics tests' known database, the bot on its "now", with its console."""
    db = Database(harness.config.database_path)
    await db.open()
    await stats_fixture.fill(db)
    await db.close()
    harness.clock.set(stats_fixture.NOW)
    with_console(harness)
    async with harness.running():
        # At start the bot settles the reminders due by "now" (it skips one of an event that
        # has begun): a change to the figures, made before the test looks.
        await harness.services.reminders.run_due()
        yield harness


@pytest.fixture
async def staff_page(hub: Harness) -> AsyncIterator[aiohttp.ClientSession]:
    """A browser's connection, signed in as staff."""
    console = hub.services.console
    opened = await console.open_with_link(await console.login_link_token(ADMIN))
    assert opened is not None
    async with aiohttp.ClientSession(cookies={SESSION_COOKIE: opened.token}) as session:
        yield session


def worker_of(bot: Harness) -> StatsWorker:
    worker = bot.services.stats.worker
    assert worker is not None
    return worker


async def fetch(session: aiohttp.ClientSession, url: str) -> bytes:
    async with asyncio.timeout(WAIT_S), session.get(url) as response:
        assert response.status == 200, url
        return await response.read()


async def test_a_figures_page_is_made_once_and_kept_until_the_data_changes(
    hub: Harness, staff_page: aiohttp.ClientSession
) -> None:
    worker = worker_of(hub)
    page = console_url(hub, "/figures?period=d30&country=all")
    charts = [
        console_url(hub, f"/figures/charts/r/{index}?period=d30&country=all") for index in (0, 1)
    ]
    assert b"<h2" in await fetch(staff_page, page)
    assert worker.jobs == {Lane.QUICK: 1}  # every area's figures: one job
    # The page's two request charts, asked at once as a browser does: drawn in one job.
    first = await asyncio.gather(*(fetch(staff_page, url) for url in charts))
    assert all(png.startswith(PNG_SIGNATURE) for png in first) and first[0] != first[1]
    assert worker.jobs == {Lane.QUICK: 2}
    # Opened again: served as kept, no job.
    await fetch(staff_page, page)
    assert await asyncio.gather(*(fetch(staff_page, url) for url in charts)) == first
    assert worker.jobs == {Lane.QUICK: 2}
    # A question asked changes the figures: made again.
    await hub.services.stats.record_question(language="ar", country="MA", topic=None)
    await fetch(staff_page, page)
    await fetch(staff_page, charts[0])
    assert worker.jobs == {Lane.QUICK: 4}
    # "The last 30 days" slides with the clock: kept FRESH_S, then made again.
    hub.clock.advance(timedelta(seconds=FRESH_S - 1))
    await fetch(staff_page, page)
    assert worker.jobs == {Lane.QUICK: 4}
    hub.clock.advance(timedelta(seconds=1))
    await fetch(staff_page, page)
    assert worker.jobs == {Lane.QUICK: 5}


async def test_charts_are_kept_per_language_and_country(hub: Harness) -> None:
    stats = hub.services.stats
    worker = worker_of(hub)
    window = stats.window(Period.LAST_30_DAYS)
    morocco = stats.window(Period.LAST_30_DAYS, "MA")
    for language in ("en", "fr", "ar"):
        t = catalogs().translator(language)
        drawn = await stats.charts("q", t, "scope", window)
        assert await stats.charts("q", t, "scope", window) == drawn
    assert worker.jobs == {Lane.QUICK: 3}
    await stats.charts("q", catalogs().translator("ar"), "scope", morocco)
    assert worker.jobs == {Lane.QUICK: 4}


def hold(started: Any, release: Any) -> int:
    """In the long lane: a report that runs until the test lets it end; its niceness."""
    started.set()
    assert release.wait(WAIT_S)
    return os.nice(0)


async def test_a_quick_figures_request_is_not_stuck_behind_a_long_report(
    hub: Harness, staff_page: aiohttp.ClientSession
) -> None:
    worker = worker_of(hub)
    year = hub.services.stats.window(Period.YEAR)
    assert lane_for(year, workbook=True) is Lane.LONG
    with multiprocessing.get_context("spawn").Manager() as manager:
        started, release = manager.Event(), manager.Event()
        report = asyncio.ensure_future(worker.run(Lane.LONG, hold, started, release))
        assert await asyncio.to_thread(started.wait, WAIT_S)
        # While the long lane is busy, the last 30 days' figures and charts come back.
        await fetch(staff_page, console_url(hub, "/figures?period=d30&country=all"))
        png = await fetch(staff_page, console_url(hub, "/figures/charts/e/0?period=d30"))
        assert png.startswith(PNG_SIGNATURE)
        assert not report.done()
        release.set()
        niceness = await asyncio.wait_for(report, WAIT_S)
    # The worker gives the bot its cores first.
    assert niceness >= os.nice(0) + WORKER_NICENESS


def test_reports_and_long_windows_take_the_long_lane() -> None:
    now = stats_fixture.NOW
    month = Window(now - timedelta(days=30), now, period=Period.LAST_30_DAYS.value)
    quarter = Window(now - timedelta(days=92), now)
    year = Window(now - timedelta(days=365), now)
    assert lane_for(month) is Lane.QUICK and lane_for(quarter) is Lane.QUICK
    assert lane_for(year) is Lane.LONG
    assert lane_for(month, workbook=True) is Lane.LONG


async def test_what_failed_is_made_again_and_one_asker_leaving_stops_nobody(
    harness: Harness,
) -> None:
    cache = FigureCache(harness.clock)
    past = Window(stats_fixture.NOW - timedelta(days=60), stats_fixture.NOW - timedelta(days=30))
    harness.clock.set(stats_fixture.NOW)

    async def broken() -> str:
        raise RuntimeError("the worker died")

    with pytest.raises(RuntimeError):
        await cache.get("figures", past, 1, broken)
    gate = asyncio.Event()

    async def slow() -> str:
        await gate.wait()
        return "made"

    leaving = asyncio.ensure_future(cache.get("figures", past, 1, slow))
    staying = asyncio.ensure_future(cache.get("figures", past, 1, slow))
    await asyncio.sleep(0)  # both are waiting for the one job
    leaving.cancel()
    gate.set()
    assert await staying == "made"
    assert cache.made == 2  # the broken one, then one for both askers
    # A window wholly in the past is kept PAST_S (the same data version).
    harness.clock.advance(timedelta(seconds=PAST_S - 1))
    assert await cache.get("figures", past, 1, slow) == "made"
    assert cache.made == 2
    assert await cache.get("figures", past, 2, slow) == "made"
    assert cache.made == 3
