"""Shared fixtures: a stand-in Bot API on 127.0.0.1 and the bot running against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from standin import StandInBotApi
from tests.console_harness import browser, console_bot  # noqa: F401  (fixtures for all)
from tests.harness import ADMIN, START, Harness, make_config

# Three people, one per language, plus an admin who reads English.
ARABIC_USER = 201
FRENCH_USER = 202
ENGLISH_USER = 203


@pytest.fixture
async def api() -> AsyncIterator[StandInBotApi]:
    # Telegram's limits per chat, as tests/test_under_load.py describes them; the overall limit
    # is left to the tests about it (broadcast tests go at paid-broadcast speed).
    async with StandInBotApi(
        chat_interval_s=1.0, chat_burst=3, group_interval_s=3.0, group_burst=3
    ) as server:
        server.add_user(ADMIN, "Hala", language_code="en", username="hala_hub")
        server.add_user(ARABIC_USER, "ليلى", language_code="ar", last_name="حداد")
        server.add_user(FRENCH_USER, "Karim", language_code="fr")
        server.add_user(ENGLISH_USER, "Sam", language_code="en-GB")
        yield server


@pytest.fixture
def harness(api: StandInBotApi, tmp_path: Path) -> Harness:
    return Harness(api=api, config=make_config(tmp_path, api), clock=ManualClock(START))


@pytest.fixture
async def bot(harness: Harness) -> AsyncIterator[Harness]:
    """The bot running; tests that restart it use ``harness.running()`` themselves."""
    async with harness.running():
        yield harness
