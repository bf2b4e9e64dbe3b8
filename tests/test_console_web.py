"""The staff console in a real browser (headless Chromium) against the real bot and the
stand-in Bot API: signing in, what is refused, the role on every request, languages, audit."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import aiohttp
import pytest
from aiohttp import web
from playwright.async_api import Browser, Page

from bot.app import CONSOLE_PAGES, build_application
from bot.console.access import LOGIN_BURST, SESSION_TTL
from bot.console.site import ConsoleContext
from bot.webhook import serving_webhook
from handlers.console import CONSOLE_SERVER
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.console_harness import (
    LAPTOP,
    console_url,
    init_data,
    login_link,
    new_context,
    signed_in_page,
    with_console,
)
from tests.harness import ADMIN, STAFF_CHAT, START, Harness, catalogs, expected
from tests.support_helpers import make_focal_point

STAFF_ONLY = "This is for hub staff only."
SIGN_IN_TITLE = "Hub staff console"
PROBLEM = (
    "Something went wrong on our side. Try again; if it keeps happening, tell the bot’s operator."
)
CSRF_REFUSAL = (
    "This page was open too long, or the request did not come from the console. Go back,"
    " reload the page and try again."
)


def text_of(language: str, message: str, **values: object) -> str:
    """A console string as the page shows it (values without the bot's direction marks)."""
    return (
        str(catalogs().translator(language).gettext(message, **values))
        .replace("\u2068", "")
        .replace("\u2069", "")
    )


async def session_cookie(page: Page) -> dict[str, object] | None:
    cookies = await page.context.cookies()
    return next((dict(c) for c in cookies if c["name"] == "hubbot_console"), None)


async def test_staff_sign_in_with_a_one_time_link_that_works_once(
    console_bot: Harness, browser: Browser
) -> None:
    link = await login_link(console_bot, ADMIN)
    assert "/console/login/" in link

    page = await signed_in_page(browser, console_bot, ADMIN)
    assert await page.inner_text("h1") == text_of("en", "Welcome, {name}", name="Hala")
    cookie = await session_cookie(page)
    assert cookie is not None
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Strict", "/console")
    assert cookie["secure"] is False  # http on 127.0.0.1; https consoles get Secure

    # The first use of a link signs in; the same link again, in another browser, does not.
    first = await new_context(browser, viewport=LAPTOP)
    first_page = await first.new_page()
    await first_page.goto(link)
    await first_page.wait_for_url(console_url(console_bot, "/"))
    second = await new_context(browser, viewport=LAPTOP)
    second_page = await second.new_page()
    await second_page.goto(link)
    await second_page.wait_for_load_state("networkidle")
    assert "already been used or has expired" in await second_page.inner_text("main")
    assert await session_cookie(second_page) is None


async def test_a_link_expires_after_ten_minutes(console_bot: Harness, browser: Browser) -> None:
    link = await login_link(console_bot, ADMIN)
    console_bot.clock.advance(timedelta(minutes=10, seconds=1))
    context = await new_context(browser)
    page = await context.new_page()
    await page.goto(link)
    await page.wait_for_load_state("networkidle")
    assert "already been used or has expired" in await page.inner_text("main")


async def test_mini_app_signs_in_with_init_data_signed_with_the_bots_token(
    console_bot: Harness, browser: Browser
) -> None:
    signed = init_data(ADMIN, auth_date=START - timedelta(minutes=1))
    context = await new_context(browser, telegram=signed)
    page = await context.new_page()
    response = await page.goto(console_url(console_bot, "/"))
    assert response is not None and response.status == 401  # the sign-in page, then...
    await page.wait_for_selector("h1:has-text('Welcome')")  # ...signed in and reloaded
    assert await session_cookie(page) is not None
    # Inside Telegram the page takes the Mini App's theme colours.
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(23, 33, 43)"


@pytest.mark.parametrize("case", ["focal point", "forged", "expired", "altered"])
async def test_mini_app_sign_in_refused(console_bot: Harness, browser: Browser, case: str) -> None:
    await make_focal_point(console_bot, FRENCH_USER, "MA", "Fes")
    signed = {
        "focal point": init_data(FRENCH_USER, auth_date=START),
        "forged": init_data(ADMIN, auth_date=START, token="987654321:ANOTHER-bot-token-xyzxyz"),
        "expired": init_data(ADMIN, auth_date=START - timedelta(days=1, minutes=1)),
        # A focal point's genuine initData with the staff member's id put in.
        "altered": init_data(FRENCH_USER, auth_date=START).replace(
            f"%22id%22%3A{FRENCH_USER}", f"%22id%22%3A{ADMIN}"
        ),
    }[case]
    assert case != "altered" or f"%22id%22%3A{ADMIN}" in signed
    context = await new_context(browser, telegram=signed)
    page = await context.new_page()
    await page.goto(console_url(console_bot, "/"))
    await page.wait_for_selector(".webapp-refused:not([hidden])")
    assert await session_cookie(page) is None
    response = await page.goto(console_url(console_bot, "/audit"))
    assert response is not None and response.status == 401


async def test_the_console_command_gives_nothing_to_focal_points_strangers_or_groups(
    harness: Harness,
) -> None:
    with_console(harness)
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT):
        await make_focal_point(harness, FRENCH_USER, "MA", "Fes")
        for user, language in ((FRENCH_USER, "fr"), (ENGLISH_USER, "en")):
            [refusal] = await harness.say(user, "/console")
            assert refusal.text == expected(language, STAFF_ONLY)
        # In the staff group a link would be anyone's who reads it first.
        [answer] = await harness.say(ADMIN, "/console", chat_id=STAFF_CHAT)
        assert "/login/" not in (answer.text or "")
        assert answer.text == expected(
            "en", "Send /console to me in a private chat: the link is for you alone."
        )


async def test_a_post_without_the_csrf_token_is_refused(
    console_bot: Harness, browser: Browser
) -> None:
    page = await signed_in_page(browser, console_bot, ADMIN)
    url = console_url(console_bot, "/language")
    csrf = await page.get_attribute("body", "data-csrf")
    assert csrf
    without = await page.request.post(url, form={"language": "fr"}, max_redirects=0)
    wrong = await page.request.post(
        url, form={"language": "fr", "csrf_token": csrf[:-2] + "xx"}, max_redirects=0
    )
    other_site = await page.request.post(
        url,
        form={"language": "fr", "csrf_token": csrf},
        headers={"Origin": "https://evil.example"},
        max_redirects=0,
    )
    assert (without.status, wrong.status, other_site.status) == (403, 403, 403)
    assert text_of("en", CSRF_REFUSAL) in await without.text()
    profile = await console_bot.services.accounts.profile(ADMIN)
    assert profile is not None and profile.language == "en"

    # The page's own form carries the token: French from now on, in the bot as well.
    await page.select_option("select[name=language]", "fr")
    await page.click("form[action$='/language'] button")
    await page.wait_for_selector("html[lang=fr]")
    profile = await console_bot.services.accounts.profile(ADMIN)
    assert profile is not None and profile.language == "fr"


async def test_a_removed_staff_members_session_stops_working(
    console_bot: Harness, browser: Browser
) -> None:
    await console_bot.say(ADMIN, f"/addstaff {ENGLISH_USER}")
    page = await signed_in_page(browser, console_bot, ENGLISH_USER)
    response = await page.goto(console_url(console_bot, "/audit"))
    assert response is not None and response.status == 200
    cookie = await session_cookie(page)
    assert cookie is not None
    session = await console_bot.services.console.session(str(cookie["value"]))
    assert session is not None
    # Removed from the command line: nothing tells the console; the next request checks.
    assert await console_bot.services.accounts.remove_staff(ENGLISH_USER)
    response = await page.goto(console_url(console_bot, "/audit"))
    assert response is not None and response.status == 401
    # A live page (a stream of events) asks again between events, and stops.
    assert await console_bot.services.console.recheck(session) is None
    assert "send /console" in (await page.inner_text("main")).lower()


async def test_a_focal_point_who_is_also_staff_uses_the_console(
    console_bot: Harness, browser: Browser
) -> None:
    await make_focal_point(console_bot, ENGLISH_USER, "TN", "Sousse")
    await console_bot.say(ADMIN, f"/addstaff {ENGLISH_USER}")
    page = await signed_in_page(browser, console_bot, ENGLISH_USER)
    response = await page.goto(console_url(console_bot, "/audit"))
    assert response is not None and response.status == 200
    await console_bot.say(ADMIN, f"/removestaff {ENGLISH_USER}")
    response = await page.goto(console_url(console_bot, "/audit"))
    assert response is not None and response.status == 401


async def test_removing_staff_in_the_bot_closes_their_sessions(
    console_bot: Harness, browser: Browser
) -> None:
    await console_bot.say(ADMIN, f"/addstaff {ENGLISH_USER}")
    page = await signed_in_page(browser, console_bot, ENGLISH_USER)
    await console_bot.say(ADMIN, f"/removestaff {ENGLISH_USER}")
    # Added back: the old session stays closed.
    await console_bot.say(ADMIN, f"/addstaff {ENGLISH_USER}")
    response = await page.goto(console_url(console_bot, "/"))
    assert response is not None and response.status == 401


async def test_sessions_end_after_eight_hours_or_when_signing_out(
    console_bot: Harness, browser: Browser
) -> None:
    page = await signed_in_page(browser, console_bot, ADMIN)
    await page.click("details.menu summary")
    await page.click("details.menu form[action$='/logout'] button")
    await page.wait_for_selector("#sign-in")
    assert await session_cookie(page) is None
    page = await signed_in_page(browser, console_bot, ADMIN)
    console_bot.clock.advance(SESSION_TTL - timedelta(seconds=1))
    response = await page.goto(console_url(console_bot, "/audit"))
    assert response is not None and response.status == 200
    rows = await page.locator("table.records tbody tr").all_inner_texts()
    assert any("Signed out" in row for row in rows)
    console_bot.clock.advance(timedelta(seconds=1))
    response = await page.goto(console_url(console_bot, "/audit"))
    assert response is not None and response.status == 401


async def test_an_arabic_speaking_staff_member_gets_the_console_right_to_left(
    console_bot: Harness, browser: Browser
) -> None:
    await console_bot.services.accounts.add_staff(ARABIC_USER, added_by=ADMIN)
    await console_bot.say(ARABIC_USER, "/start")
    await console_bot.services.accounts.set_language(ARABIC_USER, "ar")
    page = await signed_in_page(browser, console_bot, ARABIC_USER)
    assert await page.get_attribute("html", "dir") == "rtl"
    assert await page.get_attribute("html", "lang") == "ar"
    assert await page.inner_text(".brand") == text_of("ar", SIGN_IN_TITLE)
    # Dates by Babel in Arabic: the session's end, with an Arabic month name.
    hint = await page.inner_text(".hint")
    assert re.search(r"يونيو|حزيران", hint), hint
    await page.goto(console_url(console_bot, "/audit"))
    assert await page.get_attribute("html", "dir") == "rtl"
    assert await page.inner_text("h1") == text_of("ar", "Audit log")


async def test_the_audit_log_shows_bot_commands_and_console_actions_by_person_and_kind(
    console_bot: Harness, browser: Browser
) -> None:
    await console_bot.say(ADMIN, "/staff")
    await console_bot.say(ADMIN, f"/addstaff {ENGLISH_USER}")
    page = await signed_in_page(browser, console_bot, ENGLISH_USER)
    await page.goto(console_url(console_bot, "/audit"))
    rows = await page.locator("table.records tbody tr").all_inner_texts()
    # Newest first: Sam signed in; Hala added Sam, listed staff, asked for the console...
    assert "console.login" in rows[0] and "Sam" in rows[0]
    assert any("/addstaff" in row and str(ENGLISH_USER) in row and "Hala" in row for row in rows)
    assert any("/staff" in row for row in rows)

    await page.select_option("select[name=kind]", "/staff")
    await page.click("form.filters button")
    await page.wait_for_url(re.compile(r"kind=%2Fstaff"))
    rows = await page.locator("table.records tbody tr").all_inner_texts()
    assert len(rows) == 1 and "/staff" in rows[0]

    await page.goto(console_url(console_bot, f"/audit?person={ENGLISH_USER}"))
    rows = await page.locator("table.records tbody tr").all_inner_texts()
    assert rows and all("Sam" in row for row in rows)


async def test_names_and_html_are_shown_literally(console_bot: Harness, browser: Browser) -> None:
    console_bot.api.add_user(300, "<script>alert(1)</script><b>Rim</b>", language_code="en")
    await console_bot.services.accounts.add_staff(300, added_by=ADMIN)
    await console_bot.say(300, "/start")
    page = await signed_in_page(browser, console_bot, 300)
    assert await page.inner_text("h1") == "Welcome, <script>alert(1)</script><b>Rim</b>"
    assert await page.locator("main b").count() == 0


async def test_sign_in_attempts_are_rate_limited(console_bot: Harness) -> None:
    forged = "A" * 43
    async with aiohttp.ClientSession() as client:

        async def attempt() -> int:
            url = console_url(console_bot, f"/login/{forged}")
            async with client.post(url, allow_redirects=False) as response:
                return response.status

        statuses = [await attempt() for _ in range(LOGIN_BURST + 1)]
        assert statuses == [403] * LOGIN_BURST + [429]
        # A valid link is refused too while the limit holds...
        link = await login_link(console_bot, ADMIN)
        async with client.post(link, allow_redirects=False) as response:
            assert response.status == 429
        # ...and works once the pace allows another attempt.
        console_bot.clock.advance(timedelta(seconds=6))
        async with client.post(link, allow_redirects=False) as response:
            assert response.status == 303
            assert "hubbot_console" in response.cookies


async def test_unsafe_requests_without_a_session_and_security_headers(
    console_bot: Harness,
) -> None:
    async with aiohttp.ClientSession() as client:
        async with client.post(console_url(console_bot, "/language"), data={}) as response:
            assert response.status == 401
        async with client.get(console_url(console_bot, "/")) as response:
            assert response.status == 401
            headers = response.headers
            assert "frame-ancestors" in headers["Content-Security-Policy"]
            assert "script-src 'self' https://telegram.org" in headers["Content-Security-Policy"]
            assert headers["Referrer-Policy"] == "same-origin"
            assert headers["Cache-Control"] == "no-store"
            static = re.search(r'href="([^"]+console\.css\?v=[0-9a-f]+)"', await response.text())
        assert static is not None
        async with client.get(
            console_url(console_bot, "").removesuffix("/console") + static.group(1)
        ) as response:
            assert response.status == 200
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


async def test_with_an_https_address_staff_get_the_mini_app_on_the_menu_button(
    harness: Harness,
) -> None:
    with_console(harness)
    https = "https://hub.example.org/console"
    async with harness.running(console_url=https):
        menu = harness.api.menu_buttons[ADMIN]
        assert menu["type"] == "web_app" and menu["web_app"]["url"] == https + "/"
        [message] = await harness.say(ADMIN, "/console")
        [[(label, _)]] = message.buttons()
        assert label == "Open the console"
        assert message.reply_markup is not None
        button = message.reply_markup["inline_keyboard"][0][0]
        assert button["web_app"]["url"] == https + "/"
        assert f"{https}/login/" in (message.text or "")
        await harness.say(ENGLISH_USER, "/start")
        await harness.say(ADMIN, f"/addstaff {ENGLISH_USER}")
        assert harness.api.menu_buttons[ENGLISH_USER]["type"] == "web_app"
        await harness.say(ADMIN, f"/removestaff {ENGLISH_USER}")
        assert ENGLISH_USER not in harness.api.menu_buttons


async def test_in_webhook_mode_the_console_is_served_beside_the_webhook(harness: Harness) -> None:
    with_console(harness)
    config = replace(harness.config, webhook_url="https://hub.example.org/telegram", webhook_port=0)
    application = build_application(config, clock=harness.clock)
    async with serving_webhook(application, config) as receiver:
        server = application.bot_data[CONSOLE_SERVER]
        assert receiver.address is not None and server.address is not None
        assert server.address[0] == "127.0.0.1" and server.address[1] != receiver.address[1]
        async with (
            aiohttp.ClientSession() as client,
            client.get(console_url(harness, "/")) as response,
        ):
            assert response.status == 401  # the sign-in page
    assert CONSOLE_SERVER not in application.bot_data  # stopped with the bot


async def test_a_failing_page_and_an_unknown_one_answer_in_the_staff_members_language(
    harness: Harness, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(console: ConsoleContext) -> web.StreamResponse:
        raise RuntimeError("a bug")

    failing = SimpleNamespace(register=lambda site: site.get("/broken", broken, name="broken"))
    monkeypatch.setattr("bot.app.CONSOLE_PAGES", (*CONSOLE_PAGES, failing))
    with_console(harness)
    async with harness.running():
        await harness.say(ADMIN, "/start")
        await harness.services.accounts.set_language(ADMIN, "fr")
        page = await signed_in_page(browser, harness, ADMIN)
        response = await page.goto(console_url(harness, "/broken"))
        assert response is not None and response.status == 500
        assert text_of("fr", PROBLEM) in await page.inner_text("main")
        response = await page.goto(console_url(harness, "/no/such/page"))
        assert response is not None and response.status == 404
        assert text_of("fr", "There is no such page in the console.") in await page.inner_text(
            "main"
        )
        # Signed out, an unknown address is the sign-in page like any other.
        await page.context.clear_cookies()
        response = await page.goto(console_url(harness, "/no/such/page"))
        assert response is not None and response.status == 401


async def test_two_requests_racing_with_one_link_open_one_session(console_bot: Harness) -> None:
    await console_bot.say(ADMIN, "/start")
    access = console_bot.services.console
    token = await access.login_link_token(ADMIN)
    first, second = await asyncio.gather(access.open_with_link(token), access.open_with_link(token))
    assert [first is None, second is None].count(True) == 1
