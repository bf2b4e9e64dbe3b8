"""What each /stats area shows: its figures (queried now), then a drawing of its charts.

A drawing is a function run later, in a worker, since drawing is CPU work.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from bot.i18n import Translator
from bot.stats import charts
from bot.stats.charts import Chart
from bot.stats.service import StatsService
from storage.stats import Window

Drawing = Callable[[], list[Chart]]
Renderer = Callable[[Translator, str, StatsService, Window], Coroutine[Any, Any, Drawing]]


async def _focal_points(t: Translator, scope: str, stats: StatsService, window: Window) -> Drawing:
    figures = await stats.focal_points(window)
    return lambda: [charts.focal_points_chart(t, scope, figures)]


async def _questions(t: Translator, scope: str, stats: StatsService, window: Window) -> Drawing:
    figures = await stats.questions(window)
    return lambda: [charts.questions_chart(t, scope, figures)]


async def _requests(t: Translator, scope: str, stats: StatsService, window: Window) -> Drawing:
    figures = await stats.requests(window)
    waiting = [(request, stats.waiting_days(request)) for request in figures.waiting_longest]
    return lambda: [charts.requests_chart(t, scope, figures), charts.waiting_chart(t, waiting)]


async def _events(t: Translator, scope: str, stats: StatsService, window: Window) -> Drawing:
    figures = await stats.events(window)
    return lambda: [charts.events_chart(t, scope, figures)]


async def _broadcasts(t: Translator, scope: str, stats: StatsService, window: Window) -> Drawing:
    figures = await stats.broadcasts(window)
    return lambda: [charts.broadcasts_chart(t, scope, figures)]


AREAS: dict[str, Renderer] = {
    "fp": _focal_points,
    "q": _questions,
    "r": _requests,
    "e": _events,
    "b": _broadcasts,
}
# How many charts each area draws (support requests: also those waiting longest).
CHART_COUNTS = {area: 2 if area == "r" else 1 for area in AREAS}
