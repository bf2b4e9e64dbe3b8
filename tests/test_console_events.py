"""Events from the console in a real browser (headless Chromium), against the real bot and the
stand-in: created with the rules of /newevent, invitations and reminders as for an event made
in Telegram, the roster and its CSV, cancelling."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Browser, expect

from tests.console_harness import LAPTOP, console_url, signed_in_page, with_console
from tests.harness import ADMIN, Harness, label
from tests.test_events import focal_point


@pytest.fixture
async def console_bot(harness: Harness) -> AsyncIterator[Harness]:
    with_console(harness)
    async with harness.running():
        await harness.say(ADMIN, "/start")
        yield harness


async def test_an_event_made_in_the_console_invites_and_reminds_as_in_telegram(
    console_bot: Harness, browser: Browser
) -> None:
    bot = console_bot
    moroccan = await focal_point(bot, "fr")  # Fès, reads French
    iraqi = await focal_point(bot, "ar")
    page = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    await page.goto(console_url(bot, "/events/new"))
    await page.fill("input[name=title_fr]", "Table ronde nationale")
    await page.fill("textarea[name=description_fr]", "Les réseaux locaux de prévention.")
    await page.fill("input[name=title_en]", "National roundtable")
    await page.fill("input[name=zone]", "Africa/Casablanca")
    await page.fill("input[name=start]", "2026-05-16T10:00")  # already passed
    await page.fill("input[name=end]", "2026-05-16T17:30")
    await page.fill("input[name=place]", "Rabat City Hall")
    await page.check("input[name=country_MA]")
    await page.fill("input[name=reminders]", "1d 1h")
    await page.click("#new-event button[type=submit]")
    # Refused as /newevent refuses it, with what was typed kept.
    problem = page.locator(".problem[data-field=start]")
    await expect(problem).to_have_text(
        "That moment has already passed. Give a future date and time."
    )
    assert await page.input_value("input[name=title_fr]") == "Table ronde nationale"
    await page.fill("input[name=start]", "2026-06-16T10:00")
    await page.fill("input[name=end]", "2026-06-16T17:30")
    await page.click("#new-event button[type=submit]")
    await page.wait_for_url("**/events/1")
    await expect(page.locator("h1")).to_have_text("National roundtable")
    # What focal points will read: the invitation and each reminder, in the three languages.
    await expect(page.locator("section.preview")).to_have_count(3)
    await expect(page.locator("section.preview .bubble")).to_have_count(9)
    await expect(page.locator("section.preview").nth(1)).to_contain_text("Table ronde nationale")
    # The Moroccan focal point is invited in French; the Iraqi one is not.
    await bot.services.reminders.run_due()
    invitation = bot.api.last_message(moroccan)
    assert "Table ronde nationale" in (invitation.text or "")
    assert all("Table ronde" not in (m.text or "") for m in bot.api.messages(iraqi))
    await bot.press(moroccan, label("fr", "✅ Going"))
    # The reminder an hour before comes as for an event made in Telegram.
    bot.clock.advance(datetime(2026, 6, 16, 8, 0, tzinfo=UTC) - bot.clock.now())
    await bot.services.reminders.run_due()
    assert "Table ronde nationale" in bot.last_text(moroccan)
    assert "⏰" in bot.last_text(moroccan)
    # (A session lasts 8 hours: after the clock's jump, a new one.)
    page = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    await page.goto(console_url(bot, "/events"))
    row = page.locator("table.records tbody tr", has_text="National roundtable")
    await expect(row.locator("td").nth(2)).to_have_text("1")
    await row.locator("a").click()
    await expect(page.locator("[data-answer=going]")).to_have_text("1")
    roster = await page.request.get(console_url(bot, "/events/1/roster.csv"))
    body = (await roster.body()).decode("utf-8-sig")
    assert body.splitlines()[0] == "name,city,answer,answered_at"
    assert "Going" in body.splitlines()[1]
    # Cancelling says how many will be told; the Moroccan focal point is.
    await expect(page.locator("form.card p")).to_contain_text("1 person")
    await page.click("button.danger")
    await page.wait_for_url("**/events/1")
    await bot.services.reminders.run_due()
    assert "🚫" in bot.last_text(moroccan)
    event = await bot.services.events.get(1)
    assert event is not None and event.is_cancelled
    assert event.starts_at - event.ends_at == -timedelta(hours=7, minutes=30)
