"""The mechanics that make search fast give the results of the plain computation: the letter-pair
filter before typo corrections (knowledge/spelling.py), the choice of the best entries, and a
few rankings of real messages pinned."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.knowledge import Entry, KnowledgeIndex, Translated, load_directory
from bot.knowledge.normalize import is_arabic_word
from bot.knowledge.search import (
    FUZZY_MAX_CANDIDATES,
    FUZZY_TWO_EDITS_MIN_CHARS,
    FUZZY_WEIGHT_BY_DISTANCE,
    PRIMARY_TERM_WEIGHT,
    SECONDARY_TERM_WEIGHT,
    _Alternative,
)
from bot.knowledge.spelling import PairFilter
from bot.knowledge.synonyms import load_synonyms

ROOT = Path(__file__).resolve().parent.parent
# Few syllables, so that many words share letters and letter pairs: the filter's hard case.
SYLLABLES = ("pre", "ven", "tion", "mu", "ni", "ci", "pal", "re", "si", "lient", "بل", "دي", "ات")
LETTERS = "abcdeilmnoprstuvéبلديةات"


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < size:
        latin = rng.random() < 0.7
        pool = SYLLABLES[:10] if latin else SYLLABLES[10:]
        words["".join(rng.choice(pool) for _ in range(rng.randint(2, 5)))] = None
    return list(words)


def misspelt(word: str, rng: random.Random, edits: int) -> str:
    """The word with `edits` random edits: a letter replaced, added, removed, or two swapped."""
    for _ in range(edits):
        at = rng.randrange(len(word))
        kind = rng.randrange(4)
        if kind == 0:
            word = word[:at] + rng.choice(LETTERS) + word[at + 1 :]
        elif kind == 1:
            word = word[:at] + rng.choice(LETTERS) + word[at:]
        elif kind == 2 and len(word) > 1:
            word = word[:at] + word[at + 1 :]
        elif at < len(word) - 1:
            word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word


def buckets_of(words: list[str]) -> dict[tuple[bool, int], list[str]]:
    buckets: dict[tuple[bool, int], list[str]] = {}
    for word in words:
        buckets.setdefault((is_arabic_word(word), len(word)), []).append(word)
    return buckets


def test_the_pair_filter_keeps_every_word_within_the_distance_in_order() -> None:
    rng = random.Random(18)
    words = vocabulary(rng, 3000)
    buckets = buckets_of(words)
    pairs = PairFilter(buckets, min_length=3)
    tried = 0
    for _ in range(400):
        query = misspelt(rng.choice(words), rng, rng.choice((1, 2, 2, 3)))
        distance = 1 if len(query) < FUZZY_TWO_EDITS_MIN_CHARS else 2
        script = is_arabic_word(query)
        lengths = range(len(query) - distance, len(query) + distance + 1)
        kept = pairs.candidates(query, script, lengths, distance)
        if kept is None:
            continue
        tried += 1
        for length in lengths:
            bucket = buckets.get((script, length), [])
            near = [w for w in bucket if OSA.distance(query, w) <= distance]
            survivors = kept.get(length, [])
            assert set(near) <= set(survivors), query
            # In the bucket's order, so that ties among corrections fall the same way.
            assert survivors == [w for w in bucket if w in set(survivors)]
    assert tried > 300


def test_typo_corrections_are_those_of_comparing_every_word() -> None:
    rng = random.Random(21)
    words = vocabulary(rng, 4000)
    entries = [
        Entry(
            slug=f"entry-{number}",
            topic="hub",
            title=Translated(*(" ".join(rng.sample(words, 4)) for _ in range(3))),
            answer=Translated(*(" ".join(rng.sample(words, 40)) for _ in range(3))),
            keywords=Translated((), (), ()),
        )
        for number in range(150)
    ]
    index = KnowledgeIndex.build(entries)
    long_words = [w for w in words if len(w) >= FUZZY_TWO_EDITS_MIN_CHARS]
    queries = [misspelt(rng.choice(long_words), rng, rng.choice((1, 2))) for _ in range(300)]
    compared = 0
    for query in queries:
        if len(query) < FUZZY_TWO_EDITS_MIN_CHARS or index._direct_alternatives(query):
            continue
        compared += 1
        assert index._typo_alternatives(query) == full_comparison(index, query), query
    assert compared > 200


def full_comparison(index: KnowledgeIndex, word: str) -> list[_Alternative]:
    """Typo corrections of a long word as they were found before the filter: every word of
    the lengths around it compared."""
    script = is_arabic_word(word)
    found: list[tuple[int, str]] = []
    for length in range(len(word) - 2, len(word) + 3):
        bucket = index._fuzzy_buckets.get((script, length), [])
        if bucket:
            found += [
                (int(distance), choice)
                for choice, distance, _ in process.extract(
                    word, bucket, scorer=OSA.distance, score_cutoff=2, limit=FUZZY_MAX_CANDIDATES
                )
            ]
    if not found:
        return []
    best = min(distance for distance, _ in found)
    weights: dict[int, float] = {}
    for distance, choice in sorted(found)[:FUZZY_MAX_CANDIDATES]:
        if distance == best:
            for position, term in enumerate(index._surface_words[choice]):
                term_weight = FUZZY_WEIGHT_BY_DISTANCE[best] * (
                    PRIMARY_TERM_WEIGHT if position == 0 else SECONDARY_TERM_WEIGHT
                )
                weights[term] = max(weights.get(term, 0.0), term_weight)
    return [_Alternative(term, weight) for term, weight in weights.items()]


@pytest.mark.parametrize("seed", range(5))
def test_the_best_entries_are_the_highest_scores_ties_in_entry_order(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Few distinct values, so that ties are many; zeros and below never count.
    scores = rng.choice(np.array([0.0, 0.5, 1.0, 2.5, 3.0], dtype=np.float32), size=200)
    for limit in (1, 3, 5, 250):
        expected = sorted(
            (d for d in range(len(scores)) if scores[d] > 0), key=lambda d: (-scores[d], d)
        )
        assert KnowledgeIndex._top(scores, limit) == expected[:limit]


@pytest.fixture(scope="module")
def real_index() -> KnowledgeIndex:
    synonyms, _ = load_synonyms(ROOT / "content" / "synonyms.yaml")
    return KnowledgeIndex.build(
        load_directory(ROOT / "content" / "knowledge").entries, synonyms=synonyms
    )


# The three best entries for messages of each kind, as the ranking gives them; a change of the
# search's mechanics must leave them as they are (a change of its scoring may move them).
PINNED = [
    (
        "Our municipality works a lot with women's associations, we have a shelter and a "
        "hotline. The council wants to link this to prevention work. Is there an example from "
        "another city in the region?",
        ["gender-inclusion", "youth-engagement", "case-rabat-gender-centres"],
    ),
    (
        "ناقش مجلس جماعة اكادير اجتماع طنجة مع جمعية رؤساء المجالس الجماعية لكنني كنت مريضا "
        "ولم احضر. ماذا وقعت الجمعية بالضبط مع شبكة المدن القوية؟",
        ["case-morocco-ampcc", "case-fes-youth-council", "join-network"],
    ),
    (
        "guide de gestion de crize d'amman",
        ["case-amman-crisis-guide", "guide-city-led-response", "crisis-response"],
    ),
    (
        "what is a local prevention network and can you help us set one up in our baladiya",
        ["local-prevention-networks", "network-overview", "technical-support"],
    ),
    (
        "شن هو الدعم الفني اللي يقدمه المركز؟",
        ["technical-support", "hub-overview", "crisis-response"],
    ),
    ("ezay n2addem 3ala da3m fanni?", ["technical-support", "join-network", "hub-priorities"]),
]


@pytest.mark.parametrize(("message", "ranked"), PINNED)
def test_pinned_rankings_of_real_messages(
    real_index: KnowledgeIndex, message: str, ranked: list[str]
) -> None:
    assert [hit.slug for hit in real_index.rank(message, 3)] == ranked
