"""Several people at once, against a stand-in that enforces Telegram's limits: chats side by
side, one paced path for everything sent, nothing dropped, nothing Telegram would refuse."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from telegram import Chat, Message, Update, User

from bot.delivery.text import split_html, visible_length
from bot.flood import FloodGuard
from bot.updates import PerChatUpdateProcessor
from standin import parse_html, utf16_len
from standin.server import NOT_MODIFIED
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, STAFF_CHAT, Harness, expected, label
from tests.support_helpers import (
    ASK_CONTACT,
    USERS,
    fill_request,
    make_focal_point,
)

SLOW_DOWN = (
    "You are sending messages faster than I can answer. I am skipping those; "
    "please wait a few seconds, then send your question again."
)
APOLOGY = "Sorry, something went wrong on our side. Please try again in a moment."


def telegram_limits(harness: Harness) -> None:
    """About one message a second to a person (three at once at most), twenty a minute to a
    group (three at once), thirty a second overall."""
    api = harness.api
    api.chat_interval_s, api.chat_burst = 1.0, 3
    api.group_interval_s, api.group_burst = 3.0, 3
    api.messages_per_s = 30


def message_update(update_id: int, chat_id: int, user_id: int) -> Update:
    user = User(user_id, f"U{user_id}", is_bot=False)
    chat = Chat(chat_id, "private" if chat_id > 0 else "supergroup")
    return Update(update_id, message=Message(update_id, None, chat, from_user=user, text="hi"))  # type: ignore[arg-type]


async def test_two_chats_are_handled_at_once_and_one_chats_updates_in_order() -> None:
    processor = PerChatUpdateProcessor(lambda: 0.0, handlers_at_once=4)
    log: list[str] = []
    release_first = asyncio.Event()

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        log.append(f"{name} starts")
        if wait is not None:
            await wait.wait()
        log.append(f"{name} ends")

    first = asyncio.create_task(
        processor.process_update(message_update(1, 7, 7), handle("7a", release_first))
    )
    second = asyncio.create_task(processor.process_update(message_update(2, 7, 7), handle("7b")))
    other = asyncio.create_task(processor.process_update(message_update(3, 8, 8), handle("8")))
    # The same person in the staff group: their profile and form are one, so in order too.
    group = asyncio.create_task(
        processor.process_update(message_update(4, -100, 7), handle("7 in group"))
    )
    await other
    assert log == ["7a starts", "8 starts", "8 ends"]  # chat 8 did not wait for chat 7
    release_first.set()
    await asyncio.gather(first, second, group)
    assert log[3:] == ["7a ends", "7b starts", "7b ends", "7 in group starts", "7 in group ends"]


async def test_one_person_flooding_gets_one_word_and_does_not_slow_the_others(
    harness: Harness,
) -> None:
    telegram_limits(harness)
    harness.config = replace(harness.config, flood_burst=10, flood_per_s=2.0)
    async with harness.running():
        flood = [harness.api.send_text(ARABIC_USER, f"سؤال رقم {n}") for n in range(40)]
        asked = [harness.api.send_text(user, "/help") for user in (FRENCH_USER, ENGLISH_USER)]
        await harness.settle(max(flood + asked))
        # The manual clock stands still: ten messages at once are answered, the rest set
        # aside, with one word in Arabic.
        texts = harness.texts(ARABIC_USER)
        assert texts.count(expected("ar", SLOW_DOWN)) == 1
        assert len(texts) == 11
        for user, language in ((FRENCH_USER, "fr"), (ENGLISH_USER, "en")):
            [answer] = harness.texts(user)  # the others are answered, once each
            assert answer != expected(language, SLOW_DOWN)
        assert harness.api.rate_limited == 0
        # Later, at a person's pace, they are answered again.
        harness.clock.advance(timedelta(seconds=5))
        assert await harness.say(ARABIC_USER, "/help")


def raw_message(update_id: int, user_id: int, chat_type: str = "private") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": user_id, "type": chat_type},
            "from": {"id": user_id, "is_bot": False, "first_name": "U"},
            "text": "hi",
        },
    }


async def test_a_flood_is_set_aside_as_fetched_and_each_update_is_judged_once() -> None:
    flood = FloodGuard(burst=2, per_s=1.0)
    processor = PerChatUpdateProcessor(lambda: 0.0, flood)
    fetched = [raw_message(n, 7) for n in range(1, 6)] + [
        raw_message(6, 8),
        raw_message(7, -100, "supergroup"),  # talk in a group is not counted
        {
            "update_id": 8,
            "inline_query": {
                "id": "1",
                "from": {"id": 7, "is_bot": False, "first_name": "U"},
                "query": "",
                "offset": "",
            },
        },
        raw_message(9, 7),
    ]
    kept = processor.set_aside(fetched)
    # Two at once, the third told to slow down, the rest dropped unread; the last of the
    # batch stays (its id confirms the batch) and is dropped when it is processed.
    assert [update["update_id"] for update in kept] == [1, 2, 3, 6, 7, 8, 9]
    handled: list[int] = []

    async def handle(update_id: int) -> None:
        handled.append(update_id)

    for raw in kept:
        update = Update.de_json(raw, None)  # type: ignore[arg-type]
        await processor.process_update(update, handle(update.update_id))
    assert handled == [1, 2, 3, 6, 7, 8]
    assert flood.skipped == 4  # 3 (the warning), 4, 5 and 9: none judged twice


async def test_all_ten_files_reach_staff_when_telegram_says_429(harness: Harness) -> None:
    telegram_limits(harness)
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT):
        await make_focal_point(harness, FRENCH_USER, "MA", "Fes")
        summary = await fill_request_with_files(harness, "fr", files=10)
        harness.api.fail_next(
            "sendDocument", 429, "Too Many Requests: retry after 2", retry_after=2
        )
        harness.api.fail_next(
            "sendDocument", 429, "Too Many Requests: retry after 1", retry_after=1
        )
        await harness.press_data(
            FRENCH_USER, summary.message_id, summary.callback_data_for(label("fr", "✔ Submit"))
        )
        files = [m for m in harness.api.messages(STAFF_CHAT) if m.sent_by == "sendDocument"]
        assert sorted(m.document["file_name"] for m in files) == sorted(  # type: ignore[index]
            f"plan-{n}.pdf" for n in range(10)
        )
        assert harness.api.rate_limited == 0  # the 429s were the scripted ones


async def fill_request_with_files(bot: Harness, language: str, files: int) -> Any:
    user = USERS[language]
    await bot.say(user, "/request")
    await bot.press(user, label(language, "Youth engagement"))
    await bot.press(user, label(language, "Advice on a plan or policy"))
    await bot.say(user, "Plans")
    await bot.say(user, "We need advice on the framework of a youth council, with files.")
    await bot.press(user, label(language, "In 1 to 3 months"))
    for number in range(files):
        await bot.send(user, document=bot.api.make_document(b"%PDF", f"plan-{number}.pdf"))
    [question] = await bot.press(user, label(language, "Done"))
    assert question.text == expected(language, ASK_CONTACT)
    await bot.press(user, label(language, "Email"))
    [summary] = await bot.say(user, "focal.point@city.example.org")
    return summary


async def test_a_three_language_confirmation_arrives_whole_at_the_per_chat_limit(
    harness: Harness,
) -> None:
    telegram_limits(harness)
    async with harness.running():
        await harness.say(ADMIN, "/broadcast")
        await harness.press(ADMIN, "Arabic")
        await harness.say(ADMIN, "إعلان")
        for language, text in (("French", "Annonce"), ("English", "Announcement")):
            await harness.press(ADMIN, f"Add the {language} version")
            await harness.say(ADMIN, text)
        await harness.press(ADMIN, "Choose who gets it »")
        confirm = await harness.press(ADMIN, "Everyone who started the bot")
        assert len(confirm) >= 7
        assert "✔ Send now" in confirm[-1].button_texts()
        assert harness.api.rate_limited == 0


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_a_description_full_of_ampersands_is_filed_whole(bot: Harness, language: str) -> None:
    user = USERS[language]
    await make_focal_point(bot, user, "TN", "Sousse")
    description = "&" * 2000
    summary = await fill_request(bot, language, attach=False, description=description)
    shown = "".join(m.text or "" for m in bot.api.messages(user)[-3:])
    assert shown.count("&") >= 2000
    assert label(language, "✔ Submit") in summary.button_texts()


async def test_a_description_of_two_thousand_emoji_reaches_the_summary(bot: Harness) -> None:
    await make_focal_point(bot, ENGLISH_USER, "JO", "Zarqa")
    summary = await fill_request(bot, "en", attach=False, description="🙂" * 2000)
    shown = "".join(m.text or "" for m in bot.api.messages(ENGLISH_USER)[-3:])
    assert shown.count("🙂") == 2000
    assert "✔ Submit" in summary.button_texts()


async def test_a_staff_answer_of_two_thousand_emoji_reaches_the_person(harness: Harness) -> None:
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT):
        # The answer repeats the question: with it, the message is over Telegram's 4,096.
        question = "Quel temps fera-t-il demain, et après-demain, et la semaine prochaine ? " * 4
        await harness.say(FRENCH_USER, question)
        await harness.press(FRENCH_USER, label("fr", "Send it to the Hub team"))
        copy = harness.api.last_message(STAFF_CHAT)
        answer = "🙂" * 2000  # 4,000 UTF-16 units: as much as Telegram lets staff type
        await harness.say(ADMIN, answer, chat_id=STAFF_CHAT, reply_to_message_id=copy.message_id)
        received = "".join(m.text or "" for m in harness.api.messages(FRENCH_USER))
        assert received.count("🙂") == 2000


async def file_in_english(harness: Harness, city: str) -> None:
    await make_focal_point(harness, ENGLISH_USER, "JO", city)
    summary = await fill_request(harness, "en", attach=False)
    await harness.press_data(
        ENGLISH_USER, summary.message_id, summary.callback_data_for("✔ Submit")
    )


async def test_no_edit_to_identical_content_reaches_telegram_in_a_support_cycle(
    harness: Harness,
) -> None:
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT):
        await file_in_english(harness, "Irbid")
        # The card is edited where it was pressed, then every copy refreshed to the same text.
        await harness.press(ADMIN, "Assign to me", chat_id=STAFF_CHAT)
        await harness.press(ADMIN, "Assign to me", chat_id=STAFF_CHAT)  # twice: no change
        assert "Hala" in harness.last_text(STAFF_CHAT) or any(
            "Hala" in text for text in harness.texts(STAFF_CHAT)
        )
        assert [error for error in harness.api.errors if NOT_MODIFIED in error] == []


@pytest.mark.parametrize(("user", "language"), [(ARABIC_USER, "ar"), (FRENCH_USER, "fr")])
async def test_after_a_failed_button_the_apology_arrives_in_the_persons_language(
    bot: Harness, user: int, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.say(user, "/language")

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("menu on fire")

    # The button is answered and the message edited; then something breaks.
    monkeypatch.setattr("handlers.language.set_personal_menu", broken)
    changed = await bot.press(user, label(language, {"ar": "العربية", "fr": "Français"}[language]))
    assert changed[-1].text == expected(language, APOLOGY)


def test_long_html_is_cut_between_words_never_inside_a_tag_or_an_entity() -> None:
    html = "<b>Title &amp; more</b>\n" + "<i>" + "word &amp; " * 1500 + "</i>"
    parts = split_html(html, 4096)
    assert len(parts) > 1
    for part in parts:
        text, _ = parse_html(part)  # each part is valid HTML on its own
        assert utf16_len(text) <= 4096
        assert visible_length(part) <= 4096
    joined = "".join(parse_html(part)[0] for part in parts)
    assert joined.replace(" ", "").replace("\n", "") == parse_html(html)[0].replace(
        " ", ""
    ).replace("\n", "")
    emoji = split_html("🙂" * 3000, 4096)
    assert [utf16_len(part) for part in emoji] == [4096, 1904]


async def test_the_export_arrives_while_the_staff_group_is_busy(harness: Harness) -> None:
    telegram_limits(harness)
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT):
        await file_in_english(harness, "Madaba")
        # The group has just had its card; Telegram also refuses the first try of the file.
        harness.api.fail_next(
            "sendDocument", 429, "Too Many Requests: retry after 3", retry_after=3
        )
        await harness.say(ADMIN, "/exportrequests", chat_id=STAFF_CHAT)
        sent = harness.api.last_message(STAFF_CHAT)
        assert sent.document is not None
        assert sent.document["file_name"].endswith(".csv")
        assert harness.api.rate_limited == 0


async def test_a_message_with_nothing_new_about_its_sender_writes_nothing(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.say(FRENCH_USER, "/help")
    writes = 0
    transaction = bot.services.db.transaction

    def counted() -> Any:
        nonlocal writes
        writes += 1
        return transaction()

    monkeypatch.setattr(bot.services.db, "transaction", counted)
    await bot.say(FRENCH_USER, "/help")
    assert writes == 0  # the reply never waits for the write lock
    bot.clock.advance(timedelta(minutes=11))
    await bot.say(FRENCH_USER, "/help")
    assert writes == 1  # "last seen" is kept to ten minutes
