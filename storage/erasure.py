"""Erasing a person (/deleteme): their rows deleted, their id and words removed from kept rows."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from storage.db import Database, Transaction

# Who did something, kept as a Telegram id: replaced when that person is erased, by NULL or,
# where NULL already means something else or is not allowed, by FORMER_PERSON. Rows owned by
# the person (focal_points, drafts, questions and their copies, event answers and notices,
# broadcast recipients, console sessions and login links) go with the users row, through
# ON DELETE CASCADE.
FORMER_PERSON = 0
ACTOR_COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("staff", "added_by", None),
    ("focal_points", "reviewed_by", None),
    ("invites", "created_by", None),
    ("invites", "used_by", None),
    ("questions", "answered_by", None),
    ("support_requests", "filed_by", None),
    ("support_requests", "assignee", None),
    ("support_request_events", "actor", None),
    ("support_request_events", "assignee", FORMER_PERSON),  # NULL: "assignment removed"
    ("events", "created_by", None),
    ("events", "updated_by", None),
    ("broadcasts", "created_by", FORMER_PERSON),  # NOT NULL
    ("broadcasts", "cancelled_by", None),
    ("learned_questions", "added_by", FORMER_PERSON),  # NOT NULL
    ("knowledge_versions", "author", None),
    ("knowledge_entries", "published_by", None),
    ("audit_log", "actor_id", None),
)
# Free text the Hub keeps (a city's request, its history, other people's questions, events,
# announcements), in which the person may be named: (table, column, how). "text" and "json"
# (an object of texts) are redacted in place; "row" deletes the row, where a redacted text
# could collide with another under a UNIQUE constraint and the row is worth little without it.
KEPT_TEXT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("support_requests", "title", "text"),
    ("support_requests", "description", "text"),
    ("support_requests", "decline_reason", "text"),
    ("support_requests", "contact_detail", "text"),
    ("support_request_events", "text", "text"),
    ("questions", "text", "text"),
    ("questions", "answer", "text"),
    ("learned_questions", "text", "row"),
    ("events", "titles", "json"),
    ("events", "descriptions", "json"),
    ("events", "place", "text"),
    ("broadcasts", "versions", "json"),
    ("audit_log", "subject", "text"),
)


@dataclass(frozen=True)
class PersonalDetails:
    """What identifies a person in free text, gathered before their rows are deleted."""

    user_id: int
    names: tuple[str, ...]
    usernames: tuple[str, ...]
    emails: tuple[str, ...]
    phones: tuple[str, ...]


class ErasureRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def personal_details(self, user_id: int) -> PersonalDetails:
        params = {"id": user_id}
        user = await self._db.fetchone("SELECT * FROM users WHERE id = :id", params)
        focal_point = await self._db.fetchone(
            "SELECT full_name, email FROM focal_points WHERE user_id = :id", params
        )
        contacts = await self._db.fetchall(
            "SELECT contact, contact_detail FROM support_requests"
            " WHERE filed_by = :id AND contact_detail IS NOT NULL",
            params,
        )
        names = []
        if user is not None:
            names.append(" ".join(p for p in (user["first_name"], user["last_name"]) if p))
        if focal_point is not None:
            names.append(focal_point["full_name"])
        emails = [focal_point["email"]] if focal_point and focal_point["email"] else []
        emails += [row["contact_detail"] for row in contacts if row["contact"] == "email"]
        return PersonalDetails(
            user_id=user_id,
            names=tuple(names),
            usernames=(user["username"],) if user and user["username"] else (),
            emails=tuple(emails),
            phones=tuple(row["contact_detail"] for row in contacts if row["contact"] == "phone"),
        )

    async def erase(self, user_id: int, redact: Callable[[str], str]) -> None:
        """One transaction: either the person is gone everywhere, or nothing changed."""
        params = {"id": user_id}
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE support_requests SET contact_detail = NULL WHERE filed_by = :id", params
            )
            for table, column, replacement in ACTOR_COLUMNS:
                await tx.execute(
                    f"UPDATE {table} SET {column} = :replacement WHERE {column} = :id",
                    {**params, "replacement": replacement},
                )
            await tx.execute(
                "UPDATE broadcasts SET progress_chat_id = NULL, progress_message_id = NULL"
                " WHERE progress_chat_id = :id",
                params,
            )
            for table in ("question_copies", "support_request_copies", "card_refreshes"):
                await tx.execute(f"DELETE FROM {table} WHERE chat_id = :id", params)
            await tx.execute("DELETE FROM staff WHERE user_id = :id", params)
            await tx.execute("DELETE FROM users WHERE id = :id", params)
            for table, column, how in KEPT_TEXT_COLUMNS:
                await _redact_column(tx, table, column, how, redact)


async def _redact_column(
    tx: Transaction, table: str, column: str, how: str, redact: Callable[[str], str]
) -> None:
    rows = await tx.fetchall(f"SELECT rowid, {column} FROM {table} WHERE {column} IS NOT NULL")
    for row in rows:
        value = row[1]
        if how == "row":
            if redact(value) != value:
                await tx.execute(f"DELETE FROM {table} WHERE rowid = :rowid", {"rowid": row[0]})
            continue
        if how == "json":
            texts = json.loads(value)
            changed = json.dumps(
                {key: redact(text) for key, text in texts.items()}, ensure_ascii=False
            )
            if json.loads(changed) == texts:
                continue
        else:
            changed = redact(value)
            if changed == value:
                continue
        await tx.execute(
            f"UPDATE {table} SET {column} = :value WHERE rowid = :rowid",
            {"value": changed, "rowid": row[0]},
        )
