"""The bot speaks in private chats and the staff chat only, and leaves every other group."""

from __future__ import annotations

import asyncio

import pytest

from handlers.routes import ERASE, REG_START, TRI_LIST
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, STAFF_CHAT, Harness, expected
from tests.support_helpers import fill_request, make_focal_point

STRANGERS = -1005550001
GOODBYE = "I work only in private chats: write to me at @{bot}. I am leaving this group."
PRIVATE_ONLY = "For your privacy, use this in a private chat with me: @{bot}."


@pytest.mark.parametrize(
    ("user_id", "language"), [(ARABIC_USER, "ar"), (FRENCH_USER, "fr"), (ENGLISH_USER, "en")]
)
async def test_added_to_a_group_it_says_one_line_in_the_adders_language_and_leaves(
    bot: Harness, user_id: int, language: str
) -> None:
    await bot.settle(bot.api.add_bot_to_group(STRANGERS, user_id))
    said = bot.api.messages(STRANGERS)
    assert [m.text for m in said] == [expected(language, GOODBYE, bot="MenaHubBot")]
    assert not bot.api.bot_is_member(STRANGERS)
    assert [params["chat_id"] for method, params in bot.api.calls if method == "leaveChat"] == [
        STRANGERS
    ]
    # Nothing about the adder was stored: the update stopped before anything else ran.
    assert await bot.services.accounts.profile(user_id) is None


async def test_staff_in_a_strangers_group_get_no_requests_export_or_personal_data(
    bot: Harness,
) -> None:
    """The bot was already in the group (added before it knew better): a staff member's
    commands there post nothing but the goodbye line."""
    await make_focal_point(bot, ENGLISH_USER, "JO", "Karak")
    await fill_request(bot, "en", attach=False, contact="Phone")
    await bot.press(ENGLISH_USER, "✔ Submit")
    bot.api.add_group(STRANGERS, "Neighbourhood chat")
    for command in ("/requests", "/exportrequests", "/privacy", "/pending", "/staff"):
        await bot.say(ADMIN, command, chat_id=STRANGERS)
    texts = " ".join(bot.texts(STRANGERS))
    assert bot.texts(STRANGERS) == [expected("en", GOODBYE, bot="MenaHubBot")]
    assert "TSR-" not in texts and "+212" not in texts
    assert not [call for call in bot.api.calls if call[0] == "sendDocument"]
    assert not bot.api.bot_is_member(STRANGERS)


async def test_forged_buttons_from_a_strangers_group_do_nothing(bot: Harness) -> None:
    bot.api.add_group(STRANGERS, "Neighbourhood chat", privacy_mode=False)
    for data in (ERASE.data(), TRI_LIST.data("*.*.*.*", 0), REG_START.data()):
        await bot.press_data(ADMIN, 1, data, chat_id=STRANGERS)
    assert bot.texts(STRANGERS) == [expected("en", GOODBYE, bot="MenaHubBot")]
    assert not [call for call in bot.api.calls if call[0] == "answerCallbackQuery"]
    assert await bot.services.accounts.profile(ADMIN) is None


async def test_personal_data_stays_out_of_the_staff_chat(harness: Harness) -> None:
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT, staff_language="fr"):
        await harness.say(ADMIN, "/start")
        [pointer] = await harness.say(ADMIN, "/privacy", chat_id=STAFF_CHAT)
        assert pointer.text == expected("fr", PRIVATE_ONLY, bot="MenaHubBot")
        [pointer] = await harness.say(ADMIN, "/deleteme", chat_id=STAFF_CHAT)
        assert pointer.text == expected("fr", PRIVATE_ONLY, bot="MenaHubBot")
        assert await harness.services.accounts.profile(ADMIN) is not None
        # The staff chat itself is where the bot belongs: it stays and answers staff there.
        assert harness.api.bot_is_member(STAFF_CHAT)
        [answer] = await harness.say(ADMIN, "/requests", chat_id=STAFF_CHAT)
        assert answer.text


async def test_privacy_mode_hides_plain_group_messages_from_the_bot(harness: Harness) -> None:
    """As in Telegram: in a group with privacy mode on the bot receives commands, replies to
    its messages and mentions, nothing else."""
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    api = harness.api
    assert api.send_text(ADMIN, "good morning all", chat_id=STAFF_CHAT) is None
    assert api.send_text(ADMIN, "/requests", chat_id=STAFF_CHAT) is not None
    assert api.send_text(ADMIN, "@MenaHubBot are you there?", chat_id=STAFF_CHAT) is not None
    async with harness.running(staff_chat_id=STAFF_CHAT):
        await harness.settle(api.send_text(ADMIN, "/staff", chat_id=STAFF_CHAT))
    bots_message = api.last_message(STAFF_CHAT).message_id
    assert (
        api.send_text(ADMIN, "a reply", chat_id=STAFF_CHAT, reply_to_message_id=bots_message)
        is not None
    )
    api.add_group(-42, "Open group", privacy_mode=False)
    assert api.send_text(ADMIN, "good morning all", chat_id=-42) is not None


async def test_a_stranger_adds_the_bot_and_sends_five_commands_at_once(harness: Harness) -> None:
    """One goodbye and one leaveChat whatever else the group sends, nothing refused, and the
    adder's private /start is answered without waiting for the group's pace."""
    time = harness.hold_waits()
    async with harness.running():
        api = harness.api
        answered = asyncio.Event()
        api.add_listener(
            lambda event, payload: (
                answered.set() if event == "message" and payload.chat_id == ENGLISH_USER else None
            )
        )
        # Any wait for a chat's turn is held from here: what must not wait still goes out.
        time.holding = True
        api.add_bot_to_group(STRANGERS, ENGLISH_USER)
        for command in ("/start", "/help", "/request", "/events", "/settings"):
            api.send_text(ENGLISH_USER, command, chat_id=STRANGERS)
        start = api.send_text(ENGLISH_USER, "/start")
        try:
            await asyncio.wait_for(answered.wait(), timeout=10)
        finally:
            time.release()
        await harness.settle(start)
        assert harness.texts(STRANGERS) == [expected("en", GOODBYE, bot="MenaHubBot")]
        assert [call for call in api.calls if call[0] == "leaveChat"] == [
            ("leaveChat", {"chat_id": STRANGERS})
        ]
        assert api.errors == []
        assert not api.bot_is_member(STRANGERS)
