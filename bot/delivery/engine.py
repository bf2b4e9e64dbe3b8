"""Bulk delivery: broadcasts and their progress messages, on a bot of their own, paced by the
one limiter every send of the bot goes through (see :mod:`bot.delivery.limiter`)."""

from __future__ import annotations

import enum
import logging
import random
import warnings
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter
from telegram.warnings import PTBDeprecationWarning

from bot.delivery.http import AiohttpRequest, EncodedForm
from bot.delivery.limiter import DeliverySettings, Priority, RateLimiter, RealTimer, Timer

logger = logging.getLogger(__name__)

BACKOFF_MAX_S = 30.0
# A recipient whose messages keep hitting 429 is reported failed rather than tried forever.
MAX_RETRY_AFTER_HITS = 10
# Encoded parts kept (a broadcast has one per language version and note, a few dozen at most).
REMEMBERED_FORMS = 256


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
    # The file itself, uploaded with this message when Telegram has no file_id for it yet.
    upload: bytes | None = field(default=None, repr=False, compare=False)
    file_name: str | None = None


@dataclass(frozen=True)
class DeliveryResult:
    outcome: Outcome
    attempts: int
    error: str | None = None
    file_id: str | None = None  # Telegram's, for a file this delivery uploaded


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
        self,
        settings: DeliverySettings,
        timer: Timer | None = None,
        bot: Bot | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._bot = bot
        self.settings = settings
        self.timer = timer or RealTimer()
        self.limiter = limiter or RateLimiter(settings, self.timer)
        self.stats = EngineStats()
        self._rng = random.Random()
        self._forms: dict[Part, tuple[str, dict[str, str], str]] = {}

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
        file_id = None
        for index, part in enumerate(parts):
            result = await self._send_with_retries(
                chat_id, part, slot_taken=slot_taken and index == 0
            )
            attempts += result.attempts
            file_id = file_id or result.file_id
            if result.outcome is not Outcome.SENT:
                return DeliveryResult(result.outcome, attempts, result.error, file_id)
        return DeliveryResult(Outcome.SENT, attempts, file_id=file_id)

    async def _send_with_retries(
        self, chat_id: int, part: Part, *, slot_taken: bool
    ) -> DeliveryResult:
        attempts = 0
        retry_after_hits = 0
        uploaded: str | None = None  # the file_id Telegram gave a file this part uploaded
        while True:
            if not slot_taken:
                await self.limiter.acquire(chat_id, Priority.BULK)
            slot_taken = False
            attempts += 1
            try:
                if part.upload is None:
                    await self._send(chat_id, part)
                else:
                    uploaded = await self._upload(chat_id, part, part.upload)
            except RetryAfter as error:
                self.stats.retry_after_hits += 1
                retry_after_hits += 1
                self.limiter.refused(chat_id, retry_after_seconds(error))
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
            return self._count(DeliveryResult(Outcome.SENT, attempts, file_id=uploaded))

    def _count(self, result: DeliveryResult) -> DeliveryResult:
        key = result.outcome.value
        self.stats.by_outcome[key] = self.stats.by_outcome.get(key, 0) + 1
        return result

    def _backoff(self, attempt: int) -> float:
        delay = min(self.settings.backoff_base_s * 2 ** (attempt - 1), BACKOFF_MAX_S)
        return delay * (0.5 + self._rng.random() / 2)  # jitter: retries do not all line up

    async def _send(self, chat_id: int, part: Part) -> None:
        method, common, encoded = self._form_of(part)
        # Straight to the request object: Bot.send_message would build a Message from the
        # answer, about a tenth of the CPU a bulk message costs, and nothing here reads it.
        # The errors (RetryAfter, Forbidden, ...) are the same: the request object raises them.
        bot = self.bot
        await bot.request.post(f"{bot.base_url}/{method}", EncodedForm(chat_id, common, encoded))

    def _form_of(self, part: Part) -> tuple[str, dict[str, str], str]:
        """The method and the body of a part, encoded once for all its recipients."""
        form = self._forms.get(part)
        if form is not None:
            return form
        common = {"parse_mode": ParseMode.HTML.value}
        if self.settings.paid:
            common["allow_paid_broadcast"] = "true"
        if part.attachment_kind in ("photo", "document"):
            method = "sendPhoto" if part.attachment_kind == "photo" else "sendDocument"
            common[part.attachment_kind] = part.file_id or ""
            if part.text is not None:
                common["caption"] = part.text
        else:
            method = "sendMessage"
            common["text"] = part.text or ""
        if len(self._forms) >= REMEMBERED_FORMS:
            self._forms.clear()  # a new broadcast's parts: the old ones are not sent again
        form = self._forms[part] = (method, common, EncodedForm.encode(common))
        return form

    async def _upload(self, chat_id: int, part: Part, content: bytes) -> str | None:
        """A part whose file Telegram does not have yet, uploaded with it; returns the file_id
        Telegram gives it, for every later message to send instead of the file."""
        kind = "photo" if part.attachment_kind == "photo" else "document"
        parameters: dict[str, object] = {
            "chat_id": chat_id,
            "parse_mode": ParseMode.HTML,
            kind: InputFile(content, filename=part.file_name, attach=True),
        }
        if self.settings.paid:
            parameters["allow_paid_broadcast"] = True
        if part.text is not None:
            parameters["caption"] = part.text
        bot = self.bot
        answer = await bot.request.post(
            f"{bot.base_url}/{'sendPhoto' if kind == 'photo' else 'sendDocument'}",
            RequestData(
                [RequestParameter.from_input(name, value) for name, value in parameters.items()]
            ),
        )
        return _uploaded_file_id(answer)

    async def post(
        self, chat_id: int, text: str, reply_markup: InlineKeyboardMarkup | None = None
    ) -> Message | None:
        """A status message to staff (progress), paced like the rest; None if refused."""
        while True:
            await self.limiter.acquire(chat_id, Priority.BULK)
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
                self.limiter.refused(chat_id, retry_after_seconds(error))
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
        await self.limiter.acquire(chat_id, Priority.BULK)
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
            self.limiter.refused(chat_id, retry_after_seconds(error))
            return False
        except TelegramError as error:
            logger.debug("progress edit in chat %s failed: %s", chat_id, error)
            return False
        return True


def _uploaded_file_id(answer: object) -> str | None:
    """The file_id Telegram gave an uploaded photo (its largest size) or document."""
    if not isinstance(answer, dict):
        return None
    photos = answer.get("photo")
    if isinstance(photos, list) and photos and isinstance(photos[-1], dict):
        return str(photos[-1].get("file_id") or "") or None
    document = answer.get("document")
    if isinstance(document, dict):
        return str(document.get("file_id") or "") or None
    return None


def bulk_bot(token: str, base_url: str, base_file_url: str, settings: DeliverySettings) -> Bot:
    """A bot with its own connection pool, so bulk sends never take a reply's connection."""
    request = AiohttpRequest(settings.max_in_flight + 4)
    return Bot(token, base_url=base_url, base_file_url=base_file_url, request=request)
