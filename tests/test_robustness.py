"""Unexpected input, failures and Telegram's limits: always an answer, never a crash."""

from __future__ import annotations

import logging

import pytest
from markupsafe import Markup

from bot.callbacks import CALLBACK_DATA_MAX_BYTES, CALLBACK_VERSION, callback
from bot.delivery.text import MAX_MESSAGE_UTF16, split_html, visible_length
from bot.logs import hide_token
from handlers.common import send
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, STAFF_CHAT, Harness, catalogs, expected, label

ONLY_TEXT = "I can only read text. Type your question, or use /help to see what I can do."


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "location", "document", "contact"])
async def test_unexpected_message_types_get_a_helpful_answer(bot: Harness, kind: str) -> None:
    api = bot.api
    content = {
        "sticker": api.make_sticker(),
        "photo": api.make_photo(),
        "voice": api.make_voice(),
        "location": api.make_location(33.89, 35.5),
        "document": api.make_document(b"%PDF-1.4", "plan.pdf"),
        "contact": api.make_contact("+96170000000", "Layla"),
    }[kind]
    [answer] = await bot.send(ARABIC_USER, **{kind: content})
    assert answer.text == expected("ar", ONLY_TEXT)


async def test_edited_messages_are_ignored_quietly(bot: Harness) -> None:
    await bot.say(FRENCH_USER, "/help")
    first_user_message = 1
    before = len(bot.api.messages(FRENCH_USER))
    await bot.settle(bot.api.edit_user_message(FRENCH_USER, first_user_message, "/start"))
    assert len(bot.api.messages(FRENCH_USER)) == before


STALE_OR_FORGED = [
    "0:reg:approve:1",
    "1:ev:a:1:going",  # a button of the previous version
    "old-button",
    callback("zz", "x"),
    callback("reg", "approve", "9" * 40),  # an id no database holds: refused, not OverflowError
    callback("kb", "topic", "cases", 100_000_000),  # a page number beyond the bound
    callback("req", "page", -1),
    callback("ev", "rsvp", 1, "perhaps"),  # not one of the answers
    callback("set", "zone"),  # an argument missing
]


@pytest.mark.parametrize("data", STALE_OR_FORGED)
async def test_buttons_from_old_keyboards_are_answered(bot: Harness, data: str) -> None:
    [welcome] = await bot.say(FRENCH_USER, "/start")
    await bot.press_data(FRENCH_USER, welcome.message_id, data)
    assert bot.api.callback_answers[-1]["text"] == label(
        "fr", "This button is no longer active. Use /help to start again."
    )


async def test_unknown_command(bot: Harness) -> None:
    [answer] = await bot.say(ENGLISH_USER, "/frobnicate")
    assert answer.text == expected(
        "en", "I do not know that command. Use /help to see what I can do."
    )


@pytest.mark.parametrize(("user", "language"), [(ARABIC_USER, "ar"), (FRENCH_USER, "fr")])
async def test_an_unhandled_error_is_logged_and_the_user_told(
    bot: Harness,
    user: int,
    language: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await bot.say(user, "/start")

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(bot.services.registration, "start", broken)
    with caplog.at_level(logging.DEBUG, logger="handlers.errors"):
        [apology] = await bot.say(user, "/register")
    assert apology.text == expected(
        language, "Sorry, something went wrong on our side. Please try again in a moment."
    )
    assert any(
        "disk on fire" in (record.exc_text or str(record.exc_info)) for record in caplog.records
    )
    [logged] = [r for r in caplog.records if r.levelno == logging.ERROR]
    # The log names the update, its kind and the user; what they wrote only at DEBUG.
    assert f"(message) from user {user}" in logged.getMessage()
    assert "/register" not in logged.getMessage()
    assert any("/register" in r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG)


def test_the_token_is_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    token = "123456789:SECRET-token"
    hide_token(token)
    url = f"https://api.telegram.org/bot{token}/getUpdates"
    for name in ("httpx", "telegram"):
        caplog.set_level(logging.DEBUG, logger=name)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("httpx").info('HTTP Request: POST %s "HTTP/1.1 200 OK"', url)
        logging.getLogger("telegram.ext.Updater").debug("calling %s", url)
        try:
            raise RuntimeError(f"could not reach {url}")
        except RuntimeError:
            logging.getLogger("telegram.ext.Application").exception("polling failed")
    assert len(caplog.records) == 3
    for record in caplog.records:
        shown = caplog.handler.format(record)
        assert "SECRET" not in shown
        assert "<token>" in shown


async def test_a_long_message_is_split_within_telegrams_limit() -> None:
    paragraph = "كلمة " * 300
    text = "\n\n".join([paragraph] * 5)
    parts = split_html(text)
    assert len(parts) > 1
    assert all(visible_length(part) <= MAX_MESSAGE_UTF16 for part in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


async def test_a_long_arabic_list_is_split_within_telegrams_limit(bot: Harness) -> None:
    """Each line of names alone needs a right-to-left mark: the marks count towards the limit
    (an event roster of a few hundred people in Arabic was refused as too long)."""
    t = catalogs().translator("ar")
    lines = [
        t._("• {name}, {city} ({country})", name=f"ليلى حداد {n}", city="الكرك", country="الأردن")
        for n in range(300)
    ]
    assert bot.application is not None
    await send(bot.application.bot, ARABIC_USER, Markup("\n").join(lines), t)
    shown = "\n".join(bot.texts(ARABIC_USER))
    assert all(f"ليلى حداد {n}\u2069" in shown for n in range(300))


def test_callback_data_is_measured_in_bytes() -> None:
    assert len(callback("reg", "city", 9).encode()) <= CALLBACK_DATA_MAX_BYTES
    with pytest.raises(ValueError, match="64 bytes"):
        callback("reg", "ب" * 30)


async def test_html_in_user_text_is_escaped(bot: Harness) -> None:
    bot.api.add_user(310, "<i>Nour</i> & <b", language_code="fr")
    [welcome] = await bot.say(310, "/start")
    assert "<i>Nour</i> & <b" in (welcome.text or "")


async def test_forged_non_ascii_digits_in_button_data_are_refused(bot: Harness) -> None:
    [welcome] = await bot.say(ENGLISH_USER, "/start")
    await bot.press_data(ENGLISH_USER, welcome.message_id, f"{CALLBACK_VERSION}:reg:city:²")
    await bot.press_data(ENGLISH_USER, welcome.message_id, f"{CALLBACK_VERSION}:kb:topic:cases:٣")
    assert not any("Sorry" in (m.text or "") for m in bot.api.messages(ENGLISH_USER))


async def test_a_reply_refused_with_429_is_sent_after_the_pause(bot: Harness) -> None:
    bot.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    [answer] = await bot.say(FRENCH_USER, "/help")
    assert "/topics" in (answer.text or "")


def membership_update(bot: Harness, user_id: int, old: str, new: str) -> dict[str, object]:
    person = bot.api.users[user_id].to_dict()
    me = {"id": bot.api.bot_id, "is_bot": True, "first_name": bot.api.bot_username}

    def member(status: str) -> dict[str, object]:
        return {"status": status, "user": me, **({"until_date": 0} if status == "kicked" else {})}

    return {
        "my_chat_member": {
            "chat": {"id": user_id, "type": "private", "first_name": person["first_name"]},
            "from": person,
            "date": 0,
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
    }


async def test_blocking_the_bot_marks_the_person_unreachable_until_they_return(
    bot: Harness,
) -> None:
    await bot.say(FRENCH_USER, "/start")
    await bot.settle(bot.api.queue_update(membership_update(bot, FRENCH_USER, "member", "kicked")))
    profile = await bot.services.accounts.profile(FRENCH_USER)
    assert profile is not None
    assert not profile.user.is_active
    await bot.settle(bot.api.queue_update(membership_update(bot, FRENCH_USER, "kicked", "member")))
    profile = await bot.services.accounts.profile(FRENCH_USER)
    assert profile is not None
    assert profile.user.is_active


async def test_an_apology_in_the_staff_chat_is_in_the_staff_chats_language(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Everyone in the staff chat reads it: its language, not that of whoever typed."""
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT, admin_ids=frozenset({ADMIN, FRENCH_USER})):
        await harness.say(FRENCH_USER, "/start")

        async def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("list on fire")

        monkeypatch.setattr(harness.services.support, "search", broken)
        [apology] = await harness.say(FRENCH_USER, "/requests", chat_id=STAFF_CHAT)
    assert apology.text == expected(
        "en", "Sorry, something went wrong on our side. Please try again in a moment."
    )
