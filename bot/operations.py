"""Operator commands that change how the bot runs: `hubbot staff-chat` and `hubbot upgrade`."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
from telegram.constants import ParseMode

from bot.backups import dated_name
from bot.clock import SystemClock
from bot.config import PROJECT_ROOT, Config
from bot.doctor import API_TIMEOUT_S, BotApi
from bot.i18n import Catalogs, right_to_left
from bot.services import Services
from bot.staff_chat import BindRefusal, bind_refusal
from storage.health import copy_database
from storage.staff_chat import read_binding

# What the shell prints for each refusal (the operator reads English, like every CLI line).
CLI_REFUSALS = {
    BindRefusal.NOT_A_GROUP: "is not a group: give the negative id of the staff group",
    BindRefusal.SENDER_NOT_ADMIN: "",  # the operator is not a member: never asked
    BindRefusal.BOT_NOT_ADMIN: "the bot is not an administrator there: make it one first",
    BindRefusal.BOT_CANNOT_WRITE: "the bot may not send messages there: allow it first",
}


class BotUsernameError(Exception):
    """The bot's username cannot be known; the message says what to do, in one line."""


async def bot_username_from_telegram(config: Config) -> str:
    if config.token is None:
        raise BotUsernameError(
            "give --bot-username NAME, or set HUBBOT_TOKEN so that Telegram is asked for it"
        )
    async with httpx.AsyncClient(timeout=API_TIMEOUT_S) as client:
        try:
            me = await BotApi(client, config, config.token).call("getMe")
        except httpx.HTTPError as error:
            raise BotUsernameError(
                f"Telegram cannot be reached ({type(error).__name__}): give --bot-username NAME"
            ) from None
    if not me.ok:
        raise BotUsernameError(f"Telegram refuses the token ({me.description})")
    return str(me.result["username"])


def staff_chat(config: Config, args: argparse.Namespace) -> int:
    if args.chat_id is None:
        return _show_staff_chat(config)
    if config.token is None:
        print("hubbot staff-chat: HUBBOT_TOKEN is not set: the group cannot be checked")
        return 2
    return asyncio.run(_bind_staff_chat(config, config.token, args.chat_id))


def _show_staff_chat(config: Config) -> int:
    binding = read_binding(config.database_path)
    if binding is not None:
        print(
            f"staff chat {binding.chat_id} «{binding.title}», "
            f"bound {binding.bound_at:%Y-%m-%d %H:%M} UTC"
        )
    elif config.staff_chat_id is not None:
        print(f"staff chat {config.staff_chat_id}, from HUBBOT_STAFF_CHAT_ID (not bound yet)")
    else:
        print("no staff chat: send /bind in the staff group, or run hubbot staff-chat ID")
    return 0


async def _bind_staff_chat(config: Config, token: str, chat_id: int) -> int:
    async with httpx.AsyncClient(timeout=API_TIMEOUT_S) as client:
        api = BotApi(client, config, token)
        me = await api.call("getMe")
        if not me.ok:
            print(f"hubbot staff-chat: Telegram refuses the token ({me.description})")
            return 1
        chat = await api.call("getChat", chat_id=chat_id)
        if not chat.ok:
            print(f"hubbot staff-chat: chat {chat_id} not found ({chat.description}): add the bot")
            return 1
        member = await api.call("getChatMember", chat_id=chat_id, user_id=me.result["id"])
        status = member.result.get("status", "") if member.ok else ""
        refusal = bind_refusal(
            chat_type=chat.result.get("type", ""),
            sender_status=None,
            bot_status=status,
            bot_can_send=member.result.get("can_send_messages", True) is not False,
        )
        if refusal is not None:
            print(f"hubbot staff-chat: {chat_id} {CLI_REFUSALS[refusal]}")
            return 1
        title = str(chat.result.get("title", ""))
        services = await Services.open(config, SystemClock())
        try:
            await services.staff_chat.bind(chat_id, title)
        finally:
            await services.close()
        from handlers.staff_chat_views import bound_text

        t = Catalogs.load().translator(config.staff_language)
        text = str(bound_text(t, privacy_on=not me.result.get("can_read_all_group_messages")))
        await api.call(
            "sendMessage",
            chat_id=chat_id,
            text=right_to_left(text) if t.is_rtl else text,
            parse_mode=ParseMode.HTML,
        )
    print(f"staff chat bound to {chat_id} «{title}»; the bot said so in the group")
    return 0


def upgrade(config: Config, args: argparse.Namespace) -> int:
    """Back up, install the code now in the folder, migrate; say how to go back."""
    database = config.database_path
    backup: Path | None = None
    if database.is_file():
        folder = config.backup_dir or database.parent
        backup = _unused_name(folder / f"before-upgrade-{dated_name(SystemClock().now())}")
        try:
            copy_database(database, backup)
        except (OSError, sqlite3.Error) as error:
            print(f"hubbot upgrade: cannot back up to {backup}: {error}; nothing was changed")
            return 1
        print(f"backup: {backup}")
    if args.skip_install:
        print("install: skipped (--skip-install)")
    else:
        installed = _run_step(
            [sys.executable, "-m", "pip", "install", "--quiet", "-e", str(PROJECT_ROOT)]
        )
        if not installed:
            return _failed("install", backup)
        print(f"install: {PROJECT_ROOT} installed in {sys.prefix}")
    # The new code migrates: this process still runs the code it started with.
    if not _run_step([sys.executable, "-m", "bot", "migrate"]):
        return _failed("migrate", backup)
    if backup is not None:
        asyncio.run(_record_backup(config, backup))
        print(f"to go back: stop the bot, then hubbot restore {backup}")
    print("now restart the bot (sudo systemctl restart hubbot)")
    return 0


def _unused_name(path: Path) -> Path:
    """Two upgrades in one second must not write the second backup over the first."""
    candidate, number = path.absolute(), 1
    while candidate.exists():
        number += 1
        candidate = path.absolute().with_stem(f"{path.stem}-{number}")
    return candidate


def _run_step(command: list[str]) -> bool:
    """A step in a process of its own; its output is shown as it comes."""
    return subprocess.run(command, check=False).returncode == 0


def _failed(step: str, backup: Path | None) -> int:
    print(f"hubbot upgrade: {step} failed (see above)")
    if backup is not None:
        print(f"the database was backed up first; to go back: hubbot restore {backup}")
    return 1


async def _record_backup(config: Config, backup: Path) -> None:
    services = await Services.open(config, SystemClock())
    try:
        await services.backup_log.record(backup, services.clock.now())
    finally:
        await services.close()


def group_id(raw: str) -> int:
    if not raw.startswith("-") or not raw[1:].isdigit() or len(raw) > 20:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a group id (a negative whole number)")
    return int(raw)


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bind = commands.add_parser(
        "staff-chat", help="show the staff chat, or bind a group as the staff chat"
    )
    bind.add_argument("chat_id", nargs="?", type=group_id, help="the group's negative id")
    bind.set_defaults(command_function=staff_chat)
    upgrading = commands.add_parser(
        "upgrade", help="back up the database, install the code in this folder, migrate"
    )
    upgrading.add_argument(
        "--skip-install", action="store_true", help="the code is installed already (make upgrade)"
    )
    upgrading.set_defaults(command_function=upgrade)
