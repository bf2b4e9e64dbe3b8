"""Charts for staff as PNG bytes: sized for a phone, colour-blind-safe, Arabic shaped and
laid out right to left. Pure CPU work, run in a worker thread by the caller.

matplotlib's object API (Figure + FigureCanvasAgg) is used instead of pyplot: no global
figure state to leak between drawings, and no GUI backend to select.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.i18n import Translator
from bot.stats import labels
from bot.stats.cells import Row
from bot.stats.service import (
    BroadcastStats,
    EventStats,
    FocalPointStats,
    QuestionStats,
    RequestStats,
)
from storage.stats import RequestRow

# Okabe & Ito's palette, told apart with every common colour-vision deficiency.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
# 1080 x 1350 pixels: the full width of a phone screen, portrait, sharp after Telegram's resize.
CHART_SIZE_IN = (7.2, 9.0)
CHART_DPI = 150
CHART_FONT = "DejaVu Sans"  # bundled with matplotlib, and it has the Arabic letters
QUESTION_LABEL_CHARS = 40
LABEL_CHARS = 28


# matplotlib is not thread-safe even without pyplot (font and text caches are shared): one
# drawing at a time, still off the event loop.
_DRAWING_LOCK = threading.Lock()


@dataclass(frozen=True)
class Chart:
    png: bytes
    caption: str


def draw_alone(draw: Callable[[], list[Chart]]) -> list[Chart]:
    """Run a drawing in the calling (worker) thread, never at the same time as another."""
    with _DRAWING_LOCK:
        return draw()


def shown(t: Translator, text: str) -> str:
    """Text as matplotlib must draw it: in logical order, since its text layout (libraqm)
    joins Arabic letters and orders them right to left itself; without the invisible
    direction marks the font has no glyph for."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Drawing:
    """One figure of one or more panels, in one reader's language."""

    def __init__(self, t: Translator, panels: int, title: str) -> None:
        self.t = t
        self.figure = Figure(figsize=CHART_SIZE_IN, dpi=CHART_DPI, layout="constrained")
        self.figure.suptitle(shown(t, title), fontsize=14, fontweight="bold", family=CHART_FONT)
        self.axes: list[Axes] = list(self.figure.subplots(panels, 1, squeeze=False)[:, 0])

    def bars(
        self,
        ax: Axes,
        title: str,
        rows: Sequence[Row],
        name: Callable[[str], str],
        series: Sequence[str],
        *,
        limit: int = LABEL_CHARS,
    ) -> None:
        """Horizontal bars, one group per row, one bar per series, biggest row on top."""
        t = self.t
        ax.set_title(shown(t, title), family=CHART_FONT, fontsize=11)
        if not rows:
            ax.set_axis_off()
            ax.text(
                0.5,
                0.5,
                shown(t, t.label("No data for this period.")),
                ha="center",
                va="center",
                family=CHART_FONT,
                transform=ax.transAxes,
            )
            return
        height = 0.8 / len(series)
        positions = range(len(rows))
        for index, label in enumerate(series):
            offsets = [p - 0.4 + height * (index + 0.5) for p in positions]
            values = [row.values[index] for row in rows]
            bars = ax.barh(
                offsets,
                values,
                height=height,
                color=OKABE_ITO[index % len(OKABE_ITO)],
                label=shown(t, label),
            )
            # A zero needs no label; in Arabic it would sit on the category names.
            ax.bar_label(
                bars,
                labels=[t.number(v) if v else "" for v in values],
                padding=2,
                fontsize=8,
                family=CHART_FONT,
            )
        ax.set_yticks(
            list(positions),
            [shown(t, _short(name(row.key), limit)) for row in rows],
            family=CHART_FONT,
        )
        ax.invert_yaxis()
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: t.number(value)))
        ax.margins(x=0.15)
        if t.is_rtl:
            # Arabic reads from the right: bars grow leftwards, names stand on the right.
            ax.invert_xaxis()
            ax.yaxis.tick_right()
        if len(series) > 1:
            ax.legend(prop={"family": CHART_FONT, "size": 8}, loc="best")

    def png(self) -> bytes:
        buffer = io.BytesIO()
        FigureCanvasAgg(self.figure).print_png(buffer)
        return buffer.getvalue()


def focal_points_chart(t: Translator, period: str, figures: FocalPointStats) -> Chart:
    drawing = _Drawing(t, 1, t.label("Focal points by country"))
    drawing.bars(
        drawing.axes[0],
        t.label(
            "{reached} of {cities} network cities reached",
            reached=figures.cities_reached,
            cities=figures.network_cities,
        ),
        figures.by_country,
        lambda key: labels.country_name(t, key),
        [
            t.label("Registered in the period"),
            t.label("Approved in the period"),
            t.label("Active in the period"),
        ],
    )
    share = figures.cities_reached / figures.network_cities if figures.network_cities else 0
    # Counts in the period beside the total a reader compares them with.
    caption = t.label(
        "Focal points, {period}: {registered} registered, {approved} approved and {active} "
        "active in the period; {approved_in_all} approved focal points in all; {reached} of "
        "{cities} network cities reached ({share}).",
        period=period,
        registered=figures.registered,
        approved=figures.approved,
        active=figures.active,
        approved_in_all=figures.approved_in_all,
        reached=figures.cities_reached,
        cities=figures.network_cities,
        share=labels.percent(t, share),
    )
    return Chart(drawing.png(), caption)


def questions_chart(t: Translator, period: str, figures: QuestionStats) -> Chart:
    drawing = _Drawing(t, 3, t.label("Questions"))
    by_language, by_topic, frequent = drawing.axes
    drawing.bars(
        by_language,
        t.label("By language"),
        figures.by_language,
        lambda key: labels.language_name(t, key),
        [
            t.label("Asked"),
            t.label("Answered"),
            t.label("No answer found"),
            t.label("Sent to staff"),
        ],
    )
    drawing.bars(
        by_topic,
        t.label("Answered, by topic"),
        figures.by_topic,
        lambda key: labels.knowledge_topic_name(t, key),
        [t.label("Answered")],
    )
    drawing.bars(
        frequent,
        t.label("Most frequent questions without an answer"),
        [Row(question.text, (question.count,)) for question in figures.frequent_unanswered],
        lambda text: text,
        [t.label("Asked")],
        limit=QUESTION_LABEL_CHARS,
    )
    caption = t.label(
        "Questions, {period}: {asked} asked, {answered} answered, {declined} without an answer, "
        "{forwarded} sent to staff; staff answered in {hours} h (median).",
        period=period,
        asked=figures.asked,
        answered=figures.answered,
        declined=figures.declined,
        forwarded=figures.forwarded,
        hours=labels.number(t, figures.median_answer_hours),
    )
    return Chart(drawing.png(), caption)


def requests_chart(t: Translator, period: str, figures: RequestStats) -> Chart:
    drawing = _Drawing(t, 4, t.label("Support requests"))
    filed = [t.label("Filed")]
    for ax, title, rows, name in (
        (drawing.axes[0], t.label("By status"), figures.by_status, labels.request_status_name),
        (drawing.axes[1], t.label("By topic"), figures.by_topic, labels.request_topic_name),
        (
            drawing.axes[2],
            t.label("By kind of support"),
            figures.by_kind,
            labels.support_kind_name,
        ),
        (drawing.axes[3], t.label("By country"), figures.by_country, labels.country_name),
    ):
        drawing.bars(ax, title, rows, partial(name, t), filed)
    caption = t.label(
        "Support requests, {period}: {filed} filed; first staff response after {hours} h and "
        "completion after {days} days (medians).",
        period=period,
        filed=figures.filed,
        hours=labels.number(t, figures.median_first_response_hours),
        days=labels.number(t, figures.median_completion_days),
    )
    return Chart(drawing.png(), caption)


def waiting_chart(t: Translator, waiting: Sequence[tuple[RequestRow, float]]) -> Chart:
    """The open requests waiting longest, with the days each has waited."""
    drawing = _Drawing(t, 1, t.label("Open requests waiting longest"))
    drawing.bars(
        drawing.axes[0],
        t.label("Days since filed"),
        [Row(request.reference, (round(days),)) for request, days in waiting],
        lambda reference: reference,
        [t.label("Days")],
    )
    oldest = round(waiting[0][1]) if waiting else 0
    caption = t.ngettext(
        "{count} open request shown; the oldest has waited {days} days.",
        "{count} open requests shown; the oldest has waited {days} days.",
        len(waiting),
        days=oldest,
    )
    # The message has no tags: unescaped, it is the plain text a caption needs.
    return Chart(drawing.png(), caption.unescape())


def events_chart(t: Translator, period: str, figures: EventStats) -> Chart:
    drawing = _Drawing(t, 1, t.label("Events: invitations and answers"))
    drawing.bars(
        drawing.axes[0],
        t.label("By country"),
        figures.by_country,
        lambda key: labels.country_name(t, key),
        [
            t.label("Invited"),
            t.label("Going"),
            t.label("Maybe"),
            t.label("Not going"),
            t.label("Reminders sent"),
        ],
    )
    caption = t.label(
        "Events, {period}: events held: {events}; invited: {invited}; going: {going}; "
        "maybe: {maybe}; not going: {not_going}; reminders sent: {reminders}.",
        period=period,
        events=figures.events,
        invited=figures.invited,
        going=figures.going,
        maybe=figures.maybe,
        not_going=figures.not_going,
        reminders=figures.reminders_sent,
    )
    return Chart(drawing.png(), caption)


def broadcasts_chart(t: Translator, period: str, figures: BroadcastStats) -> Chart:
    drawing = _Drawing(t, 2, t.label("Broadcasts: who they reached"))
    series = [
        t.label("Recipients"),
        t.label("Delivered"),
        t.label("Blocked the bot"),
        t.label("Failed"),
    ]
    drawing.bars(
        drawing.axes[0],
        t.label("By language"),
        figures.by_language,
        lambda key: labels.language_name(t, key),
        series,
    )
    drawing.bars(
        drawing.axes[1],
        t.label("By country"),
        figures.by_country,
        lambda key: labels.country_name(t, key),
        series,
    )
    caption = t.label(
        "Broadcasts, {period}: broadcasts: {broadcasts}; recipients: {recipients}; "
        "delivered: {delivered}; blocked the bot: {blocked}; failed: {failed}.",
        period=period,
        broadcasts=figures.broadcasts,
        recipients=figures.recipients,
        delivered=figures.delivered,
        blocked=figures.blocked,
        failed=figures.failed,
    )
    return Chart(drawing.png(), caption)
