"""The database: migrations recorded, pragmas on, writes that wait instead of failing."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.db import Database
from storage.migrations import MIGRATIONS
from storage.users import UserRepository

NOW = datetime(2026, 6, 1, tzinfo=UTC)


async def test_migrations_are_applied_once_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "hub.sqlite3"
    for _ in range(2):
        db = Database(path)
        await db.open()
        rows = await db.fetchall("SELECT version FROM schema_migrations")
        assert [row["version"] for row in rows] == [version for version, _, _ in MIGRATIONS]
        journal = await db.fetchone("PRAGMA journal_mode")
        foreign_keys = await db.fetchone("PRAGMA foreign_keys")
        assert journal is not None
        assert journal[0] == "wal"
        assert foreign_keys is not None
        assert foreign_keys[0] == 1
        await db.close()


async def test_a_failed_transaction_rolls_back(tmp_path: Path) -> None:
    db = Database(tmp_path / "hub.sqlite3")
    await db.open()
    users = UserRepository(db)
    try:
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO users (id, created_at, last_seen_at) VALUES (1, :now, :now)",
                {"now": NOW.isoformat()},
            )
            raise RuntimeError("abort")
    except RuntimeError:
        pass
    assert await users.get(1) is None
    await db.close()


async def test_a_write_waits_for_another_process_lock(tmp_path: Path) -> None:
    """Another process (the CLI, a backup) holding the write lock delays us; it never fails us."""
    path = tmp_path / "hub.sqlite3"
    db = Database(path)
    await db.open()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO staff (user_id, added_at) VALUES (7, 'x')")
    users = UserRepository(db)
    write = asyncio.create_task(
        users.touch(
            user_id=1,
            first_name="Hala",
            last_name=None,
            username=None,
            telegram_language="ar",
            now=NOW,
        )
    )
    # Whenever the other process commits, before or after our write starts, ours succeeds.
    asyncio.get_running_loop().call_later(0.2, other.execute, "COMMIT")
    user = await write
    assert user.first_name == "Hala"
    other.close()
    await db.close()


async def test_erasing_a_user_removes_their_profile_and_drafts(tmp_path: Path) -> None:
    from storage.drafts import DraftRepository
    from storage.focal_points import FocalPointRepository

    db = Database(tmp_path / "hub.sqlite3")
    await db.open()
    users = UserRepository(db)
    await users.touch(
        user_id=1, first_name="Hala", last_name=None, username=None, telegram_language="ar", now=NOW
    )
    await FocalPointRepository(db).save_pending(
        user_id=1,
        full_name="Hala H",
        country="JO",
        city="Karak",
        position="x",
        email=None,
        now=NOW,
    )
    await DraftRepository(db).save(user_id=1, flow="timezone", step="zone", data={}, now=NOW)
    await users.delete(1)
    for table in ("focal_points", "drafts"):
        row = await db.fetchone(f"SELECT COUNT(*) FROM {table}")
        assert row is not None
        assert row[0] == 0
    await db.close()


async def test_reads_see_what_was_just_committed_while_others_read(tmp_path: Path) -> None:
    """Concurrent readers share one connection; none may pin another's read to an old snapshot."""
    db = Database(tmp_path / "hub.sqlite3")
    await db.open()
    reading = True

    async def keep_reading() -> None:
        while reading:
            await db.fetchall("SELECT * FROM invites")
            await db.fetchone("SELECT * FROM users")

    readers = [asyncio.create_task(keep_reading()) for _ in range(3)]
    missed = 0
    for number in range(300):
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO invites (code, country, city, created_at, expires_at)"
                " VALUES (:code, 'MA', 'Fes', 'now', 'later')",
                {"code": str(number)},
            )
        found = await db.fetchone("SELECT * FROM invites WHERE code = :code", {"code": str(number)})
        missed += found is None
    reading = False
    await asyncio.gather(*readers)
    await db.close()
    assert missed == 0


async def test_a_failing_migration_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = (
        99,
        "a step whose second statement fails",
        "CREATE TABLE half (id INTEGER); -- a comment; with a semicolon\n"
        "INSERT INTO nowhere VALUES (1);",
    )
    monkeypatch.setattr("storage.migrations.MIGRATIONS", (*MIGRATIONS, broken))
    db = Database(tmp_path / "hub.sqlite3")
    with pytest.raises(sqlite3.OperationalError, match="nowhere"):
        await db.open()
    await db.close()
    check = sqlite3.connect(tmp_path / "hub.sqlite3")
    tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master")}
    versions = {row[0] for row in check.execute("SELECT version FROM schema_migrations")}
    check.close()
    assert "half" not in tables
    assert 99 not in versions
    assert {version for version, _, _ in MIGRATIONS} <= versions


async def test_a_requests_history_is_read_through_one_index(tmp_path: Path) -> None:
    """support_request_events_kind begins with request_id: a second index on request_id alone
    only slowed every write of a history line."""
    db = Database(tmp_path / "hub.sqlite3")
    await db.open()
    try:
        indexes = {
            row["name"] for row in await db.fetchall("PRAGMA index_list(support_request_events)")
        }
        assert "support_request_events_request" not in indexes
        assert "support_request_events_kind" in indexes
        plan = await db.fetchall(
            "EXPLAIN QUERY PLAN SELECT * FROM support_request_events WHERE request_id = 7"
        )
        assert any("support_request_events_kind" in row["detail"] for row in plan)
    finally:
        await db.close()
