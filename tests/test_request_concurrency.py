"""Two staff members changing one request at once, through the Telegram cards: the second is
told who changed it meanwhile, nothing is overwritten, the city hears only what happened."""

from __future__ import annotations

from handlers.routes import TRI_ASK, TRI_MINE, TRI_STATUS
from handlers.support_views import changed_meanwhile
from tests.conftest import ENGLISH_USER
from tests.harness import ADMIN, STAFF_CHAT, Harness, catalogs, expected
from tests.support_helpers import TITLES
from tests.test_support_triage import ALTERNATE, STATUS_NOW, file_for_two_focal_points, status_label

OMAR = 120


async def test_the_second_of_two_simultaneous_status_changes_is_told(harness: Harness) -> None:
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    harness.api.add_user(OMAR, "Omar", language_code="ar")
    harness.api.add_user(ALTERNATE, "Rania", language_code="ar")
    async with harness.running(staff_chat_id=STAFF_CHAT, staff_language="ar"):
        bot = harness
        assert await bot.services.accounts.add_staff(OMAR, added_by=ADMIN)
        async with bot.services.support.feed.listen() as feed:
            request_id = await file_for_two_focal_points(bot)
            filed = await feed.next()
        assert filed is not None and (filed.kind, filed.request_id) == ("filed", request_id)
        card = bot.api.messages(STAFF_CHAT)[-2]
        told_before = len(bot.api.messages(ENGLISH_USER))
        # Both saw version 1. Hala accepts it; Omar's press, made on the same card before it
        # was refreshed, would complete it.
        await bot.press_data(
            ADMIN, card.message_id, TRI_STATUS.data(request_id, "accepted", 1), chat_id=STAFF_CHAT
        )
        await bot.press_data(
            OMAR, card.message_id, TRI_STATUS.data(request_id, "completed", 1), chat_id=STAFF_CHAT
        )
        request = await bot.services.support.get(request_id)
        assert request is not None and request.status == "accepted" and request.version == 2
        refusal = bot.api.callback_answers[-1]
        staff_t = catalogs().translator("ar")
        assert refusal["text"] == changed_meanwhile(staff_t, request, "Hala")
        assert refusal["show_alert"] is True
        assert "Hala" in refusal["text"] and status_label("ar", "Accepted") in refusal["text"]
        # The city heard of the one change that happened, once.
        city = bot.api.messages(ENGLISH_USER)[told_before:]
        assert [message.text for message in city] == [
            expected(
                "en",
                STATUS_NOW,
                reference=request.reference,
                title=TITLES["en"],
                status=status_label("en", "Accepted"),
            )
        ]
        # The card shows the request as it is, with buttons for its version.
        shown = next(m for m in bot.api.messages(STAFF_CHAT) if m.message_id == card.message_id)
        assert status_label("ar", "Accepted") in (shown.text or "")
        assert TRI_MINE.data(request_id, 2) in [data for row in shown.buttons() for _, data in row]


async def test_a_question_typed_on_a_stale_view_comes_back_unsent(harness: Harness) -> None:
    harness.api.add_user(OMAR, "Omar", language_code="ar")
    harness.api.add_user(ALTERNATE, "Rania", language_code="ar")
    async with harness.running():
        bot = harness
        assert await bot.services.accounts.add_staff(OMAR, added_by=ADMIN)
        request_id = await file_for_two_focal_points(bot)
        await bot.say(OMAR, "/start")
        # Omar opens the question prompt on version 1, then Hala takes the request.
        omar_card = bot.api.last_message(OMAR).message_id
        [prompt] = await bot.press_data(OMAR, omar_card, TRI_ASK.data(request_id, 1))
        hala_card = bot.api.last_message(ADMIN).message_id
        await bot.press_data(ADMIN, hala_card, TRI_MINE.data(request_id, 1))
        told_before = len(bot.api.messages(ENGLISH_USER))
        question = "كم عدد الشباب المشاركين؟"
        [answer] = await bot.say(OMAR, question)
        request = await bot.services.support.get(request_id)
        assert request is not None and request.status == "new" and request.assignee == ADMIN
        omar_t = catalogs().translator("ar")
        refusal = changed_meanwhile(omar_t, request, "Hala")
        assert answer.text is not None and question in answer.text
        assert "Hala" in answer.text and request.reference in answer.text
        assert answer.text == expected(
            "ar",
            "{refusal}\n\nWhat you typed was not sent:\n{text}",
            refusal=refusal,
            text=question,
        )
        assert len(bot.api.messages(ENGLISH_USER)) == told_before
        assert prompt.text is not None
