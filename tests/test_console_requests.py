"""The requests board and a request's page in a real browser (headless Chromium), against the
real bot and the stand-in: what staff do in the console is what the Telegram cards do."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from benchmarks.request_board_data import fill as fill_board
from handlers.console_files import INLINE_TYPES, content_type, disposition
from handlers.console_requests import BOARD_PER_COLUMN, COLUMN_CARDS
from storage.models import RequestAttachment
from storage.support_requests import BoardFilter, RequestFilter
from tests.conftest import ARABIC_USER
from tests.console_harness import LAPTOP, console_url, signed_in_page, with_console
from tests.harness import ADMIN, Harness, catalogs, expected, label
from tests.support_helpers import CITIES, TITLES, fill_request, make_focal_point
from tests.test_support_triage import QUESTION, STATUS_NOW, status_label

OMAR = 120


@pytest.fixture
async def console_bot(harness: Harness) -> AsyncIterator[Harness]:
    harness.api.add_user(OMAR, "Omar", language_code="ar")
    with_console(harness)
    async with harness.running():
        assert await harness.services.accounts.add_staff(OMAR, added_by=ADMIN)
        await harness.say(OMAR, "/start")
        yield harness


def text_of(language: str, message: str, **values: object) -> str:
    """A console string as the page shows it (values without the bot's direction marks)."""
    text = str(catalogs().translator(language).gettext(message, **values))
    return text.replace("\u2068", "").replace("\u2069", "")


async def file_in_arabic(bot: Harness) -> str:
    country, city = CITIES["ar"]
    await make_focal_point(bot, ARABIC_USER, country, city)
    await fill_request(bot, "ar")
    await bot.press(ARABIC_USER, label("ar", "✔ Submit"))
    found = await bot.services.support.search(RequestFilter(), page=0, size=1)
    return found.requests[0].reference


async def open_board(browser: Browser, bot: Harness, user_id: int) -> Page:
    page = await signed_in_page(browser, bot, user_id, viewport=LAPTOP)
    await page.goto(console_url(bot, "/requests"))
    # The page says it is live once its event stream is open.
    await page.wait_for_selector("html.live")
    return page


async def test_a_request_filed_in_arabic_is_handled_from_the_console(
    console_bot: Harness, browser: Browser
) -> None:
    bot = console_bot
    board = await open_board(browser, bot, ADMIN)
    reference = await file_in_arabic(bot)
    # On the board without a reload, in the New column.
    card = board.locator("#board [data-status=new] .request-card", has_text=reference)
    await expect(card).to_be_visible()
    await expect(card).to_contain_text(TITLES["ar"])
    await card.click()
    await board.wait_for_url("**/requests/*")
    # Assign it to myself.
    await board.select_option("form[action$=assign] select", str(ADMIN))
    await board.click("form[action$=assign] button")
    await expect(board.locator(".done")).to_have_text(text_of("en", "Assigned."))
    # Ask the city: the focal point gets the question in Arabic, with the answer button.
    question = "How many young people will take part?"
    await board.fill("form[action$=ask] textarea", question)
    await board.click("form[action$=ask] button")
    await expect(board.locator(".done")).to_contain_text("1")
    assert bot.last_text(ARABIC_USER) == expected(
        "ar", QUESTION, reference=reference, title=TITLES["ar"], question=question
    )
    # The city answers in the bot; the answer shows on the open page without a reload.
    await bot.press(ARABIC_USER, label("ar", "✍ Answer the Hub team"))
    answer = "حوالي تسعين شابا من اثنتي عشرة جمعية."
    await bot.say(ARABIC_USER, answer)
    await expect(board.locator("#history")).to_contain_text(answer)
    await expect(board.locator("#changed")).to_be_visible()
    # After a reload, a status change reaches the city in Arabic and the Telegram card.
    await board.reload()
    await board.select_option("form[action$=status] select", "accepted")
    await board.click("form[action$=status] button")
    await expect(board.locator(".done")).to_have_text(
        text_of("en", "Status changed; the city was told.")
    )
    assert bot.last_text(ARABIC_USER) == expected(
        "ar",
        STATUS_NOW,
        reference=reference,
        title=TITLES["ar"],
        status=status_label("ar", "Accepted"),
    )
    card_copy = next(m for m in bot.api.messages(ADMIN) if reference in (m.text or ""))
    assert status_label("en", "Accepted") in (card_copy.text or "")


async def test_two_sessions_changing_one_request_the_second_is_told(
    console_bot: Harness, browser: Browser
) -> None:
    bot = console_bot
    reference = await file_in_arabic(bot)
    found = await bot.services.support.search(RequestFilter(), page=0, size=1)
    request_id = found.requests[0].id
    hala = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    omar = await signed_in_page(browser, bot, OMAR, viewport=LAPTOP)
    for page in (hala, omar):
        await page.goto(console_url(bot, f"/requests/{request_id}"))
        await page.wait_for_selector("html.live")
    told_before = len(bot.api.messages(ARABIC_USER))
    # Hala accepts it; Omar's open page learns of it at once.
    await hala.select_option("form[action$=status] select", "accepted")
    await hala.click("form[action$=status] button")
    await expect(hala.locator(".done")).to_be_visible()
    await expect(omar.locator("#changed")).to_be_visible()
    # Omar, on the page he opened before, asks the city a question: refused, told who changed
    # it, his question still in its box; the city hears nothing of it.
    question = "هل يمكن تأجيل الموعد؟"
    await omar.fill("form[action$=ask] textarea", question)
    await omar.click("form[action$=ask] button")
    omar_t = catalogs().translator("ar")
    await expect(omar.locator(".problem[role=alert]").first).to_contain_text("Hala")
    assert reference in await omar.locator(".problem[role=alert]").first.inner_text()
    assert await omar.input_value("form[action$=ask] textarea") == question
    request = await bot.services.support.get(request_id)
    assert request is not None and request.status == "accepted"
    assert len(bot.api.messages(ARABIC_USER)) == told_before + 1
    assert question not in bot.last_text(ARABIC_USER)
    # Omar's page now shows the request as it is; his question goes through.
    await omar.click("form[action$=ask] button")
    await expect(omar.locator(".done")).to_be_visible()
    assert question in bot.last_text(ARABIC_USER)
    assert omar_t.language == "ar"


async def test_a_requests_file_opens_through_the_bot_and_html_never_runs(
    console_bot: Harness, browser: Browser
) -> None:
    bot = console_bot
    await file_in_arabic(bot)
    page = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    await page.goto(console_url(bot, "/requests/1"))
    link = page.locator("ul.files a", has_text="youth-plan.pdf")
    await expect(link).to_be_visible()
    # Fetched through the bot's getFile at that moment, streamed, nothing kept.
    response = await page.request.get(console_url(bot, "/requests/1/files/0"))
    assert response.status == 200
    assert await response.body() == b"%PDF-1.4 plan"
    headers = response.headers
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"] == "inline; filename*=UTF-8''youth-plan.pdf"
    assert headers["content-security-policy"].startswith("sandbox")
    assert (await bot.api.wait_for_call("getFile"))[1]["file_id"]
    # A file no request has is not found; a stranger without a session gets nothing.
    assert (await page.request.get(console_url(bot, "/requests/1/files/1"))).status == 404
    stranger = await browser.new_context()
    refused = await stranger.request.get(console_url(bot, "/requests/1/files/0"))
    assert refused.status == 401
    audit = await bot.services.audit.page(action="request.file")
    assert len(audit.records) == 1


def test_only_harmless_files_show_in_the_browser() -> None:
    html = RequestAttachment("document", "id", "u", "page.html")
    svg = RequestAttachment("document", "id", "u", "logo.svg")
    photo = RequestAttachment("photo", "id", "u", None)
    arabic = RequestAttachment("document", "id", "u", "خطة.pdf")
    assert content_type(html) not in INLINE_TYPES and content_type(svg) not in INLINE_TYPES
    assert disposition(html, False) == "attachment; filename*=UTF-8''page.html"
    assert content_type(photo) == "image/jpeg" and disposition(photo, True).endswith("photo.jpg")
    assert disposition(arabic, True) == "inline; filename*=UTF-8''%D8%AE%D8%B7%D8%A9.pdf"


async def test_a_long_column_shows_the_longest_waiting_then_opens_whole(
    console_bot: Harness, browser: Browser
) -> None:
    """300 requests: each column shows its 20 longest waiting, and "show N more" opens that
    column alone with all its cards, still the longest waiting first (in Arabic, right to
    left)."""
    bot = console_bot
    await fill_board(bot.services.db, requests=300, now=bot.clock.now())
    [new] = [
        column
        for column in await bot.services.support.board(BoardFilter(), per_column=COLUMN_CARDS)
        if column.status == "new"
    ]
    assert BOARD_PER_COLUMN < new.total <= COLUMN_CARDS
    oldest_first = [card.reference for card in new.requests]
    page = await signed_in_page(browser, bot, OMAR, viewport=LAPTOP)
    await page.goto(console_url(bot, "/requests"))
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    column = page.locator("#board [data-status=new]")
    await expect(column.locator(".request-card")).to_have_count(BOARD_PER_COLUMN)
    shown = await column.locator(".reference").all_inner_texts()
    assert shown == oldest_first[:BOARD_PER_COLUMN]
    more = str(
        catalogs()
        .translator("ar")
        .ngettext("Show {count} more", "Show {count} more", new.total - BOARD_PER_COLUMN)
    )
    link = column.locator(".more a")
    assert (await link.inner_text()).replace("\u2068", "").replace("\u2069", "") == more.replace(
        "\u2068", ""
    ).replace("\u2069", "")
    await link.click()
    await page.wait_for_url("**column=new**")
    await expect(page.locator("#board .column")).to_have_count(1)
    await expect(column.locator(".request-card")).to_have_count(new.total)
    assert await column.locator(".reference").all_inner_texts() == oldest_first
    await page.click(f"text={text_of('ar', 'Back to all columns')}")
    await expect(page.locator("#board .column")).to_have_count(7)
