"""Staff notifications go through a durable outbox: a bot killed with SIGKILL while they wait
sends every one of them, once, when it starts again."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from handlers.support_actions import Actor, record_text
from standin import StandInBotApi
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, STAFF_CHAT, TOKEN, Harness, expected, label
from tests.support_helpers import CITIES, TITLES, USERS, make_focal_point
from tests.test_support_triage import file_one, status_label

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = {
    ARABIC_USER: ("ar", "zqxv wplk brrt 1"),
    FRENCH_USER: ("fr", "zqxv wplk brrt 2"),
    ENGLISH_USER: ("en", "zqxv wplk brrt 3"),
}
FORWARD = "Send it to the Hub team"
SENT = "Sent. The Hub team will answer you here."


@asynccontextmanager
async def bot_process(
    api: StandInBotApi, database: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``hubbot run`` in a process of its own, polling the stand-in."""
    environment = {
        **os.environ,
        "HUBBOT_TOKEN": TOKEN,
        "HUBBOT_API_BASE_URL": api.base_url,
        "HUBBOT_API_FILE_URL": api.base_file_url,
        "HUBBOT_DATABASE": str(database),
        "HUBBOT_ADMIN_IDS": str(ADMIN),
        "HUBBOT_STAFF_CHAT_ID": str(STAFF_CHAT),
        "HUBBOT_STAFF_LANGUAGE": "en",
        "HUBBOT_FLOOD_BURST": "1000",
        "HUBBOT_LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=environment
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def notices_left(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("SELECT count(*) FROM staff_notices").fetchone()[0])


def staff_copies(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("SELECT count(*) FROM question_copies").fetchone()[0])


async def forward_question(api: StandInBotApi, user_id: int, language: str, text: str) -> None:
    def last_buttons() -> list[str]:
        messages = api.messages(user_id) if user_id in api.users else []
        return messages[-1].button_texts() if messages else []

    forward = label(language, FORWARD)
    api.send_text(user_id, text)
    await api.wait_until(lambda: forward in last_buttons(), f"{user_id} offered to forward")
    declined = api.last_message(user_id)
    api.press_button(
        user_id, declined.message_id, declined.callback_data_for(forward), chat_id=None
    )
    sent = expected(language, SENT)
    await api.wait_until(
        lambda: any(m.text == sent for m in api.messages(user_id)), f"{user_id} told it was sent"
    )


def cards(api: StandInBotApi) -> list[str]:
    return [m.text or "" for m in api.messages(STAFF_CHAT) if "zqxv" in (m.text or "")]


async def test_staff_notices_pending_at_a_kill_arrive_once_after_restart(
    api: StandInBotApi, tmp_path: Path
) -> None:
    """The staff chat takes the first question, then keeps answering 429 (wait 10 minutes):
    two questions are queued when the bot is killed with SIGKILL.  After the restart the
    two arrive, once each, the first is not sent again, and staff can reply to all three."""
    api.add_group(STAFF_CHAT, "Hub staff")
    database = tmp_path / "hub.sqlite3"
    api.refuse_chat(STAFF_CHAT, retry_after=600, after=1)
    async with bot_process(api, database) as first:
        for user_id, (language, text) in QUESTIONS.items():
            await forward_question(api, user_id, language, text)
        await api.wait_until(lambda: len(api.refused) >= 1, "the staff chat refused a question")
        assert len(cards(api)) == 1
        first.send_signal(signal.SIGKILL)
        await first.wait()
    assert notices_left(database) == 2
    api.refuse_chat(STAFF_CHAT, None)
    async with bot_process(api, database) as second:
        await api.wait_until(lambda: len(cards(api)) >= 3, "the queued questions reached staff")
        # Each card is confirmed (and its copy remembered) once Telegram accepted it.
        await api.wait_until(lambda: staff_copies(database) == 3, "three copies remembered")
        second.send_signal(signal.SIGTERM)
        await second.wait()
    assert sorted(text for _, text in QUESTIONS.values()) == sorted(
        next(text for _, text in QUESTIONS.values() if text in card) for card in cards(api)
    )
    assert notices_left(database) == 0


CITY_ANSWERS = {"en": "About 90 people.", "ar": "نحو تسعين شخصا.", "fr": "Environ 90 personnes."}


def database_rows(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as db:
        return list(db.execute(sql).fetchall())


async def three_requests_waiting_for_their_cities(harness: Harness) -> dict[str, int]:
    """In-process: a request from each language's focal point, its card in the staff group,
    and a staff question to each city; staff member ADMIN has a copy of the first card."""
    bot = harness
    ids: dict[str, int] = {}
    for language in ("en", "ar", "fr"):
        await make_focal_point(bot, USERS[language], *CITIES[language])
        ids[language] = await file_one(bot, language, attach=False)
        await record_text(
            bot.services.telegram,
            bot.services,
            Actor(ADMIN, "Hala"),
            ids[language],
            "question",
            "How many people will take part?",
            seen_version=None,
        )
        await bot.services.outbox.idle()
    await bot.say(ADMIN, "/requests")
    await bot.press(ADMIN, f"TSR-2026-0001 · {TITLES['en']}"[:31] + "…")
    return ids


async def answer_the_hub_team(api: StandInBotApi, language: str) -> None:
    user_id = USERS[language]
    answer_button = label(language, "✍ Answer the Hub team")
    asking = next(m for m in reversed(api.messages(user_id)) if answer_button in m.button_texts())
    before = len(api.messages(user_id))
    api.press_button(user_id, asking.message_id, asking.callback_data_for(answer_button))
    await api.wait_until(lambda: len(api.messages(user_id)) > before, f"{user_id} prompted")
    api.send_text(user_id, CITY_ANSWERS[language])
    thanks = expected(
        language,
        "Thank you. Your answer was attached to {reference} and sent to the Hub team.",
        reference=f"TSR-2026-000{('en', 'ar', 'fr').index(language) + 1}",
    )
    await api.wait_until(
        lambda: any(m.text == thanks for m in api.messages(user_id)), f"{user_id} thanked"
    )


async def test_card_refreshes_pending_at_a_kill_are_sent_once_after_restart(
    api: StandInBotApi, harness: Harness
) -> None:
    """Three cards in the staff group wait for their cities.  The group then answers 429 (wait
    10 minutes) to everything; staff assign the first request to themselves from a private
    copy and the three cities answer, so every card has a refresh pending (the first card
    two), and the bot is killed with SIGKILL.  After the restart each card shows the newest
    state (assigned and in review), edited once; the private copy too; and the three answers
    reach staff once each."""
    api.add_group(STAFF_CHAT, "Hub staff")
    database = harness.config.database_path
    async with harness.running(staff_chat_id=STAFF_CHAT, staff_language="en"):
        ids = await three_requests_waiting_for_their_cities(harness)
    group_cards = dict(
        database_rows(
            database,
            f"SELECT request_id, message_id FROM support_request_copies"
            f" WHERE chat_id = {STAFF_CHAT}",
        )
    )
    [(private_card,)] = database_rows(
        database, f"SELECT message_id FROM support_request_copies WHERE chat_id = {ADMIN}"
    )
    waiting = status_label("en", "Waiting for the city")
    assert all(waiting in card_text(api, STAFF_CHAT, m) for m in group_cards.values())

    api.refuse_chat(STAFF_CHAT, retry_after=600)
    async with bot_process(api, database) as first:
        copy = next(m for m in api.messages(ADMIN) if m.message_id == private_card)
        api.press_button(ADMIN, private_card, copy.callback_data_for(label("en", "Assign to me")))
        await api.wait_until(
            lambda: (
                database_rows(
                    database, f"SELECT assignee FROM support_requests WHERE id = {ids['en']}"
                )
                == [(ADMIN,)]
            ),
            "assigned from the private copy",
        )
        for language in ("en", "ar", "fr"):
            await answer_the_hub_team(api, language)
        await api.wait_until(lambda: len(api.refused) >= 1, "the staff group refused an edit")
        first.send_signal(signal.SIGKILL)
        await first.wait()
    assert database_rows(database, "SELECT DISTINCT status FROM support_requests") == [
        ("in_review",)
    ]
    assert all(waiting in card_text(api, STAFF_CHAT, m) for m in group_cards.values())

    api.refuse_chat(STAFF_CHAT, None)
    calls_before = len(api.calls)
    in_review = status_label("en", "In review")
    async with bot_process(api, database) as second:
        await api.wait_until(
            lambda: (
                all(in_review in card_text(api, STAFF_CHAT, m) for m in group_cards.values())
                and in_review in card_text(api, ADMIN, private_card)
                and all(
                    any(answer in (m.text or "") for m in api.messages(STAFF_CHAT))
                    for answer in CITY_ANSWERS.values()
                )
            ),
            "every card refreshed and every answer delivered",
        )
        await api.wait_until(lambda: notices_left(database) == 0, "the outbox emptied")
        await api.wait_until(
            lambda: not database_rows(database, "SELECT 1 FROM card_refreshes"),
            "every refresh confirmed",
        )
        second.send_signal(signal.SIGTERM)
        await second.wait()
    assert "Hala" in card_text(api, STAFF_CHAT, group_cards[ids["en"]])
    edits = Counter(
        (params.get("chat_id"), params.get("message_id"))
        for method, params in api.calls[calls_before:]
        if method.lower() == "editmessagetext"
    )
    # One edit per card, however many changes asked while it waited.
    assert edits == Counter(
        {**{(STAFF_CHAT, m): 1 for m in group_cards.values()}, (ADMIN, private_card): 1}
    )
    for answer in CITY_ANSWERS.values():
        assert sum(answer in (m.text or "") for m in api.messages(STAFF_CHAT)) == 1


def card_text(api: StandInBotApi, chat_id: int, message_id: int) -> str:
    return next(m for m in api.messages(chat_id) if m.message_id == message_id).text or ""
