"""Staff notifications go through a durable outbox: a bot killed with SIGKILL while they wait
sends every one of them, once, when it starts again."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from standin import StandInBotApi
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, STAFF_CHAT, TOKEN, expected, label

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
