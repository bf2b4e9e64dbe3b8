"""Flood control per person: a few messages at once, then a steady pace; what comes faster is
set aside (not answered one by one for minutes afterwards), with one word to slow down."""

from __future__ import annotations

import contextvars
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.constants import ChatType

# Idle people are forgotten once this many are remembered.
MAX_REMEMBERED_PEOPLE = 10_000
# Telegram's most items in one album (media group): more with one id is not an album.
ALBUM_MAX_ITEMS = 10
# Updates whose sender and chat sit in the same place (``from`` and ``chat``).
_RAW_MESSAGE_KINDS = ("message", "edited_message", "business_message", "edited_business_message")


class Unknown(enum.Enum):
    UNKNOWN = "unknown"


UNKNOWN = Unknown.UNKNOWN


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
    album: str | None = None  # the album (media group) last counted, and its items so far
    album_items: int = 0


class FloodGuard:
    """A token bucket per person: ``burst`` messages at once, then ``per_s`` a second.  An
    album of ten photos is ten updates but one message: its files after the first are let
    through with it (or set aside with it), so a file of an album is never lost alone."""

    def __init__(self, burst: int, per_s: float) -> None:
        self.burst = burst
        self.per_s = per_s
        self._buckets: dict[int, _Bucket] = {}
        self.skipped = 0

    def check(self, user_id: int, now_s: float, album: str | None = None) -> Verdict:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= MAX_REMEMBERED_PEOPLE:
                self._forget_idle(now_s)
            bucket = self._buckets[user_id] = _Bucket(float(self.burst), now_s)
        if album is not None and album == bucket.album and bucket.album_items < ALBUM_MAX_ITEMS:
            bucket.album_items += 1
            return Verdict.HANDLE
        elapsed = max(now_s - bucket.at_s, 0.0)
        bucket.tokens = min(bucket.tokens + elapsed * self.per_s, float(self.burst))
        bucket.at_s = now_s
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            bucket.album, bucket.album_items = album, 1
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
        if user is None or chat is None:
            return None
        message = update.effective_message
        callback = update.callback_query is not None
        album = message.media_group_id if message is not None and not callback else None
        return self._judge(user.id, user.is_bot, chat.type, callback, now_s, album)

    def screen_raw(self, update: Mapping[str, Any], now_s: float) -> Verdict | Unknown | None:
        """The same verdict on an update as Telegram sent it, before python-telegram-bot builds
        its objects (what a flood costs is mostly that); ``UNKNOWN`` for kinds of update left
        to :meth:`screen`."""
        for kind in _RAW_MESSAGE_KINDS:
            if kind in update:
                message, callback = update[kind], False
                break
        else:
            if "callback_query" not in update:
                return UNKNOWN
            message, callback = update["callback_query"].get("message") or {}, True
        user = update["callback_query"]["from"] if callback else message.get("from")
        chat = message.get("chat")
        if user is None or chat is None:
            return None
        album = None if callback else message.get("media_group_id")
        return self._judge(
            user["id"], user.get("is_bot", False), chat.get("type"), callback, now_s, album
        )

    def _judge(
        self,
        user_id: int,
        is_bot: bool,
        chat_type: str | None,
        callback: bool,
        now_s: float,
        album: str | None = None,
    ) -> Verdict | None:
        if is_bot:
            return None
        # Talk among staff in their group is not addressed to the bot; buttons pressed there are.
        if chat_type != ChatType.PRIVATE and not callback:
            return None
        return self.check(user_id, now_s, album)

    def _forget_idle(self, now_s: float) -> None:
        full_after_s = self.burst / self.per_s
        self._buckets = {
            user: bucket
            for user, bucket in self._buckets.items()
            if now_s - bucket.at_s < full_after_s
        }
