"""Figures from a known database, checked exactly, and the small-cell rule."""

from __future__ import annotations

import io
import warnings
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from matplotlib import ft2font

from bot.clock import ManualClock
from bot.i18n import Catalogs
from bot.stats import charts, labels
from bot.stats.cells import OTHER, Row, merge_small
from bot.stats.charts import shown
from bot.stats.periods import EPOCH, Period, period_start
from bot.stats.service import StatsService
from bot.stats.workbook import build_workbook
from storage.db import Database
from storage.stats import StatsRepository, Window
from tests import stats_fixture
from tests.harness import catalogs
from tests.stats_fixture import NOW


@pytest.fixture
async def stats(tmp_path: Path) -> AsyncIterator[StatsService]:
    db = Database(tmp_path / "stats.sqlite3")
    await db.open()
    await stats_fixture.fill(db)
    try:
        yield StatsService(stats=StatsRepository(db), clock=ManualClock(NOW))
    finally:
        await db.close()


def test_periods_are_calendar_ones_in_utc() -> None:
    now = datetime(2026, 8, 20, 15, 30, tzinfo=UTC)
    assert period_start(Period.LAST_30_DAYS, now) == datetime(2026, 7, 21, 15, 30, tzinfo=UTC)
    assert period_start(Period.QUARTER, now) == datetime(2026, 7, 1, tzinfo=UTC)
    assert period_start(Period.YEAR, now) == datetime(2026, 1, 1, tzinfo=UTC)
    assert period_start(Period.ALL_TIME, now) == EPOCH


def test_periods_begin_at_midnight_in_the_staff_time_zone() -> None:
    """At 00:30 on 1 January in Amman it is still 31 December in UTC: the Hub's year has begun
    where its staff are, and a report's days are theirs."""
    now = datetime(2025, 12, 31, 21, 30, tzinfo=UTC)  # 00:30 on 1 January 2026 in Amman
    new_year_in_amman = datetime(2025, 12, 31, 21, 0, tzinfo=UTC)
    assert period_start(Period.YEAR, now, "Asia/Amman") == new_year_in_amman
    assert period_start(Period.QUARTER, now, "Asia/Amman") == new_year_in_amman
    assert period_start(Period.YEAR, now) == datetime(2025, 1, 1, tzinfo=UTC)
    assert period_start(Period.YEAR, now, "America/New_York") == datetime(
        2025, 1, 1, 5, 0, tzinfo=UTC
    )


async def test_a_reports_days_are_the_staff_time_zones(tmp_path: Path) -> None:
    db = Database(tmp_path / "stats.sqlite3")
    await db.open()
    try:
        await stats_fixture.fill(db)
        repository = StatsRepository(db)
        # 23:30 UTC on 31 May is 02:30 on 1 June in Amman.
        late = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
        await repository.record_question(language="en", country="JO", topic=None, now=late)
        in_amman = StatsService(stats=repository, clock=ManualClock(NOW), time_zone="Asia/Amman")
        in_utc = StatsService(stats=repository, clock=ManualClock(NOW))
        june_first = datetime(2026, 6, 1).date()
        amman_day = in_amman.days(june_first, june_first)
        utc_day = in_utc.days(june_first, june_first)
        assert amman_day.start == datetime(2026, 5, 31, 21, 0, tzinfo=UTC)
        assert (await in_amman.questions(amman_day)).asked == (
            await in_utc.questions(utc_day)
        ).asked + 1
        # Its dates read as the staff's day, not the UTC one it starts on.
        t = catalogs().translator("en")
        assert labels.period_label(t, None, amman_day) == labels.period_label(t, None, utc_day)
        assert "31" not in labels.period_label(t, None, amman_day)
    finally:
        await db.close()


def test_a_real_other_topic_and_small_cells_make_one_other() -> None:
    """Support requests have a topic called "Other"; the small-cell merge made a second bar
    with the same name on the "By topic" chart."""
    rows = [Row("training", (5,)), Row(OTHER, (4,)), Row("legal", (1,)), Row("media", (1,))]
    assert merge_small(rows) == [Row("training", (5,)), Row(OTHER, (6,))]
    # A real "Other" of its own, with no small cell beside it, stays one bar too.
    assert merge_small([Row("training", (5,)), Row(OTHER, (4,))]) == [
        Row("training", (5,)),
        Row(OTHER, (4,)),
    ]


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_the_report_says_which_figures_are_in_the_period_and_which_in_all(
    stats: StatsService, language: str
) -> None:
    t = catalogs().translator(language)
    report = await stats.report(stats.window(Period.LAST_30_DAYS))
    summary = openpyxl.load_workbook(io.BytesIO(build_workbook(t, report))).worksheets[0]
    rows = {row[0]: row[1:] for row in summary.iter_rows(min_row=4, max_col=3, values_only=True)}
    assert [cell.value for cell in summary[3][:3]] == [
        t.label("Figure"),
        t.label("In the period"),
        t.label("In all, at the end of the period"),
    ]
    # 9 registered in the last 30 days, 12 by its end; 8 approved in it, 11 approved in all.
    assert rows[t.label("Focal points registered")] == (9, 12)
    assert rows[t.label("Focal points approved")] == (8, 11)
    assert rows[t.label("Active focal points")] == (9, None)
    assert rows[t.label("Network cities")] == (None, 29)
    chart = charts.focal_points_chart(t, "", report.focal_points)
    assert str(t.number(11)) in chart.caption


def test_small_cells_merge_into_other_and_other_is_never_small() -> None:
    rows = [Row("MA", (10, 4)), Row("JO", (6, 3)), Row("TN", (2, 0)), Row("EG", (0, 0))]
    # TN alone in "other" would be TN's figure under another name: JO, the smallest, joins.
    assert merge_small(rows) == [Row("MA", (10, 4)), Row(OTHER, (8, 3))]
    assert merge_small([Row("MA", (5,)), Row("TN", (4,))]) == [Row("MA", (5,)), Row("TN", (4,))]
    assert merge_small([Row("MA", (1,)), Row("TN", (1,))]) == [Row(OTHER, (2,))]


async def test_focal_points_last_30_days(stats: StatsService) -> None:
    figures = await stats.focal_points(stats.window(Period.LAST_30_DAYS))
    # TN (1 registered, 0 approved, 2 active) is small; JO joins it so "other" is not TN.
    assert figures.by_country == [Row("MA", (5, 5, 4)), Row(OTHER, (4, 3, 5))]
    assert (figures.registered, figures.approved, figures.active) == (9, 8, 9)
    # Rabat, Fes, Tangier, Karak, Zarqa, Irbid, Tunis, Sousse of the 29 network cities.
    assert (figures.cities_reached, figures.network_cities) == (8, 29)


async def test_focal_points_of_one_country_over_the_year(stats: StatsService) -> None:
    figures = await stats.focal_points(stats.window(Period.YEAR, "MA"))
    # Casablanca's focal point last wrote in January: active this year, not this month.
    assert figures.by_country == [Row("MA", (5, 5, 5))]
    assert (figures.cities_reached, figures.network_cities) == (4, 8)
    everything = await stats.focal_points(stats.window(Period.ALL_TIME))
    assert (everything.registered, everything.approved, everything.active) == (12, 11, 11)


async def test_questions_last_30_days(stats: StatsService) -> None:
    figures = await stats.questions(stats.window(Period.LAST_30_DAYS))
    # en (2 asked, 1 answered, 1 declined) is small; fr, the smallest left, joins it.
    assert figures.by_language == [Row("ar", (14, 10, 4, 3)), Row(OTHER, (11, 7, 4, 0))]
    assert figures.by_topic == [Row("themes", (10,)), Row(OTHER, (7,))]
    assert (figures.asked, figures.answered, figures.declined, figures.forwarded) == (
        25,
        17,
        8,
        3,
    )
    assert figures.median_answer_hours == 3.0  # 2 h and 4 h; one not answered yet
    # Two people asked «ما هو الصندوق؟»: their words are not shown.
    assert [(q.text, q.count) for q in figures.frequent_unanswered] == [("budget template?", 3)]


async def test_support_requests_last_30_days(stats: StatsService) -> None:
    figures = await stats.requests(stats.window(Period.LAST_30_DAYS))
    assert figures.filed == 6
    assert figures.by_status == [Row("new", (3,)), Row(OTHER, (3,))]
    assert figures.by_topic == [Row(OTHER, (6,))]
    assert figures.by_country == [Row(OTHER, (6,))]
    # 6 h, 2 h and 24 h: the city's own answer (back to review) is not a staff response.
    assert figures.median_first_response_hours == 6.0
    assert figures.median_completion_days == 5.0
    assert [r.reference for r in figures.waiting_longest] == [
        "TSR-2026-0001",
        "TSR-2026-0003",
        "TSR-2026-0004",
        "TSR-2026-0005",
        "TSR-2026-0006",
        "TSR-2026-0007",
    ]
    assert stats.waiting_days(figures.waiting_longest[0]) == pytest.approx(156.125)


async def test_events_and_broadcasts_last_30_days(stats: StatsService) -> None:
    window = stats.window(Period.LAST_30_DAYS)
    events = await stats.events(window)
    assert events.by_country == [Row("MA", (5, 5, 0, 0, 5)), Row("JO", (3, 0, 3, 0, 0))]
    assert (events.events, events.invited, events.going, events.maybe, events.not_going) == (
        1,
        8,
        5,
        3,
        0,
    )
    assert events.reminders_sent == 5
    broadcasts = await stats.broadcasts(window)
    assert broadcasts.by_language == [
        Row("ar", (6, 3, 3, 0)),
        Row("fr", (5, 5, 0, 0)),
        Row("en", (3, 0, 0, 3)),
    ]
    assert broadcasts.by_country == [
        Row("MA", (5, 5, 0, 0)),
        Row("JO", (3, 3, 0, 0)),
        Row("LB", (3, 0, 0, 3)),
        Row("TN", (3, 0, 3, 0)),
    ]
    assert (broadcasts.broadcasts, broadcasts.recipients, broadcasts.delivered) == (1, 14, 8)
    assert (broadcasts.blocked, broadcasts.failed) == (3, 3)


async def test_a_country_filter_reaches_every_area(stats: StatsService) -> None:
    window = stats.window(Period.LAST_30_DAYS, "TN")
    assert (await stats.requests(window)).filed == 1
    assert (await stats.broadcasts(window)).by_country == [Row("TN", (3, 0, 3, 0))]
    assert (await stats.events(window)).events == 0
    assert (await stats.questions(window)).asked == 0


async def test_a_custom_window(stats: StatsService) -> None:
    window = Window(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))
    assert (await stats.questions(window)).by_topic == [Row(OTHER, (2,))]
    assert (await stats.broadcasts(window)).recipients == 1


def test_arabic_reaches_matplotlib_in_logical_order() -> None:
    """matplotlib lays Arabic out itself (libraqm: letters joined, right to left): text put in
    visual order beforehand came out mirrored, every Arabic label read backwards."""
    assert ft2font.__libraqm_version__
    t = catalogs().translator("ar")
    assert shown(t, t.label("Questions without an answer")) == "الأسئلة دون إجابة"
    assert shown(t, t.label("{period}, {country}", period="هذا العام", country="المغرب")) == (
        "هذا العام، المغرب"
    )


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_charts_draw_every_letter(stats: StatsService, language: str) -> None:
    """matplotlib warns "Glyph ... missing from font(s)" when it would draw a box: an error here."""
    t = Catalogs.load().translator(language)
    window = stats.window(Period.ALL_TIME)
    scope = labels.period_label(t, Period.ALL_TIME, window)
    requests = await stats.requests(window)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        drawn = [
            charts.focal_points_chart(t, scope, await stats.focal_points(window)),
            charts.questions_chart(t, scope, await stats.questions(window)),
            charts.requests_chart(t, scope, requests),
            charts.waiting_chart(t, [(r, stats.waiting_days(r)) for r in requests.waiting_longest]),
            charts.events_chart(t, scope, await stats.events(window)),
            charts.broadcasts_chart(t, scope, await stats.broadcasts(window)),
        ]
    for chart in drawn:
        assert chart.png.startswith(b"\x89PNG")
        assert chart.caption
