"""The command menus Telegram shows, per role and language."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    MenuButtonDefault,
    MenuButtonWebApp,
    WebAppInfo,
)
from telegram.error import TelegramError

from bot.config import SUPPORTED_LANGUAGES
from bot.i18n import N_, Catalogs, Translator

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)

USER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Welcome and main menu")),
    ("help", N_("What this bot can do")),
    ("topics", N_("Browse the Hub's guides, programmes and case studies")),
    ("register", N_("Register as your city's focal point")),
    ("request", N_("Ask the Hub for technical support (focal points)")),
    ("myrequests", N_("Your city's support requests and where they stand")),
    ("events", N_("Upcoming Hub events: answer and get reminders")),
    ("myevents", N_("The events you answered")),
    ("language", N_("Change language")),
    ("settings", N_("Language, time zone and profile")),
    ("privacy", N_("What the bot stores about you")),
    ("deleteme", N_("Erase your personal data")),
)
STAFF_COMMANDS: tuple[tuple[str, str], ...] = (
    ("pending", N_("Registrations waiting for review")),
    ("requests", N_("Support requests from cities, with filters")),
    ("exportrequests", N_("Export support requests as a CSV file")),
    ("stats", N_("Charts of the Hub's activity by period and country")),
    ("report", N_("The Hub's report as an Excel workbook")),
    ("newevent", N_("Create an event")),
    ("broadcast", N_("Send an announcement to focal points")),
    ("broadcasts", N_("Past and scheduled broadcasts, with their reports")),
    ("invite", N_("Create a one-time invite link for a city")),
    ("reload", N_("Reload the knowledge base")),
    ("staff", N_("List hub staff")),
    ("addstaff", N_("Add a staff member by Telegram id")),
    ("removestaff", N_("Remove a staff member")),
    ("console", N_("Open the staff console (phone or laptop)")),
)


def menu(translator: Translator, *, staff: bool) -> list[BotCommand]:
    entries = USER_COMMANDS + (STAFF_COMMANDS if staff else ())
    return [BotCommand(name, translator.label(description)) for name, description in entries]


BOT_DESCRIPTION = N_(
    "The Strong Cities Network MENA Regional Hub bot. Ask about the Hub's guides, programmes, "
    "case studies and events in Arabic, French or English, and register as your city's "
    "focal point."
)
BOT_SHORT_DESCRIPTION = N_("The Strong Cities MENA Regional Hub: resources and support for cities.")


async def set_default_menus(bot: Bot, catalogs: Catalogs) -> None:
    """Menus and descriptions per language for everyone; optional, so a refusal is logged."""
    for language in (*SUPPORTED_LANGUAGES, ""):
        translator = catalogs.translator(language or "en")
        code = language or None
        try:
            await bot.set_my_commands(
                menu(translator, staff=False), scope=BotCommandScopeDefault(), language_code=code
            )
            await bot.set_my_description(translator.label(BOT_DESCRIPTION), language_code=code)
            await bot.set_my_short_description(
                translator.label(BOT_SHORT_DESCRIPTION), language_code=code
            )
        except TelegramError as error:
            logger.warning("bot menu setup for %r refused: %s", language or "default", error)


async def set_personal_menu(
    bot: Bot, chat_id: int, translator: Translator, *, staff: bool, console_url: str | None = None
) -> None:
    """The menu of one private chat, in the language the person chose in the bot; with the
    console's public https address, staff get its Mini App on the menu button (and someone
    removed from staff gets the default button back)."""
    try:
        await bot.set_my_commands(menu(translator, staff=staff), scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:
        logger.warning("setMyCommands for chat %s refused: %s", chat_id, error)
    if console_url is not None and console_url.startswith("https://"):
        await set_console_button(bot, chat_id, translator, console_url if staff else None)


async def set_console_button(
    bot: Bot, chat_id: int, translator: Translator, console_url: str | None
) -> None:
    """The chat's menu button opens the console as a Mini App (None: Telegram's default)."""
    button = (
        MenuButtonWebApp(translator.label("Console"), WebAppInfo(f"{console_url}/"))
        if console_url is not None
        else MenuButtonDefault()
    )
    try:
        await bot.set_chat_menu_button(chat_id=chat_id, menu_button=button)
    except TelegramError as error:
        logger.warning("setChatMenuButton for chat %s refused: %s", chat_id, error)


async def set_staff_menus(bot: Bot, services: Services) -> None:
    """Staff see their commands from the start, in the language they chose (English before)."""
    for staff_id in await services.accounts.staff_ids():
        profile = await services.accounts.profile(staff_id)
        translator = services.translator_for(profile)
        await set_personal_menu(
            bot, staff_id, translator, staff=True, console_url=services.config.console_url
        )
