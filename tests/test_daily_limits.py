"""Per-person daily caps on kept and forwarded questions, and the length of a staff answer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.geography import HUB_EMAIL
from bot.knowledge.service import FORWARDS_PER_DAY, KEPT_QUESTIONS_PER_DAY
from handlers.knowledge import MAX_ANSWER_CHARS
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, Harness, label
from tests.support_helpers import expected_n

NOT_FOUND = (
    "I could not find an answer to that in the Hub's resources. Shall I send your "
    "question to the Hub team? They will answer you here."
)
KEPT_TOO_MANY = (
    "I could not find an answer to that in the Hub's resources. You have already "
    "left {count} unanswered question in the last 24 hours, the most the bot keeps; "
    "please try again tomorrow, or write to {email}.",
    "I could not find an answer to that in the Hub's resources. You have already "
    "left {count} unanswered questions in the last 24 hours, the most the bot keeps; "
    "please try again tomorrow, or write to {email}.",
)
FORWARDED_TOO_MANY = (
    "You have sent {count} question to the Hub team in the last 24 hours, the most "
    "a day; please try again tomorrow, or write to {email}.",
    "You have sent {count} questions to the Hub team in the last 24 hours, the most "
    "a day; please try again tomorrow, or write to {email}.",
)


def nonsense(number: int) -> str:
    return f"qqzzx wwvvk {number}?"


async def kept_questions(bot: Harness, user_id: int) -> int:
    rows = await bot.services.db.fetchall(
        "SELECT count(*) FROM questions WHERE user_id = :id", {"id": user_id}
    )
    return int(rows[0][0])


@pytest.mark.parametrize(
    ("user_id", "language"), [(ARABIC_USER, "ar"), (FRENCH_USER, "fr"), (ENGLISH_USER, "en")]
)
async def test_kept_questions_are_capped_per_day(bot: Harness, user_id: int, language: str) -> None:
    for number in range(KEPT_QUESTIONS_PER_DAY):
        await bot.say(user_id, nonsense(number))
    [refusal] = await bot.say(user_id, nonsense(99))
    assert refusal.text == expected_n(
        language, *KEPT_TOO_MANY, KEPT_QUESTIONS_PER_DAY, email=HUB_EMAIL
    )
    assert not refusal.button_texts()
    assert await kept_questions(bot, user_id) == KEPT_QUESTIONS_PER_DAY
    # Another person is not affected; the same person is, again, a day later.
    [other] = await bot.say(ADMIN, nonsense(1))
    assert label("en", "Send it to the Hub team") in other.button_texts()
    bot.clock.advance(timedelta(hours=24, seconds=1))
    [offer] = await bot.say(user_id, nonsense(100))
    assert label(language, "Send it to the Hub team") in offer.button_texts()


@pytest.mark.parametrize(("user_id", "language"), [(ARABIC_USER, "ar"), (FRENCH_USER, "fr")])
async def test_forwards_to_staff_are_capped_per_day(
    bot: Harness, user_id: int, language: str
) -> None:
    await bot.say(ADMIN, "/start")
    staff_before = len(bot.api.messages(ADMIN))
    send = label(language, "Send it to the Hub team")
    for number in range(FORWARDS_PER_DAY):
        await bot.say(user_id, nonsense(number))
        await bot.press(user_id, send)
    await bot.say(user_id, nonsense(99))
    [refusal] = await bot.press(user_id, send)
    assert refusal.text == expected_n(
        language, *FORWARDED_TOO_MANY, FORWARDS_PER_DAY, email=HUB_EMAIL
    )
    assert len(bot.api.messages(ADMIN)) == staff_before + FORWARDS_PER_DAY
    bot.clock.advance(timedelta(hours=24, seconds=1))
    await bot.say(user_id, nonsense(100))
    await bot.press(user_id, send)
    assert len(bot.api.messages(ADMIN)) == staff_before + FORWARDS_PER_DAY + 1


async def test_a_staff_answer_too_long_is_refused_and_not_sent(bot: Harness) -> None:
    await bot.say(ADMIN, "/start")
    await bot.say(FRENCH_USER, nonsense(1))
    await bot.press(FRENCH_USER, label("fr", "Send it to the Hub team"))
    copy = bot.api.last_message(ADMIN)
    asker_before = len(bot.api.messages(FRENCH_USER))
    [refusal] = await bot.say(
        ADMIN, "x" * (MAX_ANSWER_CHARS + 1), reply_to_message_id=copy.message_id
    )
    assert refusal.text == expected_n(
        "en",
        "That is too long: please use at most {count} character.",
        "That is too long: please use at most {count} characters.",
        MAX_ANSWER_CHARS,
    )
    assert len(bot.api.messages(FRENCH_USER)) == asker_before
    await bot.say(ADMIN, "Short answer.", reply_to_message_id=copy.message_id)
    assert "Short answer." in bot.last_text(FRENCH_USER)
