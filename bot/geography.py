"""The Hub's countries, their default time zones and the cities offered in the registration list."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, available_timezones

from bot.i18n import N_

OTHER_COUNTRY = "OTHER"
HUB_EMAIL = "info@strongcitiesnetwork.org"
FALLBACK_TIME_ZONE = "UTC"


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2, or OTHER
    name: str  # English msgid; shown through the reader's translator
    time_zone: str
    cities: tuple[str, ...]  # English msgids, the cities the Hub works with first


COUNTRIES: tuple[Country, ...] = (
    Country("EG", N_("Egypt"), "Africa/Cairo", (N_("Cairo"), N_("Alexandria"), N_("Giza"))),
    Country(
        "IQ",
        N_("Iraq"),
        "Asia/Baghdad",
        (N_("Baghdad"), N_("Miqdadiyah"), N_("Halabja"), N_("Tel Afar"), N_("Mosul")),
    ),
    Country(
        "JO",
        N_("Jordan"),
        "Asia/Amman",
        (N_("Greater Amman Municipality"), N_("Karak"), N_("Zarqa"), N_("Irbid")),
    ),
    Country("LB", N_("Lebanon"), "Asia/Beirut", (N_("Saida"), N_("Tripoli"), N_("Beirut"))),
    Country("LY", N_("Libya"), "Africa/Tripoli", (N_("Sabha"), N_("Tripoli"), N_("Benghazi"))),
    Country(
        "MA",
        N_("Morocco"),
        "Africa/Casablanca",
        (
            N_("Rabat"),
            N_("Fes"),
            N_("Tangier"),
            N_("Tetouan"),
            N_("Marrakech"),
            N_("Oujda"),
            N_("Agadir"),
            N_("Casablanca"),
        ),
    ),
    Country("TN", N_("Tunisia"), "Africa/Tunis", (N_("Tunis"), N_("Sousse"), N_("Sfax"))),
    Country(OTHER_COUNTRY, N_("Other country"), FALLBACK_TIME_ZONE, ()),
)
COUNTRIES_BY_CODE = {country.code: country for country in COUNTRIES}

# Offered as buttons in /settings; any other IANA name can be typed.
COMMON_TIME_ZONES: tuple[str, ...] = (
    "Africa/Casablanca",
    "Africa/Tunis",
    "Africa/Tripoli",
    "Africa/Cairo",
    "Asia/Amman",
    "Asia/Beirut",
    "Asia/Baghdad",
    "Europe/Brussels",
    "Europe/London",
    "UTC",
)


def country(code: str | None) -> Country | None:
    return COUNTRIES_BY_CODE.get(code or "")


def default_time_zone(country_code: str | None) -> str:
    found = country(country_code)
    return found.time_zone if found else FALLBACK_TIME_ZONE


def valid_time_zone(name: str) -> str | None:
    """The canonical spelling of an IANA zone typed by a person, or None."""
    wanted = name.strip().replace(" ", "_").lower()
    for zone in available_timezones():
        if zone.lower() == wanted:
            ZoneInfo(zone)
            return zone
    return None
