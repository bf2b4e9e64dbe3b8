"""The bot speaks in private chats and the staff chat only, and leaves every other group."""

from __future__ import annotations

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
