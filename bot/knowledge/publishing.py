"""Staff editing the knowledge base: drafts, review, the publishing gate, history and restore,
trying a question on the draft, and the questions staff taught. The console's knowledge pages
call this service; the rules themselves are the pure functions of bot/knowledge/editor.py."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from bot.clock import Clock
from bot.knowledge.content import ContentProblem, Entry
from bot.knowledge.editor import (
    FieldDifference,
    LanguageState,
    can_publish,
    compare,
    confirm,
    language_states,
    publication_problems,
    question_owners,
    review_after_edit,
)
from bot.knowledge.folder import (
    file_text,
    read_folder,
    summary_of,
    versions_to_publish,
    write_folder,
)
from bot.knowledge.normalize import LANGUAGES
from bot.knowledge.records import entry_from_json, entry_to_json
from bot.knowledge.search import KnowledgeIndex
from bot.knowledge.service import KnowledgeService
from bot.knowledge.trial import TriedQuestion, try_on
from storage.knowledge import KnowledgeRepository, NewVersion
from storage.models import KnowledgeSummary, KnowledgeVersion, LearnedQuestion
from storage.questions import LearnedQuestionRepository

logger = logging.getLogger(__name__)

ENTRIES_PER_PAGE: Final = 50


@dataclass(frozen=True)
class EditedEntry:
    """An entry as staff see it: the live version, the draft if one waits, and its state."""

    slug: str
    live: Entry | None
    live_version: KnowledgeVersion | None
    draft: Entry | None
    draft_version: KnowledgeVersion | None
    published_at: datetime | None
    published_by: int | None

    @property
    def current(self) -> Entry:
        """What staff are working on: the draft, else the live version."""
        entry = self.draft or self.live
        assert entry is not None
        return entry

    @property
    def current_version(self) -> KnowledgeVersion:
        version = self.draft_version or self.live_version
        assert version is not None
        return version

    @property
    def review(self) -> tuple[str, ...]:
        return self.current_version.review

    @property
    def states(self) -> dict[str, LanguageState]:
        return language_states(self.current, self.review)


@dataclass(frozen=True)
class Publication:
    """The gate's answer: published, or refused with the problems (errors first)."""

    published: bool
    problems: list[ContentProblem]
    entry: EditedEntry | None = None


@dataclass(frozen=True)
class Trial:
    """What the live base and the draft would answer a question, side by side."""

    question: str
    live: TriedQuestion
    draft: TriedQuestion


@dataclass(frozen=True)
class ImportReport:
    imported: int
    problems: list[ContentProblem]

    @property
    def refused(self) -> bool:
        return any(problem.is_error for problem in self.problems)


class KnowledgeEditor:
    def __init__(
        self,
        *,
        entries: KnowledgeRepository,
        learned: LearnedQuestionRepository,
        knowledge: KnowledgeService,
        clock: Clock,
    ) -> None:
        self._entries = entries
        self._learned = learned
        self._knowledge = knowledge
        self._clock = clock
        # Saves and publications of the console take turns, so a review state is never
        # computed from a version another staff member replaced meanwhile.
        self._lock = asyncio.Lock()
        # The last draft's index, kept while staff try question after question on it (at
        # 10,000 entries an index takes seconds to build): draft version, live index, index.
        self._tried: tuple[int, KnowledgeIndex, KnowledgeIndex] | None = None
        self._owners: tuple[dict[str, Entry], dict[str, str]] | None = None

    # --- reading ----------------------------------------------------------------------------

    async def topic_counts(self) -> dict[str, int]:
        return await self._entries.topic_counts()

    async def page(self, topic: str, *, language: str, page: int) -> list[KnowledgeSummary]:
        return await self._entries.summaries(
            topic, language=language, offset=page * ENTRIES_PER_PAGE, limit=ENTRIES_PER_PAGE
        )

    async def open(self, slug: str) -> EditedEntry | None:
        record = await self._entries.record(slug)
        if record is None:
            return None
        live_version = await self._version(record.live_version)
        draft_version = await self._version(record.draft_version)
        return EditedEntry(
            slug=slug,
            live=entry_from_json(live_version.entry) if live_version else None,
            live_version=live_version,
            draft=entry_from_json(draft_version.entry) if draft_version else None,
            draft_version=draft_version,
            published_at=record.published_at,
            published_by=record.published_by,
        )

    async def _version(self, version_id: int | None) -> KnowledgeVersion | None:
        return None if version_id is None else await self._entries.version(version_id)

    async def history(self, slug: str) -> list[KnowledgeVersion]:
        return await self._entries.history(slug)

    async def version(self, slug: str, version_id: int) -> KnowledgeVersion | None:
        version = await self._entries.version(version_id)
        return version if version is not None and version.slug == slug else None

    async def compare(self, slug: str, version_id: int) -> list[FieldDifference] | None:
        """How a version differs from the current one (what it would bring back)."""
        edited = await self.open(slug)
        version = await self.version(slug, version_id)
        if edited is None or version is None:
            return None
        return compare(edited.current, entry_from_json(version.entry))

    def review_after(self, edited: EditedEntry | None, entry: Entry) -> tuple[str, ...]:
        """The languages that would wait for review if `entry` were saved now."""
        if edited is None:
            return ()
        return review_after_edit(edited.current, entry, edited.review)

    def check(self, entry: Entry, review: tuple[str, ...] = ()) -> list[ContentProblem]:
        """The gate's problems with an entry as typed (the console's validation as staff type)."""
        live = self._knowledge.live_entries()
        if self._owners is None or self._owners[0] is not live:
            # Once per published base, not per keystroke: at 10,000 entries, 150,000 questions.
            self._owners = (live, question_owners(live))
        return publication_problems(entry, review, live, self._owners[1])

    # --- changing ---------------------------------------------------------------------------

    async def create(self, entry: Entry, *, author: int) -> EditedEntry | None:
        """A new entry's first draft; None when the slug is taken."""
        if await self._entries.record(entry.slug) is not None:
            return None
        return await self.save(entry, author=author)

    async def save(self, entry: Entry, *, author: int) -> EditedEntry:
        """Keep an entry as typed as its draft; languages edited after others are marked for
        review in the others (editor.review_after_edit). Nothing reaches the bot yet."""
        async with self._lock:
            edited = await self.open(entry.slug)
            before = edited.current if edited else None
            if before == entry and edited is not None:
                return edited
            review = review_after_edit(before, entry, edited.review if edited else ())
            await self._entries.save_draft(
                NewVersion(
                    slug=entry.slug,
                    entry=entry_to_json(entry),
                    summary=summary_of(entry, review),
                    kind="edit",
                    author=author,
                    review=review,
                ),
                now=self._clock.now(),
            )
        saved = await self.open(entry.slug)
        assert saved is not None
        return saved

    async def confirm(self, slug: str, lang: str, *, author: int) -> EditedEntry | None:
        """A staff member read a language after another changed: it no longer waits."""
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}")
        async with self._lock:
            edited = await self.open(slug)
            if edited is None or lang not in edited.review:
                return edited
            review = confirm(edited.review, lang)
            current = edited.current_version
            await self._entries.save_draft(
                NewVersion(
                    slug=slug,
                    entry=current.entry,
                    summary=summary_of(edited.current, review),
                    kind="confirm",
                    author=author,
                    review=review,
                    file_text=current.file_text,
                ),
                now=self._clock.now(),
            )
        return await self.open(slug)

    async def publish(self, slug: str, *, author: int) -> Publication:
        """The draft goes live if the gate lets it: three languages, no error, none waiting
        for review. The bot answers with it at once."""
        async with self._lock:
            edited = await self.open(slug)
            if edited is None or edited.draft is None or edited.draft_version is None:
                return Publication(False, [], edited)
            problems = self.check(edited.draft, edited.review)
            if not can_publish(problems):
                return Publication(False, _errors_first(problems), edited)
            published = await self._entries.publish(
                slug,
                edited.draft_version.id,
                summary_of(edited.draft, edited.review),
                by=author,
                now=self._clock.now(),
            )
            if published:
                await self._knowledge.go_live([edited.draft])
        logger.info("knowledge entry %s published by %s: %s", slug, author, published)
        return Publication(published, _errors_first(problems), await self.open(slug))

    async def restore(self, slug: str, version_id: int, *, author: int) -> Publication:
        """Bring a version back as the draft and publish it through the gate."""
        version = await self.version(slug, version_id)
        if version is None:
            return Publication(False, [], await self.open(slug))
        async with self._lock:
            entry = entry_from_json(version.entry)
            await self._entries.save_draft(
                NewVersion(
                    slug=slug,
                    entry=version.entry,
                    summary=summary_of(entry),
                    kind="restore",
                    author=author,
                    file_text=version.file_text,
                    restored_from=version.id,
                ),
                now=self._clock.now(),
            )
        return await self.publish(slug, author=author)

    async def discard(self, slug: str) -> bool:
        """Drop the draft (it stays in the history); the live version is untouched."""
        async with self._lock:
            edited = await self.open(slug)
            if edited is None:
                return False
            live_summary = None
            if edited.live is not None and edited.live_version is not None:
                live_summary = summary_of(edited.live, edited.live_version.review)
            return await self._entries.discard_draft(slug, live_summary)

    # --- trying a question ------------------------------------------------------------------

    async def trial(self, slug: str, question: str) -> Trial | None:
        """The top entries the live base and the draft give for a question, with why each
        matched; the draft's index is built in a worker thread and thrown away."""
        edited = await self.open(slug)
        if edited is None:
            return None
        live_index = self._knowledge.index
        draft_index = live_index
        if edited.draft is not None and edited.draft_version is not None:
            draft_id = edited.draft_version.id
            tried = self._tried
            if tried is None or tried[0] != draft_id or tried[1] is not live_index:
                tried = (draft_id, live_index, await self._knowledge.index_with([edited.draft]))
                self._tried = tried
            draft_index = tried[2]
        live, draft = await asyncio.gather(
            asyncio.to_thread(try_on, live_index, question),
            asyncio.to_thread(try_on, draft_index, question),
        )
        return Trial(question, live, draft)

    # --- questions staff taught -------------------------------------------------------------

    async def taught(self, slug: str) -> list[LearnedQuestion]:
        return await self._learned.for_entry(slug)

    async def remove_taught(self, slug: str, learned_id: int) -> bool:
        removed = await self._learned.remove(learned_id, slug=slug)
        if removed:
            await self._knowledge.rebuild_taught()
        return removed

    # --- folders ----------------------------------------------------------------------------

    async def import_folder(self, directory: Path, *, author: int | None = None) -> ImportReport:
        """Publish a folder's new and changed entries, all or nothing: any error that `hubbot
        content check` would report refuses the whole import."""
        folder, problems = await asyncio.to_thread(read_folder, directory)
        if any(problem.is_error for problem in problems):
            return ImportReport(0, problems)
        live = {version.slug: version for version in await self._entries.live_versions()}
        live_entries = {slug: entry_from_json(v.entry) for slug, v in live.items()}
        versions = versions_to_publish(folder, live_entries, author=author)
        imported = await self._entries.publish_new(versions, now=self._clock.now())
        return ImportReport(imported, problems)

    async def export_folder(self, directory: Path) -> int:
        """Write every live entry as `<slug>.yaml`; an imported entry nobody changed is its
        file, byte for byte."""
        files = {
            version.slug: file_text(entry_from_json(version.entry), version.file_text)
            for version in await self._entries.live_versions()
        }
        return await asyncio.to_thread(write_folder, directory, files)


def _errors_first(problems: list[ContentProblem]) -> list[ContentProblem]:
    return sorted(problems, key=lambda problem: not problem.is_error)
