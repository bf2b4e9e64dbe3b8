"""`hubbot console`: chat with the bot in a terminal through the in-process stand-in Bot API
(the staff console, a web page, is `bot/console/`)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.app import build_application, running
from bot.config import Config
from standin import SentMessage, StandInBotApi, parse_html

CONSOLE_USER_ID = 1000
CONSOLE_TOKEN = "1000000:console-token-for-the-local-stand-in"
QUIT_WORDS = ("/quit", "/exit")


class ConsolePrinter:
    """Prints what the bot sends; numbers the newest buttons so typing a number presses one."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self.buttons: list[tuple[SentMessage, str]] = []

    def on_event(self, event: str, payload: object) -> None:
        if event in ("message", "edited") and isinstance(payload, SentMessage):
            self._print_message(payload, edited=event == "edited")
        elif event == "callback_answer" and isinstance(payload, dict) and payload.get("text"):
            self._out.write(f"  ({payload['text']})\n")

    def _print_message(self, message: SentMessage, *, edited: bool) -> None:
        text = message.text if message.text is not None else message.caption or ""
        if message.html and message.parse_mode == "HTML":
            text, _ = parse_html(message.html)
        prefix = "bot (edited)>" if edited else "bot>"
        self._out.write(f"{prefix} {text}\n")
        if message.document:
            self._out.write(f"  [file: {message.document.get('file_name')}]\n")
        rows = message.buttons()
        if rows:
            self.buttons = []
            for row in rows:
                cells = []
                for label, data in row:
                    if data and data.startswith(("http://", "https://", "tg://")):
                        cells.append(f"{label} <{data}>")
                        continue
                    self.buttons.append((message, data or label))
                    cells.append(f"[{len(self.buttons)}] {label}")
                self._out.write("  " + "   ".join(cells) + "\n")
        self._out.flush()


async def run_console(
    lines: AsyncIterator[str],
    out: TextIO,
    *,
    language: str,
    database: Path,
    staff_console: Config | None = None,
) -> None:
    """``staff_console``: a configuration whose HUBBOT_CONSOLE_* settings serve the staff
    console too, so /console gives a link to try it in a browser without Telegram."""
    async with StandInBotApi() as api:
        api.add_user(CONSOLE_USER_ID, "Console", language_code=language, username="console")
        config = Config(
            token=CONSOLE_TOKEN,
            # The console user is staff too, so one person can try registration end to end.
            admin_ids=frozenset({CONSOLE_USER_ID}),
            database_path=database,
            api_base_url=api.base_url,
            api_file_url=api.base_file_url,
        )
        if staff_console is not None and staff_console.console_url is not None:
            config = replace(
                config,
                console_url=staff_console.console_url,
                console_port=staff_console.console_port,
                console_listen=staff_console.console_listen,
            )
        application = build_application(config)
        printer = ConsolePrinter(out)
        api.add_listener(printer.on_event)
        async with running(application, poll_timeout=5):
            out.write(
                "MENA Hub bot console. Type messages or commands (/start, /help); type a "
                "button's number to press it; /quit to leave.\n"
            )
            out.flush()
            async for line in lines:
                text = line.strip()
                if not text:
                    continue
                if text in QUIT_WORDS:
                    break
                if text.isdigit() and 0 < int(text) <= len(printer.buttons):
                    message, data = printer.buttons[int(text) - 1]
                    update_id: int | None = api.press_button(
                        CONSOLE_USER_ID, message.message_id, data
                    )
                else:
                    update_id = api.send_text(CONSOLE_USER_ID, text)
                if update_id is not None:  # always, in a private chat
                    await api.wait_fetched(update_id)
                await application.update_queue.join()
                await application.bot_data["services"].background.idle()


async def _stdin_lines() -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    while True:
        sys.stdout.write("you> ")
        sys.stdout.flush()
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        yield line


async def lines_from(items: Iterable[str]) -> AsyncIterator[str]:
    for item in items:
        yield item


def main(*, language: str, database: Path, staff_console: Config | None = None) -> int:
    asyncio.run(
        run_console(
            _stdin_lines(),
            sys.stdout,
            language=language,
            database=database,
            staff_console=staff_console,
        )
    )
    return 0
