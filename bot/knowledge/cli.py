"""Command-line front ends of the knowledge base: `hubbot ask` and `hubbot content check`."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot.i18n import Catalogs
from bot.knowledge.content import check_expected_slugs, load_directory
from bot.knowledge.intents import (
    IntentCatalog,
    IntentRecognizer,
    Recognized,
    load_intents,
    understand,
)
from bot.knowledge.search import KnowledgeIndex, SearchResult
from bot.knowledge.synonyms import Synonyms, load_synonyms

logger = logging.getLogger(__name__)


def _result_json(result: SearchResult, intent: Recognized | None = None) -> str:
    return json.dumps(
        {
            "query": result.query,
            "lang": result.lang,
            "results": [{"slug": hit.slug, "score": hit.score} for hit in result.hits],
            # The bot feature the question asks for (bot/knowledge/intents.py), or null.
            "intent": intent.name if intent is not None else None,
            "target": intent.language if intent is not None else None,
        },
        ensure_ascii=False,
    )


def _result_text(result: SearchResult, index: KnowledgeIndex, catalogs: Catalogs) -> str:
    lang = result.lang
    t = catalogs.translator(lang)
    lines = [f"? {result.query}  [{lang}]"]
    if not result.hits:
        lines.append(t.label("No knowledge-base entry answers this question."))
        return "\n".join(lines)
    best = index.entries[result.hits[0].slug]
    lines += [best.title.get(lang), "", best.answer.get(lang).strip()]
    if best.source:
        lines += ["", t.label("Source: {link}", link=best.source)]
    others = [index.entries[hit.slug].title.get(lang) for hit in result.hits[1:]]
    if others:
        lines += ["", t.label("See also: {titles}", titles=" | ".join(others))]
    return "\n".join(lines)


def ask(
    questions: Iterable[str],
    *,
    index: KnowledgeIndex,
    lang: str | None,
    as_json: bool,
    out: TextIO,
    catalogs: Catalogs | None = None,
    intents: IntentRecognizer | None = None,
) -> int:
    """Answer each question: one JSON object per line, or a readable answer; returns 0."""
    first = True
    recognizer = intents or IntentRecognizer(IntentCatalog())
    for question in questions:
        question = question.strip()
        if not question:
            continue
        understood = understand(index, recognizer, question, lang=lang)
        result = understood.result
        if as_json:
            out.write(_result_json(result, understood.intent) + "\n")
        else:
            if not first:
                out.write("\n" + "-" * 40 + "\n")
            catalogs = catalogs or Catalogs.load()
            out.write(_result_text(result, index, catalogs) + "\n")
            if understood.intent is not None:
                out.write(f"[intent: {understood.intent.name}]\n")
        first = False
    return 0


def content_check(
    directory: str | Path,
    expected_slugs: list[str] | None,
    out: TextIO,
    *,
    synonyms_file: str | Path | None = None,
    intents_file: str | Path | None = None,
) -> int:
    """Validate a content directory (and the synonyms and intents files), one
    `file: message` line per problem; 1 if any error."""
    loaded = load_directory(directory)
    synonyms, synonym_problems = (
        load_synonyms(synonyms_file) if synonyms_file is not None else (Synonyms(), [])
    )
    catalog, intent_problems = (
        load_intents(intents_file) if intents_file is not None else (IntentCatalog(), [])
    )
    problems = [*loaded.problems, *synonym_problems, *intent_problems]
    if expected_slugs is not None:
        problems.extend(check_expected_slugs(loaded.entries, expected_slugs, directory=directory))
    for problem in problems:
        out.write(f"{problem}\n")
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    out.write(
        f"{len(loaded.entries)} entries, {len(synonyms)} synonym groups and "
        f"{len(catalog.intents)} intents loaded, "
        f"{errors} errors, {warnings} warnings\n"
    )
    return 1 if errors else 0
