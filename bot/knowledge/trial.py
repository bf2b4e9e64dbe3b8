"""Trying a question on an index: the entries it ranks first and why each matched, the way
staff see it before publishing (the live base beside the draft)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.knowledge.content import Entry
from bot.knowledge.normalize import LANGUAGES, tokenize
from bot.knowledge.search import KnowledgeIndex

TRIED_ENTRIES: Final = 3
# The fields of an entry the ranking reads, in the order a reason names them.
MATCHED_FIELDS: Final = ("title", "keywords", "questions", "answer")


@dataclass(frozen=True)
class TriedEntry:
    """One ranked entry: its score, whether the bot would answer with it, and for each field
    the words of the question found there (after the ranking's own normalisation)."""

    slug: str
    score: float
    answers: bool
    matched: tuple[tuple[str, tuple[str, ...]], ...]


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


def try_on(index: KnowledgeIndex, question: str) -> list[TriedEntry]:
    """The top entries for a question; CPU work, for a worker thread."""
    decision = index.search(question)
    answer = decision.hits[0].slug if decision.hits else None
    return [
        TriedEntry(
            slug=hit.slug,
            score=hit.score,
            answers=hit.slug == answer,
            matched=matched_words(index.entries[hit.slug], question),
        )
        for hit in index.rank(question, TRIED_ENTRIES)
    ]
