"""Figures for a period and a country, ready to chart or to write: the small-cell rule applied,
medians computed, totals beside the merged cells."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median
from typing import TYPE_CHECKING, TypeVar

from bot.clock import Clock
from bot.geography import COUNTRIES, OTHER_COUNTRY
from bot.stats.cache import FigureCache
from bot.stats.cells import SMALL_CELL_LIMIT, Row, merge_small
from bot.stats.periods import Period, day_start, latest_day, period_start
from storage.stats import (
    BroadcastReach,
    EventAttendance,
    FrequentQuestion,
    RequestRow,
    RequestStep,
    StatsRepository,
    Window,
)

if TYPE_CHECKING:
    from bot.i18n import Translator
    from bot.stats.charts import Chart
    from bot.stats.worker import StatsWorker

T = TypeVar("T")

FREQUENT_QUESTIONS = 10
WAITING_LONGEST = 10
HOUR_S = 3600
DAY_S = 86400


@dataclass(frozen=True)
class FocalPointStats:
    by_country: list[Row]  # registered, approved, active
    # Counts in the period...
    registered: int
    approved: int
    active: int
    cities_reached: int
    # ...and totals at its end.
    registered_in_all: int
    approved_in_all: int
    network_cities: int


@dataclass(frozen=True)
class QuestionStats:
    by_language: list[Row]  # asked, answered, declined, forwarded
    by_topic: list[Row]  # answered by an entry of this knowledge topic
    asked: int
    answered: int
    declined: int
    forwarded: int
    median_answer_hours: float | None  # staff answering forwarded questions
    frequent_unanswered: list[FrequentQuestion]


@dataclass(frozen=True)
class RequestStats:
    by_status: list[Row]
    by_topic: list[Row]
    by_kind: list[Row]
    by_country: list[Row]
    filed: int
    median_first_response_hours: float | None
    median_completion_days: float | None
    waiting_longest: list[RequestRow]
    rows: list[RequestRow]


@dataclass(frozen=True)
class EventStats:
    by_country: list[Row]  # invited, going, maybe, not going, reminders sent
    events: int
    invited: int
    going: int
    maybe: int
    not_going: int
    reminders_sent: int
    rows: list[EventAttendance]


@dataclass(frozen=True)
class BroadcastStats:
    by_language: list[Row]  # recipients, delivered, blocked, failed
    by_country: list[Row]
    broadcasts: int
    recipients: int
    delivered: int
    blocked: int
    failed: int
    rows: list[BroadcastReach]


@dataclass(frozen=True)
class Overview:
    """The five /stats areas for one window: what the console's figures page shows."""

    window: Window
    focal_points: FocalPointStats
    questions: QuestionStats
    requests: RequestStats
    events: EventStats
    broadcasts: BroadcastStats


@dataclass(frozen=True)
class Report:
    """Everything the funder's workbook shows, for one window."""

    window: Window
    focal_points: FocalPointStats
    questions: QuestionStats
    requests: RequestStats
    history: list[RequestStep]
    events: EventStats
    broadcasts: BroadcastStats


def network_cities(country: str | None) -> set[tuple[str, str]]:
    """The cities the Hub works with (bot/geography.py), in one country or all."""
    return {
        (place.code, city)
        for place in COUNTRIES
        if place.code != OTHER_COUNTRY and country in (None, place.code)
        for city in place.cities
    }


def _rows(counts: Iterable[tuple[str, tuple[int, ...]]]) -> list[Row]:
    """Sum figures per key, biggest first, then merge the small cells."""
    totals: dict[str, list[int]] = {}
    for key, values in counts:
        current = totals.setdefault(key, [0] * len(values))
        for index, value in enumerate(values):
            current[index] += value
    rows = [Row(key, tuple(values)) for key, values in totals.items()]
    rows.sort(key=lambda row: (-row.values[0], row.key))
    return merge_small(rows)


def _median(values: list[float]) -> float | None:
    return median(values) if values else None


def _elapsed(start: datetime, end: datetime | None, unit_s: int) -> float | None:
    return None if end is None else (end - start).total_seconds() / unit_s


class StatsService:
    def __init__(
        self,
        *,
        stats: StatsRepository,
        clock: Clock,
        worker: StatsWorker | None = None,
        time_zone: str = "UTC",
    ) -> None:
        self._stats = stats
        self._clock = clock
        # Periods and days are counted in the staff's time zone (HUBBOT_STAFF_TIME_ZONE).
        self._time_zone = time_zone
        # The bot's: long reads and their CPU work in a process of their own. Without one
        # (the command line, benchmarks of the figures) they run here, drawing in a thread.
        self._worker = worker
        self.cache = FigureCache(clock)

    async def workbook(self, t: Translator, window: Window) -> bytes:
        """The funder's workbook for the window."""
        key = ("workbook", t.language, str(t.locale))
        return await self._kept(key, window, lambda: self._workbook(t, window))

    async def _workbook(self, t: Translator, window: Window) -> bytes:
        if self._worker is not None:
            return await self._worker.workbook(t, window, self._clock.now())
        from bot.stats.workbook import build_workbook

        return await asyncio.to_thread(build_workbook, t, await self.report(window))

    async def charts(self, area: str, t: Translator, scope: str, window: Window) -> list[Chart]:
        """The charts of one /stats area for the window."""
        key = ("charts", area, t.language, str(t.locale), scope)
        return await self._kept(key, window, lambda: self._charts(area, t, scope, window))

    async def _charts(self, area: str, t: Translator, scope: str, window: Window) -> list[Chart]:
        if self._worker is not None:
            return await self._worker.charts(area, t, scope, window, self._clock.now())
        from bot.stats.areas import AREAS
        from bot.stats.charts import draw_alone

        draw = await AREAS[area](t, scope, self, window)
        return await asyncio.to_thread(draw_alone, draw)

    async def overview(self, window: Window) -> Overview:
        """Every area's figures for the window, read in the worker when there is one."""
        return await self._kept(("overview",), window, lambda: self._overview(window))

    async def _overview(self, window: Window) -> Overview:
        if self._worker is not None:
            return await self._worker.overview(window, self._clock.now())
        return Overview(
            window=window,
            focal_points=await self.focal_points(window),
            questions=await self.questions(window),
            requests=await self.requests(window),
            events=await self.events(window),
            broadcasts=await self.broadcasts(window),
        )

    async def _kept(self, key: Hashable, window: Window, make: Callable[[], Awaitable[T]]) -> T:
        """Made once per data version (bot/stats/cache.py): a figures page's charts, the same
        period opened again, two staff asking at once."""
        version = await self._stats.data_version()
        return await self.cache.get(key, window, version, make)

    @property
    def worker(self) -> StatsWorker | None:
        return self._worker

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()

    def window(self, period: Period, country: str | None = None) -> Window:
        now = self._clock.now()
        start = period_start(period, now, self._time_zone)
        return Window(start, now, country, self._time_zone, period=period.value)

    def latest_day(self) -> date:
        """The last day :meth:`days` may be asked for (the first is ``EARLIEST_DAY``)."""
        return latest_day(self._clock.now(), self._time_zone)

    def days(self, first: date, last: date, country: str | None = None) -> Window:
        """From the first day to the last, both included, in the staff's time zone."""
        return Window(
            day_start(first, self._time_zone),
            day_start(last + timedelta(days=1), self._time_zone),
            country,
            self._time_zone,
        )

    async def record_question(
        self, *, language: str, country: str | None, topic: str | None
    ) -> None:
        await self._stats.record_question(
            language=language, country=country, topic=topic, now=self._clock.now()
        )

    async def focal_points(self, window: Window) -> FocalPointStats:
        counts = await self._stats.focal_points(window)
        network = network_cities(window.country)
        reached = await self._stats.cities_reached(window)
        return FocalPointStats(
            by_country=_rows(
                (row.country, (row.registered, row.approved, row.active)) for row in counts
            ),
            registered=sum(row.registered for row in counts),
            approved=sum(row.approved for row in counts),
            active=sum(row.active for row in counts),
            cities_reached=len(reached & network),
            registered_in_all=sum(row.registered_in_all for row in counts),
            approved_in_all=sum(row.approved_in_all for row in counts),
            network_cities=len(network),
        )

    async def questions(self, window: Window) -> QuestionStats:
        asked = await self._stats.questions_asked(window)
        forwarded = await self._stats.forwarded_questions(window)
        per_language: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        per_topic: Counter[str] = Counter()
        for cell in asked:
            figures = per_language[cell.language]
            figures[0] += cell.count
            figures[1 if cell.outcome == "answered" else 2] += cell.count
            if cell.topic is not None:
                per_topic[cell.topic] += cell.count
        for question in forwarded:
            per_language[question.language][3] += 1
        answer_hours = [
            hours
            for question in forwarded
            if (hours := _elapsed(question.forwarded_at, question.answered_at, HOUR_S)) is not None
        ]
        return QuestionStats(
            by_language=_rows((key, tuple(values)) for key, values in per_language.items()),
            by_topic=_rows((topic, (count,)) for topic, count in per_topic.items()),
            asked=sum(cell.count for cell in asked),
            answered=sum(cell.count for cell in asked if cell.outcome == "answered"),
            declined=sum(cell.count for cell in asked if cell.outcome == "declined"),
            forwarded=len(forwarded),
            median_answer_hours=_median(answer_hours),
            # A question's words are its asker's: shown only once several people asked it.
            frequent_unanswered=await self._stats.frequent_unanswered(
                window, limit=FREQUENT_QUESTIONS, min_askers=SMALL_CELL_LIMIT
            ),
        )

    async def requests(self, window: Window) -> RequestStats:
        rows = await self._stats.requests(window)

        def by(attribute: str) -> list[Row]:
            return _rows((getattr(row, attribute), (1,)) for row in rows)

        first_response = [
            hours
            for row in rows
            if (hours := _elapsed(row.created_at, row.first_response_at, HOUR_S)) is not None
        ]
        completion = [
            days
            for row in rows
            if (days := _elapsed(row.created_at, row.completed_at, DAY_S)) is not None
        ]
        return RequestStats(
            by_status=by("status"),
            by_topic=by("topic"),
            by_kind=by("support_kind"),
            by_country=by("country"),
            filed=len(rows),
            median_first_response_hours=_median(first_response),
            median_completion_days=_median(completion),
            waiting_longest=await self._stats.waiting_longest(window.country, WAITING_LONGEST),
            rows=rows,
        )

    async def events(self, window: Window) -> EventStats:
        rows = await self._stats.event_attendance(window)
        return EventStats(
            by_country=_rows(
                (
                    row.country,
                    (row.invited, row.going, row.maybe, row.not_going, row.reminders_sent),
                )
                for row in rows
            ),
            events=len({row.event_id for row in rows}),
            invited=sum(row.invited for row in rows),
            going=sum(row.going for row in rows),
            maybe=sum(row.maybe for row in rows),
            not_going=sum(row.not_going for row in rows),
            reminders_sent=sum(row.reminders_sent for row in rows),
            rows=rows,
        )

    async def broadcasts(self, window: Window) -> BroadcastStats:
        rows = await self._stats.broadcast_reach(window)

        def figures(row: BroadcastReach) -> tuple[int, ...]:
            return (row.recipients, row.delivered, row.blocked, row.failed)

        return BroadcastStats(
            by_language=_rows((row.language, figures(row)) for row in rows),
            by_country=_rows((row.country, figures(row)) for row in rows),
            broadcasts=len({row.broadcast_id for row in rows}),
            recipients=sum(row.recipients for row in rows),
            delivered=sum(row.delivered for row in rows),
            blocked=sum(row.blocked for row in rows),
            failed=sum(row.failed for row in rows),
            rows=rows,
        )

    async def report(self, window: Window) -> Report:
        return Report(
            window=window,
            focal_points=await self.focal_points(window),
            questions=await self.questions(window),
            requests=await self.requests(window),
            history=await self._stats.request_history(window),
            events=await self.events(window),
            broadcasts=await self.broadcasts(window),
        )

    def waiting_days(self, request: RequestRow) -> float:
        return (self._clock.now() - request.created_at) / timedelta(days=1)
