"""A photo or a document attached to an announcement in the console, in a real browser
(headless Chromium) against the real bot and the stand-in: the preview shows the file with
each language's caption (or the text after it when longer than a caption), what people receive
matches it, Telegram gets the file once and every other message reuses its file_id, the file is
kept owner-only until the broadcast is done, and a file Telegram would not take is refused in
the staff member's language."""

from __future__ import annotations

import io
import re
import stat
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from PIL import Image
from playwright.async_api import Browser, Page, expect

from bot.broadcasts.attachments import FOLDER_NAME, Refused
from bot.broadcasts.composer import compose
from tests.console_harness import (
    LAPTOP,
    console_url,
    login_link,
    signed_in_page,
    with_console,
)
from tests.harness import ADMIN, Harness, catalogs
from tests.test_broadcast import (
    add_focal_point,
    broadcast_messages,
    delivery_settings,
    wait_for_report,
)

VERSIONS = {
    "ar": "<b>برنامج الاجتماع</b> في الرباط يوم الخميس.",
    "fr": "<b>Programme de la réunion</b> à Rabat jeudi.",
    "en": "<b>Meeting programme</b> in Rabat on Thursday.",
}
PEOPLE = {"ar": (401, 402), "fr": (411, 412), "en": (421, 422)}


@pytest.fixture
async def console_bot(harness: Harness) -> AsyncIterator[Harness]:
    harness.config = replace(harness.config, broadcast_paid=True, broadcast_rate=200)
    with_console(harness)
    async with harness.running():
        await harness.say(ADMIN, "/start")
        yield harness


def png(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def label(language: str, message: str, **values: object) -> str:
    return catalogs().translator(language).label(message, **values)


def files_folder(bot: Harness) -> Path:
    return bot.config.database_path.parent / FOLDER_NAME


def kept_files(bot: Harness) -> list[Path]:
    folder = files_folder(bot)
    return sorted(folder.iterdir()) if folder.exists() else []


async def choose_file(page: Page, name: str, mime: str, content: bytes) -> None:
    await page.set_input_files(
        "input[name=file]", files=[{"name": name, "mimeType": mime, "buffer": content}]
    )


async def moroccans(bot: Harness) -> None:
    for language, people in PEOPLE.items():
        for user_id in people:
            await add_focal_point(bot, user_id, language, "MA", "Fes")


def uploads(bot: Harness, kind: str) -> int:
    """How many files of this kind Telegram (the stand-in) took as uploads."""
    return sum(1 for stored in bot.api.files.values() if stored.kind == kind)


async def test_a_photo_in_three_languages_reaches_everyone_as_the_preview_shows_it(
    console_bot: Harness, browser: Browser
) -> None:
    bot = console_bot
    await moroccans(bot)
    page = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    await page.goto(console_url(bot, "/announcements"))
    for code, text in VERSIONS.items():
        await page.fill(f"textarea[name=text_{code}]", text)
    await page.check("input[name=audience][value=cty]")
    await page.check("input[name=country_MA]")
    await choose_file(page, "programme.png", "image/png", png())
    await page.click("button[value=preview]")
    # Kept owner-only until the broadcast is done.
    [kept] = kept_files(bot)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(files_folder(bot).stat().st_mode) == 0o700
    captions = {}
    for code in VERSIONS:
        section = page.locator(f"section.preview[data-language={code}]")
        photo = section.locator("[data-part=file] img")
        await expect(photo).to_be_visible()
        assert await photo.evaluate("image => image.naturalWidth") == 64
        captions[code] = await section.locator("[data-part=caption]").inner_text()
        await expect(section.locator("[data-part=text]")).to_have_count(0)
    assert "Programme de la réunion" in captions["fr"]
    # The test to myself: the photo goes up once, with the first version.
    await page.click("button[value=test]")
    await expect(page.locator(".done")).to_contain_text("3")
    tests = [m for m in bot.api.messages(ADMIN) if m.photo is not None]
    assert len(tests) == 3 and uploads(bot, "photo") == 1
    file_id = tests[0].photo["file_id"] if tests[0].photo else None
    assert all(m.photo and m.photo["file_id"] == file_id for m in tests)
    assert file_id is not None and bot.api.files[file_id].content == png()  # the file chosen
    await page.click("button[value=send]")
    await page.wait_for_url("**/announcements/1")
    await wait_for_report(bot)
    for language, people in PEOPLE.items():
        for user_id in people:
            [received] = broadcast_messages(bot, user_id, captions[language][:8])
            assert received.photo is not None and received.photo["file_id"] == file_id
            assert received.caption == captions[language]
            assert received.sent_by == "sendPhoto"
    # Telegram got the file once; every other message reused its file_id.
    assert uploads(bot, "photo") == 1
    # Done: the file is no longer kept.
    assert kept_files(bot) == []
    audit = await bot.services.audit.page(action="announcement.file")
    assert len(audit.records) == 1


async def test_a_text_longer_than_a_caption_follows_the_document(
    console_bot: Harness, browser: Browser
) -> None:
    bot = console_bot
    await moroccans(bot)
    long_french = " ".join(["Le programme complet de la réunion de Rabat."] * 30)
    page = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    await page.goto(console_url(bot, "/announcements"))
    await page.fill("textarea[name=text_fr]", long_french)
    await page.fill("textarea[name=text_en]", VERSIONS["en"])
    await choose_file(page, "programme.pdf", "application/pdf", b"%PDF-1.7\n" + b"0" * 4000)
    await page.click("button[value=preview]")
    french = page.locator("section.preview[data-language=fr]")
    await expect(french.locator("[data-part=file]")).to_contain_text("programme.pdf")
    await expect(french.locator("[data-part=caption]")).to_have_count(0)
    await expect(french.locator(".split")).to_contain_text(f"{len(long_french):,}")
    french_text = await french.locator("[data-part=text]").inner_text()
    english = page.locator("section.preview[data-language=en]")
    english_caption = await english.locator("[data-part=caption]").inner_text()
    # No test first: the broadcast itself uploads the file, with its first message.
    await page.click("button[value=send]")
    await page.wait_for_url("**/announcements/1")
    await wait_for_report(bot)
    for user_id in (*PEOPLE["fr"], *PEOPLE["ar"]):  # Arabic readers in Morocco get French
        received = [
            m for m in bot.api.messages(user_id) if m.document or "programme" in (m.text or "")
        ]
        document, text = received[-2:]
        assert document.sent_by == "sendDocument" and document.document is not None
        assert document.document["file_name"] == "programme.pdf"
        assert text.sent_by == "sendMessage" and text.text == french_text
        if user_id in PEOPLE["fr"]:
            assert document.caption is None
    for user_id in PEOPLE["en"]:
        [received] = [m for m in bot.api.messages(user_id) if m.document is not None]
        assert received.caption == english_caption
    assert uploads(bot, "document") == 1
    assert kept_files(bot) == []


async def test_a_file_telegram_would_not_take_is_refused_in_arabic(
    console_bot: Harness, browser: Browser
) -> None:
    bot = console_bot
    await moroccans(bot)
    page = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    await bot.services.accounts.set_language(ADMIN, "ar")
    await page.goto(console_url(bot, "/announcements"))
    await page.fill("textarea[name=text_ar]", VERSIONS["ar"])
    await choose_file(page, "programme.exe", "application/octet-stream", b"MZ\x90\x00" * 100)
    await page.click("button[value=send]")
    problem = page.locator(".problem")
    await expect(problem).to_contain_text(
        label(
            "ar",
            "{name} cannot be attached: an announcement takes a photo (JPEG, PNG or WebP) or a "
            "document (PDF, Word, Excel, PowerPoint, OpenDocument, text or CSV).",
            name="programme.exe",
        )[-30:]
    )
    # Nothing is lost, nothing is kept, nothing is sent.
    await expect(page.locator("textarea[name=text_ar]")).to_have_value(VERSIONS["ar"])
    assert kept_files(bot) == []
    assert await bot.services.broadcasts.get(1) is None
    # A photo larger than Telegram takes (10 MB) is refused too, with the limit.
    too_large = png() + b"\0" * (10 * 1024 * 1024)
    await choose_file(page, "poster.png", "image/png", too_large)
    await page.click("button[value=preview]")
    refusal = (
        catalogs()
        .translator("ar")
        .ngettext(
            "{name} is too large: Telegram takes at most {count} MB for this kind of file.",
            "{name} is too large: Telegram takes at most {count} MB for this kind of file.",
            10,
            name="poster.png",
        )
    )
    await expect(problem).to_contain_text(str(refusal)[-30:])
    assert kept_files(bot) == []
    recipients = [user_id for people in PEOPLE.values() for user_id in people]
    assert not [m for u in recipients for m in bot.api.messages(u) if m.photo or m.document]


async def test_a_broadcast_with_a_file_resumes_after_a_kill_without_uploading_it_again(
    harness: Harness,
) -> None:
    delivery_settings(harness, paid=True, rate=40, chat_interval_ms=0)
    harness.pace_in_real_time()
    people = range(301, 341)
    async with harness.running():
        service = harness.services.broadcasts
        await harness.say(ADMIN, "/start")
        for user_id in people:
            await add_focal_point(harness, user_id, "en", "IQ", "Baghdad")
        assert service.attachments is not None
        staged = await service.attachments.stage(ADMIN, "poster.png", png())
        assert not isinstance(staged, Refused)
        attachment = {"kind": staged.kind, "file_id": None, "upload": staged.token}
        everyone = {"kind": "fp", "values": []}
        assert (await compose(service, ADMIN, {"en": "Poster"}, everyone, attachment)).ok
        await service.submit(ADMIN)
        await harness.api.wait_for_call("sendPhoto", count=12)
        await service.stop(grace_s=0)  # as abrupt as a kill
    # Until the broadcast is done, its file is kept (Telegram's file_id with it).
    assert len(kept_files(harness)) == 1
    async with harness.running():
        report = await wait_for_report(harness)
        assert "not sent 0" in (report.text or "")
    counts = [
        sum(1 for m in harness.api.messages(user_id) if m.photo is not None) for user_id in people
    ]
    assert min(counts) == 1  # nobody skipped
    assert sum(count - 1 for count in counts) <= 2  # only what was in flight at the kill
    assert uploads(harness, "photo") == 1
    assert kept_files(harness) == []


async def test_a_post_larger_than_the_console_takes_is_refused_in_french(
    console_bot: Harness,
) -> None:
    bot = console_bot
    await bot.services.accounts.set_language(ADMIN, "fr")
    link = await login_link(bot, ADMIN)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        async with client.post(link, allow_redirects=False) as response:
            assert response.status == 303
        async with client.get(console_url(bot, "/announcements")) as response:
            page = await response.text()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf is not None
        form = aiohttp.FormData()
        form.add_field("csrf_token", csrf.group(1))
        form.add_field("text_fr", "Programme")
        form.add_field("file", b"%PDF-1.7\n" + b"0" * (51 * 1024 * 1024), filename="big.pdf")
        async with client.post(console_url(bot, "/announcements"), data=form) as response:
            assert response.status == 413
            refusal = await response.text()
    expected = (
        catalogs()
        .translator("fr")
        .ngettext(
            "This is more than the console takes at once ({count} MB). Go back and choose a "
            "smaller file.",
            "This is more than the console takes at once ({count} MB). Go back and choose a "
            "smaller file.",
            50,
        )
    )
    assert str(expected) in refusal
    assert kept_files(bot) == []
