"""Drives the real Application over real HTTP against the stand-in Bot API, deterministically."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from bot.app import HubApplication, build_application, running
from bot.clock import ManualClock
from bot.config import Config
from bot.delivery import RealTimer, Timer
from bot.i18n import Catalogs, right_to_left
from bot.services import Services
from standin import SentMessage, StandInBotApi

TOKEN = "123456789:TEST-token-for-the-stand-in-api"
ADMIN = 100
STAFF_CHAT = -1001234
START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@functools.cache
def catalogs() -> Catalogs:
    return Catalogs.load()


class SkippedTime:
    """The pacer's time: real time, plus every wait for a sending slot, which takes none.

    The stand-in's flood control reads the same time, so the bot's pacing is checked against
    Telegram-like limits without the tests sitting through the waits."""

    def __init__(self) -> None:
        self.skipped_s = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.skipped_s

    async def sleep(self, seconds: float) -> None:
        self.skipped_s += max(seconds, 0.0)
        await asyncio.sleep(0)


class HeldTime(SkippedTime):
    """Skipped time whose waits for a sending slot can be held, so a test can act while an
    edit waits for the group's turn."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = False
        self.someone_waits = asyncio.Event()
        self._released = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        if self.holding and seconds > 0:
            self.someone_waits.set()
            await self._released.wait()
        await super().sleep(seconds)

    def release(self) -> None:
        self.holding = False
        self._released.set()


@dataclass
class Harness:
    api: StandInBotApi
    config: Config
    clock: ManualClock
    application: HubApplication | None = None
    seen: dict[int, int] = field(default_factory=dict)
    pacing: Timer = field(default_factory=SkippedTime)

    def __post_init__(self) -> None:
        self.api.monotonic = self.pacing.monotonic

    def hold_waits(self) -> HeldTime:
        """For tests about what must not wait: skipped time whose waits can be held."""
        held = HeldTime()
        self.pacing = held
        self.api.monotonic = held.monotonic
        return held

    def pace_in_real_time(self) -> None:
        """For tests about what is in flight at a given moment: waits take their real time."""
        self.pacing = RealTimer()
        self.api.monotonic = self.pacing.monotonic

    @property
    def services(self) -> Services:
        assert self.application is not None, "the bot is not running"
        services: Services = self.application.bot_data["services"]
        return services

    @asynccontextmanager
    async def running(self, **overrides: object) -> AsyncIterator[HubApplication]:
        """Start the bot (again), with the same database unless told otherwise."""
        config = replace(self.config, **overrides)  # type: ignore[arg-type]
        application = build_application(config, clock=self.clock, timer=self.pacing)
        async with running(application, poll_timeout=5):
            self.application = application
            try:
                yield application
            finally:
                self.application = None

    async def settle(self, update_id: int | None) -> None:
        """Wait until the bot fetched the update and every handler for it has finished.

        None is an update Telegram did not deliver (privacy mode in a group): nothing to wait for.
        """
        assert self.application is not None, "the bot is not running"
        if update_id is not None:
            await self.api.wait_fetched(update_id)
        await self.application.update_queue.join()
        await self.services.background.idle()
        await self.services.outbox.idle()

    async def say(self, user_id: int, text: str, **kwargs: object) -> list[SentMessage]:
        """Send a text as the user; returns the bot's new messages in that chat."""
        chat_id = kwargs.get("chat_id") or user_id
        before = self._mark(chat_id)  # type: ignore[arg-type]
        await self.settle(self.api.send_text(user_id, text, **kwargs))  # type: ignore[arg-type]
        return self._since(chat_id, before)  # type: ignore[arg-type]

    async def send(self, user_id: int, **fields: object) -> list[SentMessage]:
        before = self._mark(user_id)
        await self.settle(self.api.send_message(user_id, **fields))
        return self._since(user_id, before)

    async def press(
        self, user_id: int, label: str, *, chat_id: int | None = None
    ) -> list[SentMessage]:
        """Press the newest button with this label in the chat; returns new or edited messages."""
        chat = chat_id or user_id
        for message in reversed(self.api.messages(chat)):
            if label in message.button_texts():
                return await self.press_data(
                    user_id, message.message_id, message.callback_data_for(label), chat_id=chat_id
                )
        raise AssertionError(f"no button {label!r} in chat {chat}: {self.texts(chat)[-3:]}")

    async def press_data(
        self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None
    ) -> list[SentMessage]:
        chat = chat_id or user_id
        before = self._mark(chat)
        versions = {m.message_id: m.text for m in self.api.messages(chat)}
        await self.settle(self.api.press_button(user_id, message_id, data, chat_id=chat_id))
        changed = [
            m
            for m in self.api.messages(chat)
            if m.message_id <= before and versions.get(m.message_id) != m.text
        ]
        return changed + self._since(chat, before)

    def _mark(self, chat_id: int) -> int:
        messages = self.api.messages(chat_id) if chat_id in self._chats() else []
        return messages[-1].message_id if messages else 0

    def _chats(self) -> set[int]:
        return set(self.api.users) | {STAFF_CHAT}

    def _since(self, chat_id: int, after: int) -> list[SentMessage]:
        return [m for m in self.api.messages(chat_id) if m.message_id > after]

    def texts(self, chat_id: int) -> list[str]:
        return [m.text or m.caption or "" for m in self.api.messages(chat_id)]

    def last_text(self, chat_id: int) -> str:
        return self.api.last_message(chat_id).text or ""


def make_config(tmp_path: Path, api: StandInBotApi, **overrides: object) -> Config:
    config = Config(
        token=TOKEN,
        admin_ids=frozenset({ADMIN}),
        staff_chat_id=None,
        database_path=tmp_path / "data" / "hub.sqlite3",
        api_base_url=api.base_url,
        api_file_url=api.base_file_url,
        # Flood control per person has tests of its own; here people may type as fast as the
        # tests do.
        flood_burst=100_000,
    )
    return replace(config, **overrides)  # type: ignore[arg-type]


def plain(html: str) -> str:
    """What a person sees of an HTML message: tags gone, entities decoded."""
    from standin import parse_html

    text, _ = parse_html(html)
    return text.strip()


def expected(language: str, message: str, country: str | None = None, **values: object) -> str:
    """The text the bot should show for this msgid in this language, as the user sees it."""
    translator = catalogs().translator(language, country)
    text = str(translator._(message, **values))
    return plain(right_to_left(text) if translator.is_rtl else text)


def label(language: str, message: str, **values: object) -> str:
    return catalogs().translator(language).label(message, **values)
