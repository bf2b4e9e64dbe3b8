"""The knowledge base as the bot serves it: the loaded entries, answering, reloading,
questions it could not answer on their way to staff and back, and the example questions staff
teach it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import yaml

from bot.clock import Clock
from bot.knowledge.building import IndexBuilder
from bot.knowledge.content import TOPICS, ContentProblem, Entry, Translated
from bot.knowledge.folder import read_folder, versions_to_publish
from bot.knowledge.intents import (
    INTENTS_FILE_NAME,
    LEARNED_INTENT_PREFIX,
    IntentCatalog,
    IntentRecognizer,
    Understanding,
    load_intents,
    understand,
)
from bot.knowledge.normalize import LANGUAGES, clear_language
from bot.knowledge.reading import Reading, read
from bot.knowledge.records import entry_from_json
from bot.knowledge.search import Hit, KnowledgeIndex
from bot.knowledge.synonyms import Synonyms, load_synonyms
from storage.knowledge import KnowledgeRepository
from storage.models import KnowledgeVersion, LearnedQuestion, Question
from storage.outbox import StaffNotice
from storage.questions import LearnedQuestionRepository, QuestionRepository

logger = logging.getLogger(__name__)

# Per person, in any 24 hours: what one person may store and put before the small staff.
KEPT_QUESTIONS_PER_DAY = 20
FORWARDS_PER_DAY = 5
DAY = timedelta(days=1)
# The staff notice of a question forwarded to them (bot/delivery/outbox.py).
QUESTION_NOTICE = "question"


class DailyLimitReached(Exception):
    """The person reached a daily cap; ``limit`` is the cap, for the message."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"daily limit of {limit} reached")
        self.limit = limit


@dataclass(frozen=True)
class ReloadReport:
    loaded: int
    problems: list[ContentProblem]
    imported: int = 0  # entries imported from the content folder (the first start)


@dataclass(frozen=True)
class _Snapshot:
    files: dict[str, Entry]  # the live versions, as staff published them
    entries: dict[str, Entry]  # with the questions staff taught merged in
    synonyms: Synonyms
    learned: list[LearnedQuestion]
    index: KnowledgeIndex
    intents: IntentRecognizer


# How many entries staff are offered first when filing a question under one.
SUGGESTED_ENTRIES = 5
SUGGESTED_INTENTS = 2


class KnowledgeService:
    def __init__(
        self,
        *,
        directory: Path,
        synonyms_file: Path,
        entries: KnowledgeRepository,
        questions: QuestionRepository,
        learned: LearnedQuestionRepository,
        clock: Clock,
        intents_file: Path | None = None,
    ) -> None:
        self._directory = directory
        self._entries = entries
        self._synonyms_file = synonyms_file
        self._intents_file = intents_file or synonyms_file.with_name(INTENTS_FILE_NAME)
        self._questions = questions
        self._learned = learned
        self._clock = clock
        self._snapshot = _Snapshot(
            {}, {}, Synonyms(), [], KnowledgeIndex.build({}), IntentRecognizer(IntentCatalog())
        )
        self._catalog = IntentCatalog()
        # One rebuild at a time; answering never waits for it: it reads the old snapshot.
        self._reload_lock = asyncio.Lock()
        self._builder = IndexBuilder()

    async def reload(self) -> ReloadReport:
        """Index the live versions in the database again (after `hubbot content import`, say).

        The database is the source of truth; on the first start, with no entry in it, the
        content folder is imported (its broken files reported and left out)."""
        async with self._reload_lock:
            problems: list[ContentProblem] = []
            imported = 0
            if await self._entries.count() == 0:
                folder, problems = await asyncio.to_thread(read_folder, self._directory)
                versions = versions_to_publish(folder, {}, author=None)
                imported = await self._entries.publish_new(versions, now=self._clock.now())
            live = await self._entries.live_versions()
            files = await asyncio.to_thread(entries_of, live)
            synonyms, synonym_problems = await asyncio.to_thread(load_synonyms, self._synonyms_file)
            catalog, intent_problems = await asyncio.to_thread(load_intents, self._intents_file)
            if catalog.intents or not self._catalog.intents:
                self._catalog = catalog  # a broken file keeps the intents loaded before
            await self._rebuild(files, synonyms)
        problems = [*problems, *synonym_problems, *intent_problems]
        for problem in problems:
            logger.warning("content: %s", problem)
        return ReloadReport(loaded=len(files), problems=problems, imported=imported)

    async def go_live(self, entries: Iterable[Entry]) -> None:
        """Answer with these entries from now on (just published): the index is rebuilt off
        the event loop and swapped in whole, so a reply reads the old index or the new one."""
        async with self._reload_lock:
            files = {**self._snapshot.files, **{entry.slug: entry for entry in entries}}
            await self._rebuild(files, self._snapshot.synonyms, in_worker=True)

    def live_entries(self) -> dict[str, Entry]:
        """The published entries, without the questions staff taught."""
        return self._snapshot.files

    @property
    def index(self) -> KnowledgeIndex:
        return self._snapshot.index

    @property
    def intents(self) -> IntentRecognizer:
        """The bot's features as the live snapshot recognises them (staff-taught included)."""
        return self._snapshot.intents

    @property
    def synonyms(self) -> Synonyms:
        return self._snapshot.synonyms

    async def index_with(self, entries: Iterable[Entry]) -> KnowledgeIndex:
        """The index the bot would use with these entries in place of the live ones (a draft
        tried before publishing); built in the worker process, not swapped in."""
        snapshot = self._snapshot
        files = {**snapshot.files, **{entry.slug: entry for entry in entries}}
        merged = with_learned_questions(files, snapshot.learned)
        return await self._builder.build(merged, snapshot.synonyms)

    async def rebuild_taught(self) -> None:
        """A taught question was removed in the console: stop answering by it."""
        async with self._reload_lock:
            await self._rebuild(self._snapshot.files, self._snapshot.synonyms)

    async def _rebuild(
        self, files: dict[str, Entry], synonyms: Synonyms, *, in_worker: bool = False
    ) -> None:
        """Index the files' entries with every question staff taught; the caller holds the lock.

        `in_worker`: in the worker process (building.py), for rebuilds while people are
        being answered; a thread is enough at start, before anyone is."""
        learned = await self._learned.all()
        entries = with_learned_questions(files, learned)
        if in_worker:
            index = await self._builder.build(entries, synonyms)
        else:
            index = await asyncio.to_thread(KnowledgeIndex.build, entries, synonyms=synonyms)
        intents = await asyncio.to_thread(
            IntentRecognizer,
            self._catalog,
            synonyms=synonyms,
            learned=learned_intent_examples(learned),
        )
        self._snapshot = _Snapshot(files, entries, synonyms, learned, index, intents)

    def prepare_to_publish(self) -> None:
        """Staff are in the knowledge pages: have the index worker ready."""
        self._builder.warm()

    def close(self) -> None:
        self._builder.close()

    async def forget_erased(self) -> None:
        """Someone erased their data, and with it the questions of theirs staff had taught:
        stop answering by them (the index is rebuilt only if there were any)."""
        async with self._reload_lock:
            if await self._learned.all() != self._snapshot.learned:
                await self._rebuild(self._snapshot.files, self._snapshot.synonyms)

    async def read(self, message: str) -> Reading:
        """Answer, suggest or decline (knowledge/reading.py): what to do with a message in
        any of the three languages.

        Searching is CPU work (a few milliseconds at 10,000 entries); a worker thread keeps
        the event loop answering other people meanwhile.
        """
        return await asyncio.to_thread(read, self._snapshot.index, message)

    async def understand(self, question: str) -> Understanding:
        """The feature a message asks for, and the entries that answer what else it asks."""
        return await asyncio.to_thread(self._understand, question)

    def _understand(self, question: str) -> Understanding:
        snapshot = self._snapshot
        return understand(snapshot.index, snapshot.intents, question)

    def named_language(self, message: str) -> str | None:
        return self._snapshot.intents.named_language(message)

    async def suggest(self, question: str) -> list[Entry]:
        """The entries closest to a question even when none answers it, best first: what staff
        are offered when they file the question under an entry."""
        index = self._snapshot.index
        hits: list[Hit] = await asyncio.to_thread(index.rank, question, SUGGESTED_ENTRIES)
        return [entry for hit in hits if (entry := self.entry(hit.slug)) is not None]

    async def learn(self, question: Question, *, slug: str, staff_id: int) -> bool:
        """File a question under an entry as one of its examples, and answer it from now on
        (the index is rebuilt at once). False when the entry is gone or it was filed already."""
        if self.entry(slug) is None and not slug.startswith(LEARNED_INTENT_PREFIX):
            return False
        language = clear_language(question.text) or question.language
        async with self._reload_lock:
            added = await self._learned.add(
                slug=slug,
                language=language,
                text=question.text,
                question_id=question.id,
                added_by=staff_id,
                now=self._clock.now(),
            )
            if added:
                await self._rebuild(self._snapshot.files, self._snapshot.synonyms)
        return added

    async def learn_intent(self, question: Question, *, intent: str, staff_id: int) -> bool:
        """File a question under one of the bot's features: it leads there from now on."""
        if intent not in self._catalog.intents:
            return False
        return await self.learn(
            question, slug=f"{LEARNED_INTENT_PREFIX}{intent}", staff_id=staff_id
        )

    def closest_intents(self, question: str) -> list[str]:
        """The features staff are offered when they file a question: the closest first."""
        return self._snapshot.intents.closest(question, SUGGESTED_INTENTS)

    async def export_learned(self) -> str:
        """The questions staff taught, as YAML to fold into the content files."""
        return learned_questions_yaml(await self._learned.all())

    def entry(self, slug: str) -> Entry | None:
        return self._snapshot.entries.get(slug)

    def topic_entries(self, topic: str, language: str) -> list[Entry]:
        """A topic's entries in the reader's alphabetical order of titles."""
        entries = [entry for entry in self._snapshot.entries.values() if entry.topic == topic]
        return sorted(entries, key=lambda entry: entry.title.get(language).casefold())

    def topics(self) -> list[str]:
        present = {entry.topic for entry in self._snapshot.entries.values()}
        return [topic for topic in TOPICS if topic in present]

    async def question(self, question_id: int) -> Question | None:
        return await self._questions.get(question_id)

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
        return await self._questions.forward(
            question_id, user_id, now=now, notice=StaffNotice(QUESTION_NOTICE, user_id)
        )

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


def entries_of(versions: Iterable[KnowledgeVersion]) -> dict[str, Entry]:
    """The entries of stored versions, by slug (JSON parsing: run it in a worker thread)."""
    return {version.slug: entry_from_json(version.entry) for version in versions}


def with_learned_questions(
    entries: dict[str, Entry], learned: Iterable[LearnedQuestion]
) -> dict[str, Entry]:
    """The entries with the learned questions added to their examples (entries that no longer
    exist are skipped: their questions wait in the database for an editor)."""
    extra: dict[str, dict[str, list[str]]] = {}
    for item in learned:
        if item.slug in entries and item.language in LANGUAGES:
            extra.setdefault(item.slug, {}).setdefault(item.language, []).append(item.text)
    merged = dict(entries)
    for slug, by_language in extra.items():
        entry = merged[slug]
        questions = Translated(
            *(
                tuple(dict.fromkeys((*entry.questions.get(lang), *by_language.get(lang, ()))))
                for lang in LANGUAGES
            )
        )
        merged[slug] = replace(entry, questions=questions)
    return merged


def learned_intent_examples(
    learned: Iterable[LearnedQuestion],
) -> dict[str, Translated[tuple[str, ...]]]:
    """The questions staff filed under a feature, per intent and language."""
    found: dict[str, dict[str, list[str]]] = {}
    for item in learned:
        if item.slug.startswith(LEARNED_INTENT_PREFIX) and item.language in LANGUAGES:
            name = item.slug.removeprefix(LEARNED_INTENT_PREFIX)
            found.setdefault(name, {}).setdefault(item.language, []).append(item.text)
    return {
        name: Translated(*(tuple(by_language.get(lang, ())) for lang in LANGUAGES))
        for name, by_language in found.items()
    }


def learned_questions_yaml(learned: Iterable[LearnedQuestion]) -> str:
    """`slug: {questions: {lang: [...]}}` for every entry with learned questions."""
    by_slug: dict[str, dict[str, list[str]]] = {}
    for item in learned:
        by_slug.setdefault(item.slug, {}).setdefault(item.language, []).append(item.text)
    if not by_slug:
        return ""
    document = {
        slug: {"questions": {lang: by_language[lang] for lang in LANGUAGES if lang in by_language}}
        for slug, by_language in sorted(by_slug.items())
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
