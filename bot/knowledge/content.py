"""Knowledge entries: the Entry value, loading YAML files from a directory, and validating them."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
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
    """Something wrong with one content file; errors keep the entry out of the bot.

    ``message`` is a gettext message id (marked with ``N_``) with named ``{placeholders}``
    filled from ``values``: the command line prints it in English, the console translates it
    into the staff member's language (``in_language``)."""

    file: str
    message: str
    severity: Severity = "error"
    values: tuple[tuple[str, str], ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def text(self) -> str:
        """The message in English, its values filled in."""
        return self.message.format(**dict(self.values)) if self.values else self.message

    def in_language(self, translate: Callable[..., str]) -> str:
        """The message through a translator's ``label`` (plain text, values inserted)."""
        return translate(self.message, **dict(self.values)) if self.values else self.message

    def __str__(self) -> str:
        if self.is_error:
            return f"{self.file}: {self.text}"
        return f"{self.file}: warning: {self.text}"


def _problem(
    file: str, message: str, severity: Severity = "error", /, **values: object
) -> ContentProblem:
    return ContentProblem(file, message, severity, tuple((k, str(v)) for k, v in values.items()))


@dataclass(frozen=True)
class LoadResult:
    """Entries that loaded (by slug, in file-name order) and every problem found on the way."""

    entries: dict[str, Entry]
    problems: list[ContentProblem] = field(default_factory=list)
    # The file each entry came from.
    files: dict[str, str] = field(default_factory=dict)

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
    return [
        *_identity_problems(entry, file, file_slug),
        *_text_problems(entry, file),
        *_question_problems(entry, file),
    ]


def _identity_problems(entry: Entry, file: str, file_slug: str | None) -> list[ContentProblem]:
    """What is wrong with the entry's slug, topic, source and relations."""
    problems: list[ContentProblem] = []

    def error(message: str, **values: object) -> None:
        problems.append(_problem(file, message, "error", **values))

    if not entry.slug:
        error(N_("missing slug"))
    elif not _SLUG_RE.match(entry.slug):
        error(N_("slug '{slug}' must be lowercase letters, digits and hyphens"), slug=entry.slug)
    elif len(entry.slug) > MAX_SLUG_CHARS:
        error(
            N_("slug '{slug}' is longer than {max} characters"), slug=entry.slug, max=MAX_SLUG_CHARS
        )
    if file_slug is not None and entry.slug and entry.slug != file_slug:
        error(
            N_("slug '{slug}' does not match the file name '{file_slug}'"),
            slug=entry.slug,
            file_slug=file_slug,
        )
    if not entry.topic:
        error(N_("missing topic"))
    elif entry.topic not in TOPICS:
        error(
            N_("unknown topic '{topic}' (expected one of: {topics})"),
            topic=entry.topic,
            topics=", ".join(TOPICS),
        )
    if entry.source is not None and not is_valid_source_url(entry.source):
        error(N_("source '{source}' is not a well-formed http(s) URL"), source=entry.source)
    if entry.slug and entry.slug in entry.related:
        error(N_("an entry cannot be related to itself"))
    return problems


def _text_problems(entry: Entry, file: str) -> list[ContentProblem]:
    """Each language's title, answer and keywords."""
    problems: list[ContentProblem] = []
    for lang, title in entry.title.items():
        if not title:
            problems.append(_problem(file, N_("missing title in {lang}"), lang=lang))
        elif len(title) > MAX_TITLE_CHARS:
            problems.append(
                _problem(
                    file,
                    N_("title in {lang} is {length} characters (max {max})"),
                    lang=lang,
                    length=len(title),
                    max=MAX_TITLE_CHARS,
                )
            )
    for lang, answer in entry.answer.items():
        problems.extend(_answer_problems(file, lang, answer))
    for lang, keywords in entry.keywords.items():
        if not keywords:
            problems.append(_problem(file, N_("missing keywords in {lang}"), lang=lang))
    return problems


def _answer_problems(file: str, lang: str, answer: str) -> list[ContentProblem]:
    if not answer:
        return [_problem(file, N_("missing answer in {lang}"), lang=lang)]
    problems: list[ContentProblem] = []
    if len(answer) > MAX_ANSWER_CHARS:
        problems.append(
            _problem(
                file,
                N_(
                    "answer in {lang} is {length} characters; max {max} so the message stays "
                    "under Telegram's {telegram_max}"
                ),
                lang=lang,
                length=len(answer),
                max=MAX_ANSWER_CHARS,
                telegram_max=TELEGRAM_MESSAGE_MAX_CHARS,
            )
        )
    words = len(answer.split())
    if not ANSWER_MIN_WORDS <= words <= ANSWER_MAX_WORDS:
        problems.append(
            _problem(
                file,
                N_("answer in {lang} has {words} words (aim for {least}-{most})"),
                "warning",
                lang=lang,
                words=words,
                least=ANSWER_MIN_WORDS,
                most=ANSWER_MAX_WORDS,
            )
        )
    if "<" in answer and re.search(r"</?[a-zA-Z][^>]*>", answer):
        problems.append(
            _problem(file, N_("answer in {lang} contains HTML; write plain text"), lang=lang)
        )
    return problems


def _question_problems(entry: Entry, file: str) -> list[ContentProblem]:
    problems: list[ContentProblem] = []
    for lang, questions in entry.questions.items():
        if len(questions) < MIN_EXAMPLE_QUESTIONS:
            problems.append(
                _problem(
                    file,
                    N_("{count} example questions in {lang} (write at least {least})"),
                    "warning",
                    count=len(questions),
                    lang=lang,
                    least=MIN_EXAMPLE_QUESTIONS,
                )
            )
        seen: set[str] = set()
        for question in questions:
            if len(question) > MAX_EXAMPLE_QUESTION_CHARS:
                problems.append(
                    _problem(
                        file,
                        N_(
                            "example question in {lang} is {length} characters "
                            "(max {max}): {start}…"
                        ),
                        lang=lang,
                        length=len(question),
                        max=MAX_EXAMPLE_QUESTION_CHARS,
                        start=question[:40],
                    )
                )
            key = " ".join(question.casefold().split())
            if key in seen:
                problems.append(
                    _problem(
                        file,
                        N_("example question repeated in {lang}: {question}"),
                        "warning",
                        lang=lang,
                        question=question,
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
                        _problem(
                            files.get(slug, f"{slug}.yaml"),
                            N_("example question also in {other}: {question}"),
                            "warning",
                            other=first,
                            question=question,
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
                problems.append(
                    _problem(file, N_("related slug '{related}' does not exist"), related=other)
                )
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
            problems.append(
                _problem(files[slug], N_("related slug '{related}' does not exist"), related=other)
            )
        if dangling:
            entries[slug] = replace(entry, related=tuple(r for r in entry.related if r in entries))
    problems.extend(question_conflicts(entries, files))
    logger.info(
        "loaded %d knowledge entries from %s (%d problems)", len(entries), directory, len(problems)
    )
    return LoadResult(entries, problems, files)


def slugs_from_topics_markdown(text: str) -> list[str]:
    """Slugs listed in the first column of the tables of a topics document (`| `slug` | ...`)."""
    return list(dict.fromkeys(_TOPIC_TABLE_SLUG_RE.findall(text)))
