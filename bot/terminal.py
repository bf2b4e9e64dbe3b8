"""`hubbot console`: chat with the bot in a terminal through the in-process stand-in Bot API
(the staff console, a web page, is `bot/console/`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from bot.app import build_application, running
from bot.config import Config
from bot.context import HubApplication
from standin import SentMessage, StandInBotApi, parse_html

CONSOLE_USER_ID = 1000
CONSOLE_TOKEN = "1000000:console-token-for-the-local-stand-in"
QUIT_WORDS = ("/quit", "/exit")
PROMPT = "you> "
# ">12 some text": a reply to message 12, as a swipe-to-reply in Telegram.
REPLY_PATTERN = re.compile(r"^>\s*(\d+)\s+(.+)$", re.DOTALL)
# The bot marks Arabic lines and isolates names and numbers with Unicode direction controls;
# Telegram's apps lay them out, a terminal prints them as stray characters or gaps. The
# terminal's own bidirectional support (or none) lays out what is left.
DIRECTION_MARKS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Erase the current line (the prompt) before a message that arrives while it is showing.
CLEAR_LINE = "\r\x1b[K"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GREETING = (
    "MENA Hub bot console. Type messages or commands (/start, /help); type a button's number to "
    "press it; >N text to reply to message #N; /quit or Ctrl-C to leave. Files the bot sends "
    "are saved in {folder}.\n"
)


def for_terminal(text: str) -> str:
    return DIRECTION_MARKS.sub("", text)


def file_opener(
    platform: str, environ: Mapping[str, str], which: Callable[[str], str | None]
) -> list[str] | None:
    """The command that shows a file on this desktop, or None in a bare terminal (over SSH,
    a server): there the saved path is all there is."""
    if platform == "darwin":
        return ["open"]
    desktop = environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")
    if platform.startswith("linux") and desktop and which("xdg-open"):
        return ["xdg-open"]
    return None


@dataclass
class ConsolePrinter:
    """Prints what the bot sends, each message with its number; numbers the newest buttons so
    typing a number presses one; saves files. The prompt is never left above a message."""

    out: TextIO
    files: Path
    interactive: bool = False
    prompt_showing: bool = False
    opener: list[str] | None = None  # shows saved charts and files (interactive only)

    def __post_init__(self) -> None:
        self.buttons: list[tuple[SentMessage, str]] = []

    def show_prompt(self) -> None:
        self.out.write(PROMPT)
        self.out.flush()
        self.prompt_showing = True

    def typed(self, line: str) -> None:
        """The person pressed Enter; a piped line is shown after its prompt, as if typed."""
        if not self.interactive:
            self.out.write(f"{PROMPT}{line}\n")
        self.prompt_showing = False

    def note(self, text: str) -> None:
        self._write(f"  ({text})\n")

    def on_event(self, event: str, payload: object) -> None:
        if event in ("message", "edited") and isinstance(payload, SentMessage):
            self._write(self._render(payload, edited=event == "edited"))
        elif event == "callback_answer" and isinstance(payload, dict) and payload.get("text"):
            self.note(for_terminal(str(payload["text"])))

    def _write(self, text: str) -> None:
        interrupted = self.prompt_showing
        if interrupted:
            self.out.write(CLEAR_LINE if self.interactive else "\n")
        self.out.write(text)
        self.out.flush()
        self.prompt_showing = False
        if interrupted:
            self.show_prompt()

    def _render(self, message: SentMessage, *, edited: bool) -> str:
        text = message.text if message.text is not None else message.caption or ""
        if message.html and message.parse_mode == "HTML":
            text, _ = parse_html(message.html)
        prefix = f"bot #{message.message_id} (edited)>" if edited else f"bot #{message.message_id}>"
        lines = [f"{prefix} {for_terminal(text)}".rstrip()]
        attachment = message.document or message.photo
        if attachment and not edited:
            saved = self._save(message.message_id, attachment, photo=message.photo is not None)
            lines.append(f"  [file: {saved}]")
        rows = message.buttons()
        if rows:
            self.buttons = []
            for row in rows:
                cells = []
                for label, data in row:
                    label = for_terminal(label)
                    if data and data.startswith(("http://", "https://", "tg://")):
                        cells.append(f"{label} <{data}>")
                        continue
                    self.buttons.append((message, data or label))
                    cells.append(f"[{len(self.buttons)}] {label}")
                lines.append("  " + "   ".join(cells))
        return "\n".join(lines) + "\n"

    def _save(self, message_id: int, attachment: dict[str, object], *, photo: bool) -> Path:
        content = attachment.get("content")
        data = content if isinstance(content, bytes) else b""
        # A photo (a chart) is uploaded without a name Telegram keeps: named by its content.
        if photo:
            name = "chart.png" if data.startswith(PNG_SIGNATURE) else "photo.jpg"
        else:
            name = Path(str(attachment.get("file_name") or "file")).name
        path = self.files / f"{message_id}-{name}"
        self.files.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if self.opener is not None:
            # Not waited for: the viewer lives on after the console; its messages are its own.
            subprocess.Popen(
                [*self.opener, str(path)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        return path


async def _set_language(application: HubApplication, language: str) -> None:
    """--language on a console database that already has the user: their language now."""
    services = application.bot_data["services"]
    if await services.accounts.profile(CONSOLE_USER_ID) is not None:
        await services.accounts.set_language(CONSOLE_USER_ID, language)


async def run_console(
    lines: AsyncIterator[str],
    out: TextIO,
    *,
    language: str | None,
    database: Path,
    interactive: bool = False,
    staff_console: Config | None = None,
) -> None:
    """``staff_console``: a configuration whose HUBBOT_CONSOLE_* settings serve the staff
    console too, so /console gives a link to try it in a browser without Telegram."""
    files = database.parent / "console-files"
    async with StandInBotApi() as api:
        api.add_user(CONSOLE_USER_ID, "Console", language_code=language or "en", username="console")
        config = Config(
            token=CONSOLE_TOKEN,
            # The console user is staff too, so one person can try registration end to end,
            # and answer (and teach) the questions it sends to staff.
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
        opener = file_opener(sys.platform, os.environ, shutil.which) if interactive else None
        printer = ConsolePrinter(out, files, interactive=interactive, opener=opener)
        api.add_listener(printer.on_event)
        async with running(application, poll_timeout=5):
            if language is not None:
                await _set_language(application, language)
            out.write(GREETING.format(folder=files))
            if interactive:
                printer.show_prompt()
            async for line in lines:
                text = line.strip()
                printer.typed(text)
                if text in QUIT_WORDS:
                    break
                if text:
                    update_id = _send(api, printer, text)
                    if update_id is not None:
                        await api.wait_fetched(update_id)
                    await application.update_queue.join()
                    await application.bot_data["services"].background.idle()
                    await application.bot_data["services"].outbox.idle()
                if interactive:
                    printer.show_prompt()


def _send(api: StandInBotApi, printer: ConsolePrinter, text: str) -> int | None:
    """What the typed line does: press a button, reply to a message, or say something."""
    if text.isdigit() and 0 < int(text) <= len(printer.buttons):
        message, data = printer.buttons[int(text) - 1]
        return api.press_button(CONSOLE_USER_ID, message.message_id, data)
    reply = REPLY_PATTERN.match(text)
    if reply is None:
        return api.send_text(CONSOLE_USER_ID, text)
    message_id, answer = int(reply.group(1)), reply.group(2)
    try:
        return api.send_text(CONSOLE_USER_ID, answer, reply_to_message_id=message_id)
    except ValueError:
        printer.note(f"there is no message #{message_id} to reply to")
        return None


async def _stdin_lines() -> AsyncIterator[str]:
    """Lines typed in the terminal, read without a thread, so Ctrl-C stops at once."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()

    def readable() -> None:
        queue.put_nowait(sys.stdin.readline())

    try:
        loop.add_reader(sys.stdin.fileno(), readable)
    except (NotImplementedError, PermissionError, ValueError):
        # A regular file (or Windows): a thread reads it; files end without waiting anyway.
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            yield line
        return
    try:
        while line := await queue.get():
            yield line
    finally:
        loop.remove_reader(sys.stdin.fileno())


async def lines_from(items: Iterable[str]) -> AsyncIterator[str]:
    for item in items:
        yield item


def main(*, language: str | None, database: Path, staff_console: Config | None = None) -> int:
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            run_console(
                _stdin_lines(),
                sys.stdout,
                language=language,
                database=database,
                interactive=interactive,
                staff_console=staff_console,
            )
        )
    sys.stdout.write("\n" if interactive else "")
    return 0
