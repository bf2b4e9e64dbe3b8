"""Trying a question on an index, the way staff see it before publishing (the live base beside
the draft): what the bot would do with it (answer, suggest or decline, knowledge/reading.py)
and the entries the ranking puts first for the part of the message the decision rests on,
with its own evidence for each: the share of the question it covers, whether it states the
kind of fact asked for, and the question's words found in its fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.knowledge.content import Entry
from bot.knowledge.normalize import LANGUAGES, tokenize
from bot.knowledge.reading import Reading, read
from bot.knowledge.search import KnowledgeIndex

TRIED_ENTRIES: Final = 3
# The fields of an entry the ranking reads, in the order a reason names them.
MATCHED_FIELDS: Final = ("title", "keywords", "questions", "answer")


@dataclass(frozen=True)
class TriedEntry:
    """One ranked entry and why: `coverage` (0 to 1) and `states_asked_facts` are the
    ranking's evidence; `matched`, per field, the question's words found there."""

    slug: str
    score: float
    coverage: float
    states_asked_facts: bool | None  # None when the question asks for no particular fact
    answers: bool
    suggested: bool
    matched: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class TriedQuestion:
    reading: Reading
    entries: list[TriedEntry]


def _field_text(entry: Entry, field: str) -> str:
    parts: list[str] = []
    for lang in LANGUAGES:
        value = getattr(entry, field).get(lang)
        parts.extend(value if isinstance(value, tuple) else (value,))
    return "\n".join(parts)


def matched_words(entry: Entry, question: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    words = list(dict.fromkeys(tokenize(question)))
    matched: list[tuple[str, tuple[str, ...]]] = []
    for field in MATCHED_FIELDS:
        present = set(tokenize(_field_text(entry, field)))
        found = tuple(word for word in words if word in present)
        if found:
            matched.append((field, found))
    return tuple(matched)


def try_on(index: KnowledgeIndex, question: str) -> TriedQuestion:
    """What the bot would do, and its top entries with their evidence; CPU work, for a
    worker thread."""
    reading = read(index, question)
    evidence = index.evidence(reading.part or question, TRIED_ENTRIES)
    return TriedQuestion(
        reading,
        [
            TriedEntry(
                slug=candidate.slug,
                score=candidate.score,
                coverage=candidate.coverage,
                states_asked_facts=(candidate.states_asked_facts if evidence.asked_kinds else None),
                answers=candidate.slug == reading.answer,
                suggested=candidate.slug in reading.suggestions,
                matched=matched_words(index.entries[candidate.slug], question),
            )
            for candidate in evidence.candidates
        ],
    )
