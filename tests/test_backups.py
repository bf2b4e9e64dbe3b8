"""Daily backups (the last N kept, by the job queue) and `hubbot restore`, which checks first."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.backups import RestoreError, back_up, backups, restore
from storage.db import Database
from tests.harness import Harness

NOW = datetime(2026, 6, 1, 2, 30, tzinfo=UTC)


async def _database(path: Path, staff_id: int) -> Database:
    db = Database(path)
    await db.open()
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO staff (user_id, added_at) VALUES (:id, :now)",
            {"id": staff_id, "now": NOW.isoformat()},
        )
    return db


def _staff(path: Path) -> list[int]:
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT user_id FROM staff")]


async def test_only_the_last_backups_are_kept(tmp_path: Path) -> None:
    db = await _database(tmp_path / "hub.sqlite3", 7)
    directory = tmp_path / "backups"
    made = [await back_up(db, directory, keep=2, now=NOW + timedelta(days=day)) for day in range(3)]
    await db.close()
    assert backups(directory) == made[1:]
    assert _staff(made[-1]) == [7]


async def test_the_daily_job_backs_up(harness: Harness, tmp_path: Path) -> None:
    directory = tmp_path / "daily"
    async with harness.running(backup_dir=directory) as application:
        assert application.job_queue is not None
        [job] = application.job_queue.get_jobs_by_name("database-backup")
        await job.run(application)
    [copy] = backups(directory)
    assert copy.name == "hubbot-20260601-090000.sqlite3"  # the harness's clock


def test_restore_checks_the_backup_first(tmp_path: Path) -> None:
    live, good = tmp_path / "hub.sqlite3", tmp_path / "good.sqlite3"

    asyncio.run(_make(live, 1))
    asyncio.run(_make(good, 2))
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(good.read_bytes())
    with sqlite3.connect(newer) as connection:
        connection.execute(
            "INSERT INTO schema_migrations VALUES (999, 'from the future', '2030-01-01')"
        )
    for bad, reason in (
        (damaged, "not a SQLite database"),
        (newer, "newer version"),
        (tmp_path / "missing.sqlite3", "does not exist"),
    ):
        with pytest.raises(RestoreError, match=reason):
            restore(bad, live, now=NOW)
        assert _staff(live) == [1]
    kept = restore(good, live, now=NOW)
    assert _staff(live) == [2]
    assert kept is not None
    assert _staff(kept) == [1]


def test_restore_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    live = tmp_path / "hub.sqlite3"
    asyncio.run(_make(live, 5))
    monkeypatch.setenv("HUBBOT_DATABASE", str(live))
    monkeypatch.chdir(tmp_path)
    broken = tmp_path / "broken.sqlite3"
    broken.write_text("not a database")
    assert main(["restore", str(broken)]) == 1
    assert _staff(live) == [5]


async def _make(path: Path, staff_id: int) -> None:
    await (await _database(path, staff_id)).close()


def test_the_console_log_stays_out_of_the_conversation(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--database", str(tmp_path / "c.sqlite3")],
        input="/start\n/quit\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "bot #2> " in result.stdout
    assert " INFO " not in result.stdout + result.stderr
    assert "applied migration" in (tmp_path / "data" / "console.log").read_text(encoding="utf-8")
