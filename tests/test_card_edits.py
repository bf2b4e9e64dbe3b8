"""Refreshes of one card are coalesced in the staff outbox: a card ends on the newest state."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Message

from tests.conftest import ENGLISH_USER
from tests.harness import ADMIN, STAFF_CHAT, Harness
from tests.support_helpers import make_focal_point
from tests.test_support_triage import file_one, status_label


async def test_two_refreshes_while_the_group_slot_is_busy_end_on_the_newest_status(
    harness: Harness,
) -> None:
    """The card shows "In review"; the status goes to "Waiting for the city" and back to
    "In review" while the first refresh waits for the staff group's turn. The second refresh
    asks for what the card showed before: it must not be dropped as unchanged, and the card
    is edited no more than twice (the content on its way, then the newest)."""
    time = harness.hold_waits()
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT):
        bot = harness
        assert bot.application is not None
        telegram = bot.application.bot
        await make_focal_point(bot, ENGLISH_USER, "JO", "Karak")
        request_id = await file_one(bot, "en", attach=False)
        support = bot.services.support
        outbox = bot.services.outbox
        await support.change_status(request_id, "in_review", staff_id=ADMIN)
        await outbox.idle()
        [(chat_id, card_id)] = await support.copies(request_id)

        def card() -> str:
            shown = next(m for m in bot.api.messages(chat_id) if m.message_id == card_id)
            return shown.text or ""

        assert status_label("en", "In review") in card()
        # Two messages to the group fill its burst: the next one waits for the group's turn.
        for _ in range(2):
            await telegram.send_message(STAFF_CHAT, "Staff meeting at noon.")
        time.holding = True
        edits_before = outbox.card_edits
        await support.change_status(request_id, "waiting_city", staff_id=ADMIN)
        first = asyncio.create_task(outbox.idle())
        await time.someone_waits.wait()
        await support.change_status(request_id, "in_review", staff_id=ADMIN)
        outbox.wake()  # as the handlers do: the refresh was queued with the change
        time.release()
        await first
        await outbox.idle()
        assert status_label("en", "In review") in card()
        assert status_label("en", "Waiting for the city") not in card()
        assert outbox.card_edits - edits_before <= 2
        assert await outbox.pending() == 0


async def test_a_change_made_while_the_new_card_was_on_its_way_reaches_it(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The card is rendered, then waits for the group's turn; staff change the request from
    the console meanwhile, before the card's message is known, so the change finds no copy
    to refresh. The copy remembers which version it shows, and is refreshed."""
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT):
        bot = harness
        support = bot.services.support
        remember = support.add_copy

        async def changed_on_the_way(request_id: int, **where: Any) -> None:
            await support.change_status(request_id, "in_review", staff_id=ADMIN)
            await remember(request_id, **where)

        monkeypatch.setattr(support, "add_copy", changed_on_the_way)
        await make_focal_point(bot, ENGLISH_USER, "JO", "Karak")
        request_id = await file_one(bot, "en", attach=False)
        await bot.services.outbox.idle()
        [(chat_id, card_id)] = await support.copies(request_id)
        card = next(m for m in bot.api.messages(chat_id) if m.message_id == card_id)
        assert status_label("en", "In review") in (card.text or "")
        assert await bot.services.outbox.pending() == 0


async def test_an_edit_handed_to_the_one_on_its_way_returns_once_telegram_has_it(
    harness: Harness,
) -> None:
    """Two edits of one message while the group's slot is busy: the second is carried by the
    first, and its caller hears back only when Telegram has it (the outbox confirms a card
    then, not before: a kill in between must leave the refresh to do again)."""
    time = harness.hold_waits()
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT):
        assert harness.application is not None
        telegram = harness.application.bot
        message = await telegram.send_message(STAFF_CHAT, "Version 1")
        await telegram.send_message(STAFF_CHAT, "Staff meeting at noon.")
        time.holding = True

        def edit(text: str) -> asyncio.Task[Message | bool]:
            return asyncio.create_task(
                telegram.edit_message_text(text, chat_id=STAFF_CHAT, message_id=message.message_id)
            )

        first = edit("Version 2")
        await time.someone_waits.wait()
        second = edit("Version 3")
        done, _ = await asyncio.wait({second}, timeout=0.2)
        assert not done, "the carried edit was reported made before it was sent"
        time.release()
        await first
        edited = await second
        assert isinstance(edited, Message) and edited.text == "Version 3"
        shown = next(
            m for m in harness.api.messages(STAFF_CHAT) if m.message_id == message.message_id
        )
        assert shown.text == "Version 3"
