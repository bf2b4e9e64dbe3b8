"""The publishing gate as pure functions: each language's state, which languages an edit puts
up for review, what stops an entry from going live, and how two versions differ.

An entry goes live only when its three languages are there, pass the checks of `hubbot content
check`, and none waits for review; editing a language that was written marks the other two
for review until a staff member confirms or edits them."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from bot.i18n import N_
from bot.knowledge.content import (
    ContentProblem,
    Entry,
    Translated,
    validate_entry,
)
from bot.knowledge.normalize import LANGUAGES


class LanguageState(StrEnum):
    COMPLETE = "complete"
    MISSING = "missing"
    REVIEW = "review"


TEXT_FIELDS: Final = ("title", "answer", "keywords", "questions")
SHARED_FIELDS: Final = ("topic", "related", "source")


def language_texts(entry: Entry, lang: str) -> tuple[object, ...]:
    return tuple(getattr(entry, field).get(lang) for field in TEXT_FIELDS)


def is_written(entry: Entry, lang: str) -> bool:
    """A language is there when its title, answer and keywords are."""
    return bool(entry.title.get(lang) and entry.answer.get(lang) and entry.keywords.get(lang))


def language_states(entry: Entry, review: tuple[str, ...]) -> dict[str, LanguageState]:
    return {
        lang: (
            LanguageState.MISSING
            if not is_written(entry, lang)
            else LanguageState.REVIEW
            if lang in review
            else LanguageState.COMPLETE
        )
        for lang in LANGUAGES
    }


def edited_languages(before: Entry, after: Entry) -> tuple[str, ...]:
    return tuple(
        lang for lang in LANGUAGES if language_texts(before, lang) != language_texts(after, lang)
    )


def review_after_edit(
    before: Entry | None, after: Entry, review: tuple[str, ...]
) -> tuple[str, ...]:
    """The languages waiting for review once `before` became `after`.

    An edited language needs no review (its editor just wrote it). Changing a language that
    was written makes the others stale; writing a missing translation for the first time does
    not (it translates the others, it does not change them), nor does emptying one."""
    if before is None:
        return ()
    edited = edited_languages(before, after)
    changed = [lang for lang in edited if is_written(before, lang) and is_written(after, lang)]
    waiting = set(review) - set(edited)
    if changed:
        waiting |= set(LANGUAGES) - set(edited)
    return tuple(lang for lang in LANGUAGES if lang in waiting and is_written(after, lang))


def confirm(review: tuple[str, ...], lang: str) -> tuple[str, ...]:
    return tuple(waiting for waiting in review if waiting != lang)


def question_key(question: str) -> str:
    """Two example questions are the same when they differ only in case and spacing."""
    return " ".join(question.casefold().split())


def question_owners(entries: Mapping[str, Entry]) -> dict[str, str]:
    """Each example question's entry (the first one, when several have it)."""
    owners: dict[str, str] = {}
    for slug, entry in entries.items():
        for _, questions in entry.questions.items():
            for question in questions:
                owners.setdefault(question_key(question), slug)
    return owners


def publication_problems(
    entry: Entry,
    review: tuple[str, ...],
    live: Mapping[str, Entry],
    owners: Mapping[str, str] | None = None,
) -> list[ContentProblem]:
    """Everything `hubbot content check` says about this entry among the live ones, and each
    language still waiting for review; any error keeps the entry from going live.

    `owners` is question_owners(live), when the caller keeps it between checks."""
    file = entry.slug or "?"
    problems = validate_entry(entry, file=file)
    for related in entry.related:
        if related != entry.slug and related not in live:
            problems.append(
                ContentProblem(
                    file,
                    N_("related slug '{related}' does not exist"),
                    values=(("related", related),),
                )
            )
    owners = question_owners(live) if owners is None else owners
    for _, questions in entry.questions.items():
        for question in questions:
            owner = owners.get(question_key(question))
            if owner is not None and owner != entry.slug:
                problems.append(
                    ContentProblem(
                        file,
                        N_("example question also in {other}: {question}"),
                        "warning",
                        (("other", owner), ("question", question)),
                    )
                )
    for lang in review:
        if is_written(entry, lang):
            problems.append(
                ContentProblem(
                    file,
                    N_("the {lang} text waits for review: confirm it or edit it"),
                    values=(("lang", lang),),
                )
            )
    return problems


def can_publish(problems: list[ContentProblem]) -> bool:
    return not any(problem.is_error for problem in problems)


# --- comparing versions -------------------------------------------------------------------------


class Change(StrEnum):
    SAME = "same"
    REMOVED = "removed"
    ADDED = "added"


@dataclass(frozen=True)
class FieldDifference:
    """One field in one language (or a shared field, `lang` empty) that differs, as runs of
    words kept, removed and added, in reading order."""

    field: str
    lang: str
    runs: tuple[tuple[Change, str], ...]


def _as_text(value: object) -> str:
    if isinstance(value, tuple):
        return "\n".join(str(item) for item in value)
    return "" if value is None else str(value)


def word_runs(old: str, new: str) -> tuple[tuple[Change, str], ...]:
    """Word-level differences, whitespace kept, so a reader sees what changed in a paragraph."""
    old_words = old.replace("\n", " \n ").split(" ")
    new_words = new.replace("\n", " \n ").split(" ")
    runs: list[tuple[Change, str]] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append((Change.SAME, _join(old_words[i1:i2])))
            continue
        if i2 > i1:
            runs.append((Change.REMOVED, _join(old_words[i1:i2])))
        if j2 > j1:
            runs.append((Change.ADDED, _join(new_words[j1:j2])))
    return tuple(runs)


def _join(words: list[str]) -> str:
    return " ".join(words).replace(" \n ", "\n")


def compare(old: Entry, new: Entry) -> list[FieldDifference]:
    """What differs between two versions, field by field and language by language."""
    differences: list[FieldDifference] = []
    for field in SHARED_FIELDS:
        before, after = _as_text(getattr(old, field)), _as_text(getattr(new, field))
        if before != after:
            differences.append(FieldDifference(field, "", word_runs(before, after)))
    for field in TEXT_FIELDS:
        for lang in LANGUAGES:
            before = _as_text(getattr(old, field).get(lang))
            after = _as_text(getattr(new, field).get(lang))
            if before != after:
                differences.append(FieldDifference(field, lang, word_runs(before, after)))
    return differences


# --- the console's form -------------------------------------------------------------------------


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def entry_from_form(slug: str, fields: Mapping[str, str]) -> Entry:
    """An entry from the console's form: `title_ar`, `answer_fr`, `keywords_en` (one a line),
    `questions_ar` (one a line), `topic`, `related` (slugs, one a line or comma-separated),
    `source`. Whatever is typed is kept as typed; the gate says what is wrong with it."""

    def translated(field: str) -> Translated[str]:
        return Translated(*(fields.get(f"{field}_{lang}", "").strip() for lang in LANGUAGES))

    def translated_lines(field: str) -> Translated[tuple[str, ...]]:
        return Translated(*(_lines(fields.get(f"{field}_{lang}", "")) for lang in LANGUAGES))

    related = _lines(fields.get("related", "").replace(",", "\n"))
    source = fields.get("source", "").strip() or None
    return Entry(
        slug=slug,
        topic=fields.get("topic", "").strip(),
        title=translated("title"),
        answer=Translated(
            *(fields.get(f"answer_{lang}", "").replace("\r\n", "\n").strip() for lang in LANGUAGES)
        ),
        keywords=translated_lines("keywords"),
        related=related,
        source=source,
        questions=translated_lines("questions"),
    )


def form_of(entry: Entry) -> dict[str, str]:
    """The console form's fields for an entry (the inverse of entry_from_form)."""
    fields = {
        "topic": entry.topic,
        "related": "\n".join(entry.related),
        "source": entry.source or "",
    }
    for lang in LANGUAGES:
        fields[f"title_{lang}"] = entry.title.get(lang)
        fields[f"answer_{lang}"] = entry.answer.get(lang)
        fields[f"keywords_{lang}"] = "\n".join(entry.keywords.get(lang))
        fields[f"questions_{lang}"] = "\n".join(entry.questions.get(lang))
    return fields
