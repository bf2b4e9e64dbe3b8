"""Questions that ask for a kind of fact (an amount, a vacancy) are answered only by entries
that state such a fact."""

from __future__ import annotations

import pytest

from bot.knowledge import KnowledgeIndex
from bot.knowledge.facts import asked_facts, proper_names, stated_facts
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
    ("question", "kind"),
    [
        # Arabic asks "how many" with كم and the counted noun.
        ("كم مدينة اردنية حضرت اللقاء؟", "count"),
        ("قداش من بلدية شاركت؟", "count"),
        ("in which hotel did the participants stay", "venue"),
        ("dans quelle salle se tient la réunion ?", "venue"),
        ("في اي فندق ينزل المشاركون؟", "venue"),
        ("how long does the training last", "duration"),
        ("combien de temps dure le programme ?", "duration"),
        ("كم مدة البرنامج؟", "duration"),
        ("what percentage of members are in Africa", "percentage"),
        ("quel pourcentage des villes sont arabes ?", "percentage"),
        ("ما نسبة النساء في المجلس؟", "percentage"),
        ("what time does the session start", "clock_time"),
        ("à quelle heure commence la session ?", "clock_time"),
        ("الساعة كم تبدا الجلسة؟", "clock_time"),
    ],
)
def test_details_no_entry_may_state_are_asked_for(question: str, kind: str) -> None:
    """A venue, a duration, a share, a time of day, a count asked the Arabic way: asked for,
    so that an entry that shares the other words but states none is not the answer."""
    assert kind in kinds_asked(question)


def test_details_are_stated_only_where_written() -> None:
    plain = make_entry(
        "plain", ("المركز", "Le Hub", "The Hub"), ((), (), ()), ("", "", "Held in Amman in 2024.")
    )
    assert not {"venue", "duration", "percentage", "clock_time"} & stated_facts(plain)
    for answer, kind in (
        (("", "", "Participants stayed at the Hotel Royal."), "venue"),
        (("", "La formation dure trois jours.", ""), "duration"),
        (("", "", "Women are 40% of the council."), "percentage"),
        (("", "", "The session starts at 10:30."), "clock_time"),
        (("التدريب مدته 5 أيام", "", ""), "duration"),
    ):
        entry = make_entry("detailed", ("المركز", "Le Hub", "The Hub"), ((), (), ()), answer)
        assert kind in stated_facts(entry), answer


def test_a_hotel_question_is_not_answered_by_the_entry_on_the_meeting() -> None:
    entries = [
        make_entry(
            "roundtable",
            ("مائدة طنجة المستديرة", "La table ronde de Tanger", "The Tangier round table"),
            (("مائدة مستديرة",), ("table ronde",), ("round table",)),
            ("", "", "The round table met in Tangier in November 2023 with ten cities."),
        )
    ]
    index = KnowledgeIndex.build(entries)
    assert [hit.slug for hit in index.search("the Tangier round table").hits] == ["roundtable"]
    assert index.search("which hotel hosted the Tangier round table").hits == []


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


def test_proper_names_are_the_words_only_ever_capitalised_inside_a_sentence() -> None:
    entries = [
        make_entry(
            "amman",
            ("عمان", "Le guide d'Amman", "The Amman guide"),
            ((), (), ()),
            ("", "La ville d'Amman a écrit son guide.", "Greater Amman wrote its crisis guide."),
        ),
        make_entry(
            "guides",
            ("الأدلة", "Les guides", "Guides"),
            ((), (), ()),
            ("", "", "Each guide was written with Rabat. Crisis work matters."),
        ),
    ]
    names = proper_names(entries)
    assert {"amman", "rabat"} <= names
    # Written in lower case somewhere, or only ever first in a sentence: not a name.
    assert not {"guide", "crisis", "each", "greater"} & names
