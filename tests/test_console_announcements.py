"""Announcements from the console in a real browser (headless Chromium), against the real bot
and the stand-in: what the preview shows is what people receive, the progress counts, Stop,
and the working-hours option."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from playwright.async_api import Browser, Page, expect

from handlers.console_announcements import telegram_preview
from tests.console_harness import LAPTOP, console_url, signed_in_page, with_console
from tests.harness import ADMIN, Harness, plain
from tests.test_broadcast import add_focal_point, broadcast_messages, wait_for_report

VERSIONS = {
    "ar": "<b>اجتماع الشبكة</b> يوم الخميس في الرباط.",
    "fr": (
        '<b>Réunion du réseau</b> jeudi à Rabat. <a href="https://example.org/r">Le programme</a>'
    ),
    "en": "<b>Network meeting</b> on Thursday in Rabat.",
}
MOROCCANS = {"ar": range(401, 411), "fr": range(411, 421), "en": range(421, 431)}


@pytest.fixture
async def console_bot(harness: Harness) -> AsyncIterator[Harness]:
    harness.config = replace(harness.config, broadcast_paid=True, broadcast_rate=200)
    with_console(harness)
    async with harness.running():
        await harness.say(ADMIN, "/start")
        yield harness


async def write(page: Page) -> None:
    for code, text in VERSIONS.items():
        await page.fill(f"textarea[name=text_{code}]", text)
    await page.check("input[name=audience][value=cty]")
    await page.check("input[name=country_MA]")


async def test_an_announcement_in_three_languages_from_the_console(
    console_bot: Harness, browser: Browser
) -> None:
    bot = console_bot
    for language, people in MOROCCANS.items():
        for user_id in people:
            await add_focal_point(bot, user_id, language, "MA", "Fes")
    await add_focal_point(bot, 499, "en", "EG", "Cairo")  # not in the audience
    bot.api.block(430)
    page = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    await page.goto(console_url(bot, "/announcements"))
    await write(page)
    # The counts follow the audience as it is chosen, by language and by country.
    await expect(page.locator("#counts")).to_contain_text("30 recipients")
    await page.click("button[value=preview]")
    previews = page.locator("section.preview")
    await expect(previews).to_have_count(3)
    french = page.locator("section.preview[data-language=fr] .bubble")
    await expect(french.locator("b")).to_have_text("Réunion du réseau")
    await expect(french.locator("a")).to_have_attribute("href", "https://example.org/r")
    # A test to myself first: each version, as its readers will get it.
    await page.click("button[value=test]")
    await expect(page.locator(".done")).to_contain_text("3")
    assert broadcast_messages(bot, ADMIN, "Réunion du réseau")
    await page.click("button[value=send]")
    await page.wait_for_url("**/announcements/1")
    await wait_for_report(bot)
    # What they received is what the preview showed, each in their language.
    shown = {code: await previews_text(code) for code in VERSIONS}
    for language, people in MOROCCANS.items():
        for user_id in people:
            if user_id == 430:
                continue
            [received] = broadcast_messages(bot, user_id, shown[language][:8])
            assert received.text == shown[language]
    assert not bot.api.messages(499) or not broadcast_messages(bot, 499, "Network")
    await page.reload()
    progress = page.locator("#progress")
    await expect(progress.locator("[data-state=sent]")).to_have_text("29")
    await expect(progress.locator("[data-state=blocked]")).to_have_text("1")
    await expect(progress.locator("[data-state=remaining]")).to_have_text("0")
    audit = await bot.services.audit.page(action="announcement.send")
    assert len(audit.records) == 1


async def previews_text(code: str) -> str:
    return plain(str(telegram_preview(VERSIONS[code])).replace("<br>", "\n"))


async def test_working_hours_from_the_console_and_stop(
    console_bot: Harness, browser: Browser
) -> None:
    bot = console_bot
    # Thursday 4 June 2026, 20:00 UTC: evening in Casablanca and in Cairo.
    bot.clock.advance(datetime(2026, 6, 4, 20, 0, tzinfo=UTC) - bot.clock.now())
    await add_focal_point(bot, 401, "fr", "MA", "Fes")
    await add_focal_point(bot, 402, "ar", "EG", "Cairo")
    page = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    await page.goto(console_url(bot, "/announcements"))
    await page.fill("textarea[name=text_fr]", "Annonce du matin")
    await page.fill("textarea[name=text_ar]", "إعلان الصباح")
    await page.check("input[name=working_hours]")
    await page.click("button[value=send]")
    await page.wait_for_url("**/announcements/1")
    await bot.services.broadcasts.idle()
    await page.reload()
    progress = page.locator("#progress")
    await expect(progress.locator("[data-state=waiting]")).to_have_text("2")
    assert not broadcast_messages(bot, 401, "Annonce")
    # Friday 09:00 in Casablanca: the Moroccan focal point has it; the Egyptian waits.
    bot.clock.advance(datetime(2026, 6, 5, 8, 0, tzinfo=UTC) - bot.clock.now())
    await bot.services.broadcasts.look_now()
    await bot.services.broadcasts.idle()
    assert len(broadcast_messages(bot, 401, "Annonce")) == 1
    # (A session lasts 8 hours: the morning needs a new one.)
    page = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    await page.goto(console_url(bot, "/announcements/1"))
    progress = page.locator("#progress")
    await expect(progress.locator("[data-state=waiting]")).to_have_text("1")
    # Stop: the Egyptian focal point never gets it.
    await page.click("#progress button.danger")
    await page.wait_for_url("**/announcements/1")
    broadcast = await bot.services.broadcasts.get(1)
    assert broadcast is not None and broadcast.status == "cancelled"
    bot.clock.advance(datetime(2026, 6, 7, 6, 0, tzinfo=UTC) - bot.clock.now())
    await bot.services.broadcasts.look_now()
    await bot.services.broadcasts.idle()
    assert not broadcast_messages(bot, 402, "إعلان")
