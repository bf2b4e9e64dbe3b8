"""Which of the bot's own features a free-text message asks for: intents are documents of the
knowledge engine (same normalisation, synonyms, dialect handling and index), written as example
phrases in content/intents.yaml; this module loads them and holds the policy over the ranking."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, TypeVar

import yaml

from bot.i18n import N_
from bot.knowledge.content import MAX_EXAMPLE_QUESTION_CHARS, ContentProblem, Entry, Translated
from bot.knowledge.normalize import (
    LANGUAGES,
    arabizi_skeleton,
    content_word,
    is_arabic_word,
    normalize,
    raw_words,
    term_variants,
    tokenize,
)
from bot.knowledge.reading import Reading, Tier, message_parts, read
from bot.knowledge.search import KnowledgeIndex
from bot.knowledge.settings import SearchSettings
from bot.knowledge.synonyms import Synonyms

INTENTS_FILE_NAME: Final = "intents.yaml"

# The names are shared with the evaluation set (benchmarks/data) and the handlers.
EVENTS: Final = "events"
MY_REQUESTS: Final = "my_requests"
SUPPORT_REQUEST: Final = "support_request"
REGISTER: Final = "register"
LANGUAGE: Final = "language"
REMINDERS_OFF: Final = "reminders_off"
TIME_ZONE: Final = "time_zone"
HUMAN: Final = "human"
GREETING: Final = "greeting"
THANKS: Final = "thanks"
INTENT_NAMES: Final[tuple[str, ...]] = (
    EVENTS,
    MY_REQUESTS,
    SUPPORT_REQUEST,
    REGISTER,
    LANGUAGE,
    REMINDERS_OFF,
    TIME_ZONE,
    HUMAN,
    GREETING,
    THANKS,
)
# How staff see each feature when they file a question under it (handlers/knowledge.py).
FEATURE_NAMES: Final[dict[str, str]] = {
    EVENTS: N_("Coming events"),
    MY_REQUESTS: N_("Where my requests stand"),
    SUPPORT_REQUEST: N_("Offer to file a support request"),
    REGISTER: N_("Registration"),
    LANGUAGE: N_("Change the language"),
    REMINDERS_OFF: N_("Turn off event reminders"),
    TIME_ZONE: N_("Change the time zone"),
    HUMAN: N_("Send to the Hub team"),
}
# Greetings and thanks carry no topic: the engine reads their words as stopwords, so they are
# recognised by their vocabulary, and only when the message holds nothing else.
SOCIAL_INTENTS: Final = frozenset({GREETING, THANKS})
# Enough wordings per language to cover how people ask (a warning below this).
MIN_INTENT_EXAMPLES: Final = 8
# Staff teach an intent through the same table as entries, under this prefix of the slug.
LEARNED_INTENT_PREFIX: Final = "intent:"

# A support request's reference, also typed loosely ("tsr 2026 42", "TSR-2026-0042").
REFERENCE_RE: Final = re.compile(r"(?<![A-Za-z0-9])TSR[\s_-]*(\d{4})[\s_-]*(\d{1,6})(?!\d)", re.I)
# A message may carry two requests ("when is the next event and how do I register?"): each
# part is read alone. Conjunctions as whole words; Arabic "و" also as a word of its own.
_CLAUSE_BREAK_RE: Final = re.compile(
    r"[.?!؟,،;؛:\n]+|\s(?:and|also|then|but|plus|et|puis|mais|ensuite|aussi|و|ثم|او|w|wa)\s",
    re.I,
)

# Chosen on the tuning half of the evaluation set (benchmarks/knowledge_quality.py). Intent
# documents are short phrases: a word found only in an example is nearly as good as a keyword.
INTENT_SETTINGS: Final = SearchSettings(
    title_weight=1.0,
    keyword_weight=2.0,
    question_weight=2.0,
    answer_weight=1.0,
    min_coverage=0.6,
    unknown_word_mass=0.45,
    question_match=0.9,
    relative_min_score=0.0,
)

# A part of a message asks for a feature only when it matches the feature this well (BM25 of
# the intent documents, bigrams included; chosen on the tuning half): a common word shared
# with an example ("what came out of it") is not a request.
MIN_INTENT_SCORE: Final = 2.5
# Turning reminders off changes what the person receives, and the registration form takes
# the person's next messages as its answers: only a clear request does either.
MIN_SCORE_BY_INTENT: Final[dict[str, float]] = {REMINDERS_OFF: 4.0, REGISTER: 4.0}

# A message that only asks for a feature gets the feature alone (a sure-looking entry for
# "register me please" only shares its words), except these, whose very words are the Hub's
# own subjects: asking how to get technical support, or whom to talk to, is also asked of the
# entries on the Technical Support Fund and the team.
ANSWERED_WHOLE: Final = frozenset({SUPPORT_REQUEST, HUMAN})

# Shorter skeletons of Latin-script Arabic ("rr", "re") stand for too many words.
MIN_SKELETON_CHARS: Final = 3

T = TypeVar("T")


@dataclass(frozen=True)
class IntentDefinition:
    """One intent as content/intents.yaml describes it."""

    name: str
    keywords: Translated[tuple[str, ...]]
    examples: Translated[tuple[str, ...]]


@dataclass(frozen=True)
class IntentCatalog:
    intents: dict[str, IntentDefinition] = field(default_factory=dict)
    # How people name each of the bot's languages ("in French", "بالفرنسية", "bel fransi").
    language_names: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Recognized:
    """What a message asks of the bot's features.

    ``rest`` is what is left of the message once the parts asking for the feature are taken
    out: a knowledge question the bot may answer beside the feature ("what is the TSF").
    """

    name: str
    reference: str | None = None
    language: str | None = None
    rest: str = ""
    # Every word of the message asks for the feature: nothing for the knowledge base.
    pure: bool = True
    # Other features the message asks for, in its order ("... and how do I register?").
    also: tuple[str, ...] = ()
    # The message says one of the feature's own words (a keyword of intents.yaml: "register",
    # "next event", "طلب دعم"), not only words its example phrases share with the Hub's
    # subjects ("the national-local cooperation" reads a little like "support for our local
    # plan"). A reference, a greeting or thanks names itself.
    named: bool = True
    # The parts of the message that ask for the feature.
    asking: str = ""


# --- loading and checking -----------------------------------------------------------------------


def _phrases(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append(f"{where}: expected a list of phrases")
        return ()
    return tuple(dict.fromkeys(" ".join(item.split()) for item in value if item.strip()))


def _per_language(value: Any, where: str, problems: list[str]) -> Translated[tuple[str, ...]]:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        problems.append(f"{where}: expected ar, fr and en lists")
        value = {}
    for key in value:
        if key not in LANGUAGES:
            problems.append(f"{where}: unknown language {key!r}")
    return Translated(
        *(_phrases(value.get(lang), f"{where}.{lang}", problems) for lang in LANGUAGES)
    )


def intents_from_mapping(data: Any, *, file: str) -> tuple[IntentCatalog, list[ContentProblem]]:
    """The catalog from parsed YAML; a broken intent is reported and left out."""
    errors: list[str] = []
    warnings: list[str] = []
    if not isinstance(data, dict):
        return IntentCatalog(), [ContentProblem(file, "expected `intents:` and `language_names:`")]
    raw_names = data.get("language_names") or {}
    names = _per_language(raw_names, "language_names", errors)
    language_names: dict[str, tuple[str, ...]] = {lang: names.get(lang) for lang in LANGUAGES}
    for lang, found in language_names.items():
        if not found:
            errors.append(f"language_names.{lang}: name the language at least once")
    raw_intents = data.get("intents")
    if not isinstance(raw_intents, dict):
        raw_intents = {}
        errors.append("intents: expected one mapping per intent")
    intents: dict[str, IntentDefinition] = {}
    for name, raw in raw_intents.items():
        if name not in INTENT_NAMES:
            errors.append(f"intents.{name}: unknown intent (known: {', '.join(INTENT_NAMES)})")
            continue
        if not isinstance(raw, dict) or set(raw) - {"keywords", "examples"}:
            errors.append(f"intents.{name}: expected `keywords:` and `examples:`")
            continue
        before = len(errors)
        definition = IntentDefinition(
            name,
            _per_language(raw.get("keywords"), f"intents.{name}.keywords", errors),
            _per_language(raw.get("examples"), f"intents.{name}.examples", errors),
        )
        if len(errors) > before:
            continue
        for lang in LANGUAGES:
            examples = definition.examples.get(lang)
            if len(examples) < MIN_INTENT_EXAMPLES:
                warnings.append(
                    f"intents.{name}.examples.{lang}: {len(examples)} examples, "
                    f"fewer than {MIN_INTENT_EXAMPLES}"
                )
            errors.extend(
                f"intents.{name}.examples.{lang}: longer than {MAX_EXAMPLE_QUESTION_CHARS} "
                "characters"
                for example in examples
                if len(example) > MAX_EXAMPLE_QUESTION_CHARS
            )
        intents[name] = definition
    errors.extend(f"intents.{name}: missing" for name in INTENT_NAMES if name not in intents)
    errors.extend(_shared_examples(intents.values()))
    problems = [ContentProblem(file, message) for message in errors]
    problems += [ContentProblem(file, message, "warning") for message in warnings]
    return IntentCatalog(intents, language_names), problems


def _shared_examples(intents: Iterable[IntentDefinition]) -> list[str]:
    """Two intents with an example of the same content words: the engine could not tell them
    apart (it reads "where is my request" as the word "request")."""
    owners: dict[frozenset[str], str] = {}
    problems = []
    for intent in intents:
        if intent.name in SOCIAL_INTENTS:
            continue
        for lang in LANGUAGES:
            for example in intent.examples.get(lang):
                words = frozenset(tokenize(example))
                other = owners.setdefault(words, intent.name)
                if words and other != intent.name:
                    problems.append(
                        f"intents.{intent.name}: {example!r} reads the same as an example of "
                        f"{other} ({' '.join(sorted(words))})"
                    )
    return problems


def load_intents(path: str | Path) -> tuple[IntentCatalog, list[ContentProblem]]:
    """The intents file; without one, the bot's features are reached by commands only."""
    file = Path(path)
    if not file.is_file():
        return IntentCatalog(), []
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return IntentCatalog(), [ContentProblem(str(file), f"cannot read file: {exc}")]
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        return IntentCatalog(), [ContentProblem(str(file), f"invalid YAML: {detail}")]
    return intents_from_mapping(data, file=str(file))


# --- recognising --------------------------------------------------------------------------------


def _document(intent: IntentDefinition, learned: Translated[tuple[str, ...]]) -> Entry:
    examples = Translated(
        *(tuple(dict.fromkeys((*intent.examples.get(lg), *learned.get(lg)))) for lg in LANGUAGES)
    )
    empty = Translated("", "", "")
    return Entry(
        slug=intent.name,
        topic="intent",
        title=empty,
        answer=empty,
        keywords=intent.keywords,
        questions=examples,
    )


def _vocabulary(phrases: Iterable[str]) -> frozenset[str]:
    return frozenset(word for phrase in phrases for word in raw_words(normalize(phrase)))


def _skeleton(word: str) -> str:
    """Arabic written in Latin letters, reduced so that its spellings meet (salam alaikum,
    salam alaykoum); a tag keeps it apart from the words themselves."""
    skeleton = arabizi_skeleton(word)
    if is_arabic_word(word) or word.isdigit() or len(skeleton) < MIN_SKELETON_CHARS:
        return word
    return f"~{skeleton}"


def _scores_enough(name: str, score: float) -> bool:
    return score >= MIN_SCORE_BY_INTENT.get(name, MIN_INTENT_SCORE)


def _readings(word: str) -> frozenset[str]:
    return frozenset((*term_variants(word), _skeleton(word)))


def _social_vocabulary(phrases: Iterable[str]) -> frozenset[str]:
    words = _vocabulary(phrases)
    return words | {_skeleton(word) for word in words}


def clauses(message: str) -> list[str]:
    """The parts of a message that may each ask for something."""
    return [part.strip() for part in _CLAUSE_BREAK_RE.split(f" {message} ") if part.strip()]


def request_reference(message: str) -> str | None:
    """A support request's reference anywhere in a message, written the bot's way."""
    found = REFERENCE_RE.search(message)
    if found is None:
        return None
    return f"TSR-{found.group(1)}-{int(found.group(2)):04d}"


class IntentRecognizer:
    """The intents of content/intents.yaml (with what staff taught) as an engine index."""

    def __init__(
        self,
        catalog: IntentCatalog,
        *,
        synonyms: Synonyms | None = None,
        learned: Mapping[str, Translated[tuple[str, ...]]] | None = None,
    ) -> None:
        self.catalog = catalog
        taught = learned or {}
        none: Translated[tuple[str, ...]] = Translated((), (), ())
        features = [
            _document(intent, taught.get(name, none))
            for name, intent in catalog.intents.items()
            if name not in SOCIAL_INTENTS
        ]
        self._index = KnowledgeIndex.build(features, synonyms=synonyms, settings=INTENT_SETTINGS)
        # Each keyword of each feature as the words it needs, each word as its readings.
        self._keywords = {
            document.slug: [
                needed
                for lang in LANGUAGES
                for keyword in document.keywords.get(lang)
                if (needed := [_readings(word) for word in raw_words(normalize(keyword))])
            ]
            for document in features
        }
        # The intents' own words as the engine stems them (a synonym of theirs is not one).
        self._stems = frozenset(
            term
            for document in features
            for lang in LANGUAGES
            for phrase in (*document.keywords.get(lang), *document.questions.get(lang))
            for word in tokenize(phrase)
            for term in (*term_variants(word), _skeleton(word))
        )
        social = [intent for name, intent in catalog.intents.items() if name in SOCIAL_INTENTS]
        # Words a greeting or thanks may hold ("hope all is well"), and those that say which
        # it is: its keywords' words that the other one never uses ("you" says neither).
        words = {
            intent.name: _social_vocabulary(
                phrase
                for lang in LANGUAGES
                for phrase in (*intent.examples.get(lang), *intent.keywords.get(lang))
            )
            for intent in social
        }
        self._social_words = frozenset().union(*words.values())
        self._social_cues = {
            intent.name: _social_vocabulary(
                phrase for lang in LANGUAGES for phrase in intent.keywords.get(lang)
            ).difference(*(other for name, other in words.items() if name != intent.name))
            for intent in social
        }
        self._language_words = {
            lang: [frozenset(tokenize(name)) or _vocabulary([name]) for name in names]
            for lang, names in catalog.language_names.items()
        }

    def recognize(
        self, message: str, unexplained: Callable[[str], str] | None = None
    ) -> Recognized | None:
        """The feature a message asks for, if any. `unexplained` gives what is left of a part
        of the message once the words of the entry it reads as are taken out (see
        understand): a part asks for a feature by its own words, or by words that the entry
        does not explain."""
        reference = request_reference(message)
        parts = clauses(REFERENCE_RE.sub(" ", message) if reference else message)
        found = [self._feature(part, unexplained) for part in parts]
        if reference is not None:
            # The request named wins; another question beside it is still answered.
            return Recognized(
                MY_REQUESTS,
                reference=reference,
                rest=self._rest(parts, found),
                pure=self._explains(parts, [MY_REQUESTS] * len(parts)),
            )
        named = next((name for name in found if name is not None), None)
        if named is None and len(parts) > 1:
            named = self._feature(message, unexplained)
            if named is not None:
                found = [named] * len(parts)
        if named is not None:
            language = self.named_language(message) if named == LANGUAGE else None
            asking = " ".join(part for part, name in zip(parts, found, strict=True) if name)
            return Recognized(
                named,
                language=language,
                rest=self._rest(parts, found),
                pure=self._explains(parts, found),
                also=tuple(dict.fromkeys(n for n in found if n is not None and n != named)),
                named=self.names_feature(asking, named),
                asking=asking,
            )
        # Greetings and thanks: the message's, or a part's beside a question ("thanks! one
        # more question: ..."), which the knowledge base answers.
        social = [self._social_intent(part) for part in parts]
        said = [name for name in social if name is not None]
        if not said:
            return None
        name = THANKS if THANKS in said else said[0]
        return Recognized(name, rest=self._rest(parts, social), pure=len(said) == len(parts))

    def closest(self, text: str, limit: int) -> list[str]:
        """The features a text is closest to, best first, whether or not it asks for one."""
        return [hit.slug for hit in self._index.rank(text, limit)]

    def _feature(self, text: str, unexplained: Callable[[str], str] | None) -> str | None:
        candidates = self._index.evidence(text, limit=len(self.catalog.intents)).candidates
        # As search() has it: a feature is asked without naming it when the text is covered.
        covered = any(c.coverage >= INTENT_SETTINGS.min_coverage for c in candidates)
        matching = [c.slug for c in candidates if covered and _scores_enough(c.slug, c.score)]
        said = self._said_words(text)
        # A feature named in a phrase of its own comes first ("comment je fais la demande" is
        # closer to the examples of my requests, but "faire la demande" is a new one; "mute
        # the event notifications" says "event" too), then the closest one if named at all.
        # Named in such a phrase, it needs no share of the text's other words ("when's the
        # next training for focal points?").
        named = next((name for name in matching if self._names(said, name, min_words=2)), None)
        if named is None and matching and self._names(said, matching[0]):
            named = matching[0]
        if named is None and candidates and _scores_enough(candidates[0].slug, candidates[0].score):
            named = candidates[0].slug if self._names(said, candidates[0].slug, 2) else None
        if named is not None or not matching or unexplained is None:
            return named or next(iter(matching), None)
        # Without the feature's own words, the words that resemble its example phrases must
        # be more than the subject of an entry ("what is the Strong Cities Network?" is not
        # the events of the network's cities; "ما هو التعاون الوطني المحلي؟" is no support
        # request): the part is read again without the words of the entry it reads as.
        name = matching[0]
        rest = unexplained(text)
        if rest == text:
            return name
        # The rest is what is left of a message: the share of it the feature covers is no
        # longer the measure, only that it still points at the feature first.
        left = self._index.rank(rest, 1) if rest else []
        return (
            name if left and left[0].slug == name and _scores_enough(name, left[0].score) else None
        )

    def names_feature(self, text: str, name: str) -> bool:
        """Whether a text holds every word of one of the feature's keywords (in any of their
        readings: stems, clitics, Latin-script Arabic)."""
        return self._names(self._said_words(text), name)

    @staticmethod
    def _said_words(text: str) -> set[str]:
        return set().union(*(_readings(word) for word in raw_words(normalize(text))))

    def _names(self, said: set[str], name: str, min_words: int = 1) -> bool:
        return any(
            len(keyword) >= min_words and all(readings & said for readings in keyword)
            for keyword in self._keywords.get(name, ())
        )

    def _rest(self, parts: Sequence[str], found: Sequence[str | None]) -> str:
        """The parts that ask for no feature: what the knowledge base may answer beside it."""
        return " ".join(part for part, name in zip(parts, found, strict=True) if name is None)

    def _explains(self, parts: Sequence[str], found: Sequence[str | None]) -> bool:
        """Whether every word of the message is one of the intents' own: a message that asks
        only for a feature ("change my time zone"), with nothing for the knowledge base."""
        return all(
            name is not None
            and all(
                self._stems.intersection((*term_variants(word), _skeleton(word)))
                for word in tokenize(part)
            )
            for part, name in zip(parts, found, strict=True)
        )

    def _social_intent(self, text: str) -> str | None:
        """Greetings or thanks, when every word of the text is one of theirs (or a word
        that carries no topic)."""
        counts = dict.fromkeys(self._social_cues, 0)
        for word in raw_words(normalize(text)):
            forms = {word, _skeleton(word)}
            if content_word(word) and not forms & self._social_words:
                return None
            for name, cues in self._social_cues.items():
                counts[name] += bool(forms & cues)
        if counts.get(THANKS):
            return THANKS  # "thanks, have a good day" thanks more than it greets
        best = max(counts, key=lambda name: counts[name], default=None)
        return best if best is not None and counts[best] > 0 else None

    def named_language(self, message: str) -> str | None:
        """The bot's language a message names ("in French", "بالعربي"), if exactly one."""
        words = set(raw_words(normalize(message))) | set(tokenize(message))
        named = [
            lang
            for lang, names in self._language_words.items()
            if any(name and name <= words for name in names)
        ]
        return named[0] if len(named) == 1 else None


def mentioned_first(
    message: str, items: Sequence[T], names: Mapping[int, Iterable[str]]
) -> list[T]:
    """Items in their order, except that those named in the message come first, the most
    named first (an event's title in any language: "the workshop in Amman, when?")."""
    asked = set(tokenize(message))

    def shared(position: int) -> int:
        return max(
            (len(asked & set(tokenize(name))) for name in names.get(position, ())), default=0
        )

    order = sorted(range(len(items)), key=lambda position: (-shared(position), position))
    return [items[position] for position in order]


@dataclass(frozen=True)
class Understanding:
    """What the bot makes of a message: the reading of the knowledge base (answer, suggest or
    decline, with the intent's name) and the feature the message asks for, if any."""

    reading: Reading
    intent: Recognized | None


def understand(
    index: KnowledgeIndex, intents: IntentRecognizer, question: str, *, lang: str | None = None
) -> Understanding:
    """The feature a message asks for, and what the knowledge base answers beside it."""
    whole = read(index, question, lang=lang)
    recognized = intents.recognize(
        question, unexplained=lambda part: _unexplained(index, part, whole)
    )
    if recognized is None:
        return Understanding(whole, None)
    if recognized.name in SOCIAL_INTENTS:
        return Understanding(*_beside_greeting(recognized, whole))
    rest = read(index, recognized.rest, lang=whole.lang) if recognized.rest else None
    return Understanding(beside_intent(recognized, whole, rest), recognized)


def _unexplained(index: KnowledgeIndex, text: str, whole: Reading) -> str:
    """A part of a message without the words of the entry it reads as (its answer, or the
    first entry suggested). The part itself when it reads as no entry."""
    reading = read(index, text, lang=whole.lang) if text != whole.message else whole
    if not reading.shown:
        return text
    subject = _subject_words(index.entries[reading.shown[0]])
    return " ".join(word for word in raw_words(normalize(text)) if not _readings(word) & subject)


@lru_cache(maxsize=1024)
def _subject_words(entry: Entry) -> frozenset[str]:
    """An entry's title, keywords and example questions in every language, as the readings
    of their words."""
    return frozenset().union(
        *(
            _readings(word)
            for lang in LANGUAGES
            for phrase in (
                entry.title.get(lang),
                *entry.keywords.get(lang),
                *entry.questions.get(lang),
            )
            for word in raw_words(normalize(phrase))
        )
    )


def _beside_greeting(recognized: Recognized, whole: Reading) -> tuple[Reading, Recognized | None]:
    """A greeting or thanks: alone, or beside what is no question ("merci, c'est très utile"),
    it is answered as such. Beside a question, the knowledge base reads the whole message (the
    greeting's words are no words of a question): a greeting opening a question is politeness,
    while thanks close what came before ("thanks! one more question: ...")."""
    asks = not recognized.pure and any(part.is_question for part in message_parts(whole.message))
    if not asks:
        return _feature_only(recognized, whole), recognized
    if recognized.name == GREETING or whole.declined:
        return whole, None
    return replace(whole, intent=recognized.name), recognized


def _feature_only(recognized: Recognized, whole: Reading) -> Reading:
    return Reading(
        whole.message, whole.lang, Tier.DECLINE, None, (), whole.part, intent=recognized.name
    )


def beside_intent(recognized: Recognized, whole: Reading, rest: Reading | None) -> Reading:
    """What the knowledge base gives beside a feature: a sure answer to the whole message (the
    reading weighs each of its parts) when the message holds more than the feature asks ("what
    is the TSF and how do I apply?", "what happened at the Tangier workshop?"); else the answer
    to, or the suggestions for, the part that asks for no feature. A message that only asks for
    a feature gets it alone, and is never declined."""
    if whole.tier is Tier.ANSWER and (not recognized.pure or recognized.name in ANSWERED_WHOLE):
        return replace(whole, intent=recognized.name)
    if rest is not None and rest.tier in (Tier.ANSWER, Tier.SUGGEST):
        return replace(rest, message=whole.message, intent=recognized.name)
    return _feature_only(recognized, whole)
