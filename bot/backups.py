"""Daily copies of the database (the last N kept) and restoring one after checking it."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram.ext import CallbackContext

from storage.db import Database
from storage.health import copy_database, inspect

if TYPE_CHECKING:
    from bot.context import HubApplication

logger = logging.getLogger(__name__)

BACKUP_TIME_UTC = time(2, 30, tzinfo=UTC)  # the quietest hour across the region
BACKUP_PATTERN = "hubbot-*.sqlite3"


class RestoreError(Exception):
    """The file is not a backup this bot can use; the message says why, in one line."""


def backups(directory: Path) -> list[Path]:
    """Backups in a directory, oldest first (their names sort by time)."""
    return sorted(directory.glob(BACKUP_PATTERN)) if directory.is_dir() else []


def dated_name(now: datetime) -> str:
    """The name of a backup made now (the daily ones and `hubbot backup FOLDER`)."""
    return f"hubbot-{now.astimezone(UTC):%Y%m%d-%H%M%S}.sqlite3"


async def back_up(db: Database, directory: Path, *, keep: int, now: datetime) -> Path:
    target = directory / dated_name(now)
    await db.backup(target)
    for old in backups(directory)[:-keep]:
        old.unlink()
    return target


def restore(backup: Path, database: Path, *, now: datetime) -> Path | None:
    """Replace the database with a checked backup; returns where the replaced one was kept."""
    try:
        health = inspect(backup)
    except FileNotFoundError:
        raise RestoreError(f"{backup} does not exist") from None
    except sqlite3.DatabaseError as error:
        raise RestoreError(f"{backup} is not a SQLite database ({error})") from None
    if health.integrity != "ok":
        raise RestoreError(f"{backup} is damaged: {health.integrity}")
    if health.unknown_migrations:
        raise RestoreError(f"{backup} comes from a newer version of the bot: upgrade first")
    kept = None
    if database.is_file():
        kept = database.with_name(f"{database.name}.before-restore-{now:%Y%m%d-%H%M%S}")
        copy_database(database, kept)
    copy_database(backup, database)
    return kept


async def daily_backup(context: CallbackContext[Any, Any, Any, Any]) -> None:
    services = context.application.bot_data["services"]
    config = services.config
    target = await back_up(
        services.db, config.backup_dir, keep=config.backup_keep, now=services.clock.now()
    )
    logger.info("database backed up to %s", target)


def schedule_backups(application: HubApplication, directory: Path | None) -> None:
    if directory is not None and application.job_queue is not None:
        application.job_queue.run_daily(daily_backup, BACKUP_TIME_UTC, name="database-backup")
