"""Translations and locale formatting: one Translator per language, chosen per recipient."""

from __future__ import annotations

import functools
import gettext
import io
import logging
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import (
    format_date,
    format_time,
    get_datetime_format,
    get_timezone_gmt,
    get_timezone_name,
)
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from bot.config import PROJECT_ROOT, SUPPORTED_LANGUAGES

logger = logging.getLogger(__name__)

LOCALES_DIR = PROJECT_ROOT / "locales"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"

# Arabic plural rule of CLDR and GNU gettext: zero, one, two, few (3-10), many (11-99), other.
# Babel 2.18 writes the last two forms swapped (python-babel issue 816); our catalog header
# carries this formula and a test checks it, so the order of msgstr[4] and msgstr[5] is CLDR's.
ARABIC_PLURAL_FORMS = (
    "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
    "n%100>=11 ? 4 : 5);"
)

FIRST_STRONG_ISOLATE = "\u2068"
ISOLATE_INITIATORS = "\u2066\u2067\u2068"  # LRI, RLI, FSI
POP_DIRECTIONAL_ISOLATE = "\u2069"
RIGHT_TO_LEFT_MARK = "\u200f"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, when the recipient is known."""
    return message


class CatalogError(Exception):
    """A catalog is missing or unusable: the bot refuses to start rather than speak English."""


def isolate(value: str) -> str:
    """Wrap a value so a Latin name, number or link keeps its own direction in Arabic text."""
    return f"{FIRST_STRONG_ISOLATE}{value}{POP_DIRECTIONAL_ISOLATE}"


def first_strong_direction(text: str) -> str | None:
    """'R' or 'L': the first strongly directional character as the bidi algorithm sees it.

    Unicode's rules P2-P3 skip what lies inside an isolate (U+2066-2068 ... U+2069), so a
    line made of isolated values has no direction of its own; HTML tags and entities are
    not shown, so they do not count either. None if nothing decides.
    """
    depth = 0
    skipping = ""  # the character that ends a tag (">") or an entity (";") being skipped
    for char in text:
        if skipping:
            skipping = "" if char == skipping else skipping
        elif char in "<&":
            skipping = ">" if char == "<" else ";"
        elif char in ISOLATE_INITIATORS:
            depth += 1
        elif char == POP_DIRECTIONAL_ISOLATE:
            depth = max(depth - 1, 0)
        elif depth == 0:
            direction = unicodedata.bidirectional(char)
            if direction in ("R", "AL"):
                return "R"
            if direction == "L":
                return "L"
    return None


def starts_right_to_left(text: str) -> bool:
    return first_strong_direction(text) == "R"


def right_to_left(text: str) -> str:
    """Lay an Arabic message out right to left, each line being a paragraph of its own.

    The first line gets a right-to-left mark unless it starts right to left; a later line
    gets one when nothing outside its isolated values gives it a direction (🗓 {when}).
    A line typed in a left-to-right language keeps its direction.
    """
    lines = text.split("\n")
    marked = [lines[0] if starts_right_to_left(lines[0]) else RIGHT_TO_LEFT_MARK + lines[0]]
    for line in lines[1:]:
        needs_mark = line.strip() and first_strong_direction(line) is None
        marked.append(RIGHT_TO_LEFT_MARK + line if needs_mark else line)
    return "\n".join(marked)


def compile_catalog(po_path: Path) -> gettext.GNUTranslations:
    """Compile a .po file in memory, so .mo files are never committed or stale."""
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@dataclass(frozen=True)
class Catalogs:
    translations: dict[str, gettext.GNUTranslations]

    @classmethod
    def load(cls, locales_dir: Path = LOCALES_DIR) -> Catalogs:
        translations = {}
        for language in SUPPORTED_LANGUAGES:
            po_path = locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
            if not po_path.is_file():
                raise CatalogError(f"missing translation catalog {po_path}")
            translations[language] = compile_catalog(po_path)
        return cls(translations)

    def translator(self, language: str | None, country: str | None = None) -> Translator:
        language = language if language in self.translations else DEFAULT_LANGUAGE
        assert language is not None
        return Translator(
            language, self.translations[language], formatting_locale(language, country)
        )


def formatting_locale(language: str, country: str | None) -> Locale:
    """The Babel locale for dates and numbers: Arabic follows the user's country's variant."""
    if country and country.isalpha() and len(country) == 2:
        try:
            return Locale.parse(f"{language}_{country.upper()}")
        except UnknownLocaleError:
            pass
    return Locale.parse(language)


class Translator:
    """Text in one language. Message templates are trusted HTML; values are escaped.

    ``gettext`` and friends return HTML (markupsafe.Markup) for message bodies sent with
    parse_mode HTML; ``label`` returns plain text for buttons and alerts, which Telegram
    shows literally.
    """

    def __init__(
        self, language: str, translations: gettext.GNUTranslations, locale: Locale
    ) -> None:
        self.language = language
        self.locale = locale
        self._translations = translations

    def __reduce__(self) -> tuple[Callable[[str, str], Translator], tuple[str, str]]:
        # Sent to the statistics worker process by name: the catalogs are loaded there once.
        return _translator_in_this_process, (self.language, str(self.locale))

    @property
    def is_rtl(self) -> bool:
        return self.language == "ar"

    def _value(self, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = self.number(value)
        if not self.is_rtl:
            return value
        return Markup(isolate(escape(value)))

    def _render(self, template: str, values: dict[str, Any]) -> Markup:
        prepared = {name: self._value(value) for name, value in values.items()}
        return Markup(template).format(**prepared)

    def gettext(self, message: str, **values: Any) -> Markup:
        return self._render(self._translations.gettext(message), values)

    _ = gettext

    def ngettext(self, singular: str, plural: str, count: int, **values: Any) -> Markup:
        template = self._translations.ngettext(singular, plural, count)
        return self._render(template, {"count": count, **values})

    def pgettext(self, context: str, message: str, **values: Any) -> Markup:
        return self._render(self._translations.pgettext(context, message), values)

    def label(self, message: str, **values: Any) -> str:
        """Plain text (a button, a callback alert): no HTML, values inserted as they are."""
        template = self._translations.gettext(message)
        return template.format(**{name: self._plain(value) for name, value in values.items()})

    def plabel(self, context: str, message: str, **values: Any) -> str:
        template = self._translations.pgettext(context, message)
        return template.format(**{name: self._plain(value) for name, value in values.items()})

    def _plain(self, value: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = self.number(value)
        return isolate(str(value)) if self.is_rtl else str(value)

    def language_name(self, code: str) -> str:
        """A language's name in the reader's language, from CLDR: 'arabe', 'الفرنسية'."""
        return Locale.parse(code).get_display_name(self.locale) or code

    def list(self, items: Iterable[str]) -> str:
        """Items joined as the language does: 'a, b et c', 'أ وب وج'."""
        return format_list(list(items), locale=self.locale)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)

    def datetime(self, moment: datetime, time_zone: str) -> str:
        """A moment in the reader's time zone and language: '16 juin 2026, 10:00'.

        The month is spelled out (CLDR's medium date-time is all digits in Arabic, which
        reads ambiguously), through the locale's own way of joining a date and a time.
        """
        local = moment.astimezone(ZoneInfo(time_zone))
        joined = str(get_datetime_format("medium", locale=self.locale))
        return joined.replace("{1}", format_date(local, "long", locale=self.locale)).replace(
            "{0}", format_time(local, "short", locale=self.locale)
        )

    def time_zone_name(self, time_zone: str) -> str:
        """'Morocco Time', 'heure : Maroc'; for a zone of no country (UTC), its own name."""
        canonical = get_global("zone_aliases").get(time_zone, time_zone)
        if get_global("zone_territories").get(canonical, "ZZ") != "ZZ":
            return get_timezone_name(ZoneInfo(time_zone), locale=self.locale)
        # Babel would say "Unknown Region (UTC) Time": CLDR names UTC itself, and any other
        # fixed offset reads best as one ("GMT+02:00").
        own_name = self.locale.time_zones.get(canonical, {}).get("long", {}).get("standard")
        return own_name or get_timezone_gmt(datetime.now(ZoneInfo(time_zone)), locale=self.locale)


@functools.cache
def _catalogs_in_this_process() -> Catalogs:
    return Catalogs.load()


def _translator_in_this_process(language: str, locale: str) -> Translator:
    catalogs = _catalogs_in_this_process()
    return Translator(language, catalogs.translations[language], Locale.parse(locale))
