"""Trilingual BM25 search over knowledge entries: example questions, synonyms, Arabic as typed,
typo tolerance, and declining when nothing covers the question."""

from __future__ import annotations

import logging
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import chain, pairwise
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.knowledge.content import Entry
from bot.knowledge.facts import FACT_KINDS, asked_facts, stated_facts
from bot.knowledge.normalize import (
    LANGUAGES,
    arabic_suffix_variants,
    arabic_verb_variants,
    arabizi_skeleton,
    content_word,
    detect_language,
    is_arabic_word,
    normalize,
    raw_words,
    term_variants,
    term_variants_of_all,
    tokenize,
)
from bot.knowledge.synonyms import Synonyms

logger = logging.getLogger(__name__)

BM25_K1: Final = 1.2
BM25_B: Final = 0.75

# A clitic-stripped reading of an Arabic word, or the other Latin language's stem, is slightly
# less certain than the word as typed.
PRIMARY_TERM_WEIGHT: Final = 1.0
SECONDARY_TERM_WEIGHT: Final = 0.85
# Typo corrections by edit distance (optimal string alignment: a swap of two letters is 1).
FUZZY_WEIGHT_BY_DISTANCE: Final[dict[int, float]] = {1: 0.8, 2: 0.6}
FUZZY_MIN_CHARS: Final = 5
FUZZY_MAX_CANDIDATES: Final = 3
ALTERNATIVES_CACHE_MAX: Final = 50_000
# Shorter skeletons of Arabic in Latin letters ("bld") stand for too many words.
ARABIZI_MIN_SKELETON_CHARS: Final = 3

_BIGRAM_JOINER: Final = " "
# Stands for a line break among a field's chunks; never a word character.
_LINE_MARK: Final = "\x00"
_LINE_MARK_SPACED: Final = f" {_LINE_MARK} "
# A pair of term ids packed in one int64 (term ids are int32).
_PAIR_SHIFT: Final = 32
_PAIR_MASK: Final = (1 << _PAIR_SHIFT) - 1
# Usable bits of the int64 keys that pack a term, an entry and a field (the sign bit is not).
_KEY_BITS: Final = 63
_LINE_BREAK_ID: Final = -2
_STOPWORD_ID: Final = -1


@dataclass(frozen=True)
class SearchSettings:
    """Every weight and threshold of the search, chosen on the tuning half of
    benchmarks/data/eval_questions.yaml (benchmarks/knowledge_quality.py --calibrate)."""

    # Titles, keywords and example questions say what an entry is about; answers also mention
    # neighbouring topics.
    title_weight: float = 3.0
    keyword_weight: float = 1.5
    question_weight: float = 2.0
    answer_weight: float = 1.0
    # Answering at all: some entry must account for this share of the question's information,
    # each content word weighing its idf (floored) and each word unknown to the knowledge base
    # a fixed share of the largest idf (shares, so they scale with the size of the base).
    min_coverage: float = 0.6
    min_word_mass: float = 0.2
    unknown_word_mass: float = 0.7
    # A question asking for a kind of fact (an amount, a number, a vacancy: knowledge/facts.py)
    # weighs this share of the largest idf more, covered only by entries that state such a fact.
    fact_cue_mass: float = 2.0
    # A word found only in an entry's example questions, or only in its answer, is weaker
    # evidence that the entry is about it than one in its title or keywords.
    question_match: float = 0.8
    answer_only_match: float = 0.3
    non_topical_word_factor: float = 0.5
    bigram_weight: float = 1.0
    # A word reached through content/synonyms.yaml, or through Arabic morphology (a verb's
    # noun, a word without its possessive ending), is less certain than the word as typed.
    synonym_weight: float = 0.8
    # A question whose words are exactly those of an entry's example question: that entry
    # covers it, and ranks this share of the best score higher.
    example_question_boost: float = 1.0
    morphology_weight: float = 0.85
    # Ranking: BM25 times coverage to this power (0: BM25 alone).
    coverage_rank_power: float = 0.0
    # Other hits are offered only when they are close to the best one.
    relative_min_score: float = 0.4


DEFAULT_SETTINGS: Final = SearchSettings()
FloatArray = npt.NDArray[np.float32]
FloatArray64 = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]


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

        builder = _PostingsBuilder(list(by_slug.values()), settings)
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
        scores, coverage = scored
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
        ranking = self._ranking(*scored)
        return [
            Hit(self._slugs[doc], round(float(ranking[doc]), 4))
            for doc in self._top(ranking, limit)
            if ranking[doc] > 0.0
        ]

    def _ranking(self, scores: FloatArray, coverage: FloatArray) -> FloatArray:
        power = self.settings.coverage_rank_power
        return scores * np.power(coverage, power) if power else scores

    def _score(self, query: str) -> tuple[FloatArray, FloatArray] | None:
        """BM25 score and question coverage of every entry, or None if nothing can match."""
        n_docs = len(self._slugs)
        raws = raw_words(normalize(query))
        words = [word for raw in raws if (word := content_word(raw))]
        if not words or n_docs == 0:
            return None
        scores = np.zeros(n_docs, dtype=np.float32)
        matched_mass = np.zeros(n_docs, dtype=np.float32)
        total_mass = 0.0
        widened = self._synonyms.widen(words)
        asked = asked_facts(raws)
        for kind in asked.kinds:
            # Only entries that state such a fact cover what the question asks for.
            total_mass += self._fact_mass
            matched_mass += self._fact_mass * self._fact_statements.get(kind, 0.0)
        for word in dict.fromkeys(words):
            alternatives = self._alternatives(word)
            extra = widened.get(word)
            if extra:
                alternatives = _merge(alternatives, extra)
            if not alternatives:
                if word not in asked.words:
                    total_mass += self._unknown_mass
                continue
            # A word asking for a fact still ranks entries; its share of the question is the
            # fact's, counted above.
            mass = 0.0 if word in asked.words else self._word_mass(alternatives)
            word_scores = np.zeros(n_docs, dtype=np.float32)
            word_match = np.zeros(n_docs, dtype=np.float32)
            for alt in alternatives:
                start, end = self._indptr[alt.term_id], self._indptr[alt.term_id + 1]
                ids = self._doc_ids[start:end]
                word_scores[ids] = np.maximum(
                    word_scores[ids], alt.weight * self._weights[start:end]
                )
                word_match[ids] = np.maximum(
                    word_match[ids], alt.weight * self._saliences[start:end]
                )
            scores += word_scores
            matched_mass += mass * word_match
            total_mass += mass

        for pair in _bigrams(words):
            # Adjacent words found together ("head of the hub", "رئيس المركز") rank an entry
            # higher; they add no coverage, the words themselves already did.
            term_id = self._term_ids.get(pair)
            if term_id is not None:
                start, end = self._indptr[term_id], self._indptr[term_id + 1]
                scores[self._doc_ids[start:end]] += (
                    self.settings.bigram_weight * self._weights[start:end]
                )

        if total_mass <= 0.0:
            return None
        coverage = np.minimum(matched_mass / total_mass, 1.0)
        owners = self._example_questions.get(frozenset(words))
        if owners:
            coverage[owners] = 1.0
            scores[owners] += self.settings.example_question_boost * max(float(scores.max()), 1.0)
        return scores, coverage

    @staticmethod
    def _top(scores: FloatArray, limit: int) -> list[int]:
        k = min(limit, len(scores))
        part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        # Ties are broken by entry order (stable sort on doc id) so results are deterministic.
        order = sorted(part.tolist(), key=lambda d: (-float(scores[d]), d))
        return order

    def _word_mass(self, alternatives: tuple[_Alternative, ...]) -> float:
        # How much of the question a word is: its idf, so "Sabha" outweighs "city", with a floor
        # so that the Hub's own name, present in nearly every entry, still counts a little.
        idf = max(float(self._idf[alt.term_id]) for alt in alternatives)
        mass = max(idf, self._min_word_mass)
        if not any(self._topical[alt.term_id] for alt in alternatives):
            # Words only ever met inside answers ("next", "happened") are ordinary language,
            # not subjects: their rarity in a small base must not decide whether we answer.
            mass *= self.settings.non_topical_word_factor
        return mass

    def _direct_alternatives(self, word: str) -> list[_Alternative]:
        """Index terms of the word as typed (with its clitic readings or other-language stem)."""
        alternatives: list[_Alternative] = []
        for position, term in enumerate(term_variants(word)):
            term_id = self._term_ids.get(term)
            if term_id is not None:
                weight = PRIMARY_TERM_WEIGHT if position == 0 else SECONDARY_TERM_WEIGHT
                alternatives.append(_Alternative(term_id, weight))
        return alternatives

    def _alternatives(self, word: str) -> tuple[_Alternative, ...]:
        cached = self._alternatives_cache.get(word)
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
        if not alternatives:
            alternatives = self._typo_alternatives(word)
        result = tuple(alternatives)
        if len(self._alternatives_cache) >= ALTERNATIVES_CACHE_MAX:
            self._alternatives_cache.clear()
        self._alternatives_cache[word] = result
        return result

    def _typo_alternatives(self, word: str) -> list[_Alternative]:
        if len(word) < FUZZY_MIN_CHARS or word.isdigit():
            return []
        max_distance = 1 if len(word) < 8 else 2
        script = is_arabic_word(word)
        found: list[tuple[int, str]] = []
        for length in range(len(word) - max_distance, len(word) + max_distance + 1):
            bucket = self._fuzzy_buckets.get((script, length))
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


@dataclass(frozen=True)
class _Postings:
    idf: FloatArray
    indptr: IntArray
    doc_ids: IntArray
    weights: FloatArray
    saliences: FloatArray


@dataclass(frozen=True)
class _Occurrences:
    """Term occurrences of one field over all entries (parallel arrays)."""

    terms: IntArray
    docs: IntArray
    field: int


@dataclass(frozen=True)
class _Field:
    """One indexed part of every entry: its BM25 weight; whether it is made of lines (titles,
    keywords, questions: line breaks delimit bigrams); how surely a word found there says what
    the entry is about (1.0: the word is a topic of the knowledge base); and its text."""

    weight: float
    headline: bool
    salience: float
    text: Callable[[Entry], str]
    examples: bool = False  # the example questions, each line one question


class _ChunkIds(dict[str, int]):
    """Dense ids of distinct strings in first-seen order; looking up a known string stays in C."""

    def __missing__(self, chunk: str) -> int:
        chunk_id = self[chunk] = len(self)
        return chunk_id


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


class _PostingsBuilder:
    """Builds BM25 postings with numpy over whole fields at once.

    A 10,000-entry base is ~30 MB of text, ~4 million words drawn from a few tens of thousands
    of distinct strings. So each whitespace-separated chunk of text costs only a str.split and
    a dict lookup (both in C); normalising, tokenising and stemming happen once per *distinct*
    chunk and word; everything per occurrence is numpy on int32 arrays. Memory is kept low
    too: touching fresh memory is a large part of the cost at this size.
    """

    def __init__(self, entries: list[Entry], settings: SearchSettings) -> None:
        self._entries = entries
        self._settings = settings
        self.term_ids: dict[str, int] = {}
        self._terms: list[str] = []
        self._words: list[str] = []
        self._word_ids: dict[str, int] = {}
        self._word_term_ptr: list[int] = [0]
        self._word_term_flat: list[int] = []
        self._raw_ids: dict[str, int] = {}
        self._chunk_ids = _ChunkIds()
        self._chunk_ids[_LINE_MARK] = 0
        # Content-word ids, entry and line number of every word of the example questions.
        self._example_lines: tuple[IntArray, IntArray, IntArray] | None = None

    def _term_id(self, term: str) -> int:
        term_id = self.term_ids.get(term)
        if term_id is None:
            term_id = self.term_ids[term] = len(self._terms)
            self._terms.append(term)
        return term_id

    def _add_raw_words(self, raws: Iterable[str]) -> None:
        """Give ids to the words (and their terms) behind new raw tokens, stemming in bulk."""
        new_raws = [raw for raw in dict.fromkeys(raws) if raw not in self._raw_ids]
        contents = [content_word(raw) for raw in new_raws]
        new_words = [w for w in dict.fromkeys(contents) if w and w not in self._word_ids]
        for word, terms in zip(new_words, term_variants_of_all(new_words), strict=True):
            self._word_ids[word] = len(self._words)
            self._words.append(word)
            self._word_term_flat.extend(self._term_id(term) for term in terms)
            self._word_term_ptr.append(len(self._word_term_flat))
        for raw, word in zip(new_raws, contents, strict=True):
            self._raw_ids[raw] = self._word_ids[word] if word else _STOPWORD_ID

    def _field_chunks(self, field: _Field) -> tuple[IntArray, Int64Array]:
        """Chunk id of every chunk of a field, and the number of chunks of each entry."""
        chunk_ids = array("i")
        per_doc = array("q")
        lookup = self._chunk_ids.__getitem__
        for entry in self._entries:
            # One entry at a time, so that the chunk strings never all exist at once.
            chunks = _chunks(field.text(entry), lines=field.headline)
            chunk_ids.extend(map(lookup, chunks))
            per_doc.append(len(chunks))
        return np.frombuffer(chunk_ids, dtype=np.int32), np.frombuffer(per_doc, dtype=np.int64)

    def _chunk_words(self) -> tuple[IntArray, IntArray]:
        """Content-word ids of every distinct chunk as ragged rows (flat ids, row lengths).

        Stopwords are left out: they neither count towards an entry's length nor break a bigram.
        Normalisation only maps characters to characters (NFKC, case, accents, Arabic letter
        forms) and leaves whitespace alone, so a chunk normalises and tokenises alone exactly as
        it would inside its whole text; and all chunks can be normalised in one call, joined by
        line breaks, which nothing normalises away (chunks have no whitespace in them).
        """
        chunks = list(self._chunk_ids)[1:]
        normalized = normalize("\n".join(chunks)).split("\n")
        if len(normalized) != len(chunks):
            normalized = [normalize(chunk) for chunk in chunks]
        # [^\W_]+ matches runs of str.isalnum() characters: most chunks are one such run.
        raws_of = [(text,) if text.isalnum() else tuple(raw_words(text)) for text in normalized]
        self._add_raw_words(chain.from_iterable(raws_of))
        raw_counts = np.fromiter(map(len, raws_of), np.int64, len(raws_of))
        ids = np.fromiter(
            map(self._raw_ids.__getitem__, chain.from_iterable(raws_of)),
            np.int32,
            int(raw_counts.sum()),
        )
        # Row 0 is the line mark's; the chunks' rows follow.
        owner = np.repeat(np.arange(1, len(raws_of) + 1), raw_counts)
        is_word = ids >= 0
        flat = np.concatenate([np.asarray([_LINE_BREAK_ID], dtype=np.int32), ids[is_word]])
        lengths = np.bincount(owner[is_word], minlength=len(raws_of) + 1).astype(np.int32)
        lengths[0] = 1
        return flat, lengths

    def build(self) -> _Postings:
        n_docs = len(self._entries)
        settings = self._settings
        fields = [
            _Field(settings.title_weight, True, 1.0, _title_text),
            _Field(settings.keyword_weight, True, 1.0, _keyword_text),
            _Field(
                settings.question_weight,
                True,
                settings.question_match,
                _question_text,
                examples=True,
            ),
            _Field(settings.answer_weight, False, settings.answer_only_match, _answer_text),
        ]
        chunked = [self._field_chunks(field) for field in fields]
        chunked.reverse()  # popped in field order, so each field's arrays are freed after use
        chunk_flat, chunk_len = self._chunk_words()
        chunk_start = (np.cumsum(chunk_len, dtype=np.int64) - chunk_len).astype(np.int32)
        ptr = np.asarray(self._word_term_ptr, dtype=np.int32)
        term_flat = np.asarray(self._word_term_flat, dtype=np.int32)
        term_start, term_len = ptr[:-1], np.diff(ptr)
        doc_numbers = np.arange(n_docs, dtype=np.int32)

        occurrences: list[_Occurrences] = []
        bigrams: list[tuple[Int64Array, IntArray, int]] = []
        doc_len = np.zeros(n_docs, dtype=np.float64)
        for code, field in enumerate(fields):
            chunk_ids, chunks_per_doc = chunked.pop()
            chunk_docs = np.repeat(doc_numbers, chunks_per_doc)
            if field.headline:
                # Bigrams need the words in text order (these fields are short).
                words, counts = _expand(chunk_flat, chunk_start, chunk_len, chunk_ids)
                docs = np.repeat(chunk_docs, counts)
                is_word = words >= 0
                line = np.cumsum(words == _LINE_BREAK_ID, dtype=np.int32)[is_word]
                words, docs = words[is_word], docs[is_word]
                pairs, pair_docs = _adjacent_pairs(term_flat[term_start[words]], docs, line)
                if field.examples:
                    self._example_lines = (words, docs, line)
                bigrams.append((pairs, pair_docs, code))
                word_pieces = [(words, docs)]
            else:
                word_pieces = _expand_unordered(
                    chunk_flat, chunk_start, chunk_len, chunk_ids, chunk_docs
                )
            del chunk_ids, chunk_docs
            words_per_doc = np.zeros(n_docs, dtype=np.int64)
            for _, docs in word_pieces:
                words_per_doc += np.bincount(docs, minlength=n_docs)
            doc_len += field.weight * words_per_doc
            for words, docs in word_pieces:
                occurrences.extend(
                    _Occurrences(terms, term_docs, code)
                    for terms, term_docs in _expand_unordered(
                        term_flat, term_start, term_len, words, docs
                    )
                )
            del word_pieces
        occurrences.extend(self._bigram_occurrences(bigrams))
        return self._postings(occurrences, fields, doc_len)

    def _bigram_occurrences(
        self, bigrams: list[tuple[Int64Array, IntArray, int]]
    ) -> list[_Occurrences]:
        """Bigram terms ("a b" for adjacent primary stems) of the headline fields."""
        if not bigrams:
            return []
        all_pairs = np.concatenate([pairs for pairs, _, _ in bigrams])
        pair_keys, inverse = np.unique(all_pairs, return_inverse=True)
        # Word terms never contain the joiner, so a bigram's string is new and unique: ids are
        # handed out in bulk instead of one _term_id call per bigram.
        terms = self._terms
        term_array = np.asarray(terms, dtype=object)
        names: list[str] = list(
            map(
                _BIGRAM_JOINER.join,
                zip(
                    term_array[pair_keys >> _PAIR_SHIFT].tolist(),
                    term_array[pair_keys & _PAIR_MASK].tolist(),
                    strict=True,
                ),
            )
        )
        first_id = len(terms)
        self.term_ids.update(zip(names, range(first_id, first_id + len(names)), strict=True))
        terms.extend(names)
        pair_ids = (inverse + first_id).astype(np.int32)
        out: list[_Occurrences] = []
        offset = 0
        for pairs, pair_docs, code in bigrams:
            out.append(_Occurrences(pair_ids[offset : offset + len(pairs)], pair_docs, code))
            offset += len(pairs)
        return out

    def _postings(
        self, occurrences: list[_Occurrences], fields: list[_Field], doc_len: FloatArray64
    ) -> _Postings:
        n_docs = len(self._entries)
        n_terms = len(self._terms)
        field_bits = max(len(fields) - 1, 1).bit_length()
        doc_bits = max(n_docs - 1, 1).bit_length()
        if max(n_terms, 1).bit_length() + doc_bits + field_bits > _KEY_BITS:
            raise ValueError("knowledge base too large to index")
        # One in-place sort of (term, entry, field) keys packed in an int64, no argsort: runs of
        # equal (term, entry) are the postings, and each key's field gives the weight of that
        # occurrence. Bit fields rather than products, so that unpacking needs no division.
        keys = np.empty(sum(len(o.terms) for o in occurrences), dtype=np.int64)
        offset = 0
        for o in occurrences:
            part = keys[offset : offset + len(o.terms)]
            part[:] = o.terms
            part <<= doc_bits
            part |= o.docs
            part <<= field_bits
            part |= o.field
            offset += len(o.terms)
        occurrences.clear()  # the keys hold it all now; free the memory for what follows
        keys.sort()
        # Casting to int8 keeps the low byte, which holds the field.
        field = keys.astype(np.int8)
        field &= (1 << field_bits) - 1
        keys >>= field_bits
        starts = _run_starts(keys)
        unique_keys = keys[starts]
        del keys
        # Term frequencies are sums of field weights. With weights in halves (3.0, 2.5, 1.0)
        # every partial sum below 2**23 is exact in float32, so summing in float32 (half the
        # memory, no casting) gives the float64 sum's float32 value exactly.
        field_weights = [f.weight for f in fields]
        exact_in_float32 = all((2.0 * w).is_integer() for w in field_weights) and (
            max(field_weights, default=0.0) * len(field) < 2.0**23
        )
        field_weight = np.asarray(
            field_weights, dtype=np.float32 if exact_in_float32 else np.float64
        )
        field_salience = np.asarray([f.salience for f in fields], dtype=np.float32)
        tf = _reduce(np.add, field_weight[field], starts).astype(np.float32)
        salience = _reduce(np.maximum, field_salience[field], starts)
        del field, starts
        # Keys sort by term, then entry: the postings come out grouped per term already.
        # The entry is in the low bits: casting keeps the low 32, the mask the entry's.
        cols = unique_keys.astype(np.int32)
        cols &= (1 << doc_bits) - 1
        rows = unique_keys
        rows >>= doc_bits
        del unique_keys
        df = np.bincount(rows, minlength=n_terms).astype(np.float32)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg_len = float(doc_len.mean()) if n_docs else 1.0
        # BM25: idf * tf * (k1 + 1) / (tf + norm), computed per entry where it can be and in
        # place elsewhere, with the same operations and precisions as the plain expression.
        doc_norm = BM25_K1 * (1.0 - BM25_B + BM25_B * doc_len / max(avg_len, 1e-9))
        denominator = doc_norm[cols]
        denominator += tf
        numerator = idf[rows]
        del rows
        numerator *= tf
        numerator *= BM25_K1 + 1.0
        weights = np.divide(numerator, denominator, out=denominator).astype(np.float32)
        indptr = np.zeros(n_terms + 1, dtype=np.int32)
        np.cumsum(df.astype(np.int32), out=indptr[1:])
        return _Postings(idf, indptr, cols, weights, salience)

    def example_question_owners(self) -> dict[frozenset[str], list[int]]:
        """The entries (by number) of each example question, keyed by its set of content words:
        asked again in another order, or with other stopwords, it is the same question."""
        if self._example_lines is None or not len(self._example_lines[0]):
            return {}
        words, docs, line = self._example_lines
        breaks = np.flatnonzero((docs[1:] != docs[:-1]) | (line[1:] != line[:-1])) + 1
        bounds = [0, *breaks.tolist(), len(words)]
        names = self._words
        word_list, doc_list = words.tolist(), docs.tolist()
        owners: dict[frozenset[str], list[int]] = {}
        for start, end in pairwise(bounds):
            found = owners.setdefault(frozenset(names[w] for w in word_list[start:end]), [])
            if doc_list[start] not in found:
                found.append(doc_list[start])
        return owners

    def surface_words(self) -> dict[str, tuple[int, ...]]:
        ptr, flat = self._word_term_ptr, self._word_term_flat
        return {w: tuple(flat[ptr[i] : ptr[i + 1]]) for i, w in enumerate(self._words)}


def _title_text(entry: Entry) -> str:
    return "\n".join(entry.title.get(lang) for lang in LANGUAGES)


def _keyword_text(entry: Entry) -> str:
    return "\n".join(k for lang in LANGUAGES for k in entry.keywords.get(lang))


def _question_text(entry: Entry) -> str:
    return "\n".join(q for lang in LANGUAGES for q in entry.questions.get(lang))


def _answer_text(entry: Entry) -> str:
    return " ".join(entry.answer.get(lang) for lang in LANGUAGES)


def _chunks(text: str, *, lines: bool) -> list[str]:
    """Whitespace-separated chunks of a text; with lines, each line break becomes a _LINE_MARK
    chunk (a stray mark in the text is a non-word character, i.e. just a separator)."""
    if _LINE_MARK in text:
        text = text.replace(_LINE_MARK, " ")
    if lines and "\n" in text:
        text = text.replace("\n", _LINE_MARK_SPACED)
    return text.split()


def _expand(
    flat: IntArray, starts: IntArray, lengths: IntArray, ids: IntArray
) -> tuple[IntArray, IntArray]:
    """The ragged rows `ids` (row i is flat[starts[i] : starts[i] + lengths[i]]) concatenated in
    order, and the length of each."""
    counts = lengths[ids]
    before = np.cumsum(counts, dtype=np.int64) - counts
    # Each value's source index is its row's start plus its position inside the row.
    source = np.repeat(starts[ids] - before, counts)
    source += np.arange(len(source), dtype=np.int64)
    return flat[source], counts


def _expand_unordered(
    flat: IntArray, starts: IntArray, lengths: IntArray, ids: IntArray, docs: IntArray
) -> list[tuple[IntArray, IntArray]]:
    """The values of the ragged rows `ids`, each with its row's entry number from `docs`, in
    pieces of no particular order: the i-th value of every row long enough, for each i.

    Rows are short (a chunk is mostly one word, a word has one to three terms), so a few
    passes of table lookups beat np.repeat, whose per-row loop is slow for millions of rows.
    """
    pieces: list[tuple[IntArray, IntArray]] = []
    for position in range(int(lengths.max()) if len(lengths) else 0):
        keep = (lengths > position)[ids]
        if not keep.all():
            ids, docs = ids[keep], docs[keep]
        if not len(ids):
            break
        # The value at this position of every row (clipped for shorter rows, never looked up).
        value_at = flat[np.minimum(starts + position, len(flat) - 1)]
        pieces.append((value_at[ids], docs))
    return pieces


def _adjacent_pairs(
    primary: IntArray, docs: IntArray, line: IntArray
) -> tuple[Int64Array, IntArray]:
    """Keys of the primary stems of adjacent content words on the same line of the same entry
    (same rule as _bigrams at query time) and the entry of each pair."""
    adjacent = (line[1:] == line[:-1]) & (docs[1:] == docs[:-1]) & (primary[1:] != primary[:-1])
    first = primary[:-1][adjacent].astype(np.int64)
    return (first << _PAIR_SHIFT) | primary[1:][adjacent], docs[:-1][adjacent]


def _run_starts(values: Int64Array) -> npt.NDArray[np.intp]:
    """Positions where a run of equal values begins in a sorted array."""
    new = np.empty(len(values), dtype=bool)
    new[:1] = True
    np.not_equal(values[1:], values[:-1], out=new[1:])
    return np.flatnonzero(new)


def _reduce(ufunc: np.ufunc, values: npt.NDArray[Any], starts: npt.NDArray[np.intp]) -> Any:
    # reduceat rejects an empty index list; an empty base has nothing to reduce.
    return ufunc.reduceat(values, starts) if len(starts) else values[:0]


def _bigrams(words: list[str]) -> list[str]:
    stems = [term_variants(w)[0] for w in words]
    return [f"{a}{_BIGRAM_JOINER}{b}" for a, b in pairwise(stems) if a != b]


def _length_buckets(words: Iterable[str]) -> dict[tuple[bool, int], list[str]]:
    buckets: dict[tuple[bool, int], list[str]] = {}
    for word in words:
        if len(word) >= FUZZY_MIN_CHARS - 2 and not word.isdigit():
            buckets.setdefault((is_arabic_word(word), len(word)), []).append(word)
    return buckets
