"""The staff console under test: the bot with its console on a free port, sign-in helpers,
and headless Chromium driven by Playwright (Debian's chromium, never a downloaded one).

Page tests of every console area build on these (see tests/test_console_web.py)."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Route, async_playwright

from bot.console.auth import sign_init_data
from tests.harness import TOKEN, Harness

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
LINK = re.compile(r"https?://\S+?/login/[A-Za-z0-9_-]+")
# A Mini App's theme as Telegram passes it (a dark one, so a screenshot shows it is used).
TELEGRAM_THEME = {
    "bg_color": "#17212b",
    "text_color": "#f5f5f5",
    "hint_color": "#708499",
    "link_color": "#6ab3f3",
    "button_color": "#5288c1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#232e3c",
    "header_bg_color": "#17212b",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def with_console(harness: Harness) -> Harness:
    """The harness's bot serves its console on 127.0.0.1, at /console of a free port."""
    port = free_port()
    harness.config = replace(
        harness.config, console_url=f"http://127.0.0.1:{port}/console", console_port=port
    )
    return harness


def console_url(harness: Harness, path: str = "/") -> str:
    assert harness.config.console_url is not None
    return harness.config.console_url + path


async def login_link(bot: Harness, user_id: int) -> str:
    """What /console gives a staff member in a private chat: the one-time link."""
    replies = await bot.say(user_id, "/console")
    found = LINK.search(replies[-1].text or "")
    assert found is not None, replies[-1].text
    return found.group(0)


def init_data(
    user_id: int,
    *,
    auth_date: datetime,
    first_name: str = "Hala",
    language_code: str = "en",
    token: str = TOKEN,
) -> str:
    """initData as Telegram would give the Mini App, signed with ``token``."""
    user = {"id": user_id, "first_name": first_name, "language_code": language_code}
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
        "auth_date": str(int(auth_date.timestamp())),
    }
    return sign_init_data(fields, token)


def fake_telegram_script(signed: str | None) -> str:
    """Stands in for telegram-web-app.js: inside Telegram (initData and a theme, set as the
    real script sets them) or, with None, a plain browser."""
    if signed is None:
        return "/* a plain browser: no Telegram.WebApp */"
    # The real script sets --tg-theme-bg-color and so on from themeParams.
    variables = {
        "--tg-theme-" + name.removesuffix("_color").replace("_", "-") + "-color": value
        for name, value in TELEGRAM_THEME.items()
    }
    web_app = (
        f"{{initData: {json.dumps(signed)}, themeParams: {json.dumps(TELEGRAM_THEME)},"
        " ready: function () {}, expand: function () {}}"
    )
    return (
        f"window.Telegram = {{WebApp: {web_app}}};"
        f"for (const [name, value] of Object.entries({json.dumps(variables)})) "
        "{ document.documentElement.style.setProperty(name, value); }"
    )


def chromium_or_fail() -> Path:
    """Chromium is required: CI installs it (.ci/run); a developer without it is told how."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (the console's tests)")
    return CHROMIUM


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    executable = chromium_or_fail()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


async def new_context(
    browser: Browser,
    *,
    telegram: str | None = None,
    viewport: dict[str, int] | None = None,
    locale: str = "en-US",
) -> BrowserContext:
    """A fresh browser profile (no cookies). ``telegram``: the initData of a Mini App."""
    context = await browser.new_context(viewport=viewport or PHONE, locale=locale)  # type: ignore[arg-type]
    script = fake_telegram_script(telegram)

    async def telegram_js(route: Route) -> None:
        await route.fulfill(status=200, content_type="text/javascript", body=script)

    # Nothing leaves the machine (routes registered later are asked first).
    await context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    await context.route("https://telegram.org/js/telegram-web-app.js", telegram_js)
    return context


async def signed_in_page(
    browser: Browser, bot: Harness, user_id: int, *, viewport: dict[str, int] | None = None
) -> Page:
    """A laptop-browser page signed in with a fresh one-time link, on the console's home."""
    context = await new_context(browser, viewport=viewport)
    page = await context.new_page()
    await page.goto(await login_link(bot, user_id))
    await page.wait_for_url(console_url(bot, "/"))
    return page


@pytest.fixture
async def console_bot(harness: Harness) -> AsyncIterator[Harness]:
    """The bot running with its console (tests/conftest.py makes this fixture everyone's)."""
    with_console(harness)
    async with harness.running():
        yield harness


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Debian chromium, one per test."""
    async with chromium() as launched:
        yield launched
