"""What the knowledge pages show, as plain values for the templates: pure functions of the
staff member's translator and the editor's values (no request, no database)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from bot.i18n import N_, Translator
from bot.knowledge.content import TOPIC_NAMES, ContentProblem, Entry
from bot.knowledge.editor import Change, FieldDifference, LanguageState, language_states
from bot.knowledge.normalize import LANGUAGES
from bot.knowledge.publishing import EditedEntry, Publication, Trial
from bot.knowledge.reading import Tier
from bot.knowledge.trial import TriedEntry, TriedQuestion
from storage.models import KnowledgeSummary, KnowledgeVersion, LearnedQuestion

STATE_LABELS: Final = {
    LanguageState.COMPLETE: N_("complete"),
    LanguageState.MISSING: N_("missing"),
    LanguageState.REVIEW: N_("needs review"),
}
FIELD_LABELS: Final = {
    "topic": N_("Topic"),
    "related": N_("Related entries"),
    "source": N_("Source"),
    "title": N_("Title"),
    "answer": N_("Answer"),
    "keywords": N_("Keywords"),
    "questions": N_("Example questions"),
}
VERSION_KINDS: Final = {
    "import": N_("imported"),
    "edit": N_("edited"),
    "confirm": N_("a language confirmed"),
    "restore": N_("restored"),
}


@dataclass(frozen=True)
class LanguageBadge:
    lang: str
    name: str
    state: str
    label: str


def _badges(t: Translator, states: Mapping[str, str]) -> list[LanguageBadge]:
    return [
        LanguageBadge(
            lang,
            t.language_name(lang),
            states[lang],
            t.label(STATE_LABELS[LanguageState(states[lang])]),
        )
        for lang in LANGUAGES
    ]


def _title_in(titles: Mapping[Any, str], language: str, slug: str) -> str:
    """The title in the reader's language, else in another, else the slug."""
    return titles.get(language) or next(
        (titles[lang] for lang in LANGUAGES if titles.get(lang)), slug
    )


def topic_tabs(
    t: Translator, counts: Mapping[str, int], current: str | None
) -> list[dict[str, Any]]:
    return [
        {
            "topic": topic,
            "name": t.label(name),
            "count": t.number(counts.get(topic, 0)),
            "current": topic == current,
        }
        for topic, name in TOPIC_NAMES.items()
    ]


def topic_choices(t: Translator) -> list[tuple[str, str]]:
    return [(topic, t.label(name)) for topic, name in TOPIC_NAMES.items()]


def summary_row(t: Translator, summary: KnowledgeSummary) -> dict[str, Any]:
    return {
        "slug": summary.slug,
        "title": _title_in(summary.titles, t.language, summary.slug),
        "badges": _badges(t, summary.states),
    }


def entry_heading(t: Translator, edited: EditedEntry) -> dict[str, str]:
    return {
        "slug": edited.slug,
        "title": _title_in(dict(edited.current.title.items()), t.language, edited.slug),
    }


def entry_page(t: Translator, edited: EditedEntry, fields: Mapping[str, str]) -> dict[str, Any]:
    states = edited.states
    columns = [
        {
            "lang": lang,
            "name": t.language_name(lang),
            "dir": "rtl" if lang == "ar" else "ltr",
            "state": str(states[lang]),
            "state_label": t.label(STATE_LABELS[states[lang]]),
            "waiting": states[lang] is LanguageState.REVIEW,
            "title": fields.get(f"title_{lang}", ""),
            "answer": fields.get(f"answer_{lang}", ""),
            "keywords": fields.get(f"keywords_{lang}", ""),
            "questions": fields.get(f"questions_{lang}", ""),
        }
        for lang in LANGUAGES
    ]
    return {
        **entry_heading(t, edited),
        "has_draft": edited.draft is not None,
        "is_live": edited.live is not None,
        "columns": columns,
        "topic": fields.get("topic", ""),
        "related": fields.get("related", ""),
        "source": fields.get("source", ""),
    }


def problem_text(t: Translator, problem: ContentProblem) -> str:
    """The problem in the reader's language, a language named as they name it ('French')."""
    values = {
        name: t.language_name(value) if name == "lang" else value for name, value in problem.values
    }
    return t.label(problem.message, **values) if values else t.label(problem.message)


def problem_lines(t: Translator, problems: list[ContentProblem]) -> list[dict[str, Any]]:
    ordered = sorted(problems, key=lambda problem: not problem.is_error)
    return [{"error": p.is_error, "text": problem_text(t, p)} for p in ordered]


def publication_message(t: Translator, publication: Publication | None) -> str | None:
    if publication is None or publication.published:
        return None
    if not publication.problems:
        return t.label("There is no draft to publish.")
    return t.label("Not published: correct the problems below first. The draft is kept.")


def validation_json(
    t: Translator, entry: Entry, review: tuple[str, ...], problems: list[ContentProblem]
) -> dict[str, Any]:
    return {
        "problems": problem_lines(t, problems),
        "publishable": not any(problem.is_error for problem in problems),
        "states": {
            lang: {"state": str(state), "label": t.label(STATE_LABELS[state])}
            for lang, state in language_states(entry, review).items()
        },
    }


def _reason(t: Translator, tried: TriedEntry) -> str:
    reasons = [
        t.label(
            "covers {percent}% of the question",
            percent=t.number(round(tried.coverage * 100)),
        )
    ]
    if tried.states_asked_facts is True:
        reasons.append(t.label("states the kind of fact asked for"))
    elif tried.states_asked_facts is False:
        reasons.append(t.label("does not state the kind of fact asked for"))
    reasons += [
        t.label("{field}: {words}", field=t.label(FIELD_LABELS[field]), words=", ".join(words))
        for field, words in tried.matched
    ]
    return " · ".join(reasons)


DECISIONS: Final = {
    Tier.ANSWER: N_("The bot answers with the first entry."),
    Tier.SUGGEST: N_("The bot is unsure: it suggests these entries."),
    Tier.DECLINE: N_("The bot declines: no entry answers this question."),
}


def _tried_side(
    t: Translator, tried: TriedQuestion, entries: Mapping[str, Entry]
) -> dict[str, Any]:
    rows = []
    for item in tried.entries:
        entry = entries.get(item.slug)
        titles = dict(entry.title.items()) if entry is not None else {}
        rows.append(
            {
                "slug": item.slug,
                "title": _title_in(titles, t.language, item.slug),
                "answers": item.answers,
                "suggested": item.suggested,
                "score": t.number(round(item.score, 2)),
                "reason": _reason(t, item),
            }
        )
    return {"decision": t.label(DECISIONS[tried.reading.tier]), "rows": rows}


def trial_columns(
    t: Translator, trial: Trial | None, live: Mapping[str, Entry], edited: EditedEntry
) -> dict[str, Any] | None:
    if trial is None:
        return None
    with_draft = {**live, edited.slug: edited.current}
    return {
        "live": _tried_side(t, trial.live, live),
        "draft": _tried_side(t, trial.draft, with_draft),
    }


def taught_row(t: Translator, learned: LearnedQuestion, time_zone: str) -> dict[str, Any]:
    return {
        "id": learned.id,
        "language": t.language_name(learned.language),
        "dir": "rtl" if learned.language == "ar" else "ltr",
        "text": learned.text,
        "added_at": t.datetime(learned.added_at, time_zone),
    }


def version_row(
    t: Translator,
    version: KnowledgeVersion,
    edited: EditedEntry,
    names: Mapping[int, str],
    time_zone: str,
) -> dict[str, Any]:
    if version.author is None:
        who = t.label("the content files")
    else:
        who = names.get(version.author) or str(version.author)
    return {
        "id": version.id,
        "kind": t.label(VERSION_KINDS.get(version.kind, version.kind)),
        "who": who,
        "when": t.datetime(version.created_at, time_zone),
        "is_live": edited.live_version is not None and edited.live_version.id == version.id,
        "is_draft": edited.draft_version is not None and edited.draft_version.id == version.id,
        "review": ", ".join(t.language_name(lang) for lang in version.review),
    }


def difference_block(t: Translator, difference: FieldDifference) -> dict[str, Any]:
    return {
        "field": t.label(FIELD_LABELS[difference.field]),
        "language": t.language_name(difference.lang) if difference.lang else "",
        "dir": "rtl" if difference.lang == "ar" else "auto",
        "runs": [(str(change), text) for change, text in difference.runs],
        "removed": Change.REMOVED.value,
        "added": Change.ADDED.value,
    }
