"""BM25 postings of the knowledge entries, built with numpy over whole fields at once."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain, pairwise
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from bot.knowledge.content import Entry
from bot.knowledge.normalize import (
    LANGUAGES,
    content_word,
    normalize,
    raw_words,
    term_variants_of_all,
)
from bot.knowledge.settings import SearchSettings

BM25_K1: Final = 1.2
BM25_B: Final = 0.75

BIGRAM_JOINER: Final = " "
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

FloatArray = npt.NDArray[np.float32]
FloatArray64 = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Postings:
    idf: FloatArray
    indptr: IntArray
    doc_ids: IntArray
    weights: FloatArray
    saliences: FloatArray


@dataclass(frozen=True)
class Occurrences:
    """Term occurrences of one field over all entries (parallel arrays)."""

    terms: IntArray
    docs: IntArray
    field: int


@dataclass(frozen=True)
class Field:
    """One indexed part of every entry: its BM25 weight; whether it is made of lines (titles,
    keywords, questions: line breaks delimit bigrams); how surely a word found there says what
    the entry is about (1.0: the word is a topic of the knowledge base); and its text."""

    weight: float
    headline: bool
    salience: float
    text: Callable[[Entry], str]
    examples: bool = False  # the example questions, each line one question


class ChunkIds(dict[str, int]):
    """Dense ids of distinct strings in first-seen order; looking up a known string stays in C."""

    def __missing__(self, chunk: str) -> int:
        chunk_id = self[chunk] = len(self)
        return chunk_id


class PostingsBuilder:
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
        self._chunk_ids = ChunkIds()
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

    def _field_chunks(self, field: Field) -> tuple[IntArray, Int64Array]:
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

    def build(self) -> Postings:
        n_docs = len(self._entries)
        settings = self._settings
        fields = [
            Field(settings.title_weight, True, 1.0, _title_text),
            Field(settings.keyword_weight, True, 1.0, _keyword_text),
            Field(
                settings.question_weight,
                True,
                settings.question_match,
                _question_text,
                examples=True,
            ),
            Field(settings.answer_weight, False, settings.answer_only_match, _answer_text),
        ]
        chunked = [self._field_chunks(field) for field in fields]
        chunked.reverse()  # popped in field order, so each field's arrays are freed after use
        chunk_flat, chunk_len = self._chunk_words()
        chunk_start = (np.cumsum(chunk_len, dtype=np.int64) - chunk_len).astype(np.int32)
        ptr = np.asarray(self._word_term_ptr, dtype=np.int32)
        term_flat = np.asarray(self._word_term_flat, dtype=np.int32)
        term_start, term_len = ptr[:-1], np.diff(ptr)
        doc_numbers = np.arange(n_docs, dtype=np.int32)

        occurrences: list[Occurrences] = []
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
                    Occurrences(terms, term_docs, code)
                    for terms, term_docs in _expand_unordered(
                        term_flat, term_start, term_len, words, docs
                    )
                )
            del word_pieces
        occurrences.extend(self._bigram_occurrences(bigrams))
        return self._postings(occurrences, fields, doc_len)

    def _bigram_occurrences(
        self, bigrams: list[tuple[Int64Array, IntArray, int]]
    ) -> list[Occurrences]:
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
                BIGRAM_JOINER.join,
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
        out: list[Occurrences] = []
        offset = 0
        for pairs, pair_docs, code in bigrams:
            out.append(Occurrences(pair_ids[offset : offset + len(pairs)], pair_docs, code))
            offset += len(pairs)
        return out

    def _postings(
        self, occurrences: list[Occurrences], fields: list[Field], doc_len: FloatArray64
    ) -> Postings:
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
        return Postings(idf, indptr, cols, weights, salience)

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
