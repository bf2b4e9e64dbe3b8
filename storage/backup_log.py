"""The backups `hubbot backup` wrote, so `hubbot doctor` counts them whatever their names."""

from __future__ import annotations

from contextlib import closing
from datetime import datetime
from pathlib import Path

from storage.db import Database
from storage.health import has_table, read_only
from storage.models import to_db_time


class BackupLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, backup: Path, now: datetime) -> None:
        """``backup`` absolute, so doctor finds it from any working directory."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT OR REPLACE INTO backups_made (path, made_at) VALUES (:path, :now)",
                {"path": str(backup), "now": to_db_time(now)},
            )


def recorded_backups(database: Path) -> list[Path]:
    """Recorded backups still on disk, oldest first; read without opening the database."""
    if not database.is_file():
        return []
    with closing(read_only(database)) as connection:
        if not has_table(connection, "backups_made"):
            return []
        rows = connection.execute("SELECT path FROM backups_made ORDER BY made_at").fetchall()
    return [Path(row[0]) for row in rows if Path(row[0]).is_file()]
