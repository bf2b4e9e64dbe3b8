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
from bot.stats.periods import Period
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
    t = context.t
    stats = context.services.stats
    args = context.args or []
    if not args:
        await send_report(update, context, stats.window(Period.YEAR), Period.YEAR)
        return
    try:
        first, last = (date.fromisoformat(arg) for arg in args) if len(args) == 2 else (None, None)
    except ValueError:
        first = last = None
    if first is None or last is None or last < first:
        await reply(
            update,
            context,
            t._(
                "Give the first and last day of the report, for example: {example}",
                example="/report 2026-01-01 2026-06-30",
            ),
        )
        return
    window = stats.days(first, last)
    await send_report(update, context, window, None)


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
