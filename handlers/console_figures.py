"""Figures in the staff console: the /stats dashboards with their period and country, the same
charts as images (bot/stats/areas.py, drawn in the statistics worker), and the workbook of
/report to download."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from aiohttp import web

from bot.console.site import ConsoleContext, ConsoleSite
from bot.geography import COUNTRIES, OTHER_COUNTRY
from bot.i18n import N_
from bot.stats import labels
from bot.stats.areas import AREAS, scope
from bot.stats.periods import Period

# How many charts each area draws (the requests: their figures, then the longest waits).
CHARTS_PER_AREA = {"fp": 1, "q": 1, "r": 2, "e": 1, "b": 1}
COUNTRY_CODES = frozenset(c.code for c in COUNTRIES if c.code != OTHER_COUNTRY)


def choice(query: Mapping[str, str]) -> tuple[Period, str | None]:
    """The period and country asked for; anything else reads as the last 30 days, everywhere."""
    try:
        period = Period(query.get("period", Period.LAST_30_DAYS.value))
    except ValueError:
        period = Period.LAST_30_DAYS
    country = query.get("country")
    return period, country if country in COUNTRY_CODES else None


async def figures(console: ConsoleContext) -> web.StreamResponse:
    t = console.t
    period, country = choice(console.request.query)
    window = console.services.stats.window(period, country)
    chosen = {"period": period.value, "country": country}
    return console.render(
        "figures.html",
        period=period,
        country=country,
        periods=[(p.value, t.label(labels.PERIOD_NAMES[p])) for p in Period],
        countries=[(c.code, t.label(c.name)) for c in COUNTRIES if c.code != OTHER_COUNTRY],
        scope=scope(t, period, window),
        charts=[
            (
                t.label(labels.AREA_NAMES[area]),
                [console.url(f"/figures/{area}/{index}.png", **chosen) for index in range(count)],
            )
            for area, count in CHARTS_PER_AREA.items()
        ],
        workbook_url=console.url("/figures/report.xlsx", **chosen),
    )


async def chart(console: ConsoleContext) -> web.StreamResponse:
    area = console.request.match_info["area"]
    index = int(console.request.match_info["index"])
    if area not in AREAS or index >= CHARTS_PER_AREA[area]:
        raise web.HTTPNotFound()
    t = console.t
    period, country = choice(console.request.query)
    stats = console.services.stats
    window = stats.window(period, country)
    # Queried and drawn in the statistics worker: nobody's reply waits for it.
    drawn = await stats.charts(area, t, scope(t, period, window), window)
    return web.Response(
        body=drawn[index].png,
        content_type="image/png",
        headers={"Cache-Control": "private, max-age=60"},
    )


async def workbook(console: ConsoleContext) -> web.StreamResponse:
    t = console.t
    period, country = choice(console.request.query)
    window = console.services.stats.window(period, country)
    content = await console.services.stats.workbook(t, window)
    await console.audit("figures.report", f"{period.value} {country or 'all'}")
    first = window.start.date().isoformat() if period is not Period.ALL_TIME else "start"
    last = (window.end - timedelta(microseconds=1)).date().isoformat()
    return web.Response(
        body=content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="hub-report-{first}-{last}.xlsx"',
        },
    )


def register(site: ConsoleSite) -> None:
    site.get("/figures", figures, name="figures", nav=N_("Figures"))
    site.get(r"/figures/{area:[a-z]{1,2}}/{index:\d}.png", chart, name="figures.chart")
    site.get("/figures/report.xlsx", workbook, name="figures.report")
