"""Every weight and threshold of the knowledge search and of its decision to answer, suggest or
decline, in one value (benchmarks/knowledge_quality.py --calibrate chooses them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class SearchSettings:
    """Every weight and threshold of the search, chosen on the tuning half of
    benchmarks/data/eval_questions.yaml (benchmarks/knowledge_quality.py --calibrate)."""

    # Titles, keywords and example questions say what an entry is about; answers also mention
    # neighbouring topics.
    title_weight: float = 2.5
    keyword_weight: float = 1.5
    question_weight: float = 2.0
    answer_weight: float = 1.0
    # Answering at all: some entry must account for this share of the question's information,
    # each content word weighing its idf (floored) and each word unknown to the knowledge base
    # a fixed share of the largest idf (shares, so they scale with the size of the base).
    min_coverage: float = 0.6
    min_word_mass: float = 0.3
    unknown_word_mass: float = 0.6
    # A question asking for a kind of fact (an amount, a number, a vacancy: knowledge/facts.py)
    # weighs this share of the largest idf more, covered only by entries that state such a fact.
    fact_cue_mass: float = 3.0
    # A word found only in an entry's example questions, or only in its answer, is weaker
    # evidence that the entry is about it than one in its title or keywords.
    question_match: float = 0.6
    answer_only_match: float = 0.45
    non_topical_word_factor: float = 0.5
    # Proper names (places, people, months: facts.proper_names) weigh this share of their idf.
    name_word_factor: float = 1.0
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

    # The decision (knowledge/reading.py), judged on the part of a message whose evidence is
    # strongest. Answer at once: the best entry covers at least this share of the part, its
    # score stands at least this far ahead of the next entry's (gap: 1 - next / best), and
    # coverage + answer_gap_weight * gap reaches answer_min_surety. Calibrated with a wrong
    # direct answer costing twice what a right one earns (knowledge_quality.objective): when
    # unsure, the bot suggests, which costs the person one tap, rather than mislead them.
    answer_min_coverage: float = 0.5
    answer_min_gap: float = 0.05
    answer_gap_weight: float = 0.5
    answer_min_surety: float = 0.8
    # A part asking for a fact (knowledge/facts.py) is answered only when the entry covers more
    # of it: sharing the subject is not stating the fact ("how much did Fes get from the fund").
    fact_answer_min_coverage: float = 0.9
    # Otherwise suggest the closest entries when one covers this share of some part; else
    # decline and offer to forward the question.
    suggest_min_coverage: float = 0.35
    # A part that gives context next to a part that asks a question counts this much.
    context_part_factor: float = 1.0
    # Read with the rest of the message as its context, a question's own words count fully
    # and the context's this much (they may name the subject: "what was that meeting about?").
    context_word_factor: float = 0.1


DEFAULT_SETTINGS: Final = SearchSettings()
