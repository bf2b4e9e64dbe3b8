"""The schema, as numbered migrations applied in order at start and recorded in the database."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import aiosqlite

logger = logging.getLogger(__name__)

# Append only: a released migration is never edited, a change is a new step.
MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "users, staff, focal points, invites, drafts",
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,              -- Telegram user id
            first_name TEXT NOT NULL DEFAULT '',
            last_name TEXT,
            username TEXT,
            language TEXT,                       -- chosen ar|fr|en; NULL until chosen
            telegram_language TEXT,              -- what the Telegram client reports
            time_zone TEXT,                      -- IANA name; NULL means "from the country"
            is_active INTEGER NOT NULL DEFAULT 1,-- 0 once Telegram says the user blocked the bot
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL
        );
        CREATE TABLE staff (
            user_id INTEGER PRIMARY KEY,         -- may be added before the person ever writes
            added_by INTEGER,
            added_at TEXT NOT NULL
        );
        CREATE TABLE focal_points (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            full_name TEXT NOT NULL,
            country TEXT NOT NULL,
            city TEXT NOT NULL,
            position TEXT NOT NULL DEFAULT '',
            email TEXT,
            status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
            via_invite TEXT,
            reviewed_by INTEGER,
            reviewed_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX focal_points_status ON focal_points(status);
        CREATE TABLE invites (
            code TEXT PRIMARY KEY,
            country TEXT NOT NULL,
            city TEXT NOT NULL,
            created_by INTEGER,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            used_at TEXT
        );
        CREATE TABLE drafts (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            flow TEXT NOT NULL,
            step TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{}',     -- JSON
            updated_at TEXT NOT NULL,
            PRIMARY KEY (user_id, flow)
        );
        """,
    ),
    (
        2,
        "questions the knowledge base could not answer, forwarded to staff",
        """
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            language TEXT NOT NULL,               -- the asker's language when asked
            status TEXT NOT NULL CHECK (status IN ('unanswered', 'forwarded', 'answered')),
            answer TEXT,
            answered_by INTEGER,
            created_at TEXT NOT NULL,
            forwarded_at TEXT,
            answered_at TEXT
        );
        CREATE TABLE question_copies (          -- where staff can reply to a question
            chat_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
            PRIMARY KEY (chat_id, message_id)
        );
        """,
    ),
)


async def apply_migrations(connection: aiosqlite.Connection) -> list[int]:
    """Apply the migrations not yet recorded, each in its own transaction; returns those applied."""
    await connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    cursor = await connection.execute("SELECT version FROM schema_migrations")
    done = {row[0] for row in await cursor.fetchall()}
    applied: list[int] = []
    for version, name, sql in MIGRATIONS:
        if version in done:
            continue
        await connection.execute("BEGIN IMMEDIATE")
        try:
            # Statements one by one: executescript() would commit our transaction first.
            for statement in _statements(sql):
                await connection.execute(statement)
            await connection.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, datetime.now(UTC).isoformat()),
            )
        except BaseException:
            await connection.rollback()
            raise
        await connection.commit()
        logger.info("applied migration %d: %s", version, name)
        applied.append(version)
    return applied


def _statements(script: str) -> list[str]:
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
