"""The knowledge base's entries: every version kept, and per entry which is live and which is
the draft staff are working on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from storage.db import Database, Transaction
from storage.models import (
    KnowledgeRecord,
    KnowledgeSummary,
    KnowledgeVersion,
    summary_from_row,
    to_db_time,
)

LANGUAGES: Final = ("ar", "fr", "en")


@dataclass(frozen=True)
class NewVersion:
    """A version to save; ``summary`` is what the console lists of it."""

    slug: str
    entry: str
    summary: KnowledgeSummary
    kind: str
    author: int | None
    review: tuple[str, ...] = ()
    file_text: str | None = None
    restored_from: int | None = None


def _summary_params(summary: KnowledgeSummary) -> dict[str, Any]:
    params: dict[str, Any] = {"topic": summary.topic}
    for lang in LANGUAGES:
        params[f"title_{lang}"] = summary.titles.get(lang, "")
        params[f"state_{lang}"] = summary.states.get(lang, "missing")
    return params


_SUMMARY_COLUMNS: Final = (
    "topic = :topic, title_ar = :title_ar, title_fr = :title_fr, title_en = :title_en,"
    " state_ar = :state_ar, state_fr = :state_fr, state_en = :state_en"
)


class KnowledgeRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def count(self) -> int:
        row = await self._db.fetchone("SELECT count(*) FROM knowledge_entries")
        return int(row[0]) if row else 0

    async def live_versions(self) -> list[KnowledgeVersion]:
        rows = await self._db.fetchall(
            "SELECT knowledge_versions.* FROM knowledge_entries"
            " JOIN knowledge_versions ON knowledge_versions.id = knowledge_entries.live_version"
            " ORDER BY knowledge_entries.slug"
        )
        return [KnowledgeVersion.from_row(row) for row in rows]

    async def record(self, slug: str) -> KnowledgeRecord | None:
        row = await self._db.fetchone(
            "SELECT * FROM knowledge_entries WHERE slug = :slug", {"slug": slug}
        )
        return KnowledgeRecord.from_row(row) if row else None

    async def version(self, version_id: int) -> KnowledgeVersion | None:
        row = await self._db.fetchone(
            "SELECT * FROM knowledge_versions WHERE id = :id", {"id": version_id}
        )
        return KnowledgeVersion.from_row(row) if row else None

    async def history(self, slug: str) -> list[KnowledgeVersion]:
        """Every version of an entry, newest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM knowledge_versions WHERE slug = :slug ORDER BY id DESC", {"slug": slug}
        )
        return [KnowledgeVersion.from_row(row) for row in rows]

    async def topic_counts(self) -> dict[str, int]:
        rows = await self._db.fetchall(
            "SELECT topic, count(*) AS entries FROM knowledge_entries GROUP BY topic"
        )
        return {row["topic"]: row["entries"] for row in rows}

    async def summaries(
        self, topic: str, *, language: str, offset: int, limit: int
    ) -> list[KnowledgeSummary]:
        """A page of a topic's entries in the alphabetical order of their titles."""
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        rows = await self._db.fetchall(
            "SELECT * FROM knowledge_entries WHERE topic = :topic"
            f" ORDER BY title_{language} COLLATE NOCASE, slug LIMIT :limit OFFSET :offset",
            {"topic": topic, "limit": limit, "offset": offset},
        )
        return [summary_from_row(row) for row in rows]

    async def save_draft(self, version: NewVersion, *, now: datetime) -> int:
        """Keep a new version as the entry's draft (creating the entry if it is new)."""
        async with self._db.transaction() as tx:
            version_id = await _insert_version(tx, version, now)
            await tx.execute(
                "INSERT INTO knowledge_entries (slug, draft_version, topic, title_ar, title_fr,"
                " title_en, state_ar, state_fr, state_en, updated_at)"
                " VALUES (:slug, :version, :topic, :title_ar, :title_fr, :title_en, :state_ar,"
                " :state_fr, :state_en, :now)"
                f" ON CONFLICT (slug) DO UPDATE SET draft_version = :version, {_SUMMARY_COLUMNS},"
                " updated_at = :now",
                {
                    "slug": version.slug,
                    "version": version_id,
                    "now": to_db_time(now),
                    **_summary_params(version.summary),
                },
            )
        return version_id

    async def publish(
        self, slug: str, version_id: int, summary: KnowledgeSummary, *, by: int, now: datetime
    ) -> bool:
        """Make the draft live; False when the draft changed meanwhile (another staff member)."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE knowledge_entries SET live_version = draft_version, draft_version = NULL,"
                f" published_at = :now, published_by = :by, updated_at = :now, {_SUMMARY_COLUMNS}"
                " WHERE slug = :slug AND draft_version = :version",
                {
                    "slug": slug,
                    "version": version_id,
                    "by": by,
                    "now": to_db_time(now),
                    **_summary_params(summary),
                },
            )
        return changed > 0

    async def publish_new(self, versions: Iterable[NewVersion], *, now: datetime) -> int:
        """Save versions and make each live at once, in one transaction (an import: the files
        passed the same checks as a publication). A draft in progress stays a draft."""
        count = 0
        async with self._db.transaction() as tx:
            for version in versions:
                version_id = await _insert_version(tx, version, now)
                params = {
                    "slug": version.slug,
                    "version": version_id,
                    "by": version.author,
                    "now": to_db_time(now),
                    **_summary_params(version.summary),
                }
                await tx.execute(
                    "INSERT INTO knowledge_entries (slug, topic, title_ar, title_fr, title_en,"
                    " state_ar, state_fr, state_en, updated_at)"
                    " VALUES (:slug, :topic, :title_ar, :title_fr, :title_en, :state_ar,"
                    " :state_fr, :state_en, :now) ON CONFLICT (slug) DO NOTHING",
                    params,
                )
                await tx.execute(
                    "UPDATE knowledge_entries SET live_version = :version, published_at = :now,"
                    " published_by = :by, updated_at = :now WHERE slug = :slug",
                    params,
                )
                # Without a draft, the list shows the version now live.
                await tx.execute(
                    f"UPDATE knowledge_entries SET {_SUMMARY_COLUMNS}"
                    " WHERE slug = :slug AND draft_version IS NULL",
                    params,
                )
                count += 1
        return count

    async def discard_draft(self, slug: str, live_summary: KnowledgeSummary | None) -> bool:
        """Drop the draft (kept in the history); an entry never published goes altogether."""
        async with self._db.transaction() as tx:
            if live_summary is None:
                changed = await tx.execute(
                    "DELETE FROM knowledge_entries WHERE slug = :slug AND live_version IS NULL",
                    {"slug": slug},
                )
            else:
                changed = await tx.execute(
                    f"UPDATE knowledge_entries SET draft_version = NULL, {_SUMMARY_COLUMNS}"
                    " WHERE slug = :slug AND draft_version IS NOT NULL",
                    {"slug": slug, **_summary_params(live_summary)},
                )
        return changed > 0


async def _insert_version(tx: Transaction, version: NewVersion, now: datetime) -> int:
    return await tx.insert(
        "INSERT INTO knowledge_versions (slug, entry, file_text, review, kind, restored_from,"
        " author, created_at)"
        " VALUES (:slug, :entry, :file_text, :review, :kind, :restored_from, :author, :now)",
        {
            "slug": version.slug,
            "entry": version.entry,
            "file_text": version.file_text,
            "review": " ".join(version.review),
            "kind": version.kind,
            "restored_from": version.restored_from,
            "author": version.author,
            "now": to_db_time(now),
        },
    )
