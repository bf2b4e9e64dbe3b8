"""An entry as the database keeps it (JSON) and as a content file says it (YAML), both ways."""

from __future__ import annotations

import json
import re
from typing import Any, Final

from bot.knowledge.content import Entry, Translated, entry_from_mapping
from bot.knowledge.normalize import LANGUAGES

# The order the content files use for languages (English first, as the authors write them).
FILE_LANGUAGE_ORDER: Final = ("en", "fr", "ar")
_PLAIN_SLUG: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Characters a YAML literal block cannot carry as they are.
_NOT_IN_LITERAL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\ufeff]")


def entry_to_json(entry: Entry) -> str:
    document: dict[str, Any] = {
        "slug": entry.slug,
        "topic": entry.topic,
        "related": list(entry.related),
        "source": entry.source,
        "title": dict(entry.title.items()),
        "answer": dict(entry.answer.items()),
        "keywords": {lang: list(words) for lang, words in entry.keywords.items()},
        "questions": {lang: list(questions) for lang, questions in entry.questions.items()},
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True)


def entry_from_json(text: str) -> Entry:
    data = json.loads(text)
    return Entry(
        slug=data["slug"],
        topic=data["topic"],
        related=tuple(data["related"]),
        source=data["source"],
        title=Translated(*(data["title"][lang] for lang in LANGUAGES)),
        answer=Translated(*(data["answer"][lang] for lang in LANGUAGES)),
        keywords=Translated(*(tuple(data["keywords"][lang]) for lang in LANGUAGES)),
        questions=Translated(*(tuple(data["questions"][lang]) for lang in LANGUAGES)),
    )


def _quoted(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: every character survives.
    return json.dumps(text, ensure_ascii=False)


def _slug_list(slugs: tuple[str, ...]) -> str:
    return "[" + ", ".join(s if _PLAIN_SLUG.match(s) else _quoted(s) for s in slugs) + "]"


def _block(text: str, indent: str) -> str:
    """A literal block when the text allows one (readable in review), else a quoted scalar."""
    lines = text.split("\n")
    literal_safe = (
        text
        and not _NOT_IN_LITERAL.search(text)
        and "\r" not in text
        and text == text.strip()
        and not any(line != line.rstrip() for line in lines)
    )
    if not literal_safe:
        return " " + _quoted(text)
    body = "\n".join(f"{indent}{line}" if line else "" for line in lines)
    return f" |\n{body}"


def entry_to_yaml(entry: Entry) -> str:
    """The content file for an entry written in the console, in the layout of the files in
    content/knowledge/ (an imported entry that nobody changed keeps its file byte for byte)."""
    out = [f"slug: {entry.slug}", f"topic: {entry.topic}"]
    if entry.related:
        out.append(f"related: {_slug_list(entry.related)}")
    if entry.source is not None:
        out.append(f"source: {_quoted(entry.source)}")
    out.append("title:")
    out += [f"  {lang}: {_quoted(entry.title.get(lang))}" for lang in FILE_LANGUAGE_ORDER]
    out.append("answer:")
    out += [f"  {lang}:{_block(entry.answer.get(lang), '    ')}" for lang in FILE_LANGUAGE_ORDER]
    out.append("keywords:")
    for lang in FILE_LANGUAGE_ORDER:
        words = ", ".join(_quoted(word) for word in entry.keywords.get(lang))
        out.append(f"  {lang}: [{words}]")
    out.append("questions:")
    for lang in LANGUAGES:
        questions = entry.questions.get(lang)
        if not questions:
            out.append(f"  {lang}: []")
            continue
        out.append(f"  {lang}:")
        out += [f"    - {_quoted(question)}" for question in questions]
    return "\n".join(out) + "\n"


def entry_from_yaml_text(text: str) -> Entry:
    """Parse a content file's text (raises ValueError or yaml.YAMLError when unusable)."""
    import yaml

    return entry_from_mapping(yaml.safe_load(text))
