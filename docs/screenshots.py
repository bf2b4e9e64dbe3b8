"""Screenshots of the staff console, in Arabic and English, at a phone's width inside Telegram
(a Mini App with Telegram's dark theme) and at a laptop's width in a plain browser.

    .venv/bin/python docs/screenshots.py

Runs the real bot against the stand-in Bot API (as the tests do), fills it with a little
activity, and writes docs/console-<page>-<language>-<phone|laptop>.png. Each console area
adds its pages to PAGES (and, if it needs data on screen, to ``fill``).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.request_board_data import fill as fill_board  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.knowledge.content import Translated  # noqa: E402
from standin import StandInBotApi  # noqa: E402
from storage.db import Database  # noqa: E402
from tests import stats_fixture  # noqa: E402
from tests.console_harness import (  # noqa: E402
    LAPTOP,
    PHONE,
    chromium,
    console_url,
    init_data,
    login_link,
    new_context,
    with_console,
)
from tests.harness import ADMIN, Harness, make_config  # noqa: E402

DOCS = ROOT / "docs"
# (name, path): the pages to photograph, in the menu's order.
PAGES: list[tuple[str, str]] = [
    ("home", "/"),
    ("requests", "/requests"),
    ("request", "/requests/{request}"),
    ("announcements", "/announcements"),
    ("events", "/events"),
    ("figures", "/figures?period=y"),
    ("knowledge", "/knowledge?topic=themes"),
    ("knowledge-entry", "/knowledge/entry/nlc?q=shno%20ya3ni%20NLC"),
    ("knowledge-compare", "/knowledge/entry/nlc/compare/{imported}"),
    ("audit", "/audit"),
]
STAFF = {"en": ADMIN, "ar": 301}
NAMES = {"en": "Hala", "ar": "ليلى"}
OTHER_STAFF = 302


async def fill(bot: Harness) -> None:
    """Some activity to show: staff commands in the bot, a sign-in, a change of staff."""
    await bot.say(ADMIN, "/start")
    await bot.say(STAFF["ar"], "/start")
    await bot.services.accounts.add_staff(STAFF["ar"], added_by=ADMIN)
    await bot.services.accounts.set_language(STAFF["ar"], "ar")
    await bot.say(OTHER_STAFF, "/start")
    for command in ("/pending", "/requests", "/stats", f"/addstaff {OTHER_STAFF}", "/staff"):
        bot.clock.advance(timedelta(minutes=7))
        await bot.say(ADMIN, command)
    await bot.say(STAFF["ar"], "/broadcasts")
    await bot.say(ADMIN, "/invite MA Chefchaouen")
    await fill_requests(bot)
    await knowledge_draft(bot)


async def knowledge_draft(bot: Harness) -> None:
    """A draft of the NLC entry: its Arabic answer edited, French and English to review."""
    editor = bot.services.knowledge_editor
    edited = await editor.open("nlc")
    assert edited is not None and edited.live is not None
    answers = dict(edited.live.answer.items())
    answers["ar"] += "\n\nوقد نشر المركز في ديسمبر 2026 دليلاً جديداً للتعاون بين المستويين."
    draft = replace(edited.live, answer=Translated(answers["ar"], answers["fr"], answers["en"]))
    await editor.save(draft, author=STAFF["ar"])
    imported = (await editor.history("nlc"))[-1].id
    PAGES[:] = [(name, path.replace("{imported}", str(imported))) for name, path in PAGES]


async def fill_requests(bot: Harness) -> None:
    """Support requests from three cities, at every stage, the first with a whole history."""
    support = bot.services.support
    # After the statistics fixture's requests (the figures page's), not over them.
    first, *_ = await fill_board(bot.services.db, requests=60, now=bot.clock.now())
    assert await support.get(first) is not None
    await support.assign(first, STAFF["ar"], staff_id=ADMIN)
    await support.record_staff_text(
        first, "note", "Call the deputy mayor on Monday.", staff_id=ADMIN, seen_version=None
    )
    await support.record_staff_text(
        first, "question", "How many young people will take part?", staff_id=STAFF["ar"]
    )
    PAGES[:] = [(name, path.replace("{request}", str(first))) for name, path in PAGES]


async def photograph(bot: Harness, language: str) -> list[Path]:
    written = []
    user_id = STAFF[language]
    async with chromium() as browser:
        # The phone: inside Telegram, signed in by the Mini App's initData, in its theme.
        phone = await new_context(
            browser,
            telegram=init_data(
                user_id,
                auth_date=bot.clock.now(),
                first_name=NAMES[language],
                language_code=language,
            ),
            viewport=PHONE,
        )
        # The laptop: a plain browser, signed in by a one-time link.
        laptop = await new_context(browser, viewport=LAPTOP)
        laptop_page = await laptop.new_page()
        await laptop_page.goto(await login_link(bot, user_id))
        await laptop_page.wait_for_url(console_url(bot, "/"))
        phone_page = await phone.new_page()
        await phone_page.goto(console_url(bot, "/"))
        await phone_page.wait_for_selector("details.menu")  # signed in, page reloaded
        for name, path in PAGES:
            for width, page in (("phone", phone_page), ("laptop", laptop_page)):
                await page.goto(console_url(bot, path))
                # The figures' charts take a while to draw on a busy machine.
                await page.wait_for_load_state("networkidle", timeout=180_000)
                # Images below the fold (the figures' charts) load now, not when scrolled to.
                await page.evaluate(
                    "document.querySelectorAll('img[loading=lazy]')"
                    ".forEach(image => { image.loading = 'eager'; })"
                )
                await page.evaluate(
                    "Promise.all(Array.from(document.images).map(image => image.complete"
                    " ? null : new Promise(done => { image.onload = image.onerror = done; })))"
                )
                target = DOCS / f"console-{name}-{language}-{width}.png"
                await page.screenshot(path=str(target), full_page=width == "phone")
                written.append(target)
    return written


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with StandInBotApi() as api:
            api.add_user(ADMIN, "Hala", language_code="en", username="hala_hub")
            api.add_user(STAFF["ar"], NAMES["ar"], language_code="ar")
            api.add_user(OTHER_STAFF, "Karim", language_code="fr")
            config = replace(make_config(Path(folder), api), admin_ids=frozenset({ADMIN}))
            # The statistics tests' known database, for the figures page.
            db = Database(config.database_path)
            await db.open()
            await stats_fixture.fill(db)
            await db.close()
            clock = ManualClock(stats_fixture.NOW)
            bot = with_console(Harness(api=api, config=config, clock=clock))
            async with bot.running():
                await fill(bot)
                written = [
                    path for language in ("en", "ar") for path in await photograph(bot, language)
                ]
    for path in written:
        print(path.relative_to(ROOT))
    print(f"screenshots={len(written)}")


if __name__ == "__main__":
    asyncio.run(main())
