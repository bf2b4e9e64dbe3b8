"""The figures page: the /stats dashboards in the console, for a period (or chosen days) and a
country: every area's headline figures as text, its charts as images drawn by the statistics
worker (the same drawings /stats sends), and the /report workbook to download."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aiohttp import web

from bot.console.site import ConsoleContext, ConsoleSite
from bot.geography import COUNTRIES, OTHER_COUNTRY
from bot.i18n import N_, Translator
from bot.stats import labels
from bot.stats.areas import CHART_COUNTS
from bot.stats.headlines import Headline, headlines
from bot.stats.periods import EPOCH, Period
from storage.stats import Window

# The period of the form that takes the first and last day instead.
CHOSEN_DAYS = "days"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Chosen days outside these bounds cannot hold figures (and the last day + 1 must exist).
EARLIEST_DAY = EPOCH.date()
LATEST_DAY = date(2100, 12, 31)
COUNTRY_CODES = frozenset(place.code for place in COUNTRIES if place.code != OTHER_COUNTRY)


@dataclass(frozen=True)
class Choice:
    """What the staff member asked for, checked: a period or chosen days, and a country."""

    period: Period | None  # None: the chosen days
    country: str  # a country code, or labels.ALL_COUNTRIES
    first: date | None = None
    last: date | None = None
    refused: bool = False  # something given was not one of the choices: the default is shown

    def query(self) -> dict[str, str | None]:
        """The choice as the page's query (for chart addresses and the workbook form)."""
        return {
            "period": self.period.value if self.period else CHOSEN_DAYS,
            "country": self.country,
            "from": self.first.isoformat() if self.first else None,
            "to": self.last.isoformat() if self.last else None,
        }

    def window(self, console: ConsoleContext) -> Window:
        stats = console.services.stats
        country = None if self.country == labels.ALL_COUNTRIES else self.country
        if self.period is None:
            assert self.first is not None and self.last is not None
            return stats.days(self.first, self.last, country)
        return stats.window(self.period, country)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def read_choice(values: dict[str, str]) -> Choice:
    """The period and country from a query or a form; anything else falls back to the
    /stats defaults (last 30 days, all countries) and says so."""
    country = values.get("country") or labels.ALL_COUNTRIES
    refused = country != labels.ALL_COUNTRIES and country not in COUNTRY_CODES
    if refused:
        country = labels.ALL_COUNTRIES
    period_text = values.get("period") or Period.LAST_30_DAYS.value
    if period_text == CHOSEN_DAYS:
        first, last = _day(values.get("from")), _day(values.get("to"))
        if first is not None and last is not None and EARLIEST_DAY <= first <= last <= LATEST_DAY:
            return Choice(None, country, first, last, refused)
        return Choice(Period.LAST_30_DAYS, country, refused=True)
    if period_text not in Period.__members__.values():
        return Choice(Period.LAST_30_DAYS, country, refused=True)
    return Choice(Period(period_text), country, refused=refused)


def _query_values(console: ConsoleContext) -> dict[str, str]:
    return {
        key: console.request.query[key]
        for key in ("period", "country", "from", "to")
        if key in console.request.query
    }


@dataclass(frozen=True)
class HeadlineRow:
    label: str
    in_period: str
    in_all: str


@dataclass(frozen=True)
class Area:
    key: str
    name: str
    rows: list[HeadlineRow]
    charts: list[str]  # the images' addresses


def _shown(t: Translator, line: Headline) -> HeadlineRow:
    value = line.in_period
    in_period = labels.number(t, value) if not isinstance(value, int) else t.number(value)
    return HeadlineRow(line.label, in_period, "" if line.in_all is None else t.number(line.in_all))


async def figures(console: ConsoleContext) -> web.StreamResponse:
    t = console.t
    choice = read_choice(_query_values(console))
    window = choice.window(console)
    overview = await console.services.stats.overview(window)
    query = choice.query()
    areas = [
        Area(
            key=area,
            name=t.label(labels.AREA_NAMES[area]),
            rows=[_shown(t, line) for line in lines],
            charts=[
                console.url(f"/figures/charts/{area}/{index}", **query)
                for index in range(CHART_COUNTS[area])
            ],
        )
        for area, lines in headlines(t, overview).items()
    ]
    return console.render(
        "figures.html",
        choice=choice,
        query=query,
        chosen_days=CHOSEN_DAYS,
        scope=labels.scope(t, choice.period, window),
        periods=[(p.value, t.label(labels.PERIOD_NAMES[p])) for p in Period],
        countries=[(labels.ALL_COUNTRIES, t.label("All countries"))]
        + [(place.code, t.label(place.name)) for place in COUNTRIES if place.code in COUNTRY_CODES],
        areas=areas,
    )


async def chart(console: ConsoleContext) -> web.StreamResponse:
    """One chart of an area as a PNG, drawn by the statistics worker as for /stats."""
    t = console.t
    area = console.request.match_info["area"]
    index = int(console.request.match_info["index"])
    if index >= CHART_COUNTS[area]:
        raise web.HTTPNotFound()
    choice = read_choice(_query_values(console))
    window = choice.window(console)
    drawn = await console.services.stats.charts(
        area, t, labels.scope(t, choice.period, window), window
    )
    return web.Response(body=drawn[index].png, content_type="image/png")


async def workbook(console: ConsoleContext) -> web.StreamResponse:
    """The /report workbook for the chosen period and country, as a download."""
    form = await console.form()
    values = {key: value for key, value in form.items() if isinstance(value, str)}
    choice = read_choice(values)
    if choice.refused:  # the page says what was wrong
        return console.see_other("/figures", **{key: values.get(key) for key in choice.query()})
    window = choice.window(console)
    content = await console.services.stats.workbook(console.t, window)
    file_name = labels.report_file_name(window, choice.period)
    await console.audit("figures.workbook", f"{file_name} {choice.country}")
    return web.Response(
        body=content,
        content_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )


def register(site: ConsoleSite) -> None:
    site.get("/figures", figures, name="figures", nav=N_("Figures"))
    areas = "|".join(CHART_COUNTS)
    site.get(f"/figures/charts/{{area:{areas}}}/{{index:[0-9]}}", chart, name="figures.chart")
    site.post("/figures/workbook", workbook, name="figures.workbook")
