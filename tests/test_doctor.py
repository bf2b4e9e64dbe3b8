"""`hubbot doctor` against the stand-in: each check one line, exit status 0 only when all pass."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.__main__ import main
from standin import StandInBotApi
from storage.db import Database
from tests.harness import STAFF_CHAT, TOKEN, label

FAIL, PASS = "✗", "✓"


@pytest.fixture
def operator(
    api: StandInBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> pytest.MonkeyPatch:
    """The environment of an operator whose setup is complete; tests then break one thing."""
    database = tmp_path / "hub.sqlite3"
    backups = tmp_path / "backups"

    async def prepare() -> None:
        db = Database(database)
        await db.open()
        await db.backup(backups / "hubbot-20260601-023000.sqlite3")
        await db.close()

    asyncio.run(prepare())
    api.add_group(STAFF_CHAT, "Hub staff")
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "HUBBOT_TOKEN": TOKEN,
        "HUBBOT_API_BASE_URL": api.base_url,
        "HUBBOT_STAFF_CHAT_ID": str(STAFF_CHAT),
        "HUBBOT_DATABASE": str(database),
        "HUBBOT_BACKUP_DIR": str(backups),
    }.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


async def doctor(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, list[str]]:
    # main() runs its own event loop: give it a thread of its own.
    status = await asyncio.to_thread(main, ["doctor", *arguments])
    return status, capsys.readouterr().out.splitlines()


async def test_everything_in_order(
    operator: pytest.MonkeyPatch, api: StandInBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines = await doctor(capsys)
    assert [line[0] for line in lines] == [PASS] * len(lines), lines
    assert status == 0
    assert lines[0] == f"{PASS} The token works: this is @{api.bot_username}."
    assert any("Privacy mode is on" in line for line in lines)
    assert any(line.startswith(f"{PASS} The staff chat «Hub staff» exists") for line in lines)
    assert any("Last backup: hubbot-20260601-023000.sqlite3" in line for line in lines)


async def test_a_bad_token_is_reported(
    operator: pytest.MonkeyPatch, api: StandInBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    api.accepted_token = "42:another-token-that-botfather-issued"
    status, lines = await doctor(capsys)
    assert status == 1
    assert lines[0].startswith(f"{FAIL} Telegram refuses the token (Unauthorized)")
    # The checks that need no Telegram still run.
    assert any("The database is sound" in line for line in lines)


async def test_a_missing_staff_chat_is_reported_in_the_operators_language(
    operator: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    operator.setenv("HUBBOT_STAFF_CHAT_ID", "-100999")
    status, lines = await doctor(capsys, "--language", "fr")
    assert status == 1
    [missing] = [line for line in lines if line.startswith(FAIL)]
    assert missing == f"{FAIL} " + label(
        "fr",
        "The staff chat {chat} was not found ({reason}): add the bot to the staff group and "
        "set HUBBOT_STAFF_CHAT_ID to that group's id.",
        chat="-100999",
        reason="Bad Request: chat not found",
    )


async def test_a_bot_removed_from_the_staff_chat_and_a_failing_webhook(
    operator: pytest.MonkeyPatch, api: StandInBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    api.bot_status[STAFF_CHAT] = {"status": "left"}
    operator.setenv("HUBBOT_WEBHOOK_URL", "https://hub.example.org/telegram")
    operator.setenv("HUBBOT_WEBHOOK_SECRET", "s3cret-" * 5)
    api.webhook_url = "https://hub.example.org/telegram"
    api.webhook_last_error = "Wrong response from the webhook: 502 Bad Gateway"
    status, lines = await doctor(capsys)
    assert status == 1
    failures = [line for line in lines if line.startswith(FAIL)]
    assert failures == [
        f"{FAIL} The bot is not a member of the staff chat «Hub staff»: add it to the group.",
        f"{FAIL} Telegram's last webhook delivery failed: Wrong response from the webhook: "
        "502 Bad Gateway. Check the reverse proxy, TLS and HUBBOT_WEBHOOK_URL.",
    ]


async def test_database_and_backups_problems(
    operator: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operator.setenv("HUBBOT_DATABASE", str(tmp_path / "nowhere.sqlite3"))
    operator.delenv("HUBBOT_BACKUP_DIR")
    status, lines = await doctor(capsys)
    assert status == 1
    failures = [line for line in lines if line.startswith(FAIL)]
    assert failures == [
        f"{FAIL} The database {tmp_path / 'nowhere.sqlite3'} does not exist: run hubbot migrate.",
        f"{FAIL} No backups: set HUBBOT_BACKUP_DIR and the bot copies the database daily.",
    ]
    # Checking never creates the database.
    assert not (tmp_path / "nowhere.sqlite3").exists()


async def test_a_broken_knowledge_file_is_reported(
    operator: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    knowledge = tmp_path / "content" / "knowledge"
    knowledge.mkdir(parents=True)
    (knowledge / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    operator.setenv("HUBBOT_CONTENT_DIR", str(tmp_path / "content"))
    status, lines = await doctor(capsys)
    assert status == 1
    assert f"{FAIL} The knowledge base has 1 broken file: run hubbot content check." in lines


NOT_CHECKED = (
    "Not checked without a token: the token itself, the clock against Telegram's, the staff "
    "chat and the bot's rights there, privacy mode, the webhook or polling."
)


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_without_a_token_it_names_what_it_could_not_check(
    operator: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], language: str
) -> None:
    operator.delenv("HUBBOT_TOKEN")
    status, lines = await doctor(capsys, "--language", language)
    assert status == 1
    assert lines[:2] == [
        f"{FAIL} " + label(language, "HUBBOT_TOKEN is not set: get a token from @BotFather."),
        f"{FAIL} " + label(language, NOT_CHECKED),
    ]
    assert any("HUBBOT_STAFF_CHAT_ID" in line for line in lines)  # the binding's line still runs


async def test_a_backup_written_by_hubbot_backup_counts_under_any_name(
    operator: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operator.setenv("HUBBOT_BACKUP_DIR", str(tmp_path / "daily"))
    status, lines = await doctor(capsys)
    assert status == 1 and any("No backup in" in line for line in lines)

    copy = tmp_path / "elsewhere" / "before-the-move.db"
    assert await asyncio.to_thread(main, ["backup", str(copy)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"backup written to {copy}",
        f"to go back to it: hubbot restore {copy}",
    ]
    status, lines = await doctor(capsys)
    assert f"{PASS} Last backup: before-the-move.db; backups kept: 1." in lines
    assert status == 0

    # A folder gets a dated name; an existing file is never written over.
    (tmp_path / "daily").mkdir()
    assert await asyncio.to_thread(main, ["backup", str(tmp_path / "daily")]) == 0
    [written] = (tmp_path / "daily").glob("hubbot-*.sqlite3")
    assert capsys.readouterr().out.startswith(f"backup written to {written}")
    size = copy.stat().st_size
    with pytest.raises(SystemExit) as refused:
        await asyncio.to_thread(main, ["backup", str(copy)])
    assert refused.value.code == 2
    assert "already exists" in capsys.readouterr().err
    assert copy.stat().st_size == size


async def test_the_staff_chat_binding_and_an_unregistered_webhook_are_reported(
    operator: pytest.MonkeyPatch,
    api: StandInBotApi,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    api.set_status(STAFF_CHAT, 0, "administrator")
    assert await asyncio.to_thread(main, ["staff-chat", str(STAFF_CHAT)]) == 0
    assert (
        capsys.readouterr().out
        == f"staff chat bound to {STAFF_CHAT} «Hub staff»; the bot said so in the group\n"
    )
    assert "This group is now the Hub's staff group" in (api.last_message(STAFF_CHAT).text or "")
    operator.setenv("HUBBOT_STAFF_CHAT_ID", "-100999")  # the binding wins over the variable
    operator.setenv("HUBBOT_WEBHOOK_URL", "https://hub.example.org/telegram")
    status, lines = await doctor(capsys)
    assert any(
        line.startswith(f"{PASS} The staff chat is bound to «Hub staff» ({STAFF_CHAT}) since ")
        for line in lines
    )
    assert any(line.startswith(f"{PASS} The staff chat «Hub staff» exists") for line in lines)
    assert (
        f"{FAIL} No webhook is registered with Telegram yet: start the bot to register "
        "https://hub.example.org/telegram." in lines
    )
    assert status == 1


async def test_staff_chat_refuses_a_group_where_the_bot_is_not_an_administrator(
    operator: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await asyncio.to_thread(main, ["staff-chat", str(STAFF_CHAT)]) == 1
    assert "not an administrator" in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["staff-chat"]) == 0
    assert "from HUBBOT_STAFF_CHAT_ID (not bound yet)" in capsys.readouterr().out


async def test_a_bound_staff_chat_that_is_gone_asks_for_bind_again(
    operator: pytest.MonkeyPatch,
    api: StandInBotApi,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    api.set_status(STAFF_CHAT, 0, "administrator")
    assert await asyncio.to_thread(main, ["staff-chat", str(STAFF_CHAT)]) == 0
    api.delete_group(STAFF_CHAT)
    status, lines = await doctor(capsys, "--language", "ar")
    assert status == 1
    assert (
        f"{FAIL} "
        + label(
            "ar",
            "The staff chat {chat} bound with /bind was not found ({reason}): add the bot to the "
            "staff group again and send /bind there.",
            chat=str(STAFF_CHAT),
            reason="Bad Request: chat not found",
        )
        in lines
    )
