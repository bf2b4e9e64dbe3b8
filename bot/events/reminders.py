"""Delivers event notices (reminders, change notices, invitations) from the database outbox.

The database is the source of truth: each notice is a row keyed by (event, person, kind, ref)
with a state, pending -> sending -> sent | skipped. The JobQueue only wakes the runner at the
next due time; after a restart the runner reads what is still pending and carries on.

Exactly-once is impossible across a crash between Telegram accepting a message and our
recording it, so we choose *at most once*: a notice is marked 'sending' in a committed
transaction before the message goes out, and a notice found 'sending' at start-up is counted
as sent ('unconfirmed'), never sent again. The worst case is one lost reminder for the few
people being sent to at the instant the bot died; the alternative, at least once, would
send duplicates to the same people, which reads as a bug to a mayor's office.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from storage.events import EventRepository
from storage.models import Event, EventNotice

logger = logging.getLogger(__name__)

# Telegram allows about 30 messages a second to different chats; stay well below. Only used
# when the sender does not pace itself (the bot's sender shares the delivery engine's limiter).
REMINDER_SENDS_PER_S = 20.0
DUE_BATCH = 200
# A notice that certainly did not leave (no connection) is tried again this much later.
RETRY_DELAY_S = 60
MAX_ATTEMPTS = 5
MAX_RETRY_AFTER_WAITS = 5
# Wake up at least this often, so a clock jump or a lost timer delays nothing for long.
MAX_SLEEP_S = 3_600


class SendResult(enum.Enum):
    SENT = "sent"
    UNREACHABLE = "unreachable"  # the person blocked the bot or deleted their account
    FAILED = "failed"  # Telegram refused this message: sending it again would fail again
    NOT_SENT = "not_sent"  # it never reached Telegram (network): safe to try later
    UNCONFIRMED = "unconfirmed"  # a timeout: it may have gone out, so never again


@dataclass(frozen=True)
class SendOutcome:
    result: SendResult
    retry_after_s: float | None = None  # Telegram asked us to wait, then send it again
    detail: str | None = None


# The one function that sends a notice: the seam to the broadcast delivery engine.
NoticeSender = Callable[[EventNotice, Event, datetime], Awaitable[SendOutcome]]
Wake = Callable[[float], None]
# Waits until one message to this chat may go out under Telegram's limits, and takes that slot.
Turn = Callable[[int], Awaitable[None]]


@dataclass
class RunReport:
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    details: list[str] = field(default_factory=list)
    # Notices Telegram refused with 429 in this run: each is handed back (not counted as an
    # attempt) a few times, then left for RETRY_DELAY_S like any notice that did not go out.
    retry_after_hits: dict[int, int] = field(default_factory=dict)


class ReminderRunner:
    def __init__(
        self,
        *,
        events: EventRepository,
        clock: Clock,
        sends_per_s: float = REMINDER_SENDS_PER_S,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._events = events
        self._clock = clock
        self.sends_per_s = sends_per_s
        self.sleep = sleep
        self._sender: NoticeSender | None = None
        self._wake: Wake | None = None
        self._turn: Turn | None = None
        self._lock = asyncio.Lock()

    def connect(self, sender: NoticeSender, wake: Wake, *, turn: Turn | None = None) -> None:
        """Called once the bot exists: how to send a notice and how to be woken later.

        ``turn``: a shared limiter (the delivery engine's) that paces every message the bot
        sends and holds them all during a pause Telegram asked for. The runner waits for its
        turn *before* claiming a notice, so a stop during a long wait loses nothing; without
        one the runner paces itself at ``sends_per_s`` and sleeps out pauses on its own.
        """
        self._sender = sender
        self._wake = wake
        self._turn = turn

    @property
    def busy(self) -> bool:
        """A run is under way; it picks up whatever comes due before it ends."""
        return self._lock.locked()

    async def start(self) -> int:
        """At start-up: settle notices a previous run left mid-send, then plan the wake-up."""
        settled = await self._events.settle_interrupted(now=self._clock.now())
        if settled:
            logger.warning("%d notice(s) were being sent when the bot stopped: not resent", settled)
        await self.replan()
        return settled

    async def replan(self) -> datetime | None:
        """Ask to be woken at the next due notice (or within MAX_SLEEP_S)."""
        due = await self._events.next_due()
        if self._wake is not None:
            delay: float = MAX_SLEEP_S
            if due is not None:
                delay = min(max((due - self._clock.now()).total_seconds(), 0.0), MAX_SLEEP_S)
            self._wake(delay)
        return due

    async def run_due(self, now: datetime | None = None) -> RunReport:
        """Send every notice due by now, one at a time at a modest pace; then re-plan."""
        report = RunReport()
        try:
            async with self._lock:
                while True:
                    moment = now or self._clock.now()
                    batch = await self._events.due(moment, limit=DUE_BATCH)
                    if not batch:
                        break
                    await self._run_batch(batch, moment, report)
        finally:
            await self.replan()
        return report

    async def _run_batch(self, batch: list[EventNotice], now: datetime, report: RunReport) -> None:
        events: dict[int, Event | None] = {}
        for notice in batch:
            if notice.event_id not in events:
                events[notice.event_id] = await self._events.get(notice.event_id)
        # A reminder that came due while the bot was down, when a later one is due too, says
        # nothing the later one does not: only the nearest is sent.
        nearest: dict[tuple[int, int], int] = {}
        for notice in batch:
            if notice.kind == "reminder":
                key = (notice.event_id, notice.user_id)
                nearest[key] = min(nearest.get(key, notice.ref), notice.ref)
        for notice in batch:
            event = events[notice.event_id]
            reason = self._skip_reason(notice, event, now, nearest)
            if reason is not None:
                await self._events.skip([notice.id], detail=reason, now=now)
                report.skipped += 1
                continue
            await self._deliver(notice, now, nearest, report)

    @staticmethod
    def _skip_reason(
        notice: EventNotice,
        event: Event | None,
        now: datetime,
        nearest: dict[tuple[int, int], int],
    ) -> str | None:
        if event is None:
            return "event deleted"
        if notice.kind == "change":
            return "event over" if now >= event.ends_at else None
        if event.is_cancelled:
            return "event cancelled"
        if now >= event.starts_at:
            return "event started"
        if notice.kind == "reminder" and nearest[(notice.event_id, notice.user_id)] < notice.ref:
            return "superseded by a nearer reminder"
        return None

    async def _deliver(
        self,
        notice: EventNotice,
        now: datetime,
        nearest: dict[tuple[int, int], int],
        report: RunReport,
    ) -> None:
        if self._sender is None:
            raise RuntimeError("ReminderRunner.connect() was not called")
        if self._turn is not None:
            await self._turn(notice.user_id)
        if not await self._events.claim(notice.id, now=now):
            return  # another run took it, or its event moved since the batch was read
        # Staff may have changed the event while this batch was being sent: say what it is now.
        event = await self._events.get(notice.event_id)
        reason = self._skip_reason(notice, event, now, nearest)
        if reason is not None:
            await self._events.finish(notice.id, state="skipped", detail=reason, now=now)
            report.skipped += 1
            return
        assert event is not None
        outcome = await self._sender(notice, event, now)
        if outcome.retry_after_s is not None and self._turn is not None:
            hits = report.retry_after_hits.get(notice.id, 0) + 1
            report.retry_after_hits[notice.id] = hits
            if hits <= MAX_RETRY_AFTER_WAITS:
                # Telegram did not take it: pending again, unclaimed while the limiter waits
                # out the pause, and sent in this run's next batch.
                await self._events.release(notice.id, now=now)
                report.retried += 1
                return
        waits = 0
        while (
            outcome.retry_after_s is not None
            and self._turn is None
            and waits < MAX_RETRY_AFTER_WAITS
        ):
            waits += 1
            logger.info("Telegram asked to wait %.1f s before sending more", outcome.retry_after_s)
            await self.sleep(outcome.retry_after_s)
            outcome = await self._sender(notice, event, now)
        result = outcome.result
        if result is SendResult.NOT_SENT or outcome.retry_after_s is not None:
            if notice.attempts + 1 < MAX_ATTEMPTS:
                later = self._clock.now() + timedelta(seconds=RETRY_DELAY_S)
                await self._events.retry_later(notice.id, due_at=later, now=now)
                report.retried += 1
                return
            result = SendResult.FAILED
        if result in (SendResult.SENT, SendResult.UNCONFIRMED):
            detail = "unconfirmed" if result is SendResult.UNCONFIRMED else None
            await self._events.finish(notice.id, state="sent", detail=detail, now=now)
            report.sent += 1
        else:
            detail = outcome.detail or result.value
            await self._events.finish(notice.id, state="skipped", detail=detail, now=now)
            report.skipped += 1
            report.details.append(detail)
        if self.sends_per_s > 0 and self._turn is None:
            await self.sleep(1 / self.sends_per_s)
