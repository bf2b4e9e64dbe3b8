"""Every ``hubbot`` argument is checked: a bad one is a one-line refusal with exit status 2."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

import bot.__main__ as cli
from tests.harness import ADMIN, Harness, expected

BAD_ARGUMENTS = [
    (["invite", "", "--country", "MA"], "city name"),
    (["invite", "   ", "--country", "MA"], "city name"),
    (["invite", "x" * 81, "--country", "MA"], "city name"),
    (["invite", "Tetouan", "--country", "OTHER"], "--country"),
    (["invite", "Tetouan", "--country", "MA", "--bot-username", "no spaces"], "username"),
    (["staff", "add", "--", "-5"], "user id"),
    (["staff", "add", "0"], "user id"),
    (["staff", "add", "12ab"], "user id"),
    (["staff", "remove", "--", "-5"], "user id"),
    (["events", "import", "no-such-file.yaml"], "not a file"),
    (["content", "check", "--topics", "no-such-topics.md"], "not a file"),
    (["restore", "no-such-backup.sqlite3"], "not a file"),
    (["report", "--from", "2026-01-01", "--to", "2026-06-30", "--output", "."], "directory"),
    (["report", "--from", "2026-01-01", "--to", "2026-06-30", "--output", "x.csv"], ".xlsx"),
]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "hub.sqlite3"
    monkeypatch.setenv("HUBBOT_DATABASE", str(path))
    monkeypatch.delenv("HUBBOT_ADMIN_IDS", raising=False)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["migrate"]) == 0
    return path


@pytest.mark.parametrize(("argv", "says"), BAD_ARGUMENTS)
def test_bad_arguments_are_refused_in_one_line(
    database: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and says in error, error
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM invites").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM staff").fetchone() == (0,)


def test_an_unwritable_export_or_backup_is_refused_before_any_work(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "report.txt"
    a_file.write_text("not a directory")
    for argv in (
        ["export", "requests", "--output", str(a_file / "x.csv")],
        ["export", "requests", "--output", str(tmp_path)],
        ["backup", str(a_file / "copy.sqlite3")],
    ):
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_:
            cli.main(argv)
        assert exit_.value.code == 2
        assert capsys.readouterr().err.count("\n") == 1


def test_a_write_that_fails_late_is_one_line_too(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    def disk_full(output: Path, content: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cli, "_write_csv", disk_full)
    capsys.readouterr()
    assert cli.main(["export", "requests", "--output", str(tmp_path / "x.csv")]) == 1
    assert capsys.readouterr().err == (
        f"hubbot: cannot write {tmp_path / 'x.csv'}: No space left on device\n"
    )


async def test_addstaff_refuses_ids_that_are_not_telegram_users(bot: Harness) -> None:
    await bot.say(ADMIN, "/start")
    for typed in ("/addstaff 0", "/addstaff -5", "/addstaff 99999999999999999"):
        [refusal] = await bot.say(ADMIN, typed)
        assert refusal.text == expected(
            "en",
            "Give the person's numeric Telegram id, for example: {example}",
            example="/addstaff 123456789",
        )
    assert await bot.services.accounts.staff_ids() == [ADMIN]


def test_invite_asks_telegram_for_the_bots_username_or_says_what_to_give(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUBBOT_TOKEN", raising=False)
    capsys.readouterr()
    assert cli.main(["invite", "Tetouan", "--country", "MA"]) == 2
    assert capsys.readouterr().err == (
        "hubbot invite: give --bot-username NAME, or set HUBBOT_TOKEN so that Telegram is asked "
        "for it\n"
    )
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM invites").fetchone() == (0,)


async def test_invite_with_a_token_names_the_bot_from_get_me(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, api
) -> None:
    import asyncio

    from tests.harness import TOKEN

    monkeypatch.setenv("HUBBOT_TOKEN", TOKEN)
    monkeypatch.setenv("HUBBOT_API_BASE_URL", api.base_url)
    capsys.readouterr()
    assert await asyncio.to_thread(cli.main, ["invite", "Tetouan", "--country", "MA"]) == 0
    assert capsys.readouterr().out.startswith("https://t.me/MenaHubBot?start=")


def test_learned_questions_export_creates_no_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBBOT_DATABASE", str(tmp_path / "none" / "hub.sqlite3"))
    assert cli.main(["content", "questions", "--export"]) == 0
    assert capsys.readouterr().out == "# no questions learned yet\n"
    assert not (tmp_path / "none").exists()
