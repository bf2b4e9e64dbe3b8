"""Knowledge entries: the Entry value, loading YAML files from a directory, and validating them."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Generic, Literal, TypeVar
from urllib.parse import urlsplit

import yaml

from bot.i18n import N_
from bot.knowledge.normalize import LANGUAGES, Lang

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The topics entries are filed under, and their names (translated when shown).
TOPIC_NAMES: Final[dict[str, str]] = {
    "hub": N_("The Hub and the network"),
    "themes": N_("Themes"),
    "resources": N_("Guides and toolkits"),
    "cases": N_("Case studies"),
    "events": N_("Past events"),
    "contact": N_("Contact the Hub"),
}
TOPICS: Final[tuple[str, ...]] = tuple(TOPIC_NAMES)
ENTRY_FIELDS: Final = frozenset(
    {"slug", "topic", "related", "source", "title", "answer", "keywords", "questions"}
)
ENTRY_FILE_SUFFIXES: Final[tuple[str, ...]] = (".yaml", ".yml")

# Telegram refuses messages over 4096 characters; the bot adds the title, a source line and
# buttons' text around the answer, so the answer alone keeps generous headroom.
TELEGRAM_MESSAGE_MAX_CHARS: Final = 4096
MAX_ANSWER_CHARS: Final = 3500
MAX_TITLE_CHARS: Final = 200
ANSWER_MIN_WORDS: Final = 60
ANSWER_MAX_WORDS: Final = 200
# Example questions ("people ask it like this"): enough to cover the usual wordings.
MIN_EXAMPLE_QUESTIONS: Final = 5
# As long as a question the bot accepts, so learned questions fold back into the files.
MAX_EXAMPLE_QUESTION_CHARS: Final = 1000

_SLUG_RE: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A slug travels in button data, which Telegram caps at 64 bytes with our prefix.
MAX_SLUG_CHARS: Final = 48
_TOPIC_TABLE_SLUG_RE: Final = re.compile(r"^\|\s*`([a-z0-9-]+)`\s*\|", re.MULTILINE)

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Translated(Generic[T]):
    """One value in each of the bot's three languages."""

    ar: T
    fr: T
    en: T

    def get(self, lang: str) -> T:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}")
        value: T = getattr(self, lang)
        return value

    def items(self) -> tuple[tuple[Lang, T], ...]:
        return (("ar", self.ar), ("fr", self.fr), ("en", self.en))


@dataclass(frozen=True)
class Entry:
    """One knowledge entry, as written by Hub staff in content/knowledge/<slug>.yaml."""

    slug: str
    topic: str
    title: Translated[str]
    answer: Translated[str]
    keywords: Translated[tuple[str, ...]]
    related: tuple[str, ...] = ()
    source: str | None = None
    # How people ask for this entry, per language (written by editors, or learned from staff).
    questions: Translated[tuple[str, ...]] = Translated((), (), ())


@dataclass(frozen=True)
class ContentProblem:
    """Something wrong with one content file; errors keep the entry out of the bot."""

    file: str
    message: str
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        if self.is_error:
            return f"{self.file}: {self.message}"
        return f"{self.file}: warning: {self.message}"


@dataclass(frozen=True)
class LoadResult:
    """Entries that loaded (by slug, in file-name order) and every problem found on the way."""

    entries: dict[str, Entry]
    problems: list[ContentProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[ContentProblem]:
        return [p for p in self.problems if p.is_error]


# --- Parsing ------------------------------------------------------------------------------------


class _EntryFormatError(Exception):
    """The file cannot be turned into an Entry at all."""


def _as_text(value: Any) -> str:
    # YAML turns `2023` or `yes` into int/bool; staff mean the words they typed.
    if value is None:
        return ""
    if isinstance(value, (str, int, float, bool)):
        return str(value).strip()
    raise _EntryFormatError(f"expected text, got {type(value).__name__}")


def _translated_text(data: Mapping[str, Any], key: str) -> Translated[str]:
    value = data.get(key)
    if value is None:
        return Translated("", "", "")
    if not isinstance(value, Mapping):
        raise _EntryFormatError(f"'{key}' must map languages (ar, fr, en) to text")
    return Translated(*(_as_text(value.get(lang)) for lang in LANGUAGES))


def _text_list(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise _EntryFormatError(f"{key} must be lists")
    return tuple(k for k in (_as_text(v) for v in value) if k)


def _translated_lists(data: Mapping[str, Any], key: str) -> Translated[tuple[str, ...]]:
    value = data.get(key)
    if value is None:
        return Translated((), (), ())
    if not isinstance(value, Mapping):
        raise _EntryFormatError(f"'{key}' must map languages (ar, fr, en) to lists")
    unknown = sorted(str(k) for k in value if k not in LANGUAGES)
    if unknown:
        raise _EntryFormatError(f"'{key}' has unknown language(s): {', '.join(unknown)}")
    return Translated(*(_text_list(value.get(lang), key) for lang in LANGUAGES))


def _related(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise _EntryFormatError("'related' must be a list of slugs")
    return tuple(_as_text(v) for v in value)


def entry_from_mapping(data: Any) -> Entry:
    """Build an Entry from parsed YAML; raises ValueError when the shape is unusable.

    Missing values become empty strings so that validate_entry() can name each of them.
    """
    if not isinstance(data, Mapping):
        raise ValueError("the file must contain a YAML mapping (slug:, topic:, title:, ...)")
    try:
        unknown = sorted(str(k) for k in data if k not in ENTRY_FIELDS)
        if unknown:
            raise _EntryFormatError(f"unknown field(s): {', '.join(unknown)}")
        source = _as_text(data.get("source")) or None
        return Entry(
            slug=_as_text(data.get("slug")),
            topic=_as_text(data.get("topic")),
            title=_translated_text(data, "title"),
            answer=_translated_text(data, "answer"),
            keywords=_translated_lists(data, "keywords"),
            related=_related(data.get("related")),
            source=source,
            questions=_translated_lists(data, "questions"),
        )
    except _EntryFormatError as exc:
        raise ValueError(str(exc)) from exc


# --- Validation ---------------------------------------------------------------------------------


def is_valid_source_url(url: str) -> bool:
    """An absolute http(s) link with a dotted host name and no whitespace."""
    if any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme in {"http", "https"} and "." in host and not host.startswith(".")


def validate_entry(
    entry: Entry, *, file: str, file_slug: str | None = None
) -> list[ContentProblem]:
    """Problems with one entry on its own (cross-entry checks are in check_entries)."""
    problems = [ContentProblem(file, message) for message in _identity_errors(entry, file_slug)]
    for message, level in _text_problems(entry):
        problems.append(ContentProblem(file, message, level))
    problems.extend(_question_problems(entry, file))
    return problems


def _identity_errors(entry: Entry, file_slug: str | None) -> list[str]:
    """What is wrong with the entry's slug, topic, source and relations."""
    errors: list[str] = []
    if not entry.slug:
        errors.append("missing slug")
    elif not _SLUG_RE.match(entry.slug):
        errors.append(f"slug {entry.slug!r} must be lowercase letters, digits and hyphens")
    elif len(entry.slug) > MAX_SLUG_CHARS:
        errors.append(f"slug {entry.slug!r} is longer than {MAX_SLUG_CHARS} characters")
    if file_slug is not None and entry.slug and entry.slug != file_slug:
        errors.append(f"slug {entry.slug!r} does not match the file name {file_slug!r}")
    if not entry.topic:
        errors.append("missing topic")
    elif entry.topic not in TOPICS:
        errors.append(f"unknown topic {entry.topic!r} (expected one of: {', '.join(TOPICS)})")
    if entry.source is not None and not is_valid_source_url(entry.source):
        errors.append(f"source {entry.source!r} is not a well-formed http(s) URL")
    if entry.slug and entry.slug in entry.related:
        errors.append("an entry cannot be related to itself")
    return errors


def _text_problems(entry: Entry) -> list[tuple[str, Severity]]:
    """What is wrong with the titles, answers and keywords: (message, "error" or "warning")."""
    problems: list[tuple[str, Severity]] = []
    for lang, title in entry.title.items():
        if not title:
            problems.append((f"missing title in {lang}", "error"))
        elif len(title) > MAX_TITLE_CHARS:
            problems.append(
                (f"title in {lang} is {len(title)} characters (max {MAX_TITLE_CHARS})", "error")
            )
    for lang, answer in entry.answer.items():
        problems.extend(_answer_problems(lang, answer))
    for lang, keywords in entry.keywords.items():
        if not keywords:
            problems.append((f"missing keywords in {lang}", "error"))
    return problems


def _answer_problems(lang: str, answer: str) -> list[tuple[str, Severity]]:
    if not answer:
        return [(f"missing answer in {lang}", "error")]
    problems: list[tuple[str, Severity]] = []
    if len(answer) > MAX_ANSWER_CHARS:
        problems.append(
            (
                f"answer in {lang} is {len(answer)} characters; max {MAX_ANSWER_CHARS} so the "
                f"message stays under Telegram's {TELEGRAM_MESSAGE_MAX_CHARS}",
                "error",
            )
        )
    words = len(answer.split())
    if not ANSWER_MIN_WORDS <= words <= ANSWER_MAX_WORDS:
        problems.append(
            (
                f"answer in {lang} has {words} words "
                f"(aim for {ANSWER_MIN_WORDS}-{ANSWER_MAX_WORDS})",
                "warning",
            )
        )
    if "<" in answer and re.search(r"</?[a-zA-Z][^>]*>", answer):
        problems.append((f"answer in {lang} contains HTML; write plain text", "error"))
    return problems


def _question_problems(entry: Entry, file: str) -> list[ContentProblem]:
    problems: list[ContentProblem] = []
    for lang, questions in entry.questions.items():
        if len(questions) < MIN_EXAMPLE_QUESTIONS:
            problems.append(
                ContentProblem(
                    file,
                    f"{len(questions)} example questions in {lang} "
                    f"(write at least {MIN_EXAMPLE_QUESTIONS})",
                    "warning",
                )
            )
        seen: set[str] = set()
        for question in questions:
            if len(question) > MAX_EXAMPLE_QUESTION_CHARS:
                problems.append(
                    ContentProblem(
                        file,
                        f"example question in {lang} is {len(question)} characters "
                        f"(max {MAX_EXAMPLE_QUESTION_CHARS}): {question[:40]}…",
                    )
                )
            key = " ".join(question.casefold().split())
            if key in seen:
                problems.append(
                    ContentProblem(
                        file, f"example question repeated in {lang}: {question}", "warning"
                    )
                )
            seen.add(key)
    return problems


def question_conflicts(
    entries: Mapping[str, Entry], files: Mapping[str, str] | None = None
) -> list[ContentProblem]:
    """The same example question under two entries: the bot cannot answer it with both."""
    files = files or {}
    owner: dict[str, str] = {}
    problems: list[ContentProblem] = []
    for slug, entry in entries.items():
        for _, questions in entry.questions.items():
            for question in questions:
                key = " ".join(question.casefold().split())
                first = owner.setdefault(key, slug)
                if first != slug:
                    problems.append(
                        ContentProblem(
                            files.get(slug, f"{slug}.yaml"),
                            f"example question also in {first}: {question}",
                            "warning",
                        )
                    )
    return problems


def check_entries(
    entries: Mapping[str, Entry],
    *,
    expected_slugs: Iterable[str] | None = None,
    files: Mapping[str, str] | None = None,
) -> list[ContentProblem]:
    """Validate entries on their own and against each other (related links, expected slugs).

    `files` maps a slug to the file it came from, for messages; default `<slug>.yaml`.
    """
    files = files or {}
    problems: list[ContentProblem] = []
    for key, entry in entries.items():
        file = files.get(key, f"{key}.yaml")
        if key != entry.slug:
            problems.append(
                ContentProblem(file, f"registered as {key!r} but slug is {entry.slug!r}")
            )
        problems.extend(validate_entry(entry, file=file))
        for other in entry.related:
            if other != entry.slug and other not in entries:
                problems.append(ContentProblem(file, f"related slug {other!r} does not exist"))
    problems.extend(question_conflicts(entries, files))
    if expected_slugs is not None:
        problems.extend(check_expected_slugs(entries, expected_slugs))
    return problems


def check_expected_slugs(
    entries: Mapping[str, Entry], expected_slugs: Iterable[str], *, directory: str | Path = ""
) -> list[ContentProblem]:
    """One problem per expected slug that has no loaded entry."""
    return [
        ContentProblem(
            str(Path(directory) / f"{slug}.yaml"), "expected entry is missing or did not load"
        )
        for slug in expected_slugs
        if slug not in entries
    ]


# --- Loading ------------------------------------------------------------------------------------


def load_entry_file(path: Path) -> tuple[Entry | None, list[ContentProblem]]:
    """Parse and validate one file; the entry is None when it has errors."""
    file = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ContentProblem(file, f"cannot read file: {exc}")]
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        return None, [ContentProblem(file, f"invalid YAML: {detail}")]
    try:
        entry = entry_from_mapping(data)
    except ValueError as exc:
        return None, [ContentProblem(file, str(exc))]
    problems = validate_entry(entry, file=file, file_slug=path.stem)
    if any(p.is_error for p in problems):
        return None, problems
    return entry, problems


def load_directory(path: str | Path) -> LoadResult:
    """Load every entry file in a directory; broken files are reported and skipped.

    Related links to entries that did not load are reported and dropped from the loaded entry,
    so the bot never offers a dead link.
    """
    directory = Path(path)
    if not directory.is_dir():
        return LoadResult({}, [ContentProblem(str(directory), "content directory not found")])
    entries: dict[str, Entry] = {}
    files: dict[str, str] = {}
    problems: list[ContentProblem] = []
    paths = sorted(
        p for p in directory.iterdir() if p.suffix in ENTRY_FILE_SUFFIXES and p.is_file()
    )
    for file_path in paths:
        entry, file_problems = load_entry_file(file_path)
        problems.extend(file_problems)
        if entry is None:
            continue
        if entry.slug in entries:
            problems.append(
                ContentProblem(
                    str(file_path), f"duplicate slug {entry.slug!r} (also in {files[entry.slug]})"
                )
            )
            continue
        entries[entry.slug] = entry
        files[entry.slug] = str(file_path)
    for slug, entry in list(entries.items()):
        dangling = [r for r in entry.related if r not in entries]
        for other in dangling:
            problems.append(ContentProblem(files[slug], f"related slug {other!r} does not exist"))
        if dangling:
            entries[slug] = replace(entry, related=tuple(r for r in entry.related if r in entries))
    problems.extend(question_conflicts(entries, files))
    logger.info(
        "loaded %d knowledge entries from %s (%d problems)", len(entries), directory, len(problems)
    )
    return LoadResult(entries, problems)


def slugs_from_topics_markdown(text: str) -> list[str]:
    """Slugs listed in the first column of the tables of a topics document (`| `slug` | ...`)."""
    return list(dict.fromkeys(_TOPIC_TABLE_SLUG_RE.findall(text)))
