"""The knowledge base: entries loaded from content files, and trilingual question answering."""

from __future__ import annotations

from bot.knowledge.content import (
    TOPICS,
    ContentProblem,
    Entry,
    LoadResult,
    Translated,
    check_entries,
    load_directory,
    slugs_from_topics_markdown,
)
from bot.knowledge.normalize import LANGUAGES, Lang, detect_language, normalize, tokenize
from bot.knowledge.search import Hit, KnowledgeIndex, SearchResult

__all__ = [
    "LANGUAGES",
    "TOPICS",
    "ContentProblem",
    "Entry",
    "Hit",
    "KnowledgeIndex",
    "Lang",
    "LoadResult",
    "SearchResult",
    "Translated",
    "check_entries",
    "detect_language",
    "load_directory",
    "normalize",
    "slugs_from_topics_markdown",
    "tokenize",
]
