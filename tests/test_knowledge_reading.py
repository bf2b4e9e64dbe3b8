"""The decision on a message: its parts, and answer, suggest or decline from the evidence."""

from __future__ import annotations

import pytest

from bot.knowledge import KnowledgeIndex
from bot.knowledge.reading import Tier, message_parts, read
from tests.test_knowledge_facts import _fund_entry
from tests.test_knowledge_search import make_entry


def parts(message: str) -> dict[str, bool]:
    return {part.text: part.is_question for part in message_parts(message)}


def test_a_message_is_read_whole_by_sentence_and_by_clause() -> None:
    found = parts("We are a city in Jordan, we had floods. How can the hub help us?")
    assert found["We are a city in Jordan, we had floods"] is False
    assert found["We are a city in Jordan"] is False
    assert found["How can the hub help us"] is True
    assert found["We are a city in Jordan, we had floods. How can the hub help us?"] is True


@pytest.mark.parametrize(
    ("message", "first", "second"),
    [
        ("what is the TSF and how do I apply?", "what is the TSF", "how do I apply"),
        ("c'est quoi le fonds et comment postuler ?", "c'est quoi le fonds", "comment postuler"),
        ("ما هو الصندوق وكيف نقدم طلب؟", "ما هو الصندوق", "وكيف نقدم طلب"),
    ],
)
def test_two_questions_in_one_sentence_are_two_parts(message: str, first: str, second: str) -> None:
    found = parts(message)
    assert found[first] is True
    assert found[second] is True


def test_a_one_sentence_message_is_one_part() -> None:
    assert list(parts("What is the Hub?")) == ["What is the Hub?"]
    # A decimal point does not end a sentence.
    assert list(parts("Is the fund 2.5 million?")) == ["Is the fund 2.5 million?"]


def _index() -> KnowledgeIndex:
    return KnowledgeIndex.build(
        [
            *_fund_entry("The fund pays for trainings and studies. "),
            make_entry(
                "fes-youth",
                ("مجلس الشباب في فاس", "Le conseil des jeunes de Fès", "The Fes youth council"),
                (("مجلس الشباب", "فاس"), ("conseil des jeunes", "Fès"), ("youth council", "Fes")),
            ),
            make_entry(
                "youth-guide",
                ("دليل الشباب", "Le guide des jeunes", "The youth guide"),
                (("الشباب",), ("jeunes",), ("youth", "guide")),
            ),
        ]
    )


def test_a_sure_answer_names_the_entry_and_the_part() -> None:
    reading = read(_index(), "We are a small city near Tunis. Tell me about the Fes youth council?")
    assert reading.tier is Tier.ANSWER
    assert reading.answer == "fes-youth"
    assert reading.part == "Tell me about the Fes youth council"
    assert reading.shown[0] == "fes-youth"
    assert reading.intent is None


def test_close_entries_are_suggested_not_answered() -> None:
    reading = read(_index(), "youth")
    assert reading.tier is Tier.SUGGEST
    assert reading.answer is None
    assert set(reading.suggestions) == {"fes-youth", "youth-guide"}
    assert not reading.declined


def test_nothing_related_is_declined() -> None:
    reading = read(_index(), "Who won the football match yesterday?")
    assert reading.declined
    assert reading.answer is None
    assert reading.suggestions == ()


@pytest.mark.parametrize(
    "question",
    [
        "How much money does the technical support fund give?",
        "Combien d'argent donne le fonds d'appui technique ?",
        "كم مبلغ صندوق الدعم الفني؟",
    ],
)
def test_a_fact_no_entry_states_is_never_answered_directly(question: str) -> None:
    reading = read(_index(), question)
    assert reading.answer is None
    # Asked without the fact, the same subject is answered.
    assert read(_index(), "the technical support fund").answer == "fund"


@pytest.mark.parametrize(
    ("question", "answered_at_once"),
    [
        # "next", which the entry does not state, leaves it one tap away
        # (fact_answer_min_coverage): suggested, not answered.
        ("When is the next youth guide out?", False),
        ("Quand sort le guide des jeunes ?", True),
        ("متى دليل الشباب؟", True),
    ],
)
def test_a_date_is_answered_only_by_an_entry_that_states_one(
    question: str, answered_at_once: bool
) -> None:
    def guide(answer_en: str) -> KnowledgeIndex:
        entry = make_entry(
            "youth-guide",
            ("دليل الشباب", "Le guide des jeunes", "The youth guide"),
            (("دليل الشباب",), ("guide des jeunes",), ("youth guide",)),
            ("", "", answer_en),
        )
        return KnowledgeIndex.build([entry])

    assert read(guide("The guide helps cities work with youth. "), question).answer is None
    dated = read(guide("The guide was published in March 2024. "), question)
    assert dated.shown[:1] == ("youth-guide",)
    assert (dated.answer == "youth-guide") is answered_at_once


def _context_index() -> KnowledgeIndex:
    return KnowledgeIndex.build(
        [
            make_entry(
                "saida-network",
                ("شبكة صيدا", "Le réseau de Saïda", "Saida's local prevention network"),
                (("شبكة الوقاية",), ("réseau local",), ("local prevention network", "schools")),
                (
                    "",
                    "",
                    "In Saida, schools, social services and municipal departments formed a "
                    "local prevention network against hate speech.",
                ),
            ),
            make_entry(
                "fes-council",
                ("مجلس شباب فاس", "Le conseil des jeunes de Fès", "The Fes youth council"),
                (("مجلس الشباب",), ("conseil des jeunes",), ("youth council", "organise")),
                ("", "", "Fes organised a youth council in 2019; its members organise projects."),
            ),
        ]
    )


def test_a_question_that_leans_on_its_context_is_never_read_alone() -> None:
    """ "How did they organise it?" alone shares its one word with the youth council; read with
    the sentences before it, it is about the schools' network, or at worst unsure."""
    index = _context_index()
    message = (
        "Hate speech is spreading in our schools, and the schools, social services and "
        "municipal departments want a local prevention network. How did they organise it?"
    )
    reading = read(index, message, lang="en")
    assert reading.answer != "fes-council"
    assert "saida-network" in reading.shown
    # Asked alone, the same words do point at the youth council.
    assert read(index, "How did they organise it?", lang="en").answer == "fes-council"
    assert all(
        part.context
        for part in message_parts(message)
        if part.is_question and part.text.startswith("How")
    )
