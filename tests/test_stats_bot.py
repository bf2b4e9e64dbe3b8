"""/stats and /report through Telegram: charts in the staff member's language, staff only, and
only where no stranger reads them."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta

import openpyxl
import pytest

from bot.stats import labels
from bot.stats.periods import Period, period_start
from handlers.stats import SELECTED_MARK
from storage.db import Database
from storage.stats import QUERIES, Window
from tests import stats_fixture
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, STAFF_CHAT, Harness, catalogs, expected, label

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHART_PIXELS = (1080, 1350)


@pytest.fixture
async def hub(harness: Harness) -> AsyncIterator[Harness]:
    """The known database, the bot running on its "now", French and Arabic readers as staff."""
    db = Database(harness.config.database_path)
    await db.open()
    await stats_fixture.fill(db)
    await db.close()
    harness.clock.set(stats_fixture.NOW)
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    harness.api.add_group(-500, "Strangers")
    async with harness.running(
        admin_ids=frozenset({ADMIN, ARABIC_USER, FRENCH_USER}), staff_chat_id=STAFF_CHAT
    ):
        yield harness


def _png_size(content: bytes) -> tuple[int, int]:
    assert content.startswith(PNG_SIGNATURE)
    return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")


@pytest.mark.parametrize(
    ("user", "language"), [(ADMIN, "en"), (FRENCH_USER, "fr"), (ARABIC_USER, "ar")]
)
async def test_focal_point_chart_for_one_country(hub: Harness, user: int, language: str) -> None:
    await hub.say(user, "/stats")
    morocco = label(language, "Morocco")
    [dashboard] = await hub.press(user, morocco)
    assert SELECTED_MARK + morocco in dashboard.button_texts()
    [chart] = await hub.press(user, label(language, "Focal points"))
    assert chart.photo is not None
    assert _png_size(chart.photo["content"]) == CHART_PIXELS
    t = catalogs().translator(language)
    window = Window(period_start(Period.LAST_30_DAYS, stats_fixture.NOW), stats_fixture.NOW, "MA")
    scope = t.label(
        "{period}, {country}",
        period=labels.period_label(t, Period.LAST_30_DAYS, window),
        country=morocco,
    )
    # Rabat, Fes and Tangier of Morocco's 8 network cities; Casablanca last wrote in January.
    assert chart.caption == t.label(
        "Focal points, {period}: {registered} registered, {approved} approved and {active} "
        "active in the period; {approved_in_all} approved focal points in all; {reached} of "
        "{cities} network cities reached ({share}).",
        period=scope,
        registered=5,
        approved=5,
        active=4,
        approved_in_all=5,
        reached=3,
        cities=8,
        share=labels.percent(t, 3 / 8),
    )


async def test_every_area_answers_with_charts(hub: Harness) -> None:
    await hub.say(ADMIN, "/stats")
    await hub.press(ADMIN, "This year")
    sent = []
    for area in ("Focal points", "Questions", "Support requests", "Events", "Broadcasts"):
        sent.extend(message for message in await hub.press(ADMIN, area) if message.photo)
    # Support requests come with a second chart: the requests waiting longest.
    assert len(sent) == 6
    for message in sent:
        assert message.photo is not None
        assert _png_size(message.photo["content"]) == CHART_PIXELS
        assert message.caption


async def test_stats_and_report_are_refused_to_others(hub: Harness) -> None:
    for command in ("/stats", "/report"):
        [refusal] = await hub.say(ENGLISH_USER, command)
        assert refusal.text == expected("en", "This is for hub staff only.")
    [refusal] = await hub.say(ADMIN, "/stats", chat_id=-500)
    # Any other group: the bot says where it works and leaves (handlers/chat_scope.py).
    assert refusal.text == expected(
        "en",
        "I work only in private chats: write to me at @{bot}. I am leaving this group.",
        bot="MenaHubBot",
    )
    assert not [message for message in hub.api.messages(-500) if message.photo]


async def test_stats_in_the_staff_chat_speak_its_language(hub: Harness) -> None:
    [dashboard] = await hub.say(ARABIC_USER, "/stats", chat_id=STAFF_CHAT)
    # The staff chat reads English (HUBBOT_STAFF_LANGUAGE), whoever asked.
    assert label("en", "Events") in dashboard.button_texts()


async def test_report_command_sends_the_workbook(hub: Harness) -> None:
    [report] = await hub.say(FRENCH_USER, "/report 2026-01-01 2026-06-30")
    assert report.document is not None
    assert report.document["file_name"] == "hub-report-2026-01-01-2026-06-30.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(report.document["content"]))
    summary = workbook.worksheets[0]
    assert summary.title == label("fr", "Summary")
    figures = {row[0]: row[1] for row in summary.iter_rows(min_row=4, values_only=True)}
    assert figures[label("fr", "Support requests filed")] == 7
    assert figures[label("fr", "Recipients")] == 15
    [problem] = await hub.say(FRENCH_USER, "/report 2026-06-30")
    assert problem.text == expected(
        "fr",
        "Give the first and last day of the report, for example: {example}",
        example="/report 2026-01-01 2026-06-30",
    )


async def test_every_question_asked_is_counted_without_the_person(hub: Harness) -> None:
    stats = hub.services.stats
    before = await stats.questions(stats.window(Period.LAST_30_DAYS))
    await hub.say(ENGLISH_USER, "What is the Strong Cities Network?")
    await hub.say(ENGLISH_USER, "zzqx vlorp")
    hub.clock.advance(timedelta(minutes=1))  # windows end just before "now"
    after = await stats.questions(stats.window(Period.LAST_30_DAYS))
    assert (after.asked, after.answered, after.declined) == (
        before.asked + 2,
        before.answered + 1,
        before.declined + 1,
    )


async def test_reports_and_charts_never_read_on_the_replies_connection(
    hub: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full-year report queued every reply's reads behind it: the statistics are read in a
    worker process, on a read-only connection of its own."""
    read_here: list[str] = []
    bot_reader = hub.services.db.fetchall

    async def recording(sql: str, params: object = ()) -> list[object]:
        read_here.append(sql)
        return await bot_reader(sql, params)  # type: ignore[arg-type]

    monkeypatch.setattr(hub.services.db, "fetchall", recording)
    [report] = await hub.say(ADMIN, "/report 2026-01-01 2026-06-30")
    assert report.document is not None
    await hub.say(ADMIN, "/stats")
    charts = await hub.press(ADMIN, label("en", "Support requests"))
    assert charts and all(chart.photo is not None for chart in charts)
    statistics = set(QUERIES.values())
    assert read_here  # the bot's own reads (who is writing) still go there
    assert not [sql for sql in read_here if sql in statistics]


USAGE = "Give the first and last day of the report, for example: {example}"
REVERSED = (
    "The last day, {last}, comes before the first, {first}. Give the first day, then the "
    "last, for example: {example}"
)
OUT_OF_RANGE = (
    "A report covers days from {earliest} to {latest}. Give the first and last day within "
    "them, for example: {example}"
)


@pytest.mark.parametrize(
    ("user", "language"), [(ADMIN, "en"), (FRENCH_USER, "fr"), (ARABIC_USER, "ar")]
)
async def test_report_days_out_of_range_or_malformed_get_a_clear_answer(
    hub: Harness, user: int, language: str
) -> None:
    """Year 9999's last day has no day after it, year 1 no midnight in UTC east of London;
    neither is a day with figures, nor is the end of a 50-year period.  Each gets its
    answer in the staff member's language, never the apology for an error."""
    example = "/report 2026-01-01 2026-06-30"
    latest = f"{stats_fixture.NOW.year + 1}-12-31"
    out_of_range = expected(
        language, OUT_OF_RANGE, earliest="2000-01-01", latest=latest, example=example
    )
    answers = {
        "9999-12-31 9999-12-31": out_of_range,
        "0001-01-01 0001-01-31": out_of_range,
        "2000-01-01 2049-12-31": out_of_range,
        "1999-12-31 2026-01-31": out_of_range,
        "2026-06-30 2026-01-01": expected(
            language, REVERSED, first="2026-06-30", last="2026-01-01", example=example
        ),
        "2026-02-30 2026-03-01": expected(language, USAGE, example=example),
        "2026-01-01": expected(language, USAGE, example=example),
        "yesterday today": expected(language, USAGE, example=example),
        "2026-01-01 2026-01-31 2026-02-28": expected(language, USAGE, example=example),
    }
    for period, answer in answers.items():
        [reply] = await hub.say(user, f"/report {period}")
        assert reply.text == answer, period
    assert hub.api.errors == []
    # The last day allowed still makes a report.
    [report] = await hub.say(user, f"/report 2026-01-01 {latest}")
    assert report.document is not None


async def test_report_days_in_a_time_zone_east_of_london(harness: Harness) -> None:
    """The first day allowed begins at midnight where staff are, the day before in UTC."""
    async with harness.running(staff_time_zone="Asia/Amman"):
        [report] = await harness.say(ADMIN, "/report 2000-01-01 2000-01-31")
        assert report.document is not None
        [refusal] = await harness.say(ADMIN, "/report 0001-01-01 0001-01-02")
        assert refusal.text is not None and "2000-01-01" in refusal.text
