"""Questions that ask for a kind of fact (an amount of money, a number, a job vacancy), and
whether an entry states such a fact at all.

"What is the salary of a programme officer?" shares every other word with entries about the
network; word coverage alone cannot tell it from a good question. When the question asks for
a kind of fact that an entry never states, that part of the question stays uncovered."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from bot.knowledge.content import Entry
from bot.knowledge.normalize import (
    content_word,
    fold_latin,
    normalize,
    raw_words,
    term_variants,
)


@dataclass(frozen=True)
class FactKind:
    """A kind of fact: what asks for it in any of the three languages (a phrase alone, or one
    of the `asked_how` phrases anywhere with one of the `asked_what` phrases), and the pattern
    of an entry's lower-cased text that states one, tried only where one of its `markers` occurs
    (a substring test is far cheaper than a regular expression over 10,000 entries)."""

    name: str
    phrases: tuple[str, ...]
    evidence: re.Pattern[str]
    markers: tuple[str, ...] = ("",)
    asked_how: tuple[str, ...] = ()
    asked_what: tuple[str, ...] = ()
    # The evidence reads the text as written (capitals tell a name), not lower-cased.
    cased: bool = False


_ARABIC_HOW_MANY: Final = ("كم", "قديش", "اديش", "قداش", "شحال", "kam", "ch7al", "9adech")
_COUNTED_NOUNS: Final = (
    "بلدية", "بلديات", "مدينة", "مدن", "شخص", "اشخاص", "مشارك", "مشاركا", "مشاركين",
    "شاب", "شابا", "دولة", "دول", "عضو", "عضوا", "اعضاء", "مرة", "موظف", "موظفا", "موظفين",
    "ورشة", "ورشات", "جلسة", "لجنة", "لجان", "مشروع", "مشاريع", "city", "cities", "ville",
    "villes",
)  # fmt: skip

FACT_KINDS: Final[tuple[FactKind, ...]] = (
    FactKind(
        "money",
        # Not "budget", "funding", "تمويل": those are subjects the documents do cover.
        (
            "salary", "wage", "amount", "cost", "price", "fee",
            "salaire", "rémunération", "montant", "coût", "prix", "frais",
            "مبلغ", "راتب", "رواتب", "معاش", "تكلفة", "كلفة", "سعر",
            "total budget", "budget total", "الميزانية الاجمالية",
        ),
        re.compile(
            r"[$€£]\s?\d|\d[\d\s.,]*\s?(?:(?:million|billion|milliards?|مليون|مليار)\s?)?"
            r"(?:usd|eur|dollars?|euros?|dinars?|dirhams?|pounds?|دولار|يورو|دينار|درهم|جنيه|ليرة)"
            r"|free of charge|no cost|gratuit|sans frais|مجان"
        ),
        markers=(
            "$", "€", "£", "usd", "eur", "dollar", "dinar", "dirham", "pound", "دولار", "يورو",
            "دينار", "درهم", "جنيه", "ليرة", "free of charge", "no cost", "gratuit", "sans frais",
            "مجان",
        ),
        # "How much ... money", dialects included (Levantine قديش/أديش, Tunisian قداش,
        # Moroccan شحال, Egyptian بكام).
        asked_how=("how much", "combien", "كم", "قديش", "اديش", "قداش", "شحال", "بكام"),
        asked_what=(
            "money", "argent", "مال", "مصاري", "فلوس", "dollar", "dollars", "euro", "euros",
            "دولار", "dinar", "dinars", "dirham", "dirhams", "دينار", "درهم", "يورو",
            # "How much did Fes get from the fund?"
            "get", "got", "receive", "received", "reçu", "recevoir", "obtenu", "touché",
            "حصلت", "حصل", "تحصل", "تلقت", "يعطوا",
        ),
    ),
    FactKind(
        "count",
        (
            "how many", "number of", "combien de", "nombre de",
            "كم عدد", "قديش عدد", "اديش عدد", "قداش من", "شحال من",
            # Arabic also asks "how many" with كم right before the counted noun.
            *(f"{how} {noun}" for how in _ARABIC_HOW_MANY for noun in _COUNTED_NOUNS),
        ),
        # A number other than a year, in digits or in words.
        re.compile(
            r"(?<![\d/])(?!(?:19|20)\d\d(?!\d))\d+|\b(?:two|three|four|five|six|seven|eight|nine"
            r"|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|thousands?|dozens?|deux|trois"
            r"|quatre|cinq|sept|huit|neuf|dix|onze|douze|vingt|trente|quarante|cinquante"
            r"|centaines?|milliers?|dizaines?|اثنان|اثنين|ثلاث|ثلاثة|أربع|أربعة|خمس|خمسة|ستة"
            r"|سبع|سبعة|ثماني|ثمانية|تسع|تسعة|عشر|عشرة|عشرين|ثلاثين|مئات|آلاف)\b"
        ),
    ),
    FactKind(
        "vacancy",
        (
            "vacancy", "hiring", "job opening",
            "offre d'emploi", "poste vacant", "poste à pourvoir",
            "شاغر", "شواغر", "وظيفة شاغرة",
        ),
        re.compile(
            r"vacanc|\bhiring\b|offres? d.emploi|postes? (?:vacants?|à pourvoir)|شاغر|شواغر"
        ),
        markers=("vacan", "hiring", "emploi", "pourvoir", "شاغر", "شواغر"),
    ),
    FactKind(
        "date",
        (
            "when", "what date", "which date", "deadline", "quand", "quelle date",
            "date limite", "متى", "امتى", "إمتى", "وقتاش", "تاريخ", "موعد", "wa9tach", "imta",
        ),
        # A year, a month, or a day and month in digits.
        re.compile(
            r"\b(?:19|20)\d\d\b|\b\d{1,2}[/.-]\d{1,2}\b|\b(?:january|february|march|april|may"
            r"|june|july|august|september|october|november|december|janvier|février|mars|avril"
            r"|mai|juin|juillet|août|septembre|octobre|novembre|décembre)\b|يناير|فبراير|مارس"
            r"|أبريل|ابريل|مايو|يونيو|يوليو|أغسطس|اغسطس|سبتمبر|أكتوبر|اكتوبر|نوفمبر|ديسمبر"
            r"|كانون|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين|جانفي|فيفري|أفريل|جوان|جويلية"
        ),
    ),
    FactKind(
        "phone",
        (
            "phone", "telephone", "whatsapp", "téléphone", "portable",
            "هاتف", "الهاتف", "تلفون", "تليفون", "واتساب", "واتس",
        ),
        re.compile(r"(?:\+|\b00)\d[\d\s().-]{6,}\d|\b0\d(?:[\s.-]?\d\d){4}\b"),
        markers=("+", "00", "0"),
    ),
    FactKind(
        "venue",
        (
            "hotel", "which venue", "what venue", "which room", "hôtel", "quelle salle",
            "quel lieu exact", "فندق", "اي قاعة", "أي قاعة", "قاعة",
        ),
        re.compile(r"\bhotels?\b|hôtel|فندق|\bsalle\b|قاعة"),
        markers=("hotel", "hôtel", "فندق", "salle", "قاعة"),
    ),
    FactKind(
        "duration",
        (
            "how long", "how many days", "how many weeks", "how many months", "combien de temps",
            "quelle durée", "durée", "كم مدة", "مدة", "قديش بتطول", "قداش تطول", "شحال كتدوم",
            "كم يوم", "كم يوما", "كم شهر", "كم شهرا", "كم سنة",
        ),
        re.compile(
            r"\d+\s*(?:days?|weeks?|months?|years?|hours?|jours|semaines|mois|ans|années|heures)\b"
            r"|\b(?:one|two|three|four|five|six|un|une|deux|trois|quatre|cinq|six)[\s-]"
            r"(?:days?|weeks?|months?|years?|jours|semaines|mois|ans|années)\b"
            r"|\d+\s*(?:يوم|أيام|ايام|أسابيع|اسابيع|أسبوع|اسبوع|أشهر|اشهر|شهر|سنوات|سنة|ساعات)"
            r"|(?:يومين|شهرين|سنتين|أسبوعين|اسبوعين)"
        ),
    ),
    FactKind(
        "percentage",
        (
            "percentage", "percent", "what share", "pourcentage", "pour cent", "quelle part",
            "نسبة", "بالمئة", "بالمائة",
        ),
        re.compile(r"%|\bper ?cent|pour ?cent|بالمئة|بالمائة|في المائة|في المئة"),
        markers=("%", "cent", "بالم", "المائة", "المئة"),
    ),
    FactKind(
        "clock_time",
        (
            "what time", "which time", "à quelle heure", "quelle heure", "الساعة كم",
            "اي ساعة", "أي ساعة", "في اي ساعة", "على الساعة كم", "وقتاش بالضبط",
        ),
        re.compile(r"\b\d{1,2}[:h]\d\d\b|\b\d{1,2}\s?(?:am|pm|a\.m\.|p\.m\.)|الساعة\s?\d"),
    ),
    FactKind(
        "person",
        (),
        # Two capitalised words near a role: "Zouhair Racheha as Head of the Hub".
        re.compile(
            r"(?:\b[A-Z][a-z]+ [A-Z][a-z]+\b.{0,30}\b(?:[Mm]ayor|[Pp]resident|[Dd]irector|[Hh]ead"
            r"|[Mm]inister|[Gg]overnor|[Cc]hair|maire|président|directeur|ministre|gouverneur)\b)"
            r"|(?:\b(?:[Mm]ayor|[Pp]resident|[Dd]irector|[Hh]ead|[Mm]inister|[Gg]overnor|[Cc]hair"
            r"|maire|président|directeur|ministre|gouverneur)\b.{0,30}\b[A-Z][a-z]+ [A-Z][a-z]+\b)"
        ),
        markers=("ayor", "resident", "irector", "ead", "inister", "overnor", "hair", "maire"),
        asked_how=(
            "who is", "who was", "name of", "qui est", "nom du", "nom de", "من هو", "من هي",
            "ما اسم", "اسم", "شكون", "مين", "منو",
        ),
        asked_what=(
            "mayor", "president", "director", "head", "minister", "governor", "chair",
            "maire", "président", "directeur", "ministre", "gouverneur",
            "رئيس", "مدير", "وزير", "محافظ", "عمدة",
        ),
        cased=True,
    ),
)  # fmt: skip


def _key(raw: str) -> tuple[str, ...]:
    """Every reading of a normalised word: its index stems, or itself for a stopword."""
    word = content_word(raw)
    return term_variants(word) if word else (raw,)


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(_key(raw)[0] for raw in raw_words(normalize(text)))


# Phrases by their first word: a question's words lead to the phrases to try, rather than
# every phrase being looked for in every question.
_Phrases = dict[str, tuple[tuple[str, ...], ...]]


@dataclass(frozen=True)
class _CompiledKind:
    name: str
    phrases: _Phrases
    asked_how: _Phrases
    asked_what: _Phrases


def _compile(phrases: Iterable[str]) -> _Phrases:
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in dict.fromkeys(map(_phrase, phrases)):
        if phrase:
            by_first.setdefault(phrase[0], []).append(phrase)
    return {first: tuple(found) for first, found in by_first.items()}


_COMPILED: Final = tuple(
    _CompiledKind(
        kind.name, _compile(kind.phrases), _compile(kind.asked_how), _compile(kind.asked_what)
    )
    for kind in FACT_KINDS
)
# Cheap test before any phrase matching: most questions contain none of these.
_FIRST_KEYS: Final = frozenset(
    first
    for kind in _COMPILED
    for phrases in (kind.phrases, kind.asked_how, kind.asked_what)
    for first in phrases
)


@dataclass(frozen=True)
class AskedFacts:
    """The kinds of fact a question asks for, and its content words that ask for them."""

    kinds: tuple[str, ...]
    words: frozenset[str]


NO_FACTS: Final = AskedFacts((), frozenset())


def asked_facts(raws: list[str]) -> AskedFacts:
    """What a question, as its normalised raw words (normalize.raw_words), asks for."""
    keys = [_key(raw) for raw in raws]
    if not any(reading in _FIRST_KEYS for readings in keys for reading in readings):
        return NO_FACTS
    kinds: list[str] = []
    words: set[str] = set()
    # Where each reading occurs: a phrase is only tried where its first word is.
    starts: dict[str, list[int]] = {}
    for at, readings in enumerate(keys):
        for reading in dict.fromkeys(readings):
            starts.setdefault(reading, []).append(at)

    def spans(phrases: _Phrases) -> list[range]:
        return [
            range(start, start + len(phrase))
            for first, positions in starts.items()
            for phrase in phrases.get(first, ())
            for start in positions
            if start + len(phrase) <= len(keys)
            and all(part in keys[start + i] for i, part in enumerate(phrase[1:], start=1))
        ]

    for kind in _COMPILED:
        found = spans(kind.phrases)
        if kind.asked_how and spans(kind.asked_how):
            found += spans(kind.asked_what)
        if found:
            kinds.append(kind.name)
            words.update(w for span in found for at in span if (w := content_word(raws[at])))
    return AskedFacts(tuple(kinds), frozenset(words)) if kinds else NO_FACTS


def stated_facts(entry: Entry) -> frozenset[str]:
    """The kinds of fact an entry states somewhere in its title or answer, in any language."""
    written = "\n".join(text for _, text in (*entry.title.items(), *entry.answer.items()))
    lower = written.lower()
    stated: set[str] = set()
    for kind in FACT_KINDS:
        text = written if kind.cased else lower
        if any(marker in text for marker in kind.markers) and kind.evidence.search(text):
            stated.add(kind.name)
    return frozenset(stated)


_LATIN_WORD_RE: Final = re.compile(r"[^\W\d_]+")
_SENTENCE_BREAK_RE: Final = re.compile(r"(?<=[.!?:;])\s+|\n")
_NAME_LANGUAGES: Final = ("en", "fr")


def proper_names(entries: Iterable[Entry]) -> frozenset[str]:
    """Words the entries only ever write with a capital inside a sentence (Amman, Sabha,
    Racheha, November): names of places, people and months, in their normalised spelling.
    They say where or who, not what a question is about: a question that shares only a
    place with an entry is not answered by it (knowledge/search.py weighs them less)."""
    capitalised: set[str] = set()
    lowercase: set[str] = set()
    for entry in entries:
        for lang in _NAME_LANGUAGES:
            for text in (entry.title.get(lang), entry.answer.get(lang)):
                for sentence in _SENTENCE_BREAK_RE.split(text):
                    for at, word in enumerate(_LATIN_WORD_RE.findall(sentence)):
                        if word.islower():
                            lowercase.add(fold_latin(word))
                        elif at > 0 and word[0].isupper() and not word.isupper():
                            capitalised.add(fold_latin(word))
    return frozenset(word for word in capitalised - lowercase if len(word) > 1)
