"""Staff statistics: /stats answers with charts per period and country, /report with a workbook."""

from __future__ import annotations

import logging
from datetime import date

from markupsafe import Markup
from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.ext import CommandHandler

from bot.context import HubApplication, HubContext
from bot.geography import COUNTRIES, OTHER_COUNTRY
from bot.i18n import Translator
from bot.stats import labels
from bot.stats.periods import EARLIEST_DAY, Period
from handlers.common import (
    answer_callback,
    button,
    edit_or_reply,
    in_rows,
    keyboard,
    register_routes,
    reply,
    staff_only,
)
from handlers.routes import STATS, STATS_CHARTS, STATS_CHOOSE, STATS_REPORT
from storage.stats import Window

logger = logging.getLogger(__name__)

SELECTED_MARK = "• "
REPORT_EXAMPLE = "/report 2026-01-01 2026-06-30"


def dashboard(t: Translator, period: Period, country: str) -> tuple[Markup, InlineKeyboardMarkup]:
    def marked(label: str, selected: bool) -> str:
        return SELECTED_MARK + label if selected else label

    periods = [
        button(marked(t.label(labels.PERIOD_NAMES[p]), p is period), STATS_CHOOSE, p, country)
        for p in Period
    ]
    places = [
        button(
            marked(t.label("All countries"), country == labels.ALL_COUNTRIES),
            STATS_CHOOSE,
            period,
            labels.ALL_COUNTRIES,
        )
    ] + [
        button(marked(t.label(place.name), place.code == country), STATS_CHOOSE, period, place.code)
        for place in COUNTRIES
        if place.code != OTHER_COUNTRY
    ]
    areas = [
        button(t.label(name), STATS_CHARTS, area, period, country)
        for area, name in labels.AREA_NAMES.items()
    ]
    text = t._(
        "<b>Statistics</b>\nPeriod: {period}\nCountry: {country}\n\n"
        "Choose a period and a country, then what to see. Small figures (under 3 people) are "
        "shown together as «Other».",
        period=t.label(labels.PERIOD_NAMES[period]),
        country=labels.country_name(t, country)
        if country != labels.ALL_COUNTRIES
        else t.label("All countries"),
    )
    markup = keyboard(
        *in_rows(periods, 2),
        *in_rows(places, 3),
        *in_rows(areas, 2),
        [button(t.label("Report (Excel)"), STATS_REPORT, period, country)],
    )
    return text, markup


@staff_only
async def stats_command(update: Update, context: HubContext) -> None:
    text, markup = dashboard(context.t, Period.LAST_30_DAYS, labels.ALL_COUNTRIES)
    await reply(update, context, text, markup)


async def send_charts(
    update: Update, context: HubContext, area: str, period: Period, country: str | None
) -> None:
    chat = update.effective_chat
    assert chat is not None
    t = context.t
    stats = context.services.stats
    window = stats.window(period, country)
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)
    # Queried and drawn in the statistics worker: nobody else's reply waits for it.
    for chart in await stats.charts(area, t, labels.scope(t, period, window), window):
        await context.bot.send_photo(chat.id, chart.png, caption=chart.caption)


async def send_report(
    update: Update, context: HubContext, window: Window, period: Period | None
) -> None:
    chat = update.effective_chat
    assert chat is not None
    t = context.t
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    content = await context.services.stats.workbook(t, window)
    await context.bot.send_document(
        chat.id,
        content,
        filename=labels.report_file_name(window, period),
        caption=t.label("Hub report, {period}.", period=labels.scope(t, period, window)),
    )


@staff_only
async def report_command(update: Update, context: HubContext) -> None:
    """/report FROM TO (dates, both included), or /report alone for this year so far."""
    stats = context.services.stats
    args = context.args or []
    if not args:
        await send_report(update, context, stats.window(Period.YEAR), Period.YEAR)
        return
    days = _asked_days(args)
    if days is None:
        usage = context.t._(
            "Give the first and last day of the report, for example: {example}",
            example=REPORT_EXAMPLE,
        )
        await reply(update, context, usage)
        return
    problem = _days_problem(context.t, *days, stats.latest_day())
    if problem is not None:
        await reply(update, context, problem)
        return
    await send_report(update, context, stats.days(*days), None)


def _asked_days(args: list[str]) -> tuple[date, date] | None:
    """Two days written as the example writes them; None for anything else."""
    if len(args) != 2:
        return None
    try:
        return date.fromisoformat(args[0]), date.fromisoformat(args[1])
    except ValueError:
        return None


def _days_problem(t: Translator, first: date, last: date, latest: date) -> Markup | None:
    """Why these days make no report (the end before the start, a day no figure can be
    on), or None."""
    if last < first:
        return t._(
            "The last day, {last}, comes before the first, {first}. Give the first day, then "
            "the last, for example: {example}",
            first=first.isoformat(),
            last=last.isoformat(),
            example=REPORT_EXAMPLE,
        )
    if first < EARLIEST_DAY or last > latest:
        return t._(
            "A report covers days from {earliest} to {latest}. Give the first and last day "
            "within them, for example: {example}",
            earliest=EARLIEST_DAY.isoformat(),
            latest=latest.isoformat(),
            example=REPORT_EXAMPLE,
        )
    return None


def _country(code: str) -> str | None:
    return None if code == labels.ALL_COUNTRIES else code


@staff_only
async def choose(update: Update, context: HubContext, period: str, country: str) -> None:
    await answer_callback(update)
    text, markup = dashboard(context.t, Period(period), country)
    await edit_or_reply(update, context, text, markup)


@staff_only
async def charts_of(
    update: Update, context: HubContext, area: str, period: str, country: str
) -> None:
    await answer_callback(update)
    await send_charts(update, context, area, Period(period), _country(country))


@staff_only
async def report_of(update: Update, context: HubContext, period: str, country: str) -> None:
    await answer_callback(update)
    window = context.services.stats.window(Period(period), _country(country))
    await send_report(update, context, window, Period(period))


def register(application: HubApplication) -> None:
    application.add_handler(CommandHandler("stats", stats_command))
    application.add_handler(CommandHandler("report", report_command))
    register_routes(
        application, STATS, {STATS_CHOOSE: choose, STATS_CHARTS: charts_of, STATS_REPORT: report_of}
    )
