"""Command-line front ends of the knowledge base: `hubbot ask` and `hubbot content check`."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot.i18n import Catalogs
from bot.knowledge.content import check_expected_slugs, load_directory
from bot.knowledge.intents import IntentCatalog, IntentRecognizer, load_intents, understand
from bot.knowledge.reading import Reading, Tier
from bot.knowledge.search import KnowledgeIndex
from bot.knowledge.synonyms import Synonyms, load_synonyms

logger = logging.getLogger(__name__)


def _reading_json(reading: Reading) -> str:
    """What the bot would do: the direct answer (a slug or null), the other entries shown as
    buttons (suggestions, or the answer's neighbours), the feature asked for, whether it
    declines, and the part of the message the decision rests on."""
    return json.dumps(
        {
            "query": reading.message,
            "lang": reading.lang,
            "tier": reading.tier.value,
            "answer": reading.answer,
            "suggestions": list(reading.suggestions),
            "intent": reading.intent,
            "declined": reading.declined,
            "part": reading.part,
        },
        ensure_ascii=False,
    )


def _reading_text(reading: Reading, index: KnowledgeIndex, catalogs: Catalogs) -> str:
    lang = reading.lang
    t = catalogs.translator(lang)
    lines = [f"? {reading.message}  [{lang}]"]
    if reading.intent is not None:
        lines.append(f"[intent: {reading.intent}]")
    titles = " | ".join(index.entries[slug].title.get(lang) for slug in reading.suggestions)
    if reading.tier is Tier.DECLINE and reading.intent is None:
        lines.append(t.label("No knowledge-base entry answers this question."))
        return "\n".join(lines)
    if reading.answer is None and reading.suggestions:
        lines.append(t.label("Not sure; is it one of these? {titles}", titles=titles))
        return "\n".join(lines)
    if reading.answer is None:
        return "\n".join(lines)
    best = index.entries[reading.answer]
    lines += [best.title.get(lang), "", best.answer.get(lang).strip()]
    if best.source:
        lines += ["", t.label("Source: {link}", link=best.source)]
    if reading.suggestions:
        lines += ["", t.label("See also: {titles}", titles=titles)]
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
        # As the bot reads a message (handlers/knowledge.py): runs of spaces are one space.
        question = " ".join(question.split())
        if not question:
            continue
        reading = understand(index, recognizer, question, lang=lang).reading
        if as_json:
            out.write(_reading_json(reading) + "\n")
        else:
            if not first:
                out.write("\n" + "-" * 40 + "\n")
            catalogs = catalogs or Catalogs.load()
            out.write(_reading_text(reading, index, catalogs) + "\n")
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
