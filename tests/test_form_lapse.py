"""A form left open half a day does not swallow the next question: it asks to continue or
start over, in the person's language, and keeps the draft until they choose."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import PROJECT_ROOT
from bot.knowledge import load_directory
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, Harness, catalogs, expected, label

USERS = {"ar": ARABIC_USER, "fr": FRENCH_USER, "en": ENGLISH_USER}
ENTRIES = load_directory(PROJECT_ROOT / "content" / "knowledge").entries
QUESTIONS = {
    "ar": ("كيف أطلب دعما فنيا؟", "technical-support"),
    "fr": ("comment joindre l'equipe du hub", "hub-team-contact"),
    "en": ("what is the hub?", "hub-overview"),
}
ASK_NAME = "Registration (1/5). What is your full name?"
ASK_COUNTRY = "Registration (2/5). Which country is your city in?"
UNFINISHED = (
    "You left your registration unfinished (last changed {when}). Continue where you left off, "
    "or start over?"
)


def answered(language: str, text: str | None, slug: str) -> bool:
    return (text or "").lstrip("\u200f\u2068").startswith(ENTRIES[slug].title.get(language))


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_a_question_half_a_day_later_is_a_question(bot: Harness, language: str) -> None:
    user = USERS[language]
    question, slug = QUESTIONS[language]
    await bot.say(user, "/register")
    [ask_country] = await bot.say(user, "Amina Benali")
    assert ask_country.text == expected(language, ASK_COUNTRY)
    changed = bot.clock.now()

    # Within the lapse, typed text is still the form's answer.
    bot.clock.advance(timedelta(hours=11))
    await bot.services.registration.back(user)
    [ask_name_again] = await bot.say(user, "Amina Benali")
    assert ask_name_again.text == expected(language, ASK_COUNTRY)
    changed = bot.clock.now()

    bot.clock.advance(timedelta(hours=12, minutes=1))
    [answer, offer] = await bot.say(user, question)
    assert answered(language, answer.text, slug)
    when = catalogs().translator(language).datetime(changed, "UTC")
    assert offer.text == expected(language, UNFINISHED, when=when)
    assert offer.button_texts() == [label(language, "Continue"), label(language, "Start over")]
    draft = await bot.services.registration.draft(user)
    assert draft is not None and draft.data["name"] == "Amina Benali"

    # Asked once: the next question is answered, the draft still kept, nothing asked again.
    [again] = await bot.say(user, question)
    assert answered(language, again.text, slug)
    assert await bot.services.registration.draft(user) == draft

    [screen] = await bot.press(user, label(language, "Continue"))
    assert screen.message_id == offer.message_id
    assert screen.text == expected(language, ASK_COUNTRY)
    # Back in the form: the next answer is its answer again.
    [ask_city] = await bot.press(user, label(language, "Morocco"))
    assert label(language, "Fes") in ask_city.button_texts()


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_start_over_after_a_lapse(bot: Harness, language: str) -> None:
    user = USERS[language]
    await bot.say(user, "/register")
    await bot.say(user, "Amina Benali")
    bot.clock.advance(timedelta(hours=13))
    [_, offer] = await bot.say(user, QUESTIONS[language][0])
    [screen] = await bot.press(user, label(language, "Start over"))
    assert screen.message_id == offer.message_id
    assert screen.text == expected(language, ASK_NAME)
    draft = await bot.services.registration.draft(user)
    assert draft is not None and "name" not in draft.data
    [ask_country] = await bot.say(user, "Amina Benali")
    assert ask_country.text == expected(language, ASK_COUNTRY)


async def test_a_staff_broadcast_left_open_and_the_lapse_is_configurable(harness: Harness) -> None:
    async with harness.running(form_lapse_hours=2):
        await harness.say(ADMIN, "/broadcast")
        await harness.press(ADMIN, "English")
        harness.clock.advance(timedelta(hours=3))
        [answer, offer] = await harness.say(ADMIN, "what is the hub?")
        assert answered("en", answer.text, "hub-overview")
        assert "You left a broadcast unfinished" in (offer.text or "")
        # The question did not become the broadcast's text.
        draft = await harness.services.broadcasts.draft(ADMIN)
        assert draft is not None and not draft.data.get("versions")
        [screen] = await harness.press(ADMIN, "Continue")
        assert screen.message_id == offer.message_id
        # Continued: what is typed now is the broadcast's text.
        await harness.say(ADMIN, "Our newsletter is out.")
        draft = await harness.services.broadcasts.draft(ADMIN)
        assert draft is not None and draft.data.get("versions")
