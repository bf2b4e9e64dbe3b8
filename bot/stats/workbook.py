"""The funder's report as an Excel workbook: headline figures with native charts, then the rows
behind each figure, one sheet per area, in one language (Arabic sheets right to left)."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from bot.i18n import Translator
from bot.stats import labels
from bot.stats.cells import OTHER, Row, merge_small
from bot.stats.charts import OKABE_ITO
from bot.stats.headlines import headlines
from bot.stats.service import Report

SHEET_NAME_MAX_CHARS = 31
# Direction isolates (U+2066-U+2069) keep a Latin name or a number whole inside an Arabic
# message; in a cell they are invisible characters a formula or a filter trips on, and the
# sheet's own direction already lays the cell out.
NO_ISOLATES = str.maketrans("", "", "\u2066\u2067\u2068\u2069")


def cell_text(text: str) -> str:
    return text.translate(NO_ISOLATES)


COLUMN_WIDTH = 18
WIDE_COLUMN_WIDTH = 40


def _excel_time(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """Excel has no time zones: the time where staff are (the column's title names the zone,
    as the report's days are theirs), written as a plain date and time."""
    return None if moment is None else moment.astimezone(zone).replace(tzinfo=None)


def _hours(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 3600, 2)


def _days(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 86400, 2)


class _Book:
    """The workbook being written, with the formats and the reader's direction."""

    def __init__(self, t: Translator, time_zone: str) -> None:
        self.t = t
        self.time_zone = time_zone  # of every date and time in a row
        self.zone = ZoneInfo(time_zone)
        self.buffer = io.BytesIO()
        self.workbook: Workbook = xlsxwriter.Workbook(self.buffer, {"in_memory": True})
        self.bold = self.workbook.add_format({"bold": True})
        self.title = self.workbook.add_format({"bold": True, "font_size": 14})
        self.header = self.workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True})
        self.moment = self.workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.decimal = self.workbook.add_format({"num_format": "0.0"})

    def sheet(self, name: str) -> Worksheet:
        sheet = self.workbook.add_worksheet(_sheet_name(name))
        if self.t.is_rtl:
            sheet.right_to_left()
        return sheet

    def table(
        self,
        sheet: Worksheet,
        top: int,
        left: int,
        titles: Sequence[str],
        rows: Sequence[Sequence[Any]],
    ) -> int:
        """Column titles then rows; returns the row after the table."""
        sheet.write_row(top, left, [cell_text(title) for title in titles], self.header)
        for offset, values in enumerate(rows, start=1):
            for column, value in enumerate(values):
                if isinstance(value, datetime):
                    sheet.write_datetime(top + offset, left + column, value, self.moment)
                elif isinstance(value, float):
                    sheet.write_number(top + offset, left + column, value, self.decimal)
                elif value is None:
                    sheet.write_blank(top + offset, left + column, None)
                elif isinstance(value, str):
                    # Never write(): it takes a question typed as "=..." for a formula.
                    sheet.write_string(top + offset, left + column, cell_text(value))
                else:
                    sheet.write_number(top + offset, left + column, value)
        return top + len(rows) + 1

    def close(self) -> bytes:
        self.workbook.close()
        return self.buffer.getvalue()


def _sheet_name(name: str) -> str:
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in cell_text(name))
    return cleaned[:SHEET_NAME_MAX_CHARS]


def _named_rows(rows: Sequence[Row], name: Callable[[str], str]) -> list[list[Any]]:
    return [[name(row.key), *row.values] for row in rows]


def build_workbook(t: Translator, report: Report) -> bytes:
    """The whole report; CPU work, run in a worker thread by the bot."""
    book = _Book(t, report.window.time_zone)
    summary = book.sheet(t.label("Summary"))
    summary.set_column(0, 0, WIDE_COLUMN_WIDTH)
    summary.set_column(1, 1, COLUMN_WIDTH)
    focal_sheet, focal_rows = _focal_points(book, report)
    _questions(book, report)
    requests_sheet, status_rows = _requests(book, report)
    _history(book, report)
    _events(book, report)
    broadcasts_sheet, language_rows = _broadcasts(book, report)

    _headlines(book, summary, report)
    chart_row = 2
    for sheet, rows, columns, title in (
        (focal_sheet, focal_rows, 3, t.label("Focal points by country")),
        (requests_sheet, status_rows, 1, t.label("Support requests by status")),
        (broadcasts_sheet, language_rows, 4, t.label("Broadcasts: who they reached")),
    ):
        if rows:
            _chart(book, summary, (chart_row, 3), sheet, rows, columns, title)
            chart_row += 18
    return book.close()


def _headlines(book: _Book, sheet: Worksheet, report: Report) -> None:
    """The headline figures: counts in the period in one column, totals at its end in the
    next, so "registered" in the period is never read beside a total as if it were one."""
    t = book.t
    sheet.write_string(
        0,
        0,
        cell_text(
            t.label("Hub report, {period}.", period=labels.period_label(t, None, report.window))
        ),
        book.title,
    )
    sheet.set_column(2, 2, COLUMN_WIDTH)
    book.table(
        sheet,
        2,
        0,
        [t.label("Figure"), t.label("In the period"), t.label("In all, at the end of the period")],
        [
            [
                line.label,
                float(line.in_period) if isinstance(line.in_period, float) else line.in_period,
                line.in_all,
            ]
            for lines in headlines(t, report).values()
            for line in lines
        ],
    )


def _chart(
    book: _Book,
    summary: Worksheet,
    at: tuple[int, int],
    sheet: Worksheet,
    rows: Sequence[Row],
    columns: int,
    title: str,
) -> None:
    """A native bar chart of a table written at A1 of ``sheet`` (names, then figures)."""
    chart = book.workbook.add_chart({"type": "bar"})
    for column in range(1, columns + 1):
        chart.add_series(
            {
                "name": [sheet.name, 0, column],
                "categories": [sheet.name, 1, 0, len(rows), 0],
                "values": [sheet.name, 1, column, len(rows), column],
                "fill": {"color": OKABE_ITO[(column - 1) % len(OKABE_ITO)]},
            }
        )
    chart.set_title({"name": cell_text(title)})
    chart.set_y_axis({"reverse": True})
    if book.t.is_rtl:
        chart.set_x_axis({"reverse": True})
    summary.insert_chart(at[0], at[1], chart, {"x_scale": 1.4, "y_scale": 1.2})


def _focal_points(book: _Book, report: Report) -> tuple[Worksheet, list[Row]]:
    t = book.t
    sheet = book.sheet(t.label("Focal points"))
    sheet.set_column(0, 3, COLUMN_WIDTH)
    rows = report.focal_points.by_country
    book.table(
        sheet,
        0,
        0,
        [
            t.label("Country"),
            t.label("Registered in the period"),
            t.label("Approved in the period"),
            t.label("Active in the period"),
        ],
        _named_rows(rows, lambda key: labels.country_name(t, key)),
    )
    return sheet, rows


def _questions(book: _Book, report: Report) -> None:
    t = book.t
    q = report.questions
    sheet = book.sheet(t.label("Questions"))
    sheet.set_column(0, 0, WIDE_COLUMN_WIDTH)
    sheet.set_column(1, 4, COLUMN_WIDTH)
    after = book.table(
        sheet,
        0,
        0,
        [
            t.label("Language"),
            t.label("Asked"),
            t.label("Answered"),
            t.label("No answer found"),
            t.label("Sent to staff"),
        ],
        _named_rows(q.by_language, lambda key: labels.language_name(t, key)),
    )
    after = book.table(
        sheet,
        after + 1,
        0,
        [t.label("Topic"), t.label("Answered")],
        _named_rows(q.by_topic, lambda key: labels.knowledge_topic_name(t, key)),
    )
    book.table(
        sheet,
        after + 1,
        0,
        [t.label("Most frequent questions without an answer"), t.label("Asked")],
        [[question.text, question.count] for question in q.frequent_unanswered],
    )


def _each_once(name: Callable[[Translator, str], str], t: Translator) -> Callable[[str], str]:
    """``name`` looked up once per value: a year has tens of thousands of rows and a handful of
    statuses, topics and countries (each lookup built every label of its kind)."""
    names: dict[str, str] = {}

    def named(key: str) -> str:
        if key not in names:
            names[key] = name(t, key)
        return names[key]

    return named


def _requests(book: _Book, report: Report) -> tuple[Worksheet, list[Row]]:
    t = book.t
    country_name = _each_once(labels.country_name, t)
    topic_name = _each_once(labels.request_topic_name, t)
    kind_name = _each_once(labels.support_kind_name, t)
    status_name = _each_once(labels.request_status_name, t)
    sheet = book.sheet(t.label("Support requests"))
    sheet.set_column(0, 8, COLUMN_WIDTH)
    status_rows = report.requests.by_status
    # The status table first, at A1, for the summary's chart; the requests beside it.
    book.table(
        sheet,
        0,
        0,
        [t.label("Status"), t.label("Requests")],
        _named_rows(status_rows, lambda key: labels.request_status_name(t, key)),
    )
    book.table(
        sheet,
        0,
        3,
        [
            t.label("Reference"),
            t.label("Filed ({zone})", zone=book.time_zone),
            t.label("Country"),
            t.label("City"),
            t.label("Topic"),
            t.label("Kind of support"),
            t.label("Status"),
            t.label("Hours to the first staff response"),
            t.label("Days to completion"),
        ],
        [
            [
                request.reference,
                _excel_time(request.created_at, book.zone),
                country_name(request.country),
                t.label(request.city),
                topic_name(request.topic),
                kind_name(request.support_kind),
                status_name(request.status),
                _hours(request.created_at, request.first_response_at),
                _days(request.created_at, request.completed_at),
            ]
            for request in report.requests.rows
        ],
    )
    sheet.set_column(3, 11, COLUMN_WIDTH)
    return sheet, status_rows


def _history(book: _Book, report: Report) -> None:
    t = book.t
    status_name = _each_once(labels.request_status_name, t)
    sheet = book.sheet(t.label("Request history"))
    sheet.set_column(0, 3, COLUMN_WIDTH)
    kinds = {
        "filed": t.label("Filed"),
        "status": t.label("Status changed"),
        "assigned": t.label("Assigned"),
        "note": t.label("Staff note"),
        "question": t.label("Question to the city"),
        "answer": t.label("Answer from the city"),
    }
    book.table(
        sheet,
        0,
        0,
        [
            t.label("Reference"),
            t.label("Date ({zone})", zone=book.time_zone),
            t.label("What happened"),
            t.label("Status"),
        ],
        [
            [
                step.reference,
                _excel_time(step.at, book.zone),
                kinds.get(step.kind, step.kind),
                status_name(step.status) if step.status else None,
            ]
            for step in report.history
        ],
    )


def _events(book: _Book, report: Report) -> None:
    t = book.t
    sheet = book.sheet(t.label("Events"))
    sheet.set_column(0, 0, WIDE_COLUMN_WIDTH)
    sheet.set_column(1, 7, COLUMN_WIDTH)
    per_event: dict[int, list[Row]] = defaultdict(list)
    details = {}
    for row in report.events.rows:
        details[row.event_id] = row
        per_event[row.event_id].append(
            Row(
                row.country,
                (row.invited, row.going, row.maybe, row.not_going, row.reminders_sent),
            )
        )
    lines: list[list[Any]] = []
    for event_id, rows in per_event.items():
        event = details[event_id]
        title = event.titles.get(t.language) or next(iter(event.titles.values()), "")
        lines.extend(
            [
                title,
                _excel_time(event.starts_at, book.zone),
                labels.country_name(t, row.key),
                *row.values,
            ]
            for row in merge_small(rows)
        )
    book.table(
        sheet,
        0,
        0,
        [
            t.label("Event"),
            t.label("Starts ({zone})", zone=book.time_zone),
            t.label("Country"),
            t.label("Invited"),
            t.label("Going"),
            t.label("Maybe"),
            t.label("Not going"),
            t.label("Reminders sent"),
        ],
        lines,
    )


def _broadcasts(book: _Book, report: Report) -> tuple[Worksheet, list[Row]]:
    t = book.t
    sheet = book.sheet(t.label("Broadcasts"))
    sheet.set_column(0, 10, COLUMN_WIDTH)
    language_rows = report.broadcasts.by_language
    figures = [
        t.label("Recipients"),
        t.label("Delivered"),
        t.label("Blocked the bot"),
        t.label("Failed"),
    ]
    # Reach per language first, at A1, for the summary's chart; each broadcast beside it.
    book.table(
        sheet,
        0,
        0,
        [t.label("Language"), *figures],
        _named_rows(language_rows, lambda key: labels.language_name(t, key)),
    )
    per_broadcast: dict[int, list[Row]] = defaultdict(list)
    scheduled = {}
    for reach in report.broadcasts.rows:
        scheduled[reach.broadcast_id] = reach.scheduled_for
        per_broadcast[reach.broadcast_id].append(
            Row(
                f"{reach.language}|{reach.country}",
                (reach.recipients, reach.delivered, reach.blocked, reach.failed),
            )
        )
    lines: list[list[Any]] = []
    for broadcast_id, rows in per_broadcast.items():
        for row in merge_small(rows):
            language, _, country = (
                (OTHER, "", OTHER) if row.key == OTHER else row.key.partition("|")
            )
            lines.append(
                [
                    broadcast_id,
                    _excel_time(scheduled[broadcast_id], book.zone),
                    labels.language_name(t, language),
                    labels.country_name(t, country),
                    *row.values,
                ]
            )
    book.table(
        sheet,
        0,
        6,
        [
            t.label("Broadcast"),
            t.label("Scheduled ({zone})", zone=book.time_zone),
            t.label("Language"),
            t.label("Country"),
            *figures,
        ],
        lines,
    )
    return sheet, language_rows
