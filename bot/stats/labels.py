"""How figures are named for a reader: periods, categories, numbers and dates in their language."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_interval
from babel.numbers import format_percent

from bot.geography import COUNTRIES_BY_CODE
from bot.i18n import N_, Translator
from bot.knowledge.content import TOPIC_NAMES as KNOWLEDGE_TOPIC_NAMES
from bot.stats.cells import OTHER
from bot.stats.periods import EPOCH, Period
from bot.support.vocabulary import SUPPORT_KINDS, status_name
from bot.support.vocabulary import TOPICS as REQUEST_TOPICS
from storage.stats import Window

# The dashboards' areas, each with its charts.
AREA_NAMES = {
    "fp": N_("Focal points"),
    "q": N_("Questions"),
    "r": N_("Support requests"),
    "e": N_("Events"),
    "b": N_("Broadcasts"),
}
# Every country at once, in the dashboards' choice of countries.
ALL_COUNTRIES = "all"

PERIOD_NAMES = {
    Period.LAST_30_DAYS: N_("Last 30 days"),
    Period.QUARTER: N_("This quarter"),
    Period.YEAR: N_("This year"),
    Period.ALL_TIME: N_("All time"),
}


def other(t: Translator) -> str:
    return t.plabel("merged small figures", "Other")


def country_name(t: Translator, code: str) -> str:
    if code == OTHER:
        return other(t)
    if not code:
        return t.label("Not a focal point")
    place = COUNTRIES_BY_CODE.get(code)
    return t.label(place.name) if place else code


def language_name(t: Translator, code: str) -> str:
    return other(t) if code == OTHER else t.language_name(code)


def knowledge_topic_name(t: Translator, topic: str) -> str:
    if topic == OTHER:
        return other(t)
    return t.label(KNOWLEDGE_TOPIC_NAMES[topic]) if topic in KNOWLEDGE_TOPIC_NAMES else topic


def request_topic_name(t: Translator, topic: str) -> str:
    if topic == OTHER:
        return other(t)
    return t.label(REQUEST_TOPICS[topic]) if topic in REQUEST_TOPICS else topic


def support_kind_name(t: Translator, kind: str) -> str:
    if kind == OTHER:
        return other(t)
    return t.label(SUPPORT_KINDS[kind]) if kind in SUPPORT_KINDS else kind


def request_status_name(t: Translator, status: str) -> str:
    return other(t) if status == OTHER else status_name(t, status)


def dates(t: Translator, window: Window) -> str:
    """The window's days as the language writes a range: '16 mai – 15 juin 2026'."""
    zone = ZoneInfo(window.time_zone)
    first_day = window.start.astimezone(zone).date()
    last_day = (window.end - timedelta(microseconds=1)).astimezone(zone).date()
    return format_interval(first_day, last_day, "yMMMd", locale=t.locale)


def period_label(t: Translator, period: Period | None, window: Window) -> str:
    """'Last 30 days (16 May – 15 Jun 2026)'; all time has no first day worth showing."""
    if period is Period.ALL_TIME or window.start <= EPOCH:
        return t.label(PERIOD_NAMES[Period.ALL_TIME])
    if period is None:
        return dates(t, window)
    return t.label(
        "{period} ({dates})", period=t.label(PERIOD_NAMES[period]), dates=dates(t, window)
    )


def scope(t: Translator, period: Period | None, window: Window) -> str:
    """What a chart or a report covers: 'Last 30 days (16 May – 15 Jun 2026), Morocco'."""
    when = period_label(t, period, window)
    if window.country is None:
        return when
    return t.label("{period}, {country}", period=when, country=country_name(t, window.country))


def report_file_name(window: Window, period: Period | None) -> str:
    """hub-report-2026-01-01-2026-06-30.xlsx: the workbook's first and last days."""
    first = window.start.date().isoformat() if period is not Period.ALL_TIME else "start"
    last = (window.end - timedelta(microseconds=1)).date().isoformat()
    return f"hub-report-{first}-{last}.xlsx"


def number(t: Translator, value: float | None, digits: int = 1) -> str:
    """A figure as the language writes it; a dash when there is nothing to measure."""
    return "—" if value is None else t.number(round(value, digits))


def percent(t: Translator, share: float) -> str:
    return format_percent(share, locale=t.locale)
