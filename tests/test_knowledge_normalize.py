"""Normalisation, tokenisation, stemming and language detection of the knowledge search."""

from __future__ import annotations

import pytest

from bot.knowledge.normalize import (
    arabic_clitic_variants,
    arabic_verb_variants,
    detect_language,
    fold_latin,
    normalize_arabic,
    split_elisions,
    stem,
    strip_arabic_article,
    term_variants,
    tokenize,
)

# --- Arabic -------------------------------------------------------------------------------------


def test_arabic_diacritics_are_removed() -> None:
    assert normalize_arabic("مُدُنٌ قَوِيَّةٌ") == "مدن قويه"


def test_arabic_tatweel_is_removed() -> None:
    assert normalize_arabic("مـــدن") == "مدن"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("أمن", "امن"),
        ("إطار", "اطار"),
        ("آمن", "امن"),
        ("ٱلمدينة", "المدينه"),
        ("على", "علي"),
        ("شبكة", "شبكه"),
        ("مسؤول", "مسوول"),
        ("لاجئ", "لاجي"),
        ("مدینة", "مدينه"),  # Persian yeh
    ],
)
def test_arabic_letter_variants_are_unified(raw: str, expected: str) -> None:
    assert normalize_arabic(raw) == expected


def test_arabic_indic_and_persian_digits_become_ascii() -> None:
    assert normalize_arabic("مارس ٢٠٢٣ و ۲۰۲۵") == "مارس 2023 و 2025"


def test_arabic_presentation_forms_are_decomposed() -> None:
    assert normalize_arabic("ﻻ") == "لا"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("الشباب", "شباب"),
        ("والشباب", "شباب"),
        ("بالمدينة", "مدينه"),
        ("للشباب", "شباب"),
        ("فالبلدية", "بلديه"),
        ("وبالرباط", "رباط"),
    ],
)
def test_definite_article_and_attached_prepositions_are_stripped(raw: str, expected: str) -> None:
    assert tokenize(raw) == [expected]


def test_article_stripping_keeps_short_words() -> None:
    assert strip_arabic_article("الف") == "الف"
    assert strip_arabic_article("الحل") == "حل"


def test_one_letter_clitics_give_variants_not_replacements() -> None:
    # و، ب، ل may be a clitic or the word's own first letter: both readings are kept.
    assert arabic_clitic_variants("وشباب") == ("وشباب", "شباب")
    assert arabic_clitic_variants("بلديه")[:2] == ("بلديه", "لديه")
    assert arabic_clitic_variants("لمدينه")[1] == "مدينه"
    assert arabic_clitic_variants("ورشه")[0] == "ورشه"


def test_clitic_variants_do_not_destroy_short_words() -> None:
    assert arabic_clitic_variants("وطن") == ("وطن",)
    assert arabic_clitic_variants("بلد") == ("بلد",)


def test_prefixed_and_bare_forms_share_a_term() -> None:
    for prefixed, bare in [("وورشه", "ورشه"), ("بفاس", "فاس"), ("لطنجه", "طنجه")]:
        assert set(term_variants(prefixed)) & set(term_variants(bare))


def test_article_and_bare_forms_stem_alike() -> None:
    assert term_variants(tokenize("البلدية")[0])[0] == term_variants(tokenize("بلدية")[0])[0]
    assert term_variants(tokenize("الورشة")[0])[0] == term_variants(tokenize("ورشة")[0])[0]


def test_feminine_plural_meets_singular() -> None:
    assert stem("شبكات", "ar") == stem("شبكه", "ar")


def test_present_tense_verb_variants() -> None:
    assert "طلب" in arabic_verb_variants("نطلب")
    assert "عمل" in arabic_verb_variants("بتعمل")


@pytest.mark.parametrize(
    "question",
    [
        "شو هاد؟",
        "ايش في",
        "إيه ده",
        "وين؟ فين؟",
        "كيف كيفاش شنو شلون",
        "ليش علاش",
        "امتى إمتى قديش",
        "السلام عليكم",
    ],
)
def test_dialect_question_words_are_stopwords(question: str) -> None:
    assert tokenize(question) == []


def test_dialect_question_keeps_its_subject() -> None:
    assert tokenize("كيفاش نتواصل مع المركز؟") == ["نتواصل", "مركز"]


# --- French -------------------------------------------------------------------------------------


def test_french_accents_are_folded() -> None:
    assert fold_latin("Fès Tétouan Saïda ÉCOLE œuvre Ça") == "fes tetouan saida ecole oeuvre ca"


def test_fold_latin_leaves_arabic_alone() -> None:
    assert fold_latin("فاس Fès") == "فاس fes"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l'atelier", ["atelier"]),
        ("d’Amman", ["amman"]),
        ("qu'est-ce que le réseau ?", ["reseau"]),
        ("l’Union européenne", ["union", "europeenne"]),
        ("c'est quoi l'appui technique", ["appui", "technique"]),
    ],
)
def test_french_elisions_and_stopwords(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_split_elisions_handles_both_apostrophes() -> None:
    assert split_elisions("l'atelier d’Amman") == "l atelier d Amman"


def test_french_stemming_conflates_inflections() -> None:
    assert stem("villes", "fr") == stem("ville", "fr")
    assert stem("jeunesse", "fr") != stem("conseil", "fr")
    assert stem("reseaux", "fr") == stem("reseau", "fr")


def test_accented_and_plain_spellings_share_terms() -> None:
    assert term_variants(tokenize("prévention")[0]) == term_variants(tokenize("prevention")[0])


# --- English ------------------------------------------------------------------------------------


def test_english_is_lowercased_and_stopwords_removed() -> None:
    assert tokenize("What is the Hub's ROLE in the cities?") == ["hub", "role", "cities"]


def test_english_stemming() -> None:
    assert stem("councils", "en") == stem("council", "en")
    assert stem("preventing", "en") == stem("prevention", "en")
    assert stem("cities", "en") == stem("city", "en")


def test_latin_words_get_english_and_french_stems() -> None:
    assert term_variants("tangier") == (stem("tangier", "en"), stem("tangier", "fr"))


def test_digits_are_kept() -> None:
    assert tokenize("January 2024") == ["january", "2024"]


# --- Language detection -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("شنو هو المركز الإقليمي؟", "ar"),
        ("وين بلاقي الدليل", "ar"),
        ("شو قصة Sabha", "ar"),
        ("Qu'est-ce que le Hub ?", "fr"),
        ("comment contacter l equipe", "fr"),
        ("conseil des jeunes de fes", "fr"),
        ("Où est le guide ?", "fr"),
        ("How do I contact the hub?", "en"),
        ("youth council in Fes", "en"),
        ("crisis management guide", "en"),
        ("what is the فاس youth council", "en"),
        ("Fes", "en"),
        ("", "en"),
        ("2023", "en"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang
