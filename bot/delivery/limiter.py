"""The pace of everything the bot sends: each chat's limit, the overall limit, priorities.

Telegram allows about one message a second to a private chat (a short burst is tolerated),
about twenty a minute to a group, and about thirty a second overall (up to a thousand with
paid broadcasts).  Every send of the bot, a reply or a broadcast, takes a slot here first:

* per chat, a reservation (GCRA with a small burst): senders to one chat go in the order
  they asked, and waiting for a busy chat never holds up another chat;
* overall, a sliding one-second window a little under the limit, handed out by priority:
  the reply to the person talking to the bot first, then notices to staff and others, then
  bulk (broadcasts, reminders), which is also smoothed so it never arrives in bursts;
* a 429 for a chat that was just written to delays that chat only; a 429 for a chat that was
  not (so the overall limit was hit) pauses bulk sending.  A pause only ever lengthens
  (python-telegram-bot issue 5338 lifts pauses early).
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import enum
import heapq
import itertools
import logging
import time
from dataclasses import dataclass, field
from typing import Protocol

from bot.config import TELEGRAM_MESSAGES_PER_S, Config

logger = logging.getLogger(__name__)

PRIVATE_CHAT_INTERVAL_S = 1.0
# Telegram allows about 20 messages a minute in a group.
GROUP_CHAT_INTERVAL_S = 3.0
# Messages one chat may get at once before the interval applies; Telegram tolerates a few.
CHAT_BURST = 2
# The pace aims this much under each limit: network jitter between our clock and Telegram's
# would otherwise put one message too many into some second now and then.
HEADROOM = 0.05
# Overall, 2% under the limit but at least this many messages a second (28 of Telegram's 30;
# 294 of 300 and 980 of 1000 paid): at a thousand a second, 3% left a twentieth of the limit
# unused once the replies took theirs.
OVERALL_HEADROOM = 0.02
MIN_OVERALL_HEADROOM_PER_S = 1.5
WINDOW_S = 1.0
BULK_CATCH_UP_S = 0.01
# While the head of the queue waits (a bulk message during a pause), a reply arriving behind
# it is looked at this often.
POLL_S = 0.05
# Idle chats are forgotten once this many are remembered.
MAX_REMEMBERED_CHATS = 10_000


class Timer(Protocol):
    """The pacer's time source; tests pass one where waiting takes no real time."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealTimer:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class Priority(enum.IntEnum):
    """Who goes first when the overall limit is near: lower is sooner."""

    REPLY = 0  # to the chat whose update is being handled
    NOTICE = 1  # to someone else because of that update (staff cards, an applicant)
    BULK = 2  # broadcasts, reminders, anything not caused by a person waiting


# The chat whose update the running task handles (set by the update processor).
replying_to: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "replying_to", default=None
)


def priority_for(chat_id: int | None) -> Priority:
    current = replying_to.get()
    if current is None:
        return Priority.BULK
    return Priority.REPLY if chat_id == current else Priority.NOTICE


@dataclass(frozen=True)
class DeliverySettings:
    messages_per_s: float = TELEGRAM_MESSAGES_PER_S
    private_chat_interval_s: float = PRIVATE_CHAT_INTERVAL_S
    group_chat_interval_s: float = GROUP_CHAT_INTERVAL_S
    chat_burst: int = CHAT_BURST
    paid: bool = False  # Telegram's paid broadcasts (allow_paid_broadcast), up to 1000/s
    max_in_flight: int = 8
    max_attempts: int = 4
    backoff_base_s: float = 1.0

    @classmethod
    def from_config(cls, config: Config) -> DeliverySettings:
        rate = config.broadcast_rate
        # Messages on their way at once: enough to keep the pace over a quarter-second round
        # trip; more costs CPU for nothing (httpcore scans its whole pool on every request).
        in_flight = min(max(int(rate * 0.25), 8), 128)
        return cls(
            messages_per_s=rate,
            private_chat_interval_s=config.broadcast_chat_interval_ms / 1000,
            group_chat_interval_s=config.group_chat_interval_ms / 1000,
            paid=config.broadcast_paid,
            max_in_flight=in_flight,
        )


@dataclass(order=True)
class _Waiter:
    priority: int
    number: int
    ready: asyncio.Future[None] = field(compare=False)
    wanted: int = field(default=1, compare=False)  # bulk slots it takes if they are due
    granted: int = field(default=1, compare=False)


@dataclass
class PaceStats:
    chat_pauses: int = 0
    pauses: int = 0  # pauses of bulk sending (429s that meant the overall limit)


class RateLimiter:
    def __init__(self, settings: DeliverySettings, timer: Timer) -> None:
        self._timer = timer
        self.settings = settings
        rate = settings.messages_per_s
        headroom = max(rate * OVERALL_HEADROOM, MIN_OVERALL_HEADROOM_PER_S)
        self._window_cap = max(int(rate - headroom), 1)
        self._bulk_interval_s = 1 / self._window_cap
        self._private_interval_s = settings.private_chat_interval_s * (1 + HEADROOM)
        self._group_interval_s = settings.group_chat_interval_s * (1 + HEADROOM)
        self._burst = max(settings.chat_burst, 1)
        self._sent: collections.deque[float] = collections.deque()  # the last second's sends
        self._bulk_next = 0.0
        self._chat_next: dict[int, float] = {}  # GCRA: theoretical arrival of the next one
        self._chat_paused: dict[int, float] = {}
        self._chat_last: dict[int, float] = {}  # when the last message to the chat asked
        self._chat_previous: dict[int, float] = {}  # and the one before it
        self._paused_until = 0.0
        self._waiting: list[_Waiter] = []
        self._numbers = itertools.count()
        self._pump: asyncio.Task[None] | None = None
        self.stats = PaceStats()

    @property
    def messages_per_s(self) -> float:
        return 1 / self._bulk_interval_s

    @property
    def pauses(self) -> int:
        return self.stats.pauses

    @property
    def paused_for(self) -> float:
        return max(self._paused_until - self._timer.monotonic(), 0.0)

    def _chat_interval(self, chat_id: int) -> float:
        return self._group_interval_s if chat_id < 0 else self._private_interval_s

    async def acquire(self, chat_id: int | None, priority: Priority = Priority.BULK) -> None:
        """Wait until one message to this chat may go out, and take that slot."""
        if chat_id is not None:
            await self._chat_turn(chat_id)
        await self._overall(_Waiter(priority, next(self._numbers), self._future()))

    async def acquire_bulk(self, most: int) -> int:
        """Wait for the next bulk slot, and take it with every other one already due (at most
        ``most``); returns how many were taken.  Each one is the overall slot of a message
        whose chat is free now (:meth:`chat_free`) or is given back (:meth:`give_back`).

        A broadcast that took its slots one at a time lost each wake-up's lateness: at a
        thousand a second the loop's wake-ups, not the limit, set the pace."""
        waiter = _Waiter(Priority.BULK, next(self._numbers), self._future(), max(most, 1))
        await self._overall(waiter)
        return waiter.granted

    def chat_free(self, chat_id: int) -> bool:
        """Take this chat's turn if it is free now (no waiting); False leaves it untouched."""
        now = self._timer.monotonic()
        if self._chat_paused.get(chat_id, 0.0) > now:
            return False
        interval = self._chat_interval(chat_id)
        if interval > 0:
            theoretical = self._chat_next.get(chat_id, now)
            if theoretical - (self._burst - 1) * interval > now:
                return False
        self._take_chat_turn(chat_id, now)
        return True

    def give_back(self, slots: int) -> None:
        """Overall bulk slots taken and not used (their chat was busy, or the run stopped)."""
        for _ in range(min(slots, len(self._sent))):
            self._sent.pop()
            self._bulk_next -= self._bulk_interval_s

    def _future(self) -> asyncio.Future[None]:
        return asyncio.get_running_loop().create_future()

    async def _overall(self, waiter: _Waiter) -> None:
        heapq.heappush(self._waiting, waiter)
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._hand_out(), name="rate-limiter")
        try:
            await waiter.ready
        except asyncio.CancelledError:
            if waiter.ready.done() and not waiter.ready.cancelled():
                # The slots were taken for nothing: give them back.
                for _ in range(waiter.granted):
                    self._sent.pop()
            raise

    async def _chat_turn(self, chat_id: int) -> None:
        now = self._timer.monotonic()
        turn = self._take_chat_turn(chat_id, now)
        while (
            wait := max(turn, self._chat_paused.get(chat_id, 0.0)) - self._timer.monotonic()
        ) > 0:
            await self._timer.sleep(wait)

    def _take_chat_turn(self, chat_id: int, now: float) -> float:
        """Book the chat's next turn (GCRA); returns when it is."""
        # What a 429 for this chat means depends on whether it was written to just before.
        if chat_id in self._chat_last:
            self._chat_previous[chat_id] = self._chat_last[chat_id]
        self._chat_last[chat_id] = now
        if len(self._chat_last) > MAX_REMEMBERED_CHATS:
            self._forget_idle_chats(now)
        interval = self._chat_interval(chat_id)
        turn = now
        if interval > 0:
            theoretical = max(self._chat_next.get(chat_id, now), now)
            turn = max(theoretical - (self._burst - 1) * interval, now)
            self._chat_next[chat_id] = max(theoretical, turn) + interval
        return turn

    def _forget_idle_chats(self, now: float) -> None:
        def recent(moments: dict[int, float], within_s: float) -> dict[int, float]:
            return {chat: at for chat, at in moments.items() if at > now - within_s}

        self._chat_next = recent(self._chat_next, 0)
        self._chat_paused = recent(self._chat_paused, 0)
        self._chat_last = recent(self._chat_last, GROUP_CHAT_INTERVAL_S)
        self._chat_previous = recent(self._chat_previous, GROUP_CHAT_INTERVAL_S)

    async def _hand_out(self) -> None:
        """Give overall slots to the waiters, best priority first."""
        while self._waiting:
            head = self._waiting[0]
            if head.ready.done():  # cancelled while waiting
                heapq.heappop(self._waiting)
                continue
            now = self._timer.monotonic()
            while self._sent and self._sent[0] <= now - WINDOW_S:
                self._sent.popleft()
            ready_at = now
            if len(self._sent) >= self._window_cap:
                ready_at = self._sent[0] + WINDOW_S
            if head.priority >= Priority.BULK:
                ready_at = max(ready_at, self._bulk_next, self._paused_until)
            if ready_at > now:
                await self._timer.sleep(min(ready_at - now, POLL_S))
                continue
            heapq.heappop(self._waiting)
            self._sent.append(now)
            if head.priority >= Priority.BULK:
                self._take_bulk(head, now)
            head.ready.set_result(None)

    def _take_bulk(self, head: _Waiter, now: float) -> None:
        # A slot handed out late (the event loop woke this pump late) is made up, within
        # BULK_CATCH_UP_S: otherwise each wake-up's lateness is lost, and at hundreds of
        # messages a second that is a tenth of the pace.  The window still caps every second.
        self._bulk_next = max(self._bulk_next, now - BULK_CATCH_UP_S) + self._bulk_interval_s
        head.granted = 1
        while (
            head.granted < head.wanted
            and self._bulk_next <= now
            and len(self._sent) < self._window_cap
        ):
            self._sent.append(now)
            self._bulk_next += self._bulk_interval_s
            head.granted += 1

    def refused(self, chat_id: int | None, retry_after_s: float) -> None:
        """Telegram answered 429: the chat waits ``retry_after_s`` (the refused message with
        it).  If that chat had no other message just before, the limit hit was the overall
        one: bulk sending pauses too."""
        now = self._timer.monotonic()
        if chat_id is None:
            self.pause(retry_after_s)
            return
        until = now + retry_after_s
        if until > self._chat_paused.get(chat_id, 0.0):
            self._chat_paused[chat_id] = until
            self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), until)
            self.stats.chat_pauses += 1
            logger.info("Telegram asked to wait %.1f s before writing to a chat", retry_after_s)
        telegram_interval_s = GROUP_CHAT_INTERVAL_S if chat_id < 0 else PRIVATE_CHAT_INTERVAL_S
        previous = self._chat_previous.get(chat_id)
        if previous is None or now - previous > telegram_interval_s:
            self.pause(retry_after_s)

    def pause(self, seconds: float) -> None:
        """Bulk sending waits ``seconds`` from now (never less than an earlier pause asked)."""
        until = self._timer.monotonic() + seconds
        if until > self._paused_until:
            self._paused_until = until
            self.stats.pauses += 1
            logger.warning("Telegram asked to wait %.1f s: bulk sending paused", seconds)
