"""The knowledge base as the bot serves it: the loaded entries, answering, reloading, and
questions it could not answer on their way to staff and back."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.clock import Clock
from bot.knowledge.content import TOPICS, ContentProblem, Entry, load_directory
from bot.knowledge.search import KnowledgeIndex, SearchResult
from storage.models import Question
from storage.questions import QuestionRepository

logger = logging.getLogger(__name__)

# Per person, in any 24 hours: what one person may store and put before the small staff.
KEPT_QUESTIONS_PER_DAY = 20
FORWARDS_PER_DAY = 5
DAY = timedelta(days=1)


class DailyLimitReached(Exception):
    """The person reached a daily cap; ``limit`` is the cap, for the message."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"daily limit of {limit} reached")
        self.limit = limit


@dataclass(frozen=True)
class ReloadReport:
    loaded: int
    problems: list[ContentProblem]
    kept: list[str] = field(default_factory=list)  # slugs whose broken file kept the old version


@dataclass(frozen=True)
class _Snapshot:
    entries: dict[str, Entry]
    index: KnowledgeIndex


class KnowledgeService:
    def __init__(self, *, directory: Path, questions: QuestionRepository, clock: Clock) -> None:
        self._directory = directory
        self._questions = questions
        self._clock = clock
        self._snapshot = _Snapshot({}, KnowledgeIndex.build({}))
        # One reload at a time; answering never waits for it: it reads the old snapshot.
        self._reload_lock = asyncio.Lock()

    async def reload(self) -> ReloadReport:
        """Load the content again; a broken file keeps the version of its entry loaded before."""
        async with self._reload_lock:
            loaded = await asyncio.to_thread(load_directory, self._directory)
            entries = dict(loaded.entries)
            kept = []
            for problem in loaded.errors:
                slug = Path(problem.file).stem
                previous = self._snapshot.entries.get(slug)
                if previous is not None and slug not in entries:
                    entries[slug] = previous
                    kept.append(slug)
            index = await asyncio.to_thread(KnowledgeIndex.build, entries)
            self._snapshot = _Snapshot(entries, index)
        for problem in loaded.problems:
            logger.warning("content: %s", problem)
        return ReloadReport(loaded=len(entries), problems=loaded.problems, kept=sorted(kept))

    async def ask(self, question: str) -> SearchResult:
        """Best entries for a question in any of the three languages, best first.

        Searching is CPU work (a few milliseconds at 10,000 entries); a worker thread keeps
        the event loop answering other people meanwhile.
        """
        return await asyncio.to_thread(self._snapshot.index.search, question)

    def entry(self, slug: str) -> Entry | None:
        return self._snapshot.entries.get(slug)

    def topic_entries(self, topic: str, language: str) -> list[Entry]:
        """A topic's entries in the reader's alphabetical order of titles."""
        entries = [entry for entry in self._snapshot.entries.values() if entry.topic == topic]
        return sorted(entries, key=lambda entry: entry.title.get(language).casefold())

    def topics(self) -> list[str]:
        present = {entry.topic for entry in self._snapshot.entries.values()}
        return [topic for topic in TOPICS if topic in present]

    async def keep_unanswered(self, *, user_id: int, text: str, language: str) -> Question:
        """Raises DailyLimitReached when the person has KEPT_QUESTIONS_PER_DAY already."""
        now = self._clock.now()
        kept = await self._questions.add(
            user_id=user_id,
            text=text,
            language=language,
            now=now,
            at_most=KEPT_QUESTIONS_PER_DAY,
            since=now - DAY,
        )
        if kept is None:
            raise DailyLimitReached(KEPT_QUESTIONS_PER_DAY)
        return kept

    async def forward(self, question_id: int, *, user_id: int) -> Question | None:
        """The asker agreed to send it to staff; None if it was sent already (a double tap).

        Raises DailyLimitReached when the person sent FORWARDS_PER_DAY in the last 24 hours.
        """
        now = self._clock.now()
        if await self._questions.forwards_since(user_id, now - DAY) >= FORWARDS_PER_DAY:
            raise DailyLimitReached(FORWARDS_PER_DAY)
        return await self._questions.forward(question_id, user_id, now=now)

    async def remember_staff_copy(
        self, question: Question, *, chat_id: int, message_id: int
    ) -> None:
        await self._questions.add_staff_copy(question.id, chat_id=chat_id, message_id=message_id)

    async def question_behind(self, chat_id: int, message_id: int) -> Question | None:
        """The question a staff member is replying to, if the message is a copy of one."""
        return await self._questions.find_by_staff_copy(chat_id, message_id)

    async def answer(self, question: Question, *, text: str, staff_id: int) -> Question | None:
        return await self._questions.answer(
            question.id, answer=text, answered_by=staff_id, now=self._clock.now()
        )
