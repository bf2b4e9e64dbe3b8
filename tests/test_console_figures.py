"""The figures page in a real browser (headless Chromium) against the real bot and the stand-in:
the same numbers as /stats sends and as the /report workbook, for the same period and country,
in Arabic and English; the workbook download is audited; focal points get nothing."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import AsyncIterator

import openpyxl
import pytest
from playwright.async_api import Browser, Page

from bot.audit import CONSOLE
from bot.stats import labels
from storage.db import Database
from tests import stats_fixture
from tests.conftest import ARABIC_USER, FRENCH_USER
from tests.console_harness import (
    LAPTOP,
    console_url,
    init_data,
    new_context,
    signed_in_page,
    with_console,
)
from tests.harness import ADMIN, Harness, catalogs, label
from tests.support_helpers import make_focal_point

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Each /stats area: its button, its caption's message, and which page figure (the headline's
# label, then "period" or "all") each of the caption's placeholders shows.
AREAS = {
    "fp": (
        "Focal points",
        "Focal points, {period}: {registered} registered, {approved} approved and {active} "
        "active in the period; {approved_in_all} approved focal points in all; {reached} of "
        "{cities} network cities reached ({share}).",
        {
            "registered": ("Focal points registered", "period"),
            "approved": ("Focal points approved", "period"),
            "active": ("Active focal points", "period"),
            "approved_in_all": ("Focal points approved", "all"),
            "reached": ("Network cities reached", "period"),
            "cities": ("Network cities", "all"),
        },
    ),
    "q": (
        "Questions",
        "Questions, {period}: {asked} asked, {answered} answered, {declined} without an answer, "
        "{forwarded} sent to staff; staff answered in {hours} h (median).",
        {
            "asked": ("Questions asked", "period"),
            "answered": ("Questions answered", "period"),
            "declined": ("Questions without an answer", "period"),
            "forwarded": ("Questions sent to staff", "period"),
            "hours": ("Median hours for staff to answer", "period"),
        },
    ),
    "r": (
        "Support requests",
        "Support requests, {period}: {filed} filed; first staff response after {hours} h and "
        "completion after {days} days (medians).",
        {
            "filed": ("Support requests filed", "period"),
            "hours": ("Median hours to the first staff response", "period"),
            "days": ("Median days to completion", "period"),
        },
    ),
    "e": (
        "Events",
        "Events, {period}: events held: {events}; invited: {invited}; going: {going}; "
        "maybe: {maybe}; not going: {not_going}; reminders sent: {reminders}.",
        {
            "events": ("Events", "period"),
            "invited": ("Invited", "period"),
            "going": ("Going", "period"),
            "maybe": ("Maybe", "period"),
            "not_going": ("Not going", "period"),
            "reminders": ("Reminders sent", "period"),
        },
    ),
    "b": (
        "Broadcasts",
        "Broadcasts, {period}: broadcasts: {broadcasts}; recipients: {recipients}; "
        "delivered: {delivered}; blocked the bot: {blocked}; failed: {failed}.",
        {
            "broadcasts": ("Broadcasts", "period"),
            "recipients": ("Recipients", "period"),
            "delivered": ("Delivered", "period"),
            "blocked": ("Blocked the bot", "period"),
            "failed": ("Failed", "period"),
        },
    ),
}


@pytest.fixture
async def hub(harness: Harness) -> AsyncIterator[Harness]:
    """The statistics' known database, the bot on its "now" with its console, an English and
    an Arabic staff member."""
    db = Database(harness.config.database_path)
    await db.open()
    await stats_fixture.fill(db)
    await db.close()
    harness.clock.set(stats_fixture.NOW)
    with_console(harness)
    async with harness.running(admin_ids=frozenset({ADMIN, ARABIC_USER})):
        yield harness


def plain(text: str) -> str:
    """Without the invisible direction marks and isolates the bot puts around values."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf").strip()


def caption_values(language: str, message: str, caption: str) -> dict[str, str]:
    """The values of a caption's placeholders, read with its translated template."""
    names = re.findall(r"\{(\w+)\}", message)
    template = plain(
        catalogs().translator(language).label(message, **{name: f"{{{name}}}" for name in names})
    )
    pattern = "".join(
        f"(?P<{part[1:-1]}>.+?)" if re.fullmatch(r"\{\w+\}", part) else re.escape(part)
        for part in re.split(r"(\{\w+\})", template)
        if part
    )
    found = re.fullmatch(pattern, plain(caption))
    assert found is not None, (template, caption)
    return found.groupdict()


async def page_figures(page: Page) -> dict[str, dict[str, tuple[str, str]]]:
    """Per area, each headline's label and its two columns, as the page shows them."""
    figures: dict[str, dict[str, tuple[str, str]]] = {}
    for area in AREAS:
        rows = await page.locator(f"#area-{area} tbody tr").all()
        figures[area] = {}
        for row in rows:
            name = plain(await row.locator("th").inner_text())
            in_period, in_all = [plain(text) for text in await row.locator("td").all_inner_texts()]
            figures[area][name] = (in_period, in_all)
    return figures


def as_number(text: str) -> float | None:
    return None if text in ("", "—") else float(text.replace(",", "").replace("٬", ""))


async def stats_captions(
    hub: Harness, user: int, language: str, period: str, country: str
) -> dict[str, str]:
    """What /stats sends through the stand-in: the first caption of each area."""
    await hub.say(user, "/stats")
    # The dashboard starts on the last 30 days and all countries (marked as chosen).
    for choice in (country, period):
        if choice not in ("All countries", "Last 30 days"):
            await hub.press(user, label(language, choice))
    captions = {}
    for area, (button, _, _) in AREAS.items():
        sent = [
            message for message in await hub.press(user, label(language, button)) if message.photo
        ]
        assert sent and sent[0].caption
        captions[area] = sent[0].caption
    return captions


@pytest.mark.parametrize(
    ("user", "language", "period", "period_code", "country", "country_code"),
    [
        (ADMIN, "en", "This year", "y", "Morocco", "MA"),
        (ARABIC_USER, "ar", "Last 30 days", "d30", "All countries", "all"),
    ],
)
async def test_the_figures_page_shows_what_stats_and_the_workbook_show(
    hub: Harness,
    browser: Browser,
    user: int,
    language: str,
    period: str,
    period_code: str,
    country: str,
    country_code: str,
) -> None:
    captions = await stats_captions(hub, user, language, period, country)

    page = await signed_in_page(browser, hub, user, viewport=LAPTOP)
    # Charts are checked once below; the page's own images would only keep the worker busy.
    await page.route(re.compile(r"/figures/charts/"), lambda route: route.abort())
    await page.click("a.tile[href$='/figures']")
    await page.select_option("select[name=period]", period_code)
    await page.select_option("select[name=country]", country_code)
    await page.click("form.filters button")
    await page.wait_for_url(re.compile(rf"period={period_code}.*country={country_code}"))
    assert await page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
    t = catalogs().translator(language)
    window = hub.services.stats.window(
        labels.Period(period_code), None if country_code == "all" else country_code
    )
    assert plain(await page.inner_text("#scope")) == plain(
        labels.scope(t, labels.Period(period_code), window)
    )
    shown = await page_figures(page)

    # The same numbers as /stats's captions, written the same way.
    for area, (_, message, placeholders) in AREAS.items():
        values = caption_values(language, message, captions[area])
        for placeholder, (name, column) in placeholders.items():
            in_period, in_all = shown[area][label(language, name)]
            assert values[placeholder] == (in_period if column == "period" else in_all), (
                area,
                placeholder,
            )
    assert shown["fp"][label(language, "Network cities")][1] == (
        "8" if country_code == "MA" else shown["fp"][label(language, "Network cities")][1]
    )

    # The workbook downloaded from the page: the same figures in its summary.
    async with page.expect_download() as downloading:
        await page.click("#workbook")
    download = await downloading.value
    assert download.suggested_filename.startswith("hub-report-")
    content = open(await download.path(), "rb").read()  # noqa: SIM115, ASYNC230
    summary = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert summary.title == label(language, "Summary")
    in_workbook = {
        row[0]: (row[1], row[2]) for row in summary.iter_rows(min_row=4, values_only=True)
    }
    on_page = {name: values for area in shown.values() for name, values in area.items()}
    assert set(in_workbook) == set(on_page)
    for name, (in_period, in_all) in on_page.items():
        period_value, all_value = in_workbook[name]
        if isinstance(period_value, float):
            period_value = round(period_value, 1)
        assert (as_number(in_period), as_number(in_all)) == (period_value, all_value), name
    assert any(value for value, _ in in_workbook.values())  # not a page of zeros

    # The download is in the audit log, by whom and for what.
    [record] = (await hub.services.audit.page(action="figures.workbook")).records
    assert (record.actor_id, record.channel) == (user, CONSOLE)
    assert record.subject == f"{download.suggested_filename} {country_code}"

    # One chart, as /stats draws it.
    chart = await page.request.get(console_url(hub, f"/figures/charts/r/1?period={period_code}"))
    assert chart.status == 200 and chart.headers["content-type"] == "image/png"
    assert (await chart.body()).startswith(PNG_SIGNATURE)


async def test_bad_choices_get_an_answer_and_the_default_figures(
    hub: Harness, browser: Browser
) -> None:
    page = await signed_in_page(browser, hub, ADMIN)
    await page.route(re.compile(r"/figures/charts/"), lambda route: route.abort())
    for query in (
        "?period=decade",
        "?country=XX",
        "?period=days&from=2026-06-30&to=2026-01-01",
        "?period=days&from=2026-01-01&to=9999-12-31",
    ):
        await page.goto(console_url(hub, "/figures" + query))
        assert await page.locator(".notice").count() == 1
        assert plain(await page.inner_text("#scope")).startswith(label("en", "Last 30 days"))
    # Chosen days, both included: the first and last day are asked for only then.
    await page.goto(console_url(hub, "/figures"))
    assert not await page.locator("form.filters input[name=from]").is_visible()
    await page.select_option("select[name=period]", "days")
    await page.fill("form.filters input[name=from]", "2026-01-01")
    await page.fill("form.filters input[name=to]", "2026-06-30")
    await page.click("form.filters button")
    await page.wait_for_url(re.compile(r"from=2026-01-01&to=2026-06-30"))
    assert await page.locator(".notice").count() == 0
    assert await page.locator("form.filters input[name=to]").is_visible()
    report = await hub.services.stats.overview(
        hub.services.stats.days(
            stats_fixture.NOW.date().replace(month=1, day=1),
            stats_fixture.NOW.date().replace(day=30),
        )
    )
    shown = await page_figures(page)
    assert shown["r"][label("en", "Support requests filed")][0] == str(report.requests.filed)
    assert report.requests.filed == 7  # as /report 2026-01-01 2026-06-30 (test_stats_bot)
    missing = await page.request.get(console_url(hub, "/figures/charts/fp/1"))
    assert missing.status == 404


async def test_a_focal_point_cannot_open_the_figures(hub: Harness, browser: Browser) -> None:
    await make_focal_point(hub, FRENCH_USER, "MA", "Fes")
    signed = init_data(FRENCH_USER, auth_date=stats_fixture.NOW)
    context = await new_context(browser, telegram=signed)
    page = await context.new_page()
    response = await page.goto(console_url(hub, "/figures"))
    assert response is not None and response.status == 401
    await page.wait_for_selector(".webapp-refused:not([hidden])")
    assert await page.locator("#area-fp").count() == 0
    chart = await page.request.get(console_url(hub, "/figures/charts/fp/0"))
    workbook = await page.request.post(
        console_url(hub, "/figures/workbook"), form={"period": "y"}, max_redirects=0
    )
    assert (chart.status, workbook.status) == (401, 401)
    assert not (await hub.services.audit.page(action="figures.workbook")).records
