"""First contact, the language choice, command menus and Arabic direction, end to end."""

from __future__ import annotations

import pytest

from bot.commands import BOT_DESCRIPTION
from bot.i18n import RIGHT_TO_LEFT_MARK
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, Harness, expected, label

USERS = {"ar": ARABIC_USER, "fr": FRENCH_USER, "en": ENGLISH_USER}
WELCOME = (
    "<b>Welcome to the Strong Cities MENA Regional Hub bot, {name}.</b>\n\n"
    "Ask me about the Hub's guides, programmes, case studies and events, or register as "
    "your city's focal point.\n\nChoose your language:"
)
LANGUAGE_SET = "Language set to English. Type a question at any time, or use /help."


@pytest.mark.parametrize(("language", "name"), [("ar", "ليلى"), ("fr", "Karim"), ("en", "Sam")])
async def test_start_greets_in_the_telegram_language(
    bot: Harness, language: str, name: str
) -> None:
    [welcome] = await bot.say(USERS[language], "/start")
    assert welcome.text == expected(language, WELCOME, name=name)
    assert welcome.button_texts()[:3] == ["العربية", "Français", "English"]
    assert label(language, "I am a city focal point") in welcome.button_texts()


async def test_unsupported_telegram_language_falls_back_to_english(bot: Harness) -> None:
    bot.api.add_user(300, "Hans", language_code="de")
    [welcome] = await bot.say(300, "/start")
    assert welcome.text == expected("en", WELCOME, name="Hans")


async def test_arabic_messages_start_right_to_left_and_isolate_latin(bot: Harness) -> None:
    bot.api.add_user(301, "Sami", language_code="ar")
    [welcome] = await bot.say(301, "/start")
    assert welcome.html is not None
    assert welcome.html.startswith(RIGHT_TO_LEFT_MARK) or welcome.html.lstrip("<b>")[0] > "\u0600"
    assert "\u2068Sami\u2069" in welcome.html


@pytest.mark.parametrize(("start", "choice"), [("en", "ar"), ("ar", "fr"), ("fr", "en")])
async def test_choosing_a_language_switches_every_later_message(
    harness: Harness, start: str, choice: str
) -> None:
    user = USERS[start]
    names = {"ar": "العربية", "fr": "Français", "en": "English"}
    async with harness.running():
        await harness.say(user, "/start")
        [confirmation] = await harness.press(user, names[choice])
        assert confirmation.text == expected(choice, LANGUAGE_SET)
        [menu] = await harness.say(user, "/language")
        assert menu.text == expected(choice, "Choose your language:")
    # The choice is stored: a restarted bot still speaks it.
    async with harness.running():
        [settings] = await harness.say(user, "/settings")
        assert label(choice, "Time zone") in settings.button_texts()


async def test_language_command_changes_it_at_any_time(bot: Harness) -> None:
    [menu] = await bot.say(FRENCH_USER, "/language")
    assert menu.text == expected("fr", "Choose your language:")
    [done] = await bot.press(FRENCH_USER, "العربية")
    assert done.text == expected("ar", LANGUAGE_SET)


async def test_command_menus_are_registered_per_language_and_for_staff(bot: Harness) -> None:
    commands = bot.api.commands
    for language in ("ar", "fr", "en", ""):
        names = [command["command"] for command in commands[("default", language)]]
        assert names[:4] == ["start", "help", "topics", "register"]
        assert "invite" not in names
    arabic = {c["command"]: c["description"] for c in commands[("default", "ar")]}
    assert arabic["help"] == label("ar", "What this bot can do")
    assert bot.api.descriptions[("description", "fr")] == label("fr", BOT_DESCRIPTION)
    # Choosing a language sets that person's own menu; staff get the staff commands.
    await bot.say(ADMIN, "/start")
    await bot.press(ADMIN, "Français")
    staff_menu = {c["command"]: c["description"] for c in commands[(f"chat:{ADMIN}", "")]}
    assert staff_menu["invite"] == label("fr", "Create a one-time invite link for a city")


async def test_a_refused_set_my_commands_does_not_stop_the_bot(harness: Harness) -> None:
    harness.api.fail_next("setMyCommands", 400, "Bad Request: BOT_COMMANDS_TOO_MUCH", times=10)
    async with harness.running():
        [welcome] = await harness.say(ENGLISH_USER, "/start")
        assert welcome.text == expected("en", WELCOME, name="Sam")


async def test_help_depends_on_the_role(bot: Harness) -> None:
    [user_help] = await bot.say(ENGLISH_USER, "/help")
    [staff_help] = await bot.say(ADMIN, "/help")
    assert "/invite" not in (user_help.text or "")
    assert "/invite" in (staff_help.text or "")
