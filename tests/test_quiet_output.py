"""What an operator reads: a command prints its result only; the bot's start says what it is."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.harness import STAFF_CHAT, Harness


def hubbot(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The real command in a process of its own, as an operator runs it (no .env around)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("HUBBOT_")}
    environment.update(HUBBOT_DATABASE=str(tmp_path / "hub.sqlite3"), PYTHONPATH=str(PROJECT_ROOT))
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_commands_print_their_result_and_no_log_line_unless_verbose(tmp_path: Path) -> None:
    first = hubbot(tmp_path, "migrate")
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout.startswith(f"database {tmp_path / 'hub.sqlite3'} migrated: applied 1, ")
    listed = hubbot(tmp_path, "staff", "add", "4242")
    assert (listed.returncode, listed.stderr, listed.stdout) == (0, "", "4242 added to staff\n")
    exported = hubbot(tmp_path, "content", "questions", "--export")
    assert (exported.stderr, exported.stdout) == ("", "# no questions learned yet\n")

    verbose = hubbot(tmp_path, "--verbose", "staff", "list")
    assert verbose.stdout == "4242\t(has not opened the bot)\tdatabase\n"
    assert " INFO bot.knowledge.search: knowledge index" in verbose.stderr


async def test_the_start_is_one_line_who_how_staff_chat_and_database(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        async with harness.running(staff_chat_id=STAFF_CHAT):
            pass
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("running as")]
    assert line == (
        f"running as @MenaHubBot, long polling; staff chat {STAFF_CHAT} (HUBBOT_STAFF_CHAT_ID, "
        f"not bound); database {harness.config.database_path}"
    )
    # The job scheduler's bookkeeping is not an operator's business.
    assert not [r for r in caplog.records if r.name.startswith("apscheduler")]
