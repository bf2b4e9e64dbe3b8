"""The stand-in's state and the helpers every part of it shares.

:class:`StandInBotApi` (``standin/server.py``) is this state plus one mixin per area: the
simulated people (``people.py``), what the bot did (``observe.py``), flood control
(``limits.py``) and the Bot API methods (``methods/``).
"""

from __future__ import annotations

import asyncio
import collections
import copy
import mimetypes
import time
from collections.abc import Callable

from aiohttp import web

from standin.models import (
    BotApiError,
    Chat,
    ClockLike,
    Failure,
    JsonDict,
    Listener,
    SentMessage,
    StoredFile,
    TgUser,
    bad,
)
from standin.params import Params

BLOCKED = "Forbidden: bot was blocked by the user"


class BotApiState:
    """Everything the stand-in knows: people, chats, messages, updates, settings."""

    def __init__(
        self,
        *,
        bot_username: str = "MenaHubBot",
        bot_first_name: str | None = None,
        strict_ampersand: bool = True,
        clock: ClockLike | None = None,
        messages_per_s: float | None = None,
        chat_interval_s: float | None = None,
        chat_burst: int = 1,
        group_interval_s: float | None = None,
        group_burst: int = 1,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name or bot_username
        self.strict_ampersand = strict_ampersand
        self.clock = clock
        self.bot_id = 0  # the number before ':' in the last token seen

        self.users: dict[int, TgUser] = {}
        self.blocked: set[int] = set()
        self.calls: list[tuple[str, JsonDict]] = []
        self.callback_answers: list[JsonDict] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        # setChatMenuButton: per private chat, and the default (key None).
        self.menu_buttons: dict[int | None, JsonDict] = {}
        self.webhook_url = ""
        self.webhook_secret_token: str | None = None
        self.webhook_last_error: str | None = None  # what getWebhookInfo reports, if set
        self.files: dict[str, StoredFile] = {}
        # When set, any other token is refused with 401 as Telegram refuses a revoked one.
        self.accepted_token: str | None = None
        self.bot_status: dict[int, JsonDict] = {}  # the bot's membership per group (member)

        self._chats: dict[int, Chat] = {}
        self._raw: dict[int, dict[int, JsonDict]] = {}  # chat -> message_id -> Message
        self._sent: dict[int, list[SentMessage]] = {}
        self._sent_index: dict[tuple[int, int], SentMessage] = {}
        self._last_message_id: dict[int, int] = {}
        self._updates: list[JsonDict] = []
        self._next_update_id = 1
        self._max_offset = 0  # highest getUpdates offset seen
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._open_callback_queries: set[str] = set()
        self.last_callback_query_id: str | None = None
        self._next_callback_id = 1
        self._failures: dict[str, list[Failure]] = {}
        # Optional flood control like Telegram's (off by default): at most ``messages_per_s``
        # messages in any second overall; to one private chat ``chat_burst`` at once, then one
        # every ``chat_interval_s``; to a group ``group_burst``, then one every
        # ``group_interval_s`` (Telegram: about 1 a second, about 20 a minute).  ``monotonic``
        # is its time: tests share one with the bot's pacer where waiting takes no real time.
        self.messages_per_s = messages_per_s
        self.chat_interval_s = chat_interval_s
        self.chat_burst = chat_burst
        self.group_interval_s = group_interval_s
        self.group_burst = group_burst
        self.monotonic = monotonic
        self.rate_limited = 0  # 429s answered by that flood control
        self.errors: list[str] = []  # every error answered to the bot, as Telegram words it
        self.rate_limited_chats: collections.Counter[int] = collections.Counter()
        self._recent_sends: collections.deque[float] = collections.deque()
        self._chat_allowance: dict[int, tuple[float, float]] = {}  # chat -> (tokens, at)
        self._listeners: list[Listener] = []
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"

    def _notify(self) -> None:
        """Wakes every waiter; they re-check their condition.

        A fresh Event per change lets synchronous code (send_text, ...) signal without locks.
        """
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait(
        self, condition: Callable[[], bool], seconds: float, describe: Callable[[], str]
    ) -> None:
        try:
            async with asyncio.timeout(seconds):
                while not condition():
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(describe()) from None

    def _emit(self, event: str, payload: object) -> None:
        self._notify()
        for listener in list(self._listeners):
            listener(event, payload)

    def _now(self) -> int:
        if self.clock is not None:
            return int(self.clock.now().timestamp())
        return int(time.time())

    def _next_message_id(self, chat_id: int) -> int:
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        return message_id

    def _person_in_chat(self, user_id: int, chat_id: int | None) -> tuple[TgUser, Chat]:
        user = self.users.get(user_id)
        if user is None:
            raise ValueError(f"unknown user {user_id}: call add_user() first")
        chat = self._chats.get(user_id if chat_id is None else chat_id)
        if chat is None:
            raise ValueError(f"unknown chat {chat_id}: call add_group() first")
        return user, chat

    def _replied(self, chat_id: int, message_id: int) -> JsonDict:
        message = self._raw.get(chat_id, {}).get(message_id)
        if message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id} to reply to")
        replied = copy.deepcopy(message)
        replied.pop("reply_to_message", None)  # Telegram nests only one level
        return replied

    def _bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _store_file(
        self, kind: str, file_name: str, content: bytes, mime_type: str | None
    ) -> StoredFile:
        number = len(self.files) + 1
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = StoredFile(
            file_id=f"{kind.upper()}-{number:06d}-standin",
            file_unique_id=f"U{number:06d}",
            kind=kind,
            file_name=file_name,
            content=content,
            mime_type=mime,
            file_path=f"{kind}s/file_{number}.{extension}",
        )
        self.files[stored.file_id] = stored
        return stored

    @staticmethod
    def _document_dict(stored: StoredFile) -> JsonDict:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": len(stored.content),
        }

    def _chat(self, params: Params, *, name: str = "chat_id", sending: bool = True) -> Chat:
        value = params.get(name)
        if value is None or value == "":
            raise bad(f"{name} is empty")
        if not isinstance(value, int) or isinstance(value, bool):
            raise bad("chat not found")
        chat = self._chats.get(value)
        if chat is None:
            raise bad("chat not found")
        if sending and chat.id in self.blocked:
            raise BotApiError(403, BLOCKED)
        if sending and not chat.bot_is_member:
            raise BotApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        return chat
