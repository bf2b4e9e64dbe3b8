"""Figures, charts and workbooks already made, kept while the data under them is unchanged.

A figures page asks for an area's charts once per image, and staff open the same period and
country again and again; each was a worker job reading a whole period. A made thing is kept
under what it was made from (what, in which language, the period or the chosen days, the
country) with the database's data version at the time: any change committed since (by the
bot or by another process) makes it stale. Figures also move with the clock (a period ends
now, open requests keep waiting), so a thing is kept at most FRESH_S when its window reaches
now, PAST_S when it lies wholly in the past. Asked again while it is being made, it is made
once: the second asker waits for the first job instead of starting another.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.clock import Clock
from storage.stats import Window

# A window that ends now: the figures of "the last 30 days" two minutes later are as good.
FRESH_S = 120
# A window wholly in the past moves only with the waiting time of requests still open.
PAST_S = 3600
# Kept things, the least recently used dropped first (an area's charts are ~100 kB).
CACHE_ENTRIES = 96

T = TypeVar("T")


def window_key(window: Window) -> tuple[Hashable, ...]:
    """What a window covers, stable while its period slides with the clock."""
    span: tuple[Hashable, ...] = (
        (window.period,) if window.period is not None else (window.start, window.end)
    )
    return (*span, window.country, window.time_zone)


@dataclass
class _Kept:
    made: asyncio.Future[Any]
    version: int
    since: datetime
    lasts: timedelta


class FigureCache:
    """Things made from the statistics, by key, each valid for one data version."""

    def __init__(self, clock: Clock, *, entries: int = CACHE_ENTRIES) -> None:
        self._clock = clock
        self._entries = entries
        self._kept: OrderedDict[Hashable, _Kept] = OrderedDict()
        self.made = 0  # jobs started: what the tests (and a curious operator) count

    async def get(
        self, key: Hashable, window: Window, version: int, make: Callable[[], Awaitable[T]]
    ) -> T:
        """The thing kept under ``key`` if still valid, else made now (once for all askers)."""
        full_key = (key, window_key(window))
        now = self._clock.now()
        kept = self._kept.get(full_key)
        if kept is not None and (
            kept.version != version or now - kept.since >= kept.lasts or kept.made.cancelled()
        ):
            del self._kept[full_key]
            kept = None
        if kept is None:
            moving = window.period is not None or window.end > now
            lasts = timedelta(seconds=FRESH_S if moving else PAST_S)
            kept = _Kept(asyncio.ensure_future(make()), version, now, lasts)
            self.made += 1
            self._kept[full_key] = kept
            kept.made.add_done_callback(lambda done: self._forget_failed(full_key, done))
            while len(self._kept) > self._entries:
                self._kept.popitem(last=False)
        self._kept.move_to_end(full_key)
        # One asker giving up (a closed page) does not cancel the job the others wait for.
        result: T = await asyncio.shield(kept.made)
        return result

    def _forget_failed(self, key: Hashable, done: asyncio.Future[Any]) -> None:
        kept = self._kept.get(key)
        if kept is not None and kept.made is done and (done.cancelled() or done.exception()):
            del self._kept[key]
