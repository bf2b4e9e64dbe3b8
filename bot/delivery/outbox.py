"""Staff notifications from the durable outbox (storage/outbox.py) to Telegram.

A change that should reach staff (a registration, a support request and its files, a city's
answer, a forwarded question, the digest) queues a :class:`StaffNotice` in its own
transaction; this sender renders it when its turn comes, in each recipient's language, and
records each message Telegram accepts.  At start whatever was not confirmed is sent, so a stop
at any moment (kill -9 included) loses nothing and repeats at most the message in flight.

To send through it (a handler, a job, the web console): queue a notice in the transaction of
the change (``queue_staff_notice``) or alone (:meth:`StaffOutbox.queue`), then call
:meth:`StaffOutbox.wake`.  Each kind is rendered by the function registered for it.

Refreshes of the staff cards already posted go the same way: a change of a request asks, in its
transaction (``queue_card_refreshes``), for every copy of its card to be edited.  The card is
rendered when its turn comes, from the request as it is then; a change made while an edit was
on its way asks again, and the card is edited once more with the newest state.  A refresh is
confirmed when Telegram accepted the edit or said the message already shows it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.clock import Clock
from bot.delivery.limiter import replying_to
from bot.delivery.request import is_not_modified
from bot.i18n import Translator
from storage.outbox import CardRefresh, OutboxRepository, QueuedNotice, StaffNotice

logger = logging.getLogger(__name__)

# Notices read from the database at a time.
BATCH = 50
# After a failure Telegram may get over (a network error, a long 429), the next try.
RETRY_S = 15.0
# No chat has this id: while it is "the chat being answered", every send is a notice, after
# the replies to people and before bulk.
NO_CHAT = 0


@dataclass(frozen=True)
class NoticePart:
    """One message of a notice to one reader: HTML laid out for them (with its buttons), or a
    file by Telegram file id.  ``is_copy`` marks the message staff act on (a card, a question
    to reply to): the kind's ``on_copy`` learns where it went, and with ``shows_version``
    (the payload's ``shown_version``) which version of its subject it shows, so a change made
    while it was on its way still reaches it."""

    text: str | None = None
    reply_markup: InlineKeyboardMarkup | None = None
    file_kind: str | None = None  # "photo" or "document"
    file_id: str | None = None
    caption: str | None = None
    is_copy: bool = False
    shows_version: int | None = None


Render = Callable[[StaffNotice, Translator], Awaitable[list[NoticePart]]]
# A request's card as the reader of a chat sees it now: (request id, chat id) -> the text and
# buttons, or None when there is nothing to show any more.
RenderCard = Callable[[int, int], Awaitable[NoticePart | None]]
OnCopy = Callable[[StaffNotice, int, int], Awaitable[None]]
Recipients = Callable[[], Awaitable[list[tuple[int, Translator]]]]


@dataclass(frozen=True)
class NoticeKind:
    render: Render  # an empty list: nothing to say any more (its subject is gone)
    on_copy: OnCopy | None = None


class StaffOutbox:
    def __init__(self, notices: OutboxRepository, clock: Clock, recipients: Recipients) -> None:
        self._notices = notices
        self._clock = clock
        self._recipients = recipients
        self._kinds: Mapping[str, NoticeKind] = {}
        self._bot: Bot | None = None
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._retry: asyncio.TimerHandle | None = None
        self._render_card: RenderCard | None = None
        self.sent = 0
        self.card_edits = 0

    async def queue(self, notice: StaffNotice) -> None:
        """A notice caused by no other change (the digest); it goes out at once."""
        await self._notices.queue(notice, self._clock.now())
        self.wake()

    def wake(self) -> None:
        """Something was queued: send it."""
        self._wake.set()

    def start(
        self, bot: Bot, kinds: Mapping[str, NoticeKind], render_card: RenderCard | None = None
    ) -> None:
        """Begin sending, first whatever an earlier run left unconfirmed."""
        self._bot = bot
        self._kinds = kinds
        self._render_card = render_card
        self._wake.set()
        self._task = asyncio.create_task(self._run(), name="staff outbox")

    async def stop(self) -> None:
        """Stop between two messages; what is left is sent at the next start."""
        if self._retry is not None:
            self._retry.cancel()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def idle(self) -> None:
        """Until what is queued now has been sent (or set aside for a retry)."""
        if self._bot is not None:
            await self.send_pending()

    async def pending(self) -> int:
        """Notices and card refreshes not yet confirmed."""
        return await self._notices.count() + await self._notices.count_card_refreshes()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.send_pending()
            except Exception:
                # The loop must outlive any one failure; the notice stays queued.
                logger.exception("staff outbox failed; trying again in %.0f s", RETRY_S)
                self._retry_later()

    async def send_pending(self) -> None:
        token = replying_to.set(NO_CHAT)
        try:
            async with self._lock:
                if not await self._send_all():
                    self._retry_later()
        finally:
            replying_to.reset(token)

    async def _send_all(self) -> bool:
        """Until nothing is left; False if Telegram should be tried later.  The cards asked
        for go before each notice: staff watch the card they just changed, and a batch of
        files to the staff group takes minutes."""
        while True:
            if not await self._refresh_cards():
                return False
            batch = await self._notices.pending(BATCH)
            if not batch:
                return True
            for queued in batch:
                if not await self._refresh_cards() or not await self._deliver(queued):
                    return False

    def _retry_later(self) -> None:
        if self._retry is not None:
            return

        def again() -> None:
            self._retry = None
            self._wake.set()

        self._retry = asyncio.get_running_loop().call_later(RETRY_S, again)

    async def _deliver(self, queued: QueuedNotice) -> bool:
        """Every recipient gets what they lack; False if Telegram should be tried later."""
        kind = self._kinds.get(queued.notice.kind)
        if kind is None:
            logger.error("no renderer for staff notices of kind %s", queued.notice.kind)
            await self._notices.done(queued.id)
            return True
        recipients = await self._recipients()
        if not recipients:
            logger.error("no staff member to notify; check HUBBOT_STAFF_CHAT_ID and the staff")
        for chat_id, reader in recipients:
            parts = await kind.render(queued.notice, reader)
            if not await self._send_parts(queued, kind, chat_id, parts):
                return False
        await self._notices.done(queued.id)
        return True

    async def _send_parts(
        self, queued: QueuedNotice, kind: NoticeKind, chat_id: int, parts: list[NoticePart]
    ) -> bool:
        for index in range(queued.parts_sent.get(chat_id, 0), len(parts)):
            part = parts[index]
            try:
                message = await self._send(chat_id, part)
            except Forbidden as error:
                # A staff member who blocked the bot or never opened it: the others still are.
                logger.warning("could not notify staff chat %s: %s", chat_id, error)
                return True
            except BadRequest as error:
                # This message can never go (a file Telegram no longer has): the rest still can.
                logger.warning("a staff notice to chat %s was refused: %s", chat_id, error)
            except TelegramError as error:
                logger.warning("staff notice to chat %s not sent yet: %s", chat_id, error)
                return False
            else:
                self.sent += 1
                if part.is_copy and kind.on_copy is not None:
                    notice = queued.notice
                    if part.shows_version is not None:
                        notice = notice.with_values(shown_version=part.shows_version)
                    await kind.on_copy(notice, chat_id, message.message_id)
            await self._notices.confirm(queued.id, chat_id, index + 1)
        return True

    async def _refresh_cards(self) -> bool:
        """Every card asked for shows its request's newest state; False if Telegram should be
        tried later."""
        if self._render_card is None:
            return True
        while refreshes := await self._notices.card_refreshes(BATCH):
            for refresh in refreshes:
                if not await self._refresh_card(refresh):
                    return False
        return True

    async def _refresh_card(self, refresh: CardRefresh | None) -> bool:
        """Edit the card until it shows the newest state asked for (a change made while the
        edit waited for the chat's slot asks once more)."""
        while refresh is not None:
            if not await self._edit_card(refresh):
                return False
            if await self._notices.card_shown(refresh):
                return True
            refresh = await self._notices.card_refresh(refresh.chat_id, refresh.message_id)
        return True

    async def _edit_card(self, refresh: CardRefresh) -> bool:
        assert self._render_card is not None and self._bot is not None
        part = await self._render_card(refresh.request_id, refresh.chat_id)
        if part is None:
            return True
        where = f"{refresh.chat_id}/{refresh.message_id}"
        try:
            await self._bot.edit_message_text(
                part.text or "",
                chat_id=refresh.chat_id,
                message_id=refresh.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=part.reply_markup,
                disable_web_page_preview=True,
            )
        except BadRequest as error:
            # "Not modified": it already shows this. Otherwise deleted or too old to edit,
            # which no retry mends; the other copies are still refreshed.
            if not is_not_modified(error):
                logger.info("card %s not refreshed: %s", where, error)
        except Forbidden as error:
            logger.info("card %s not refreshed: %s", where, error)
        except TelegramError as error:
            logger.warning("card %s not refreshed yet: %s", where, error)
            return False
        else:
            self.card_edits += 1
        return True

    async def _send(self, chat_id: int, part: NoticePart) -> Message:
        bot = self._bot
        assert bot is not None, "the staff outbox was not started"
        if part.file_kind == "photo":
            return await bot.send_photo(chat_id, part.file_id or "", caption=part.caption)
        if part.file_kind == "document":
            return await bot.send_document(chat_id, part.file_id or "", caption=part.caption)
        return await bot.send_message(
            chat_id,
            part.text or "",
            parse_mode=ParseMode.HTML,
            reply_markup=part.reply_markup,
            disable_web_page_preview=True,
        )
