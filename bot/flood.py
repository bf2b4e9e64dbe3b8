"""Flood control per person: a few messages at once, then a steady pace; what comes faster is
set aside (not answered one by one for minutes afterwards), with one word to slow down."""

from __future__ import annotations

import contextvars
import enum
from dataclasses import dataclass

from telegram import Update
from telegram.constants import ChatType

# Idle people are forgotten once this many are remembered.
MAX_REMEMBERED_PEOPLE = 10_000


class Verdict(enum.Enum):
    HANDLE = "handle"
    WARN = "warn"  # the first update set aside: tell them once
    SKIP = "skip"


# The verdict on the update being handled, given when it arrived (None: not counted).
verdict_on_arrival: contextvars.ContextVar[Verdict | None] = contextvars.ContextVar(
    "verdict_on_arrival", default=None
)


@dataclass
class _Bucket:
    tokens: float
    at_s: float
    warned: bool = False


class FloodGuard:
    """A token bucket per person: ``burst`` updates at once (an album of ten photos is ten
    updates), then ``per_s`` a second."""

    def __init__(self, burst: int, per_s: float) -> None:
        self.burst = burst
        self.per_s = per_s
        self._buckets: dict[int, _Bucket] = {}
        self.skipped = 0

    def check(self, user_id: int, now_s: float) -> Verdict:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= MAX_REMEMBERED_PEOPLE:
                self._forget_idle(now_s)
            bucket = self._buckets[user_id] = _Bucket(float(self.burst), now_s)
        elapsed = max(now_s - bucket.at_s, 0.0)
        bucket.tokens = min(bucket.tokens + elapsed * self.per_s, float(self.burst))
        bucket.at_s = now_s
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return Verdict.HANDLE
        self.skipped += 1
        if bucket.warned:
            return Verdict.SKIP
        bucket.warned = True
        return Verdict.WARN

    def screen(self, update: object, now_s: float) -> Verdict | None:
        """The verdict on an update as it arrives; None for what is not counted."""
        if not isinstance(update, Update):
            return None
        user, chat = update.effective_user, update.effective_chat
        if user is None or user.is_bot or chat is None:
            return None
        # Talk among staff in their group is not addressed to the bot; buttons pressed there are.
        if chat.type != ChatType.PRIVATE and update.callback_query is None:
            return None
        return self.check(user.id, now_s)

    def _forget_idle(self, now_s: float) -> None:
        full_after_s = self.burst / self.per_s
        self._buckets = {
            user: bucket
            for user, bucket in self._buckets.items()
            if now_s - bucket.at_s < full_after_s
        }
