"""The delivery engine: bulk messages at Telegram's limits, one global pause on 429, retries.

python-telegram-bot's ``AIORateLimiter`` is not used: it has no per-private-chat limit, lifts a
429 pause early (python-telegram-bot issue 5338) and makes interactive replies queue behind bulk
sends.  Here bulk messages go through :class:`DeliveryEngine` on a bot of their own (its own
connection pool), while replies to users go straight out on the application's bot; those
replies are still *counted* (:class:`ObservedRequest`), so the bulk pace leaves room for them
and the bot as a whole stays under the limit.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import random
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest, RequestData
from telegram.warnings import PTBDeprecationWarning

from bot.config import TELEGRAM_MESSAGES_PER_S, Config

logger = logging.getLogger(__name__)

PRIVATE_CHAT_INTERVAL_S = 1.0
# Telegram allows about 20 messages a minute in a group.
GROUP_CHAT_INTERVAL_S = 3.0
# The pace aims this much under each limit: network jitter between our clock and Telegram's,
# and replies to users sent the moment they are ready, would otherwise put one message too
# many into some second now and then.
HEADROOM = 0.05
# After the event loop woke a sender late (it was busy answering someone), this much lost
# time may be caught up at once; kept under HEADROOM so no second holds more than the limit.
CATCH_UP_S = 0.04
# Messages on their way at once: enough to keep the pace over a quarter-second round trip.
# More costs CPU for nothing (httpcore scans its whole pool on every request).
IN_FLIGHT_WINDOW_S = 0.25
MIN_IN_FLIGHT = 8
MAX_IN_FLIGHT = 128
# python-telegram-bot's default for the application's own bot.
INTERACTIVE_POOL_SIZE = 256
MAX_ATTEMPTS = 4
BACKOFF_BASE_S = 1.0
BACKOFF_MAX_S = 30.0
# A recipient whose messages keep hitting 429 is reported failed rather than tried forever.
MAX_RETRY_AFTER_HITS = 10
# Methods that count towards Telegram's message limits (edits included, to be safe).
SENDING_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendvideo",
        "sendaudio",
        "sendvoice",
        "sendanimation",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
    }
)


class Timer(Protocol):
    """The engine's time source; tests pass a virtual one so pauses take no real time."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealTimer:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass(frozen=True)
class DeliverySettings:
    messages_per_s: float = TELEGRAM_MESSAGES_PER_S
    private_chat_interval_s: float = PRIVATE_CHAT_INTERVAL_S
    group_chat_interval_s: float = GROUP_CHAT_INTERVAL_S
    paid: bool = False  # Telegram's paid broadcasts (allow_paid_broadcast), up to 1000/s
    max_in_flight: int = MIN_IN_FLIGHT
    max_attempts: int = MAX_ATTEMPTS
    backoff_base_s: float = BACKOFF_BASE_S

    @classmethod
    def from_config(cls, config: Config) -> DeliverySettings:
        rate = config.broadcast_rate
        in_flight = min(max(int(rate * IN_FLIGHT_WINDOW_S), MIN_IN_FLIGHT), MAX_IN_FLIGHT)
        return cls(
            messages_per_s=rate,
            private_chat_interval_s=config.broadcast_chat_interval_ms / 1000,
            paid=config.broadcast_paid,
            max_in_flight=in_flight,
        )


class RateLimiter:
    """Paces sends: an overall rate (GCRA), a minimum interval per chat, a global pause.

    Waiters for the overall rate queue in FIFO order behind one lock; a wait for a busy chat
    happens outside it, so one chat never holds up the others.  A pause (Telegram's
    ``retry_after``) only ever lengthens, and every waiter re-reads it after each sleep, so a
    pause is never lifted early.
    """

    def __init__(self, settings: DeliverySettings, timer: Timer) -> None:
        self._timer = timer
        self._interval_s = 1 / (settings.messages_per_s * (1 - HEADROOM))
        self._private_interval_s = settings.private_chat_interval_s * (1 + HEADROOM)
        self._group_interval_s = settings.group_chat_interval_s * (1 + HEADROOM)
        self._next_free = 0.0  # GCRA's theoretical arrival time of the next message
        self._chat_next: dict[int, float] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()
        self.pauses = 0

    @property
    def messages_per_s(self) -> float:
        return 1 / self._interval_s

    def _chat_interval(self, chat_id: int) -> float:
        return self._group_interval_s if chat_id < 0 else self._private_interval_s

    async def acquire(self, chat_id: int) -> None:
        """Wait until one message to this chat may go out, and take that slot."""
        while True:
            await self._sleep_until(lambda: self._chat_next.get(chat_id, 0.0))
            async with self._lock:
                await self._sleep_until(lambda: max(self._next_free, self._paused_until))
                now = self._timer.monotonic()
                if self._chat_next.get(chat_id, 0.0) > now:
                    continue  # another sender to this chat went first
                self._take(chat_id, now)
                return

    async def _sleep_until(self, moment: Callable[[], float]) -> None:
        while (wait := moment() - self._timer.monotonic()) > 0:
            await self._timer.sleep(wait)

    def _take(self, chat_id: int | None, now: float) -> None:
        self._next_free = max(self._next_free, now - CATCH_UP_S) + self._interval_s
        if chat_id is not None:
            self._chat_next[chat_id] = now + self._chat_interval(chat_id)
            if len(self._chat_next) > 10_000:
                self._forget_idle_chats(now)

    def _forget_idle_chats(self, now: float) -> None:
        self._chat_next = {chat: at for chat, at in self._chat_next.items() if at > now}

    def note(self, chat_id: int | None) -> None:
        """A message sent outside the engine (a reply to a user): it used a slot, no waiting."""
        self._take(chat_id, self._timer.monotonic())

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing goes out before ``seconds`` from now."""
        until = self._timer.monotonic() + seconds
        if until > self._paused_until:
            self._paused_until = until
            self.pauses += 1
            logger.warning("Telegram asked to wait %.1f s: all bulk sending paused", seconds)

    @property
    def paused_for(self) -> float:
        return max(self._paused_until - self._timer.monotonic(), 0.0)


class Outcome(enum.Enum):
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class Part:
    """One Telegram message: HTML text, or a photo or document with an optional caption."""

    text: str | None
    attachment_kind: str | None = None
    file_id: str | None = None


@dataclass(frozen=True)
class DeliveryResult:
    outcome: Outcome
    attempts: int
    error: str | None = None


@dataclass
class EngineStats:
    messages: int = 0
    retry_after_hits: int = 0
    network_retries: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that the type will become timedelta; both are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class DeliveryEngine:
    """Sends messages to many people at the configured limits, on a bot of its own."""

    def __init__(
        self, settings: DeliverySettings, timer: Timer | None = None, bot: Bot | None = None
    ) -> None:
        self._bot = bot
        self.settings = settings
        self.timer = timer or RealTimer()
        self.limiter = RateLimiter(settings, self.timer)
        self.stats = EngineStats()
        self._rng = random.Random()

    @property
    def bot(self) -> Bot:
        if self._bot is None:
            raise RuntimeError("the delivery engine has no bot: attach() one when the bot starts")
        return self._bot

    @property
    def has_bot(self) -> bool:
        return self._bot is not None

    def attach(self, bot: Bot) -> None:
        """The bot bulk messages go out on (the command line opens services without one)."""
        self._bot = bot

    async def deliver(
        self, chat_id: int, parts: list[Part], *, slot_taken: bool = False
    ) -> DeliveryResult:
        """All parts to one person, in order. ``slot_taken``: the caller already waited for the
        first part's slot (the broadcast dispatcher does, to pace how fast it starts tasks)."""
        attempts = 0
        for index, part in enumerate(parts):
            result = await self._send_with_retries(
                chat_id, part, slot_taken=slot_taken and index == 0
            )
            attempts += result.attempts
            if result.outcome is not Outcome.SENT:
                return DeliveryResult(result.outcome, attempts, result.error)
        return DeliveryResult(Outcome.SENT, attempts)

    async def _send_with_retries(
        self, chat_id: int, part: Part, *, slot_taken: bool
    ) -> DeliveryResult:
        attempts = 0
        retry_after_hits = 0
        while True:
            if not slot_taken:
                await self.limiter.acquire(chat_id)
            slot_taken = False
            attempts += 1
            try:
                await self._send(chat_id, part)
            except RetryAfter as error:
                self.stats.retry_after_hits += 1
                retry_after_hits += 1
                self.limiter.pause(retry_after_seconds(error))
                if retry_after_hits >= MAX_RETRY_AFTER_HITS:
                    return self._count(DeliveryResult(Outcome.FAILED, attempts, str(error)))
                attempts -= 1  # Telegram refused to take it: not a failed try of this message
                continue
            except Forbidden as error:
                # Blocked the bot, or deleted their account: stop writing to them.
                return self._count(DeliveryResult(Outcome.BLOCKED, attempts, error.message))
            except BadRequest as error:
                # The request itself is wrong for this chat (chat not found, ...): a retry would
                # get the same answer.
                return self._count(DeliveryResult(Outcome.FAILED, attempts, error.message))
            except NetworkError as error:  # TimedOut included, and Telegram's 5xx
                if attempts >= self.settings.max_attempts:
                    return self._count(DeliveryResult(Outcome.FAILED, attempts, error.message))
                self.stats.network_retries += 1
                await self.timer.sleep(self._backoff(attempts))
                continue
            except TelegramError as error:
                return self._count(DeliveryResult(Outcome.FAILED, attempts, error.message))
            self.stats.messages += 1
            return self._count(DeliveryResult(Outcome.SENT, attempts))

    def _count(self, result: DeliveryResult) -> DeliveryResult:
        key = result.outcome.value
        self.stats.by_outcome[key] = self.stats.by_outcome.get(key, 0) + 1
        return result

    def _backoff(self, attempt: int) -> float:
        delay = min(self.settings.backoff_base_s * 2 ** (attempt - 1), BACKOFF_MAX_S)
        return delay * (0.5 + self._rng.random() / 2)  # jitter: retries do not all line up

    async def _send(self, chat_id: int, part: Part) -> Message:
        extra: dict[str, Any] = {"allow_paid_broadcast": True} if self.settings.paid else {}
        if part.attachment_kind == "photo":
            return await self.bot.send_photo(
                chat_id, part.file_id or "", caption=part.text, parse_mode=ParseMode.HTML, **extra
            )
        if part.attachment_kind == "document":
            return await self.bot.send_document(
                chat_id, part.file_id or "", caption=part.text, parse_mode=ParseMode.HTML, **extra
            )
        return await self.bot.send_message(
            chat_id,
            part.text or "",
            parse_mode=ParseMode.HTML,
            disable_web_page_preview=False,
            **extra,
        )

    async def post(
        self, chat_id: int, text: str, reply_markup: InlineKeyboardMarkup | None = None
    ) -> Message | None:
        """A status message to staff (progress), paced like the rest; None if refused."""
        while True:
            await self.limiter.acquire(chat_id)
            try:
                return await self.bot.send_message(
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=reply_markup,
                    disable_web_page_preview=True,
                )
            except RetryAfter as error:
                self.stats.retry_after_hits += 1
                self.limiter.pause(retry_after_seconds(error))
            except TelegramError as error:
                logger.warning("could not post to chat %s: %s", chat_id, error)
                return None

    async def edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> bool:
        """Edit a status message; a failed edit (too old, unchanged) is not worth a retry."""
        await self.limiter.acquire(chat_id)
        try:
            await self.bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=reply_markup,
                disable_web_page_preview=True,
            )
        except RetryAfter as error:
            self.stats.retry_after_hits += 1
            self.limiter.pause(retry_after_seconds(error))
            return False
        except TelegramError as error:
            logger.debug("progress edit in chat %s failed: %s", chat_id, error)
            return False
        return True


def bulk_bot(token: str, base_url: str, base_file_url: str, settings: DeliverySettings) -> Bot:
    """A bot with its own connection pool, so bulk sends never take a reply's connection."""
    request = HTTPXRequest(
        connection_pool_size=settings.max_in_flight + 4,
        pool_timeout=30.0,
        read_timeout=15.0,
        connect_timeout=10.0,
    )
    return Bot(token, base_url=base_url, base_file_url=base_file_url, request=request)


Observer = Callable[[int | None], None]
PauseObserver = Callable[[float], None]


class ObservedRequest(HTTPXRequest):
    """The application's request object: tells the engine about every message a reply sends
    (it counts towards the same limit) and about any 429, which pauses bulk sending too."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._observer: Observer | None = None
        self._on_pause: PauseObserver | None = None

    def observe(self, observer: Observer | None, on_pause: PauseObserver | None = None) -> None:
        self._observer = observer
        self._on_pause = on_pause

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = HTTPXRequest.DEFAULT_NONE,
        write_timeout: object = HTTPXRequest.DEFAULT_NONE,
        connect_timeout: object = HTTPXRequest.DEFAULT_NONE,
        pool_timeout: object = HTTPXRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._observer is not None and url.rsplit("/", 1)[-1].lower() in SENDING_METHODS:
            chat = request_data.parameters.get("chat_id") if request_data else None
            self._observer(chat if isinstance(chat, int) else None)
        status, payload = await super().do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,  # type: ignore[arg-type]
            write_timeout=write_timeout,  # type: ignore[arg-type]
            connect_timeout=connect_timeout,  # type: ignore[arg-type]
            pool_timeout=pool_timeout,  # type: ignore[arg-type]
        )
        if status == 429 and self._on_pause is not None:
            self._on_pause(_retry_after_in(payload))
        return status, payload


def _retry_after_in(payload: bytes) -> float:
    try:
        body = json.loads(payload)
        return float(body["parameters"]["retry_after"])
    except (ValueError, KeyError, TypeError):
        return 1.0
