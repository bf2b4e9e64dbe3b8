"""Answer, suggest or decline, through Telegram in three languages: a sure answer, the "is it one
of these?" screen and its buttons, long messages with context, two questions in one message,
and fact questions that no entry answers."""

from __future__ import annotations

import pytest

from tests.harness import STAFF_CHAT, Harness, expected, label
from tests.test_knowledge_bot import NOT_FOUND, USERS, button_label, title

NOT_SURE = (
    "I am not sure I understood your question. Is it one of these? Tap one to read it, or "
    "ask the Hub team: they will answer you here."
)


def starts_with_title(text: str | None, slug: str, language: str) -> bool:
    return (text or "").lstrip("\u200f\u2068").startswith(title(slug, language))


@pytest.mark.parametrize(
    ("language", "question", "slug"),
    [
        ("ar", "كيف نطلب دعما فنيا من المركز؟", "technical-support"),
        ("fr", "Comment demander un soutien technique au Hub ?", "technical-support"),
        ("en", "How can we request technical support from the hub?", "technical-support"),
    ],
)
async def test_a_sure_answer_comes_at_once(
    bot: Harness, language: str, question: str, slug: str
) -> None:
    # Asking how to get support also brings the offer to file a request (test_intents.py).
    answer, *_ = await bot.say(USERS[language], question)
    assert starts_with_title(answer.text, slug, language)
    assert label(language, "Ask the Hub team") not in answer.button_texts()


@pytest.mark.parametrize(
    ("language", "question"), [("ar", "الشباب"), ("fr", "jeunes"), ("en", "youth")]
)
async def test_an_unsure_question_gets_suggestions_one_tap_from_the_entry(
    bot: Harness, language: str, question: str
) -> None:
    user = USERS[language]
    [suggestions] = await bot.say(user, question)
    assert suggestions.text == expected(language, NOT_SURE)
    buttons = suggestions.button_texts()
    entry_label = button_label("youth-engagement", language)
    assert entry_label in buttons
    assert label(language, "Ask the Hub team") in buttons
    # At most three entries, the team, and the topics.
    assert len(buttons) <= 5
    [entry] = await bot.press(user, entry_label)
    assert starts_with_title(entry.text, "youth-engagement", language)
    # The suggestions stay, to try another one.
    still = [m for m in bot.api.messages(user) if m.message_id == suggestions.message_id]
    assert [m.text for m in still] == [suggestions.text]


@pytest.mark.parametrize(
    ("language", "question"), [("ar", "الشباب"), ("fr", "jeunes"), ("en", "youth")]
)
async def test_ask_the_hub_team_from_the_suggestions(
    harness: Harness, language: str, question: str
) -> None:
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    user = USERS[language]
    async with harness.running(staff_chat_id=STAFF_CHAT):
        [suggestions] = await harness.say(user, question)
        assert suggestions.text == expected(language, NOT_SURE)
        [sent] = await harness.press(user, label(language, "Ask the Hub team"))
        assert sent.text == expected(language, "Sent. The Hub team will answer you here.")
        copy = harness.api.last_message(STAFF_CHAT)
        assert question in (copy.text or "")


LONG_MESSAGES = {
    "en": (
        "Hello, I am the new focal point for the municipality of Irbid and we joined the "
        "network last month after the mayor signed. We have many young people without jobs. "
        "How can we request technical support from the hub?"
    ),
    "fr": (
        "Bonjour, je suis le nouveau point focal de la commune de Sousse, nous avons rejoint "
        "le réseau l'année dernière et le maire est très motivé. Comment demander un soutien "
        "technique au Hub ?"
    ),
    "ar": (
        "السلام عليكم، انا نقطة الاتصال الجديدة في بلدية الزرقاء، انضممنا الى الشبكة السنة "
        "الماضية والبلدية مهتمة كثيرا بالشباب. كيف نطلب دعما فنيا من المركز؟"
    ),
}


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_a_long_message_is_answered_for_its_question(bot: Harness, language: str) -> None:
    answer, *_ = await bot.say(USERS[language], LONG_MESSAGES[language])
    assert starts_with_title(answer.text, "technical-support", language)


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("ar", "كيف الطقس بكرة وكيف أتواصل مع فريق المركز؟"),
        ("fr", "Quel temps fera-t-il demain et comment contacter l'équipe du hub ?"),
        ("en", "What is the weather tomorrow and how do I contact the hub team?"),
    ],
)
async def test_two_questions_are_answered_for_the_hub_part(
    bot: Harness, language: str, question: str
) -> None:
    [answer] = await bot.say(USERS[language], question)
    assert starts_with_title(answer.text, "hub-team-contact", language)


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("ar", "كم راتب موظف البرنامج في المركز؟"),
        ("fr", "Quel est le salaire d'un chargé de programme du Hub ?"),
        ("en", "How much is the salary of a programme officer at the Hub?"),
    ],
)
async def test_a_fact_no_entry_states_is_not_answered_with_an_entry(
    bot: Harness, language: str, question: str
) -> None:
    [reply] = await bot.say(USERS[language], question)
    assert reply.text in (expected(language, NOT_SURE), expected(language, NOT_FOUND))


def reaches(reply_text: str | None, buttons: list[str], slug: str, language: str) -> bool:
    """The entry is the answer, or one of the buttons of "Is it one of these?"."""
    return starts_with_title(reply_text, slug, language) or button_label(slug, language) in buttons


@pytest.mark.parametrize(
    ("language", "question"),
    [
        # No synonym spells these words in Latin letters: their consonants are read against the
        # Arabic of the entries (اللجنة التوجيهية).
        ("ar", "chnowa dawr el lajna el tawjihiya?"),
        ("fr", "salam, chkoun fi el lajna el tawjihiya ?"),
        ("en", "who sits on el lajna el tawjihiya?"),
    ],
)
async def test_arabic_in_latin_letters_reaches_the_entry_in_one_tap(
    bot: Harness, language: str, question: str
) -> None:
    reply, *_ = await bot.say(USERS[language], question)
    assert reaches(reply.text, reply.button_texts(), "steering-committee", language)


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("ar", "في أي فندق انعقدت المائدة المستديرة في طنجة؟"),
        ("fr", "Dans quel hôtel s'est tenue la table ronde de Tanger ?"),
        ("en", "In which hotel did the Tangier round table meet?"),
    ],
)
async def test_a_venue_no_entry_states_is_not_answered_with_the_meeting(
    bot: Harness, language: str, question: str
) -> None:
    [reply] = await bot.say(USERS[language], question)
    assert reply.text in (expected(language, NOT_SURE), expected(language, NOT_FOUND))


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "ar",
            "في الشتاء الماضي احترق السوق القديم ولم يعرف أحد في البلدية من يقرر ماذا، وانتشرت "
            "الإشاعات. كيف استعدوا لهذا في عمان؟",
        ),
        (
            "fr",
            "L'hiver dernier un incendie au vieux marché a paralysé la commune : personne ne "
            "savait qui décide, et les rumeurs ont circulé. Comment ils se sont préparés à ça à "
            "Amman ?",
        ),
        (
            "en",
            "Last winter a fire in the old market left our council lost: nobody knew who "
            "decides what, and rumours spread. How did they prepare for this in Amman?",
        ),
    ],
)
async def test_a_sentence_of_context_does_not_answer_for_the_question(
    bot: Harness, language: str, message: str
) -> None:
    """ "... and rumours spread" alone is about misinformation; the message asks how Amman
    prepared for a crisis. An entry that only the context points at is not the answer."""
    reply, *_ = await bot.say(USERS[language], message)
    assert not starts_with_title(reply.text, "online-harms", language)
    assert reply.text == expected(language, NOT_SURE)
