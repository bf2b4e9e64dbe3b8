"""Which words of the index can be within two edits of a misspelt word: a filter on shared
letter pairs, so that the edit distance (knowledge/search.py) is computed for a few words of
each length rather than for all of them.

A word of 10 letters meets about 20,000 words of 8 to 12 letters in a 10,000-entry base;
computing the distance to each took about 2 ms, most of a long message's time. What the filter
keeps is exactly what can pass, so the corrections found are the same:

- Each word is read as its letter pairs, with a start and an end mark ("^s", "sf", "fa", "ax",
  "x$" for "sfax"), each at its position.
- One edit (optimal string alignment: a letter replaced, added, removed, or two neighbours
  swapped) breaks at most three of a word's pairs (a swap breaks the pair it swaps and the
  two around it); a pair it leaves whole moves by at most one place.
- So a word within `d` edits of the query has, within `d` places of where the query has
  them, all but at most 3 * d of the query's pairs.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import chain
from typing import Final

import numpy as np

from bot.knowledge.postings import IntArray

# A pair's position is a bit of one integer per word; longer words are not filtered.
_MAX_PAIRS: Final = 64
# Pairs one edit can break at most.
_PAIRS_BROKEN_PER_EDIT: Final = 3
_START: Final = "\x01"
_END: Final = "\x02"

BucketKey = tuple[bool, int]  # (Arabic script, length)


def letter_pairs(word: str) -> list[str]:
    marked = f"{_START}{word}{_END}"
    return [marked[at : at + 2] for at in range(len(marked) - 1)]


class PairFilter:
    """Positional letter pairs of the words of some length buckets (script, length)."""

    def __init__(self, buckets: Mapping[BucketKey, list[str]], min_length: int) -> None:
        # Word numbers run bucket by bucket, (script, length) in order, each bucket's words in
        # its own order: the words of a script and a range of lengths are one run of numbers,
        # and a bucket's survivors come out in the bucket's order.
        self._starts: dict[BucketKey, int] = {}
        self._words: list[str] = []
        postings: dict[tuple[str, int], list[int]] = {}
        for key in sorted(k for k in buckets if k[1] >= min_length):
            self._starts[key] = len(self._words)
            for number, word in enumerate(buckets[key], start=len(self._words)):
                for at, pair in enumerate(letter_pairs(word)):
                    postings.setdefault((pair, at), []).append(number)
            self._words.extend(buckets[key])
        self._ends = {key: start + len(buckets[key]) for key, start in self._starts.items()}
        # All posting lists in one array; each (pair, position) is a slice of it.
        self._slices: dict[tuple[str, int], tuple[int, int]] = {}
        offset = 0
        for slot, numbers in postings.items():
            self._slices[slot] = (offset, offset + len(numbers))
            offset += len(numbers)
        self._numbers: IntArray = np.fromiter(
            chain.from_iterable(postings.values()), dtype=np.int32, count=offset
        )

    def candidates(
        self, word: str, script: bool, lengths: range, max_distance: int
    ) -> dict[int, list[str]] | None:
        """The words of each length that may be within `max_distance` edits of `word`, each
        bucket's in its order; None when the filter cannot tell (then compare them all)."""
        pairs = letter_pairs(word)
        needed = len(pairs) - _PAIRS_BROKEN_PER_EDIT * max_distance
        if needed <= 0 or len(pairs) > _MAX_PAIRS:
            return None
        present = [length for length in lengths if (script, length) in self._starts]
        if not present:
            return {}
        # Bit `at` of a word's mask: it has the query's pair `at` near the same place.
        masks = np.zeros(len(self._words), dtype=np.uint64)
        for at, pair in enumerate(pairs):
            found: list[IntArray] = []
            for place in range(max(at - max_distance, 0), at + max_distance + 1):
                bounds = self._slices.get((pair, place))
                if bounds is not None:
                    found.append(self._numbers[bounds[0] : bounds[1]])
            if found:
                numbers = found[0] if len(found) == 1 else np.concatenate(found)
                masks[numbers] |= np.uint64(1 << at)
        low = self._starts[(script, present[0])]
        high = self._ends[(script, present[-1])]
        kept = low + np.flatnonzero(np.bitwise_count(masks[low:high]) >= needed)
        words = self._words
        by_length: dict[int, list[str]] = {}
        for length in present:
            start, end = self._starts[(script, length)], self._ends[(script, length)]
            inside = kept[(kept >= start) & (kept < end)]
            by_length[length] = [words[number] for number in inside.tolist()]
        return by_length
