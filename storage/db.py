"""The SQLite connection: pragmas, the write lock and the transaction helper all writes use."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from storage.migrations import apply_migrations

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
# A lock held by another process (the CLI, a backup) outlasting the busy timeout is retried a
# few more times before giving up, so "database is locked" never reaches a user.
LOCKED_RETRIES = 5
LOCKED_RETRY_BASE_S = 0.05

Params = Mapping[str, Any] | tuple[Any, ...]


async def _pragma(connection: aiosqlite.Connection, statement: str) -> None:
    # Pragmas answer with a row; closing the cursor keeps no statement open on the connection.
    async with connection.execute(statement):
        pass


async def _connect(path: Path) -> aiosqlite.Connection:
    connection = await aiosqlite.connect(path, isolation_level=None)
    connection.row_factory = sqlite3.Row
    for statement in (
        f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
        "PRAGMA foreign_keys = ON",
        "PRAGMA synchronous = NORMAL",
    ):
        await _pragma(connection, statement)
    return connection


def _is_locked(error: sqlite3.OperationalError) -> bool:
    message = str(error).lower()
    return "locked" in message or "busy" in message


class Transaction:
    """An open ``BEGIN IMMEDIATE`` transaction on the write connection."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of rows changed."""
        cursor = await self._connection.execute(sql, params)
        return cursor.rowcount

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT; returns the new row id."""
        cursor = await self._connection.execute(sql, params)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._connection.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self._connection.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self._connection.execute(sql, params) as cursor:
            return list(await cursor.fetchall())


class ReadOnlyConnection:
    """A read-only connection of its own, for long reads (statistics, the report) made in the
    statistics worker: SQLite's WAL lets it read beside the writer, and while it reads, the
    replies' reads (on the bot's reader) and writes wait for nothing.

    Its methods are coroutines like ``Database``'s, so a repository reads through either; here
    they run at once, on the worker's own event loop.
    """

    def __init__(self, path: Path) -> None:
        # As a URI (percent-encoded), so a "?" or "#" in the folder's name stays a name.
        self._connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None
        )
        self._connection.row_factory = sqlite3.Row
        self._connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._connection.execute("PRAGMA query_only = ON")

    def rows(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return self._connection.execute(sql, params).fetchall()

    def snapshot(self) -> None:
        """The following reads see one state of the database, until ``close``."""
        self._connection.execute("BEGIN")

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return self.rows(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    def close(self) -> None:
        self._connection.close()


class Database:
    """One write connection guarded by a lock, one read connection; WAL lets them run together."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await _connect(self.path)
        await _pragma(self._writer, "PRAGMA journal_mode = WAL")
        await apply_migrations(self._writer)
        self._reader = await _connect(self.path)

    async def close(self) -> None:
        for connection in (self._reader, self._writer):
            if connection is not None:
                await connection.close()
        self._reader = self._writer = None

    @property
    def _write_connection(self) -> aiosqlite.Connection:
        if self._writer is None:
            raise RuntimeError("Database is not open")
        return self._writer

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """A write transaction: commits on success, rolls back on any error."""
        connection = self._write_connection
        async with self._write_lock:
            await self._begin_immediate(connection)
            try:
                yield Transaction(connection)
            except BaseException:
                await connection.rollback()
                raise
            await connection.commit()

    @staticmethod
    async def _begin_immediate(connection: aiosqlite.Connection) -> None:
        # IMMEDIATE takes the write lock up front, so the busy timeout applies; a deferred
        # transaction upgrading to a write would fail at once with SQLITE_BUSY_SNAPSHOT.
        for attempt in range(LOCKED_RETRIES):
            try:
                await connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not _is_locked(error) or attempt == LOCKED_RETRIES - 1:
                    raise
                logger.warning("database busy, retrying BEGIN IMMEDIATE (attempt %d)", attempt + 1)
                await asyncio.sleep(LOCKED_RETRY_BASE_S * 2**attempt)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        assert self._reader is not None, "Database is not open"
        # One call on the connection's thread: a cursor's execute and fetch as two calls let
        # another coroutine's read run in between, inside the same (older) read snapshot, and
        # miss what the writer has just committed.
        return list(await self._reader.execute_fetchall(sql, params))

    async def backup(self, target: Path) -> None:
        """A consistent copy of the live database through SQLite's online backup API."""
        target.parent.mkdir(parents=True, exist_ok=True)
        # The reader is in autocommit mode, so it copies only committed data.
        assert self._reader is not None, "Database is not open"
        async with aiosqlite.connect(target) as destination:
            await self._reader.backup(destination)
