"""Command-line front ends of the knowledge base: `hubbot ask` and `hubbot content check`."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot.i18n import Catalogs
from bot.knowledge.content import check_expected_slugs, load_directory
from bot.knowledge.search import KnowledgeIndex, SearchResult
from bot.knowledge.synonyms import Synonyms, load_synonyms

logger = logging.getLogger(__name__)


def _result_json(result: SearchResult) -> str:
    return json.dumps(
        {
            "query": result.query,
            "lang": result.lang,
            "results": [{"slug": hit.slug, "score": hit.score} for hit in result.hits],
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
) -> int:
    """Answer each question: one JSON object per line, or a readable answer; returns 0."""
    first = True
    for question in questions:
        question = question.strip()
        if not question:
            continue
        result = index.search(question, lang=lang)
        if as_json:
            out.write(_result_json(result) + "\n")
        else:
            if not first:
                out.write("\n" + "-" * 40 + "\n")
            catalogs = catalogs or Catalogs.load()
            out.write(_result_text(result, index, catalogs) + "\n")
        first = False
    return 0


def content_check(
    directory: str | Path,
    expected_slugs: list[str] | None,
    out: TextIO,
    *,
    synonyms_file: str | Path | None = None,
) -> int:
    """Validate a content directory (and the synonyms file), one `file: message` line per
    problem; 1 if any error."""
    loaded = load_directory(directory)
    synonyms, synonym_problems = (
        load_synonyms(synonyms_file) if synonyms_file is not None else (Synonyms(), [])
    )
    problems = [*loaded.problems, *synonym_problems]
    if expected_slugs is not None:
        problems.extend(check_expected_slugs(loaded.entries, expected_slugs, directory=directory))
    for problem in problems:
        out.write(f"{problem}\n")
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    out.write(
        f"{len(loaded.entries)} entries and {len(synonyms)} synonym groups loaded, "
        f"{errors} errors, {warnings} warnings\n"
    )
    return 1 if errors else 0
