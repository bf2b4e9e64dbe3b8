"""The staff group in one step: /bind, its refusals, and the supergroup upgrade it survives."""

from __future__ import annotations

import pytest

from bot.terminal import DIRECTION_MARKS
from storage.staff_chat import read_binding
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, Harness, expected
from tests.support_helpers import fill_request, make_focal_point

GROUP = -5550002
SUPERGROUP = -1005550002
SET_UP = (
    "To make this group the Hub's staff group, make me an administrator here, then send /bind "
    "(a group administrator who is hub staff)."
)
SENDER_NOT_ADMIN = (
    "Only an administrator of this group can make it the staff group: ask one of them to send "
    "/bind."
)
BOT_NOT_ADMIN = (
    "I am not an administrator of this group yet: make @{bot} an administrator (group "
    "settings, Administrators), then send /bind again."
)
BOUND = (
    "This group is now the Hub's staff group: registrations, questions for staff and support "
    "requests come here. Answer them by replying to my messages."
)
PRIVACY_ON = (
    "\nAs an administrator I receive every message here, but I act only on commands and on "
    "replies to my messages."
)
UPGRADED = (
    "This group became a supergroup (new id {new_id}). It is still the Hub's staff group; "
    "nothing needs doing."
)
GOODBYE = "I work only in private chats: write to me at @{bot}. I am leaving this group."


def unmarked(text: str) -> str:
    """Without the direction marks each Arabic line starts with."""
    return DIRECTION_MARKS.sub("", text)


def said(bot: Harness, chat_id: int, after: int = 0) -> list[str]:
    return [m.text or "" for m in bot.api.messages(chat_id) if m.message_id > after]


async def bind(bot: Harness, user_id: int) -> list[str]:
    before = len(bot.api.messages(GROUP))
    await bot.settle(bot.api.send_text(user_id, "/bind", chat_id=GROUP))
    return [m.text or "" for m in bot.api.messages(GROUP)[before:]]


@pytest.mark.parametrize(
    ("user_id", "language"), [(ARABIC_USER, "ar"), (FRENCH_USER, "fr"), (ENGLISH_USER, "en")]
)
async def test_bind_is_refused_with_the_reason_until_both_are_administrators(
    bot: Harness, user_id: int, language: str
) -> None:
    await bot.services.accounts.add_staff(user_id, added_by=None)
    await bot.settle(bot.api.add_bot_to_group(GROUP, user_id))
    assert said(bot, GROUP) == [expected(language, SET_UP)]
    assert bot.api.bot_is_member(GROUP)

    assert await bind(bot, user_id) == [expected(language, SENDER_NOT_ADMIN)]
    bot.api.set_status(GROUP, user_id, "administrator")
    assert await bind(bot, user_id) == [expected(language, BOT_NOT_ADMIN, bot="MenaHubBot")]
    assert bot.services.staff_chat.id is None

    bot.api.set_status(GROUP, 0, "administrator")
    # Everyone in the group reads the confirmation: the staff chat's language (English here).
    assert await bind(bot, user_id) == [expected("en", BOUND + PRIVACY_ON)]
    assert bot.services.staff_chat.id == GROUP
    assert bot.api.bot_is_member(GROUP)


async def test_the_upgrade_is_followed_whichever_service_message_comes_first(
    bot: Harness,
) -> None:
    bot.api.add_group(GROUP, "Hub staff", supergroup=False)
    bot.api.set_status(GROUP, ADMIN, "administrator")
    bot.api.set_status(GROUP, 0, "administrator")
    await bind(bot, ADMIN)
    await bot.settle(bot.api.upgrade_to_supergroup(GROUP, SUPERGROUP, ADMIN, new_first=True))
    assert bot.services.staff_chat.id == SUPERGROUP
    assert bot.api.bot_is_member(SUPERGROUP)
    assert said(bot, SUPERGROUP) == [expected("en", UPGRADED, new_id=str(SUPERGROUP))]
    # A stranger's group upgraded is still a stranger's: the bot leaves the new one.
    stranger, stranger_super = -5550009, -1005550009
    bot.api.add_group(stranger, "Neighbours", supergroup=False)
    await bot.settle(bot.api.upgrade_to_supergroup(stranger, stranger_super, FRENCH_USER))
    assert not bot.api.bot_is_member(stranger_super)
    assert bot.services.staff_chat.id == SUPERGROUP


async def test_a_stranger_sending_bind_gets_the_goodbye_and_nothing_is_bound(bot: Harness) -> None:
    bot.api.add_group(GROUP, "Neighbourhood chat", supergroup=False)
    bot.api.set_status(GROUP, FRENCH_USER, "creator")
    bot.api.set_status(GROUP, 0, "administrator")
    assert await bind(bot, FRENCH_USER) == [expected("fr", GOODBYE, bot="MenaHubBot")]
    assert not bot.api.bot_is_member(GROUP)
    assert bot.services.staff_chat.id is None


async def test_the_binding_outlives_a_restart_and_follows_a_supergroup_upgrade(
    harness: Harness,
) -> None:
    api = harness.api
    api.add_group(GROUP, "Hub staff", supergroup=False)
    api.set_status(GROUP, ADMIN, "creator")
    api.set_status(GROUP, 0, "administrator")
    async with harness.running():
        assert await bind(harness, ADMIN) == [expected("en", BOUND + PRIVACY_ON)]
    # HUBBOT_STAFF_CHAT_ID is only the first value: the binding in the database wins.
    async with harness.running(staff_chat_id=-100777, staff_language="fr"):
        assert harness.services.staff_chat.id == GROUP
        await make_focal_point(harness, ENGLISH_USER, "JO", "Karak")
        before = len(api.messages(GROUP))
        await harness.settle(api.upgrade_to_supergroup(GROUP, SUPERGROUP, ADMIN))
        assert harness.services.staff_chat.id == SUPERGROUP
        assert api.bot_is_member(SUPERGROUP)
        assert len(api.messages(GROUP)) == before
        assert said(harness, SUPERGROUP) == [expected("fr", UPGRADED, new_id=str(SUPERGROUP))]
        # The next card goes to the new id.
        await fill_request(harness, "en", attach=False, contact="Phone")
        await harness.press(ENGLISH_USER, "✔ Submit")
        await harness.settle(None)
        assert any("TSR-" in text for text in said(harness, SUPERGROUP))
    binding = read_binding(harness.config.database_path)
    assert binding is not None and binding.chat_id == SUPERGROUP


@pytest.mark.parametrize(("user_id", "language"), [(ARABIC_USER, "ar"), (FRENCH_USER, "fr")])
async def test_staff_help_names_stats_report_and_bind(
    bot: Harness, user_id: int, language: str
) -> None:
    await bot.services.accounts.add_staff(user_id, added_by=None)
    [help_text] = await bot.say(user_id, "/help")
    wanted = expected(
        language,
        "\n/stats: the Hub's figures as charts, by period and country\n"
        "/report FROM TO: the funder's workbook (Excel) for those dates, this year without "
        "them\n"
        "/bind: in a group, make it the staff group",
    )
    assert unmarked(wanted).strip() in unmarked(help_text.text or "")
    [focal_help] = await bot.say(ENGLISH_USER, "/help")
    assert "/stats" not in (focal_help.text or "")
