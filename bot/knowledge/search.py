"""Trilingual BM25 search over knowledge entries, with typo tolerance and declining."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import chain, pairwise
from typing import Final

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.knowledge.content import Entry
from bot.knowledge.normalize import (
    LANGUAGES,
    arabic_verb_variants,
    content_word,
    detect_language,
    is_arabic_word,
    normalize,
    raw_words,
    term_variants,
    tokenize,
)

logger = logging.getLogger(__name__)

# Titles and keywords say what an entry is about; answers also mention neighbouring topics.
TITLE_WEIGHT: Final = 3.0
KEYWORD_WEIGHT: Final = 2.5
ANSWER_WEIGHT: Final = 1.0
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

# Declining: the best entry must account for this share of the question's information, each
# content word weighing its idf (floored) and each word unknown to the knowledge base weighing
# a fixed share of the largest idf. Calibrated on benchmarks/data/eval_questions.yaml with
# benchmarks/knowledge_quality.py; the weights are shares of the largest idf so they scale with
# the size of the knowledge base.
MIN_COVERAGE: Final = 0.6
MIN_WORD_MASS: Final = 0.2
UNKNOWN_WORD_MASS: Final = 0.7
# A word found only in an entry's answer, not in its title or keywords, is weaker evidence that
# the entry is about it.
ANSWER_ONLY_MATCH: Final = 0.6
NON_TOPICAL_WORD_FACTOR: Final = 0.3
BIGRAM_WEIGHT: Final = 0.5
_BIGRAM_JOINER: Final = " "
_DOC_SEPARATOR: Final = "\x00"
_LINE_BREAK_ID: Final = -2
_STOPWORD_ID: Final = -1

# Other hits are offered only when they are close to the best one.
RELATIVE_MIN_SCORE: Final = 0.4

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]


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
    ) -> None:
        self.entries: Mapping[str, Entry] = entries
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
        self._min_word_mass = MIN_WORD_MASS * max_idf
        self._unknown_mass = UNKNOWN_WORD_MASS * max_idf
        self._alternatives_cache: dict[str, tuple[_Alternative, ...]] = {}

    def __len__(self) -> int:
        return len(self._slugs)

    # --- building -------------------------------------------------------------------------------

    @classmethod
    def build(cls, entries: Iterable[Entry] | Mapping[str, Entry]) -> KnowledgeIndex:
        """Index every entry's titles, keywords and answers in ar, fr and en."""
        entry_list = list(entries.values()) if isinstance(entries, Mapping) else list(entries)
        by_slug: dict[str, Entry] = {}
        for entry in entry_list:
            if entry.slug in by_slug:
                raise ValueError(f"duplicate slug {entry.slug!r}")
            by_slug[entry.slug] = entry

        builder = _PostingsBuilder(list(by_slug.values()))
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
        # Only entries that cover enough of the question compete; among them BM25 decides.
        eligible = np.where((coverage >= MIN_COVERAGE) & (scores > 0.0), scores, 0.0)
        hits: list[Hit] = []
        for doc in self._top(eligible, limit):
            score = float(eligible[doc])
            if score <= 0.0 or (hits and score < RELATIVE_MIN_SCORE * hits[0].score):
                break
            hits.append(Hit(self._slugs[doc], round(score, 4)))
        logger.debug("search %r (%s): %s", query, lang, hits)
        return SearchResult(query, lang, hits)

    def _score(self, query: str) -> tuple[FloatArray, FloatArray] | None:
        """BM25 score and question coverage of every entry, or None if nothing can match."""
        n_docs = len(self._slugs)
        words = tokenize(query)
        if not words or n_docs == 0:
            return None
        scores = np.zeros(n_docs, dtype=np.float32)
        matched_mass = np.zeros(n_docs, dtype=np.float32)
        total_mass = 0.0
        for word in dict.fromkeys(words):
            alternatives = self._alternatives(word)
            if not alternatives:
                total_mass += self._unknown_mass
                continue
            mass = self._word_mass(alternatives)
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
                scores[self._doc_ids[start:end]] += BIGRAM_WEIGHT * self._weights[start:end]

        if total_mass <= 0.0:
            return None
        return scores, np.minimum(matched_mass / total_mass, 1.0)

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
            mass *= NON_TOPICAL_WORD_FACTOR
        return mass

    def _alternatives(self, word: str) -> tuple[_Alternative, ...]:
        cached = self._alternatives_cache.get(word)
        if cached is not None:
            return cached
        alternatives: list[_Alternative] = []
        for position, term in enumerate(term_variants(word)):
            term_id = self._term_ids.get(term)
            if term_id is not None:
                weight = PRIMARY_TERM_WEIGHT if position == 0 else SECONDARY_TERM_WEIGHT
                alternatives.append(_Alternative(term_id, weight))
        if not alternatives and is_arabic_word(word):
            alternatives = [
                _Alternative(term_id, SECONDARY_TERM_WEIGHT)
                for variant in arabic_verb_variants(word)
                for term in term_variants(variant)
                if (term_id := self._term_ids.get(term)) is not None
            ]
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

    terms: npt.NDArray[np.int64]
    docs: npt.NDArray[np.int64]
    weight: float
    headline: bool


class _PostingsBuilder:
    """Builds BM25 postings with numpy over whole fields at once: per-word Python work is done
    once per distinct word, not once per occurrence, which keeps 10,000 entries under seconds."""

    def __init__(self, entries: list[Entry]) -> None:
        self._entries = entries
        self.term_ids: dict[str, int] = {}
        self._terms: list[str] = []
        self._words: list[str] = []
        self._word_ids: dict[str, int] = {}
        self._word_term_ptr: list[int] = [0]
        self._word_term_flat: list[int] = []
        self._raw_ids: dict[str, int] = {"\n": _LINE_BREAK_ID}

    def _term_id(self, term: str) -> int:
        term_id = self.term_ids.get(term)
        if term_id is None:
            term_id = self.term_ids[term] = len(self._terms)
            self._terms.append(term)
        return term_id

    def _raw_id(self, raw: str) -> int:
        word = content_word(raw)
        if not word:
            return _STOPWORD_ID
        word_id = self._word_ids.get(word)
        if word_id is None:
            word_id = self._word_ids[word] = len(self._words)
            self._words.append(word)
            self._word_term_flat.extend(self._term_id(t) for t in term_variants(word))
            self._word_term_ptr.append(len(self._word_term_flat))
        return word_id

    def _field_words(
        self, texts: list[str], *, lines: bool
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Word ids (or stopword/line-break markers) and entry numbers of a field's tokens."""
        joined = _DOC_SEPARATOR.join(t.replace(_DOC_SEPARATOR, " ") for t in texts)
        per_doc = [
            raw_words(t, keep_line_breaks=lines) for t in normalize(joined).split(_DOC_SEPARATOR)
        ]
        flat = list(chain.from_iterable(per_doc))
        for raw in set(flat).difference(self._raw_ids):
            self._raw_ids[raw] = self._raw_id(raw)
        word_ids = np.fromiter(map(self._raw_ids.__getitem__, flat), np.int64, len(flat))
        docs = np.repeat(np.arange(len(per_doc), dtype=np.int64), [len(t) for t in per_doc])
        return word_ids, docs

    def build(self) -> _Postings:
        entries = self._entries
        n_docs = len(entries)
        fields = [
            (
                TITLE_WEIGHT,
                True,
                ["\n".join(e.title.get(lang) for lang in LANGUAGES) for e in entries],
            ),
            (
                KEYWORD_WEIGHT,
                True,
                ["\n".join(k for lang in LANGUAGES for k in e.keywords.get(lang)) for e in entries],
            ),
            (
                ANSWER_WEIGHT,
                False,
                ["\n".join(e.answer.get(lang) for lang in LANGUAGES) for e in entries],
            ),
        ]
        tokenized = [
            (w, lines, *self._field_words(texts, lines=lines)) for w, lines, texts in fields
        ]
        ptr = np.asarray(self._word_term_ptr, dtype=np.int64)
        flat = np.asarray(self._word_term_flat, dtype=np.int64)

        occurrences: list[_Occurrences] = []
        doc_len = np.zeros(n_docs, dtype=np.float64)
        for weight, lines, word_ids, docs in tokenized:
            is_word = word_ids >= 0
            words, word_docs = word_ids[is_word], docs[is_word]
            doc_len += weight * np.bincount(word_docs, minlength=n_docs)
            counts = ptr[words + 1] - ptr[words]
            starts = np.repeat(ptr[words], counts)
            offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
            occurrences.append(
                _Occurrences(flat[starts + offsets], np.repeat(word_docs, counts), weight, lines)
            )
            if lines:
                occurrences.append(self._bigram_occurrences(word_ids, docs, ptr, flat, weight))

        n_terms = len(self._terms)
        keys = np.concatenate([o.terms * n_docs + o.docs for o in occurrences])
        tf_weights = np.concatenate([np.full(len(o.terms), o.weight) for o in occurrences])
        headline = np.concatenate([np.full(len(o.terms), float(o.headline)) for o in occurrences])
        unique_keys, inverse = np.unique(keys, return_inverse=True)
        tf = np.bincount(inverse, weights=tf_weights).astype(np.float32)
        salience = np.where(np.bincount(inverse, weights=headline) > 0, 1.0, ANSWER_ONLY_MATCH)
        # Keys sort by term, then entry: the postings come out grouped per term already.
        rows = unique_keys // max(n_docs, 1)
        cols = (unique_keys % max(n_docs, 1)).astype(np.int32)
        df = np.bincount(rows, minlength=n_terms).astype(np.float32)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg_len = float(doc_len.mean()) if n_docs else 1.0
        norm = BM25_K1 * (1.0 - BM25_B + BM25_B * doc_len[cols] / max(avg_len, 1e-9))
        weights = (idf[rows] * tf * (BM25_K1 + 1.0) / (tf + norm)).astype(np.float32)
        indptr = np.zeros(n_terms + 1, dtype=np.int32)
        np.cumsum(df.astype(np.int32), out=indptr[1:])
        return _Postings(idf, indptr, cols, weights, salience.astype(np.float32))

    def _bigram_occurrences(
        self,
        word_ids: npt.NDArray[np.int64],
        docs: npt.NDArray[np.int64],
        ptr: npt.NDArray[np.int64],
        flat: npt.NDArray[np.int64],
        weight: float,
    ) -> _Occurrences:
        """Adjacent content words of the same line (same rule as _bigrams at query time)."""
        line = np.cumsum(word_ids == _LINE_BREAK_ID)
        is_word = word_ids >= 0
        primary = flat[ptr[word_ids[is_word]]]
        word_line, word_docs = line[is_word], docs[is_word]
        adjacent = (
            (word_line[1:] == word_line[:-1])
            & (word_docs[1:] == word_docs[:-1])
            & (primary[1:] != primary[:-1])
        )
        first, second = primary[:-1][adjacent], primary[1:][adjacent]
        pair_keys, inverse = np.unique(first * (len(self._terms) + 1) + second, return_inverse=True)
        base = len(self._terms) + 1
        pair_ids = np.asarray(
            [
                self._term_id(f"{self._terms[k // base]}{_BIGRAM_JOINER}{self._terms[k % base]}")
                for k in pair_keys.tolist()
            ],
            dtype=np.int64,
        )
        return _Occurrences(pair_ids[inverse], word_docs[:-1][adjacent], weight, True)

    def surface_words(self) -> dict[str, tuple[int, ...]]:
        ptr, flat = self._word_term_ptr, self._word_term_flat
        return {w: tuple(flat[ptr[i] : ptr[i + 1]]) for i, w in enumerate(self._words)}


def _bigrams(words: list[str]) -> list[str]:
    stems = [term_variants(w)[0] for w in words]
    return [f"{a}{_BIGRAM_JOINER}{b}" for a, b in pairwise(stems) if a != b]


def _length_buckets(words: Iterable[str]) -> dict[tuple[bool, int], list[str]]:
    buckets: dict[tuple[bool, int], list[str]] = {}
    for word in words:
        if len(word) >= FUZZY_MIN_CHARS - 2 and not word.isdigit():
            buckets.setdefault((is_arabic_word(word), len(word)), []).append(word)
    return buckets
