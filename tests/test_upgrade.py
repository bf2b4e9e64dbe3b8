"""`hubbot upgrade` on a database of the previous release, and the way back; the service unit."""

from __future__ import annotations

import configparser
import shlex
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import PROJECT_ROOT
from storage.health import inspect
from storage.migrations import MIGRATIONS

# The release before this one stopped at the last migration below this number.
THIS_RELEASE_FIRST_MIGRATION = 18


def previous_release_database(path: Path) -> None:
    """The schema as the previous release left it, with one person in it."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute(
            "CREATE TABLE schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        for version, name, sql in MIGRATIONS:
            if version < THIS_RELEASE_FIRST_MIGRATION:
                connection.executescript(sql)
                connection.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, '2026-11-01T00:00:00+00:00')",
                    (version, name),
                )
        connection.execute(
            "INSERT INTO users (id, first_name, language, created_at, last_seen_at)"
            " VALUES (201, 'Layla', 'ar', '2026-11-01T00:00:00', '2026-11-01T00:00:00')"
        )
        connection.commit()


def tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {row[0] for row in rows}


def test_upgrade_backs_up_migrates_and_the_printed_restore_goes_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "data" / "hubbot.sqlite3"
    database.parent.mkdir()
    previous_release_database(database)
    before = inspect(database)
    assert THIS_RELEASE_FIRST_MIGRATION in before.missing_migrations
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HUBBOT_DATABASE", str(database))
    monkeypatch.setenv("HUBBOT_BACKUP_DIR", str(tmp_path / "backups"))
    # The migration runs in a process of its own (the new code), which finds the project.
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))

    assert main(["upgrade", "--skip-install"]) == 0
    lines = capfd.readouterr().out.splitlines()
    backup = Path(lines[0].removeprefix("backup: "))
    assert backup.parent == tmp_path / "backups"
    assert backup.name.startswith("before-upgrade-hubbot-")
    assert lines[1] == "install: skipped (--skip-install)"
    assert lines[2].startswith(f"database {database} migrated: applied ")
    assert str(THIS_RELEASE_FIRST_MIGRATION) in lines[2]
    assert lines[3] == f"to go back: stop the bot, then hubbot restore {backup}"
    assert inspect(database).missing_migrations == ()
    assert "staff_chat_binding" in tables(database)
    # The backup is the database as it was.
    assert inspect(backup).missing_migrations == before.missing_migrations

    restore = shlex.split(lines[3].split("then ", 1)[1])
    assert restore[:2] == ["hubbot", "restore"]
    assert main(restore[1:]) == 0
    capfd.readouterr()
    assert inspect(database).missing_migrations == before.missing_migrations
    assert "staff_chat_binding" not in tables(database)
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT first_name FROM users").fetchall() == [("Layla",)]

    # Twice more: nothing left to apply the second time, and each backup kept apart.
    assert main(["upgrade", "--skip-install"]) == 0
    assert main(["upgrade", "--skip-install"]) == 0
    assert f"database {database} is up to date" in capfd.readouterr().out
    assert len(list((tmp_path / "backups").glob("before-upgrade-*"))) == 3


def test_the_service_unit_runs_the_bot_as_its_own_user_and_restarts_it() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(PROJECT_ROOT / "deploy" / "hubbot.service", encoding="utf-8")
    service = unit["Service"]
    assert service["User"] == "hubbot" and service["Group"] == "hubbot"
    working_directory = service["WorkingDirectory"]
    assert service["ExecStart"] == f"{working_directory}/.venv/bin/hubbot run"
    assert service["Restart"] == "on-failure"
    assert service["StandardError"] == "journal"
    # It may write its data folder and nothing else of the system.
    assert service["ProtectSystem"] == "strict"
    assert f"{working_directory}/data" in service["ReadWritePaths"].split()
    assert unit["Install"]["WantedBy"] == "multi-user.target"
