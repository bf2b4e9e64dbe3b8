"""The catalogs: complete, consistent with the code, placeholders intact, plurals right."""

from __future__ import annotations

import re
import string
import unicodedata
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.config import PROJECT_ROOT, SUPPORTED_LANGUAGES
from bot.i18n import Catalogs, isolate, right_to_left, starts_right_to_left
from tests.harness import plain

LOCALES = PROJECT_ROOT / "locales"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "N_": None,
    "label": None,
    "plabel": ((1, "c"), 2),
}
TAG = re.compile(r"</?([a-z-]+)[^>]*>")


def catalog(language: str) -> Catalog:
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return read_po(po_file)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# As babel.cfg: the code, and the console's templates (Jinja2's own extractor).
METHOD_MAP = [("**/templates/**.html", "jinja2"), ("**.py", "python")]


def code_messages() -> set[tuple[str | None, str]]:
    found: set[tuple[str | None, str]] = set()
    for folder in ("bot", "handlers"):
        for _file, _line, message, _comments, context in extract_from_dir(
            PROJECT_ROOT / folder, method_map=METHOD_MAP, keywords=KEYWORDS, comment_tags=()
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            found.add((context, msgid))
    return found


def catalog_messages(language: str) -> set[tuple[str | None, str]]:
    return {
        (message.context, message.id[0] if isinstance(message.id, tuple) else message.id)
        for message in catalog(language)
        if message.id
    }


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_catalog_matches_the_code(language: str) -> None:
    """Run `make messages` when this fails: the catalogs must follow the code."""
    in_code = code_messages()
    in_catalog = catalog_messages(language)
    assert sorted(in_code - in_catalog, key=str) == [], "messages missing from the catalog"
    assert sorted(in_catalog - in_code, key=str) == [], "obsolete messages in the catalog"


def test_the_console_templates_are_covered() -> None:
    """Template strings are extracted too: a string only a template uses is in the set."""
    assert (None, "Hub staff console") in code_messages()
    assert (None, "Nothing recorded yet for this choice.") in code_messages()


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    untranslated = [
        message.id
        for message in catalog(language)
        if message.id
        and (
            message.fuzzy
            or not all(message.string if isinstance(message.string, tuple) else [message.string])
        )
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_translations_keep_placeholders_and_tags(language: str) -> None:
    problems = []
    for message in catalog(language):
        if not message.id:
            continue
        originals = message.id if isinstance(message.id, tuple) else (message.id,)
        translations = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = placeholders(originals[0]) | placeholders(originals[-1])
        tags = sorted(TAG.findall(originals[0]))
        for translation in translations:
            # A singular form may leave the count out ("one request"), never add names.
            found = placeholders(translation)
            if found != expected and not (len(originals) == 2 and found <= expected):
                problems.append((originals[0], translation, "placeholders"))
            if sorted(TAG.findall(translation)) != tags:
                problems.append((originals[0], translation, "HTML tags"))
    assert problems == []


def test_arabic_plural_formula_is_cldr_order() -> None:
    """Babel 2.18 writes forms 4 and 5 swapped (python-babel#816); ours must be CLDR's."""
    translations = Catalogs.load().translations["ar"]
    expected = {0: 0, 1: 1, 2: 2, 3: 3, 10: 3, 11: 4, 99: 4, 100: 5, 101: 5, 102: 5, 103: 3}
    forms = {n: translations.plural(n) for n in expected}  # type: ignore[attr-defined]
    assert forms == expected
    assert catalog("ar").num_plurals == 6


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "لا يوجد"),
        (1, "عضو واحد"),
        (2, "عضوان"),
        (3, "أعضاء"),
        (10, "أعضاء"),
        (11, "عضوًا"),
        (99, "عضوًا"),
        (100, "عضو"),
        (101, "عضو"),
        (102, "عضو"),
    ],
)
def test_arabic_plural_forms_in_a_real_message(count: int, expected: str) -> None:
    translator = Catalogs.load().translator("ar")
    text = str(
        translator.ngettext(
            "<b>{count} staff member</b>\n{names}",
            "<b>{count} staff members</b>\n{names}",
            count,
            names="",
        )
    )
    assert expected in text


def test_french_plural_treats_zero_and_one_as_singular() -> None:
    translator = Catalogs.load().translator("fr")
    one = str(
        translator.ngettext(
            "<b>{count} staff member</b>\n{names}",
            "<b>{count} staff members</b>\n{names}",
            0,
            names="",
        )
    )
    two = str(
        translator.ngettext(
            "<b>{count} staff member</b>\n{names}",
            "<b>{count} staff members</b>\n{names}",
            2,
            names="",
        )
    )
    assert one != two.replace("2", "0")


def test_values_are_escaped_and_isolated_in_arabic() -> None:
    translator = Catalogs.load().translator("ar")
    text = str(translator._("{user_id} is now hub staff.", user_id="<b>Sam & co</b>"))
    assert "&lt;b&gt;Sam &amp; co&lt;/b&gt;" in text
    assert isolate("&lt;b&gt;Sam &amp; co&lt;/b&gt;") in text


def test_an_arabic_message_never_starts_left_to_right() -> None:
    assert starts_right_to_left(right_to_left("Rabat هي العاصمة"))
    assert right_to_left("الرباط") == "الرباط"
    assert starts_right_to_left(right_to_left("<b>123</b> رسالة"))


ISOLATE_OPENERS = "\u2066\u2067\u2068"
POP_ISOLATE = "\u2069"


def paragraph_direction(paragraph: str) -> str:
    """UAX #9 rules P2 and P3: the first strong character, skipping isolated runs, decides."""
    depth = 0
    for char in paragraph:
        if char in ISOLATE_OPENERS:
            depth += 1
        elif char == POP_ISOLATE:
            depth = max(depth - 1, 0)
        elif depth == 0 and unicodedata.bidirectional(char) in ("R", "AL"):
            return "rtl"
        elif depth == 0 and unicodedata.bidirectional(char) == "L":
            return "ltr"
    return "ltr"


def test_direction_is_read_outside_isolates() -> None:
    assert not starts_right_to_left(isolate("الرباط"))
    assert not starts_right_to_left(f"<b>{isolate('الرباط')}</b>")
    assert starts_right_to_left(f"{isolate('Rabat')} هي العاصمة")
    assert starts_right_to_left(f"&lt;{isolate('Rabat')}&gt; مدينة")
    assert not starts_right_to_left("&amp; Rabat")


def test_every_line_of_an_arabic_message_is_laid_out_right_to_left() -> None:
    message = (
        f"<b>{isolate('ورشة عمل')}</b>\n"
        f"🗓 {isolate('16 يونيو 2026، 10:00')}\n"
        f"📍 {isolate('Rabat City Hall')}\n"
        "العنوان: الرباط\n"
        "\n"
        "Two days on local prevention networks."
    )
    lines = right_to_left(message).split("\n")
    assert [paragraph_direction(plain(line)) for line in lines[:4]] == ["rtl"] * 4
    # A line the reader typed in a left-to-right language keeps its own direction.
    assert lines[3:] == ["العنوان: الرباط", "", "Two days on local prevention networks."]


def test_missing_catalog_stops_the_start(tmp_path: Path) -> None:
    from bot.i18n import CatalogError

    with pytest.raises(CatalogError):
        Catalogs.load(tmp_path)


@pytest.mark.parametrize(
    ("country", "march", "june"),
    [
        ("IQ", "آذار", "حزيران"),
        ("LB", "آذار", "حزيران"),
        ("JO", "آذار", "حزيران"),
        ("TN", "مارس", "جوان"),
        ("MA", "مارس", "يونيو"),
        ("EG", "مارس", "يونيو"),
    ],
)
def test_arabic_dates_follow_the_country(country: str, march: str, june: str) -> None:
    from datetime import UTC, datetime

    translator = Catalogs.load().translator("ar", country)
    assert march in translator.datetime(datetime(2026, 3, 16, 9, tzinfo=UTC), "UTC")
    assert june in translator.datetime(datetime(2026, 6, 16, 9, tzinfo=UTC), "UTC")
