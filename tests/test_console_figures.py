"""Figures in the console, in a real browser: the charts of /stats for a period and a country,
and the workbook of /report."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import openpyxl
import pytest
from playwright.async_api import Browser, expect

from bot.stats.periods import Period
from bot.stats.workbook import build_workbook
from tests.console_harness import LAPTOP, chromium, console_url, signed_in_page, with_console
from tests.harness import ADMIN, Harness
from tests.test_broadcast import add_focal_point


@pytest.fixture
async def console_bot(harness: Harness) -> AsyncIterator[Harness]:
    with_console(harness)
    async with harness.running():
        await harness.say(ADMIN, "/start")
        yield harness


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def test_the_figures_page_draws_the_stats_charts_and_gives_the_workbook(
    console_bot: Harness, browser: Browser
) -> None:
    bot = console_bot
    for user_id, country, city in ((301, "MA", "Fes"), (302, "MA", "Rabat"), (303, "EG", "Giza")):
        await add_focal_point(bot, user_id, "fr", country, city)
    page = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    await page.goto(console_url(bot, "/figures?period=y&country=MA"))
    images = page.locator(".figures img")
    await expect(images).to_have_count(6)
    for index in range(6):
        source = await images.nth(index).get_attribute("src")
        assert source is not None and "period=y" in source and "country=MA" in source
        chart = await page.request.get(console_url(bot, "")[: -len("/console")] + source)
        assert chart.status == 200 and chart.headers["content-type"] == "image/png"
        assert (await chart.body())[:8] == b"\x89PNG\r\n\x1a\n"
    # The workbook is /report's, for the same period and country.
    link = await page.locator("a[href*='report.xlsx']").get_attribute("href")
    assert link is not None
    download = await page.request.get(console_url(bot, "")[: -len("/console")] + link)
    assert download.status == 200
    sheets = openpyxl.load_workbook(io.BytesIO(await download.body()))
    # The same cells as the workbook /report builds from the same figures.
    stats = bot.services.stats
    report = await stats.report(stats.window(Period.YEAR, "MA"))
    expected = openpyxl.load_workbook(
        io.BytesIO(build_workbook(bot.services.translator("en"), report))
    )
    assert [sheet.title for sheet in sheets.worksheets] == [
        sheet.title for sheet in expected.worksheets
    ]
    assert [[c.value for c in row] for row in sheets.worksheets[0].iter_rows()] == [
        [c.value for c in row] for row in expected.worksheets[0].iter_rows()
    ]
    # Nothing for someone without a session.
    stranger = await browser.new_context()
    refused = await stranger.request.get(console_url(bot, "/figures/fp/0.png"))
    assert refused.status == 401
