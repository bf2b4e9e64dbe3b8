"""The database file itself: what an operator checks (integrity, migrations, size) and copies.

Plain sqlite3, opened read-only where it only looks, so checking never creates or migrates.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from storage.migrations import MIGRATIONS


@dataclass(frozen=True)
class DatabaseHealth:
    size_bytes: int
    integrity: str  # "ok", or SQLite's first complaint
    missing_migrations: tuple[int, ...]
    unknown_migrations: tuple[int, ...]  # from a newer version of the bot

    @property
    def is_sound(self) -> bool:
        return self.integrity == "ok" and not self.missing_migrations


def inspect(path: Path) -> DatabaseHealth:
    """Raises sqlite3.DatabaseError when the file is not a database at all."""
    if not path.is_file():
        raise FileNotFoundError(path)
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        has_table = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        ).fetchone()
        applied = (
            {row[0] for row in connection.execute("SELECT version FROM schema_migrations")}
            if has_table
            else set()
        )
    known = {version for version, _, _ in MIGRATIONS}
    return DatabaseHealth(
        size_bytes=path.stat().st_size,
        integrity=str(integrity),
        missing_migrations=tuple(sorted(known - applied)),
        unknown_migrations=tuple(sorted(applied - known)),
    )


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (the source may be in use)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as origin,
        closing(sqlite3.connect(target)) as destination,
    ):
        origin.backup(destination)


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that can neither create the file nor change it."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def has_table(connection: sqlite3.Connection, name: str) -> bool:
    found = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return found is not None
