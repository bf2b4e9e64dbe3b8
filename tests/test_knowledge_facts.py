"""Questions that ask for a kind of fact (an amount, a vacancy) are answered only by entries
that state such a fact."""

from __future__ import annotations

import pytest

from bot.knowledge import KnowledgeIndex
from bot.knowledge.facts import asked_facts, stated_facts
from bot.knowledge.normalize import normalize, raw_words
from tests.test_knowledge_search import make_entry


def kinds_asked(question: str) -> tuple[str, ...]:
    return asked_facts(raw_words(normalize(question))).kinds


@pytest.mark.parametrize(
    "question",
    [
        "What is the salary of a programme officer?",
        "Quel est le montant de l'appui technique ?",
        "كم يبلغ المبلغ الذي تحصل عليه البلدية؟",
        # How much ... money, anywhere in the question, dialect included.
        "how much money does a city get",
        "combien d'argent pour chaque ville",
        "قديش بيعطوا مصاري لكل بلدية؟",
        "شحال ديال الفلوس كيعطيو؟",
    ],
)
def test_amount_questions_ask_for_money(question: str) -> None:
    assert kinds_asked(question) == ("money",)


@pytest.mark.parametrize(
    "question",
    [
        "are there job vacancies at the hub",
        "y a-t-il des offres d'emploi au hub",
        "هل توجد وظائف شاغرة",
    ],
)
def test_vacancy_questions(question: str) -> None:
    assert kinds_asked(question) == ("vacancy",)


@pytest.mark.parametrize(
    "question",
    [
        "how many cities are members",
        "Combien de participants à l'atelier de Rabat ?",
        "كم عدد اللاجئين في الأردن؟",
        "شحال من مدينة فالشبكة؟",
    ],
)
def test_count_questions(question: str) -> None:
    assert kinds_asked(question) == ("count",)


@pytest.mark.parametrize(
    "question",
    [
        # A quantity without money, money without a quantity, jobs that are not vacancies.
        "how much has the hub achieved",
        "does the technical support fund give money to cities",
        "Tripoli project giving jobs to ex juvenile prisoners",
        "L'étude du PNUD sur le recrutement extrémiste",
        "ما هي المدن الأعضاء في الشبكة؟",
    ],
)
def test_other_questions_ask_for_no_fact(question: str) -> None:
    assert kinds_asked(question) == ()


def test_the_question_words_asking_for_the_fact_are_named() -> None:
    asked = asked_facts(raw_words(normalize("قديش بيعطوا مصاري من صندوق الدعم")))
    assert asked.words == {"بيعطوا", "مصاري"}


def test_entries_state_amounts_and_vacancies_in_any_language() -> None:
    plain = make_entry("plain", ("المركز", "Le Hub", "The Hub"), ((), (), ()))
    assert stated_facts(plain) == frozenset()
    for answer in (
        ("Grants of $5,000 per city.", "", ""),
        ("", "Jusqu'à 20 000 euros.", ""),
        (
            "منحة بقيمة 3000 دولار",
            "",
            "",
        ),
    ):
        entry = make_entry("grant", ("المركز", "Le Hub", "The Hub"), ((), (), ()), answer)
        assert "money" in stated_facts(entry)
    hiring = make_entry(
        "jobs",
        ("وظائف", "Emplois", "Jobs"),
        ((), (), ()),
        ("", "", "We are hiring a programme officer."),
    )
    assert stated_facts(hiring) == {"vacancy"}
    for answer in ("", "", "Adopted in 2025."), ("", "", "Held in March 2024."):
        dated = make_entry("dated", ("المركز", "Le Hub", "The Hub"), ((), (), ()), answer)
        assert "count" not in stated_facts(dated)
    for answer in ("", "", "It has 90 members."), ("ضم المجلس سبعة أعضاء", "", ""):
        counted = make_entry("counted", ("المركز", "Le Hub", "The Hub"), ((), (), ()), answer)
        assert "count" in stated_facts(counted)


def _fund_entry(answer_en: str) -> list:
    return [
        make_entry(
            "fund",
            ("صندوق الدعم الفني", "Le fonds d'appui technique", "The technical support fund"),
            (("صندوق الدعم",), ("fonds d'appui",), ("support fund", "programme officer")),
            ("", "", answer_en),
        )
    ]


@pytest.mark.parametrize(
    "question",
    [
        "What is the salary at the support fund?",
        "Quel est le montant du fonds d'appui ?",
        "قديش بيعطوا مصاري من صندوق الدعم؟",
    ],
)
def test_an_amount_is_answered_only_by_an_entry_that_states_one(question: str) -> None:
    without_amount = KnowledgeIndex.build(_fund_entry("The fund pays for trainings. "))
    assert without_amount.search(question).hits == []
    with_amount = KnowledgeIndex.build(
        _fund_entry("The fund pays up to $10,000 per city; the officer's salary is 2,000 USD. ")
    )
    assert [hit.slug for hit in with_amount.search(question).hits] == ["fund"]
    # The same subject without asking for an amount is answered either way.
    assert [hit.slug for hit in without_amount.search("the technical support fund").hits] == [
        "fund"
    ]
