"""Trilingual BM25 search over knowledge entries: example questions, synonyms, Arabic as typed,
typo tolerance, and what each entry covers of a question (knowledge/reading.py decides from it
whether to answer, suggest or decline)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Final, NamedTuple

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.knowledge.content import Entry
from bot.knowledge.facts import FACT_KINDS, asked_facts, proper_names, stated_facts
from bot.knowledge.normalize import (
    LANGUAGES,
    arabic_consonants,
    arabic_suffix_variants,
    arabic_verb_variants,
    arabizi_consonant_readings,
    arabizi_skeleton,
    content_word,
    detect_language,
    is_arabic_word,
    looks_arabizi,
    normalize,
    raw_words,
    term_variants,
    tokenize,
)
from bot.knowledge.postings import (
    BIGRAM_JOINER,
    FloatArray,
    IntArray,
    PostingsBuilder,
)
from bot.knowledge.settings import DEFAULT_SETTINGS, SearchSettings
from bot.knowledge.spelling import PairFilter
from bot.knowledge.synonyms import Synonyms

logger = logging.getLogger(__name__)

# A clitic-stripped reading of an Arabic word, or the other Latin language's stem, is slightly
# less certain than the word as typed.
PRIMARY_TERM_WEIGHT: Final = 1.0
SECONDARY_TERM_WEIGHT: Final = 0.85
# Typo corrections by edit distance (optimal string alignment: a swap of two letters is 1).
FUZZY_WEIGHT_BY_DISTANCE: Final[dict[int, float]] = {1: 0.8, 2: 0.6}
FUZZY_MIN_CHARS: Final = 5
# From this length a word may be two edits away from the one meant, else one.
FUZZY_TWO_EDITS_MIN_CHARS: Final = 8
FUZZY_MAX_CANDIDATES: Final = 3
ALTERNATIVES_CACHE_MAX: Final = 50_000
# Shorter skeletons of Arabic in Latin letters ("bld") stand for too many words.
ARABIZI_MIN_SKELETON_CHARS: Final = 3
# A Latin word read as an Arabic one by its consonants (normalize.arabizi_consonant_readings)
# is a guess: it counts this much, and not at all when its consonants fit too many terms.
TRANSLITERATION_WEIGHT: Final = 0.9
TRANSLITERATION_MAX_TERMS: Final = 12


@dataclass(frozen=True)
class Hit:
    """One matching entry and its BM25 score (higher is better; not comparable across queries)."""

    slug: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    """Answer candidates for one question, best first; no hits means "I don't know"."""

    query: str
    lang: str
    hits: list[Hit]


@dataclass(frozen=True)
class Candidate:
    """An entry ranked for a text: its ranking score, the share of the text's information it
    covers (0 to 1), and whether it states every kind of fact the text asks for."""

    slug: str
    score: float
    coverage: float
    states_asked_facts: bool


@dataclass(frozen=True)
class Evidence:
    """What the ranking knows about one text: its best entries, best first, and the kinds of
    fact it asks for (knowledge/facts.py)."""

    text: str
    candidates: tuple[Candidate, ...]
    asked_kinds: tuple[str, ...]


class _WordArrays(NamedTuple):
    """A word's BM25 score and salience in every entry, its share of a question (`mass`), and
    the share it covers of each entry (mass * match), computed once for all parts."""

    scores: FloatArray
    match: FloatArray
    mass: float
    covered: FloatArray


_NOTHING: Final = np.zeros(0, dtype=np.float32)
# A word no entry has (nor its readings, synonyms or typo corrections).
_UNKNOWN: Final = _WordArrays(_NOTHING, _NOTHING, 0.0, _NOTHING)
# Each word's arrays, computed once for all the parts of a message.
# Keyed by the word, its synonyms' terms, and whether the message is Arabic in Latin letters.
WordCache = dict[tuple[str, tuple["_Alternative", ...], bool], _WordArrays]


@dataclass
class _Tally:
    """Scores and covered information of every entry, summed word by word."""

    scores: FloatArray
    matched_mass: FloatArray
    total_mass: float
    words: WordCache


class _Scored(NamedTuple):
    scores: FloatArray
    coverage: FloatArray
    asked_kinds: tuple[str, ...]


@dataclass(frozen=True)
class _Alternative:
    term_id: int
    weight: float


class KnowledgeIndex:
    """An immutable inverted index over all three languages of every entry."""

    def __init__(
        self,
        entries: dict[str, Entry],
        term_ids: dict[str, int],
        idf: FloatArray,
        indptr: IntArray,
        doc_ids: IntArray,
        weights: FloatArray,
        saliences: FloatArray,
        surface_words: dict[str, tuple[int, ...]],
        settings: SearchSettings = DEFAULT_SETTINGS,
        synonyms: Synonyms | None = None,
        example_questions: dict[frozenset[str], list[int]] | None = None,
        fact_statements: dict[str, FloatArray] | None = None,
        names: frozenset[str] = frozenset(),
    ) -> None:
        self.entries: Mapping[str, Entry] = entries
        self.settings = settings
        self._example_questions = example_questions or {}
        self._slugs = list(entries)
        self._term_ids = term_ids
        self._idf = idf
        self._indptr = indptr
        self._doc_ids = doc_ids
        self._weights = weights
        self._saliences = saliences
        # A term is topical when some entry has it in its title or keywords.
        self._topical = (
            np.maximum.reduceat(saliences, indptr[:-1]) >= 1.0
            if len(saliences)
            else np.zeros(0, dtype=bool)
        )
        self._surface_words = surface_words
        self._fuzzy_buckets = _length_buckets(surface_words)
        self._fuzzy_ends = _end_buckets(self._fuzzy_buckets)
        self._pair_filter = PairFilter(self._fuzzy_buckets, FUZZY_TWO_EDITS_MIN_CHARS - 2)
        self._consonant_terms = _consonant_terms(surface_words)
        max_idf = float(idf.max()) if len(idf) else 1.0
        self._min_word_mass = settings.min_word_mass * max_idf
        self._unknown_mass = settings.unknown_word_mass * max_idf
        self._fact_mass = settings.fact_cue_mass * max_idf
        # Per kind of fact, 1.0 for the entries that state one, else 0.0.
        self._fact_statements = fact_statements or {}
        self._alternatives_cache: dict[str, tuple[_Alternative, ...]] = {}
        self._synonyms = _SynonymTable.compile(
            synonyms or Synonyms(), self._direct_alternatives, settings.synonym_weight
        )
        self._name_terms = self._names_and_their_synonyms(names, synonyms or Synonyms())

    def __len__(self) -> int:
        return len(self._slugs)

    # --- building -------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        entries: Iterable[Entry] | Mapping[str, Entry],
        *,
        synonyms: Synonyms | None = None,
        settings: SearchSettings = DEFAULT_SETTINGS,
    ) -> KnowledgeIndex:
        """Index every entry's titles, keywords, example questions and answers in ar, fr and
        en; synonyms widen the words of a question at search time."""
        entry_list = list(entries.values()) if isinstance(entries, Mapping) else list(entries)
        by_slug: dict[str, Entry] = {}
        for entry in entry_list:
            if entry.slug in by_slug:
                raise ValueError(f"duplicate slug {entry.slug!r}")
            by_slug[entry.slug] = entry

        builder = PostingsBuilder(list(by_slug.values()), settings)
        postings = builder.build()
        index = cls(
            entries=by_slug,
            term_ids=builder.term_ids,
            idf=postings.idf,
            indptr=postings.indptr,
            doc_ids=postings.doc_ids,
            weights=postings.weights,
            saliences=postings.saliences,
            surface_words=builder.surface_words(),
            settings=settings,
            synonyms=synonyms,
            example_questions=builder.example_question_owners(),
            fact_statements=_fact_statements(list(by_slug.values())),
            names=proper_names(by_slug.values()),
        )
        logger.info("knowledge index: %d entries, %d terms", len(by_slug), len(builder.term_ids))
        return index

    # --- searching ------------------------------------------------------------------------------

    def search(self, query: str, *, lang: str | None = None, limit: int = 3) -> SearchResult:
        """Best matching entries for a question, or no hits when none matches well enough."""
        if lang is None:
            lang = detect_language(query)
        elif lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}")
        scored = self._score(query) if limit > 0 else None
        if scored is None:
            return SearchResult(query, lang, [])
        scores, coverage, _ = scored
        settings = self.settings
        # Whether to answer at all: some entry covers enough of the question. Which entries
        # to show: the ranking, even when the best-ranked one covers a little less.
        matching = scores > 0.0
        if not matching.any() or float(coverage[matching].max()) < settings.min_coverage:
            return SearchResult(query, lang, [])
        ranking = self._ranking(scores, coverage)
        hits: list[Hit] = []
        for doc in self._top(ranking, limit):
            score = float(ranking[doc])
            if score <= 0.0 or (hits and score < settings.relative_min_score * hits[0].score):
                break
            hits.append(Hit(self._slugs[doc], round(score, 4)))
        logger.debug("search %r (%s): %s", query, lang, hits)
        return SearchResult(query, lang, hits)

    def rank(self, query: str, limit: int) -> list[Hit]:
        """The entries that best match a question, best first, whether or not they answer it."""
        scored = self._score(query) if limit > 0 else None
        if scored is None:
            return []
        ranking = self._ranking(scored.scores, scored.coverage)
        return [
            Hit(self._slugs[doc], round(float(ranking[doc]), 4))
            for doc in self._top(ranking, limit)
            if ranking[doc] > 0.0
        ]

    def _ranking(self, scores: FloatArray, coverage: FloatArray) -> FloatArray:
        power = self.settings.coverage_rank_power
        return scores * np.power(coverage, power) if power else scores

    def evidence(
        self,
        text: str,
        limit: int = 3,
        *,
        context: str = "",
        words_seen: WordCache | None = None,
    ) -> Evidence:
        """The best entries for (a part of) a message, best first, with what each covers of it
        and whether it states the kind of fact the text asks for; `context`: the rest of the
        message, whose words count less (see _score). Parts of one message share `words_seen`
        (an empty dict at first) so that each word is looked up once."""
        scored = self._score(text, context, words_seen) if limit > 0 else None
        if scored is None:
            return Evidence(text, (), ())
        ranking = self._ranking(scored.scores, scored.coverage)
        statements = [self._fact_statements.get(kind) for kind in scored.asked_kinds]
        candidates = tuple(
            Candidate(
                self._slugs[doc],
                float(ranking[doc]),
                float(scored.coverage[doc]),
                all(stated is not None and stated[doc] > 0.0 for stated in statements),
            )
            for doc in self._top(ranking, limit)
            if ranking[doc] > 0.0
        )
        return Evidence(text, candidates, scored.asked_kinds)

    def _score(
        self, query: str, context: str = "", words_seen: WordCache | None = None
    ) -> _Scored | None:
        """BM25 score and question coverage of every entry, or None if nothing can match.

        Words of the context (the sentences around a question) rank and cover entries too,
        each weighing settings.context_word_factor of a word of the question: they name the
        subject of "what was that meeting about?" without diluting a question that names it.
        """
        n_docs = len(self._slugs)
        raws = raw_words(normalize(query))
        words = [word for raw in raws if (word := content_word(raw))]
        context_words = [
            word
            for raw in (raw_words(normalize(context)) if context else ())
            if (word := content_word(raw)) and word not in words
        ]
        if not (words or context_words) or n_docs == 0:
            return None
        tally = _Tally(
            np.zeros(n_docs, dtype=np.float32),
            np.zeros(n_docs, dtype=np.float32),
            0.0,
            {} if words_seen is None else words_seen,
        )
        asked = asked_facts(raws)
        # In a message written as Arabic in Latin letters ("shu sar b Saida ma3 el madares"),
        # a Latin word the documents lack is read as Arabic before it is read as a typo.
        arabizi = any(map(looks_arabizi, raws))
        for kind in asked.kinds:
            # Only entries that state such a fact cover what the question asks for.
            tally.total_mass += self._fact_mass
            tally.matched_mass += self._fact_mass * self._fact_statements.get(kind, 0.0)
        for group, factor in (
            (words, 1.0),
            (context_words, self.settings.context_word_factor),
        ):
            widened = self._synonyms.widen(group)
            for word in dict.fromkeys(group):
                self._add_word(tally, word, widened.get(word), asked.words, factor, arabizi)
            self._add_bigrams(tally.scores, group, factor)
        if tally.total_mass <= 0.0:
            return None
        scores = tally.scores
        coverage = np.minimum(tally.matched_mass / tally.total_mass, 1.0)
        owners = self._example_questions.get(frozenset(words))
        if owners and not context_words:
            coverage[owners] = 1.0
            scores[owners] += self.settings.example_question_boost * max(float(scores.max()), 1.0)
            # An entry's own example question (written, or taught by staff who answered it) is
            # one it answers, fact included: nothing is left asked that it would fail to state.
            return _Scored(scores, coverage, ())
        return _Scored(scores, coverage, asked.kinds)

    def _add_word(
        self,
        tally: _Tally,
        word: str,
        extra: list[_Alternative] | None,
        fact_words: frozenset[str],
        factor: float,
        arabizi: bool = False,
    ) -> None:
        """One word's BM25 score and coverage of every entry, added to the tally."""
        key = (word, tuple(extra) if extra else (), arabizi)
        found = tally.words.get(key)
        if found is None:
            found = tally.words[key] = self._word_arrays(word, extra, arabizi)
        if found is _UNKNOWN:
            # A word unknown to the knowledge base is part of what a question asks, but the
            # context around a question is free to talk of anything.
            if word not in fact_words and factor == 1.0:
                tally.total_mass += self._unknown_mass
            return
        # A word asking for a fact still ranks entries; its share of the question is the
        # fact's, counted apart.
        mass = 0.0 if word in fact_words else factor * found.mass
        if factor == 1.0:
            tally.scores += found.scores
        else:
            tally.scores += factor * found.scores
        if mass and mass == found.mass:
            tally.matched_mass += found.covered
        elif mass:
            tally.matched_mass += mass * found.match
        tally.total_mass += mass

    def _word_arrays(
        self, word: str, extra: list[_Alternative] | None, arabizi: bool = False
    ) -> _WordArrays:
        """A word's BM25 score and salience in every entry, and its share of a question."""
        alternatives = self._alternatives(word, arabizi)
        if extra:
            alternatives = _merge(alternatives, extra)
        if not alternatives:
            return _UNKNOWN
        n_docs = len(self._slugs)
        word_scores = np.zeros(n_docs, dtype=np.float32)
        word_match = np.zeros(n_docs, dtype=np.float32)
        for number, alt in enumerate(alternatives):
            start, end = self._indptr[alt.term_id], self._indptr[alt.term_id + 1]
            ids = self._doc_ids[start:end]
            scores, match = self._weights[start:end], self._saliences[start:end]
            if alt.weight != 1.0:
                scores, match = alt.weight * scores, alt.weight * match
            if number:
                scores = np.maximum(word_scores[ids], scores)
                match = np.maximum(word_match[ids], match)
            # (The first term's values are all there is: weights and saliences are >= 0.)
            word_scores[ids] = scores
            word_match[ids] = match
        mass = self._word_mass(alternatives)
        return _WordArrays(word_scores, word_match, mass, mass * word_match)

    def _add_bigrams(self, scores: FloatArray, words: list[str], factor: float) -> None:
        for pair in _bigrams(words):
            # Adjacent words found together ("head of the hub", "رئيس المركز") rank an entry
            # higher; they add no coverage, the words themselves already did.
            term_id = self._term_ids.get(pair)
            if term_id is not None:
                start, end = self._indptr[term_id], self._indptr[term_id + 1]
                scores[self._doc_ids[start:end]] += (
                    factor * self.settings.bigram_weight * self._weights[start:end]
                )

    @staticmethod
    def _top(scores: FloatArray, limit: int) -> list[int]:
        """The entries of the `limit` best positive scores, best first; ties in entry order
        (argmax gives the first of equal values), so results are deterministic. A few argmax
        passes cost less than one argpartition (limit is a handful)."""
        remaining = scores.copy()
        best: list[int] = []
        for _ in range(min(limit, len(scores))):
            doc = int(remaining.argmax())
            if not remaining[doc] > 0.0:
                break
            best.append(doc)
            remaining[doc] = -np.inf
        return best

    def _word_mass(self, alternatives: tuple[_Alternative, ...]) -> float:
        # How much of the question a word is: its idf, so "Sabha" outweighs "city", with a floor
        # so that the Hub's own name, present in nearly every entry, still counts a little.
        idf = max(float(self._idf[alt.term_id]) for alt in alternatives)
        mass = max(idf, self._min_word_mass)
        if not any(self._topical[alt.term_id] for alt in alternatives):
            # Words only ever met inside answers ("next", "happened") are ordinary language,
            # not subjects: their rarity in a small base must not decide whether we answer.
            mass *= self.settings.non_topical_word_factor
        elif all(alt.term_id in self._name_terms for alt in alternatives):
            # A place or a person is rare, but says where or who, not what is asked:
            # "the hotel of the Tangier round table" is not answered by sharing "Tangier".
            mass *= self.settings.name_word_factor
        return mass

    def _names_and_their_synonyms(
        self, names: frozenset[str], synonyms: Synonyms
    ) -> frozenset[int]:
        """The terms of proper names (facts.proper_names), and of every member of a synonym
        group that holds one (تونس beside Tunisia, عمّان beside Amman)."""
        terms = {alt.term_id for name in names for alt in self._direct_alternatives(name)[:1]}
        for group in synonyms.groups:
            members = [tokenize(member) for member in group.members]
            if any(len(words) == 1 and words[0] in names for words in members):
                terms.update(
                    alt.term_id
                    for words in members
                    if len(words) == 1
                    for alt in self._direct_alternatives(words[0])[:1]
                )
        return frozenset(terms)

    def _direct_alternatives(self, word: str) -> list[_Alternative]:
        """Index terms of the word as typed (with its clitic readings or other-language stem)."""
        alternatives: list[_Alternative] = []
        for position, term in enumerate(term_variants(word)):
            term_id = self._term_ids.get(term)
            if term_id is not None:
                weight = PRIMARY_TERM_WEIGHT if position == 0 else SECONDARY_TERM_WEIGHT
                alternatives.append(_Alternative(term_id, weight))
        return alternatives

    def _alternatives(self, word: str, arabizi: bool = False) -> tuple[_Alternative, ...]:
        """Index terms for a word of a question; `arabizi`: the message is Arabic in Latin
        letters, so an unknown Latin word is read as Arabic rather than as a typo."""
        key = "\x00" + word if arabizi else word
        cached = self._alternatives_cache.get(key)
        if cached is not None:
            return cached
        alternatives = self._direct_alternatives(word)
        arabic = is_arabic_word(word)
        if arabic and not any(self._topical[alt.term_id] for alt in alternatives):
            # As typed, the word names no topic: read it as a verb (ندرّب → تدريب) or without
            # its possessive ending (بلديتنا → بلدية).
            weight = self.settings.morphology_weight
            readings = [
                *arabic_verb_variants(word),
                *(
                    reading
                    for bare in arabic_suffix_variants(word)
                    for reading in (bare, *arabic_verb_variants(bare))
                ),
            ]
            alternatives = list(
                _merge(
                    tuple(alternatives),
                    [
                        _Alternative(alt.term_id, weight * alt.weight)
                        for reading in dict.fromkeys(readings)
                        for alt in self._direct_alternatives(reading)
                    ],
                )
            )
        if not alternatives and not arabic:
            alternatives = list(self._synonyms.arabizi(word))
        if not alternatives and not arabic and (arabizi or looks_arabizi(word)):
            alternatives = self._transliterated(word)
        if not alternatives:
            alternatives = self._typo_alternatives(word)
        result = tuple(alternatives)
        if len(self._alternatives_cache) >= ALTERNATIVES_CACHE_MAX:
            self._alternatives_cache.clear()
        self._alternatives_cache[key] = result
        return result

    def _transliterated(self, word: str) -> list[_Alternative]:
        """Arabic terms whose consonants are those of a word in Latin letters ("lajnet")."""
        for reading in arabizi_consonant_readings(word):
            term_ids = self._consonant_terms.get(reading)
            if term_ids and len(term_ids) <= TRANSLITERATION_MAX_TERMS:
                return [_Alternative(term_id, TRANSLITERATION_WEIGHT) for term_id in term_ids]
        return []

    def _typo_alternatives(self, word: str) -> list[_Alternative]:
        if len(word) < FUZZY_MIN_CHARS or word.isdigit():
            return []
        max_distance = 1 if len(word) < FUZZY_TWO_EDITS_MIN_CHARS else 2
        script = is_arabic_word(word)
        lengths = range(len(word) - max_distance, len(word) + max_distance + 1)
        # Two edits: only the words whose letter pairs leave it possible are compared.
        near = (
            self._pair_filter.candidates(word, script, lengths, max_distance)
            if max_distance == 2
            else None
        )
        found: list[tuple[int, str]] = []
        for length in lengths:
            if near is not None:
                bucket = near.get(length, [])
            elif max_distance == 1:
                # One edit leaves the first or the last letter in place: only words sharing
                # one of them are compared (a tenth of the words of that length, or less).
                bucket = list(
                    dict.fromkeys(
                        (
                            *self._fuzzy_ends.get((script, length, 0, word[0]), ()),
                            *self._fuzzy_ends.get((script, length, -1, word[-1]), ()),
                        )
                    )
                )
            else:
                bucket = self._fuzzy_buckets.get((script, length), [])
            if not bucket:
                continue
            for choice, distance, _ in process.extract(
                word,
                bucket,
                scorer=OSA.distance,
                score_cutoff=max_distance,
                limit=FUZZY_MAX_CANDIDATES,
            ):
                found.append((int(distance), choice))
        if not found:
            return []
        best = min(d for d, _ in found)
        weight = FUZZY_WEIGHT_BY_DISTANCE[best]
        term_weights: dict[int, float] = {}
        for distance, choice in sorted(found)[:FUZZY_MAX_CANDIDATES]:
            if distance != best:
                continue
            for position, term_id in enumerate(self._surface_words[choice]):
                w = weight * (PRIMARY_TERM_WEIGHT if position == 0 else SECONDARY_TERM_WEIGHT)
                term_weights[term_id] = max(term_weights.get(term_id, 0.0), w)
        return [_Alternative(t, w) for t, w in term_weights.items()]


class _SynonymTable:
    """content/synonyms.yaml resolved against one index: each member phrase, as a tuple of
    primary stems, leads to the index terms of every member of its groups."""

    def __init__(
        self,
        phrases: dict[tuple[str, ...], tuple[_Alternative, ...]],
        skeletons: dict[str, tuple[_Alternative, ...]],
    ) -> None:
        self._phrases = phrases
        self._longest = max(map(len, phrases), default=0)
        self._skeletons = skeletons

    @classmethod
    def compile(
        cls, synonyms: Synonyms, direct: Callable[[str], list[_Alternative]], weight: float
    ) -> _SynonymTable:
        if not synonyms.groups:
            return cls({}, {})
        phrases: dict[tuple[str, ...], dict[int, float]] = {}
        skeletons: dict[str, dict[int, float]] = {}
        for group in synonyms.groups:
            member_words = [tokenize(member) for member in group.members]
            terms: dict[int, float] = {}
            for words in member_words:
                for word in words:
                    for alt in direct(word):
                        terms[alt.term_id] = max(terms.get(alt.term_id, 0.0), alt.weight)
            if not terms:
                continue
            for words in member_words:
                key = tuple(term_variants(w)[0] for w in words)
                _merge_into(phrases.setdefault(key, {}), terms, weight)
                if group.language == "ar" and len(words) == 1 and not is_arabic_word(words[0]):
                    # Arabic in Latin letters: spellings vary (baladiya, baladia, baladeya).
                    skeleton = arabizi_skeleton(words[0])
                    if len(skeleton) >= ARABIZI_MIN_SKELETON_CHARS:
                        _merge_into(skeletons.setdefault(skeleton, {}), terms, weight)
        return cls(
            {key: _as_alternatives(terms) for key, terms in phrases.items()},
            {key: _as_alternatives(terms) for key, terms in skeletons.items()},
        )

    def widen(self, words: list[str]) -> dict[str, list[_Alternative]]:
        """For the words of a question that are (part of) a synonym, the terms of the others;
        longest phrases first, so "city council" is read as one."""
        if not self._phrases:
            return {}
        stems = [term_variants(w)[0] for w in words]
        widened: dict[str, list[_Alternative]] = {}
        position = 0
        while position < len(words):
            for size in range(min(self._longest, len(words) - position), 0, -1):
                found = self._phrases.get(tuple(stems[position : position + size]))
                if found:
                    for word in words[position : position + size]:
                        widened.setdefault(word, []).extend(found)
                    position += size
                    break
            else:
                position += 1
        return widened

    def arabizi(self, word: str) -> tuple[_Alternative, ...]:
        """Terms of an Arabic word written in Latin letters in a spelling the file lacks."""
        if not self._skeletons:
            return ()
        return self._skeletons.get(arabizi_skeleton(word), ())


def _fact_statements(entries: list[Entry]) -> dict[str, FloatArray]:
    stated = [stated_facts(entry) for entry in entries]
    return {
        kind.name: np.array([kind.name in facts for facts in stated], dtype=np.float32)
        for kind in FACT_KINDS
    }


def _merge_into(target: dict[int, float], terms: dict[int, float], weight: float) -> None:
    for term_id, term_weight in terms.items():
        target[term_id] = max(target.get(term_id, 0.0), weight * term_weight)


def _as_alternatives(terms: dict[int, float]) -> tuple[_Alternative, ...]:
    return tuple(_Alternative(term_id, weight) for term_id, weight in terms.items())


def _merge(
    alternatives: tuple[_Alternative, ...] | list[_Alternative], extra: Iterable[_Alternative]
) -> tuple[_Alternative, ...]:
    """Both lists of alternatives, each term once with its larger weight."""
    best: dict[int, float] = {alt.term_id: alt.weight for alt in alternatives}
    for alt in extra:
        if alt.weight > best.get(alt.term_id, 0.0):
            best[alt.term_id] = alt.weight
    return tuple(_Alternative(term_id, weight) for term_id, weight in best.items())


def _bigrams(words: list[str]) -> list[str]:
    stems = [term_variants(w)[0] for w in words]
    return [f"{a}{BIGRAM_JOINER}{b}" for a, b in pairwise(stems) if a != b]


def _consonant_terms(surface_words: Mapping[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
    """The terms of the Arabic words of the index by their consonants (arabic_consonants)."""
    found: dict[str, dict[int, None]] = {}
    for word, term_ids in surface_words.items():
        if is_arabic_word(word):
            # A first و that the index also knows the word without is "and" ("وتطوان").
            conjunction = word.startswith("و") and word[1:] in surface_words
            skeleton = arabic_consonants(word[1:] if conjunction else word)
            if len(skeleton) >= ARABIZI_MIN_SKELETON_CHARS:
                found.setdefault(skeleton, {}).update(dict.fromkeys(term_ids))
    return {skeleton: tuple(terms) for skeleton, terms in found.items()}


def _end_buckets(
    buckets: dict[tuple[bool, int], list[str]],
) -> dict[tuple[bool, int, int, str], list[str]]:
    """The words of each length bucket by their first letter (0) and by their last (-1)."""
    ends: dict[tuple[bool, int, int, str], list[str]] = {}
    for (script, length), words in buckets.items():
        for word in words:
            for end in (0, -1):
                ends.setdefault((script, length, end, word[end]), []).append(word)
    return ends


def _length_buckets(words: Iterable[str]) -> dict[tuple[bool, int], list[str]]:
    buckets: dict[tuple[bool, int], list[str]] = {}
    for word in words:
        if len(word) >= FUZZY_MIN_CHARS - 2 and not word.isdigit():
            buckets.setdefault((is_arabic_word(word), len(word)), []).append(word)
    return buckets
