"""What the bot does with the evaluation questions: answer, suggest or decline (knowledge/
reading.py), scored per language and per kind of question on the held-out half, beside plain
BM25 (rank_bm25) and SQLite FTS5 over the same entries, each with its threshold chosen on the
tuning half."""

from __future__ import annotations

import argparse
import math
import sqlite3
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from rank_bm25 import BM25Okapi  # noqa: E402

from bot.knowledge import LANGUAGES, Entry, KnowledgeIndex, load_directory  # noqa: E402
from bot.knowledge.intents import IntentRecognizer, load_intents, understand  # noqa: E402
from bot.knowledge.normalize import tokenize  # noqa: E402
from bot.knowledge.reading import SHOWN_ENTRIES  # noqa: E402
from bot.knowledge.settings import DEFAULT_SETTINGS, SearchSettings  # noqa: E402
from bot.knowledge.synonyms import Synonyms, load_synonyms  # noqa: E402

CONTENT_DIR = ROOT / "content" / "knowledge"
SYNONYMS_FILE = ROOT / "content" / "synonyms.yaml"
INTENTS_FILE = ROOT / "content" / "intents.yaml"
EVAL_FILE = ROOT / "benchmarks" / "data" / "eval_questions.yaml"
# Thresholds and weights are chosen on the tuning half; the held-out half is what we report.
TUNE, HELDOUT = "tune", "heldout"
# The goals (issue 18), on the held-out half.
GOAL_RIGHT = 0.80  # right direct answer, per language and per kind
GOAL_REACHABLE = 0.95  # right entry reachable in one tap (the answer or a suggestion)
GOAL_WRONG = 0.05  # wrong direct answers, at most
GOAL_UNANSWERABLE = 0.10  # unanswerable questions answered directly, at most
GOAL_INTENT = 0.95
# Not a goal of the issue but its rule that only a message with nothing related is declined,
# read the other way: of the off-topic messages (kind unanswerable), calibration aims to
# decline this share at least rather than show them entries.
AIM_OFF_TOPIC_DECLINED = 0.7


@dataclass(frozen=True)
class EvalQuestion:
    q: str
    lang: str
    expected: tuple[str, ...]
    split: str
    kind: str
    intent: str | None


def load_questions(path: Path) -> list[EvalQuestion]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        EvalQuestion(
            str(item["q"]),
            str(item["lang"]),
            tuple(item.get("expected") or ()),
            str(item["split"]),
            str(item.get("kind") or ("dialect" if item.get("dialect") else "plain")),
            str(item["intent"]) if item.get("intent") else None,
        )
        for item in raw
    ]


@dataclass(frozen=True)
class Outcome:
    """What an engine does with a question: the direct answer, every entry reachable in one
    tap (the answer first), the feature it leads to."""

    answer: str | None
    shown: tuple[str, ...]
    intent: str | None = None


Engine = Callable[[EvalQuestion], Outcome]


@dataclass
class Tally:
    answerable: int = 0
    right: int = 0
    reachable: int = 0
    wrong: int = 0
    unanswerable: int = 0
    unanswerable_answered: int = 0
    unanswerable_declined: int = 0
    intents: int = 0
    intent_right: int = 0

    def add(self, item: EvalQuestion, outcome: Outcome) -> None:
        if item.intent is not None:
            self.intents += 1
            self.intent_right += outcome.intent == item.intent
        if item.expected:
            self.answerable += 1
            self.right += outcome.answer in item.expected
            self.reachable += any(slug in item.expected for slug in outcome.shown)
            self.wrong += outcome.answer is not None and outcome.answer not in item.expected
        elif item.intent is None:
            self.unanswerable += 1
            self.unanswerable_answered += outcome.answer is not None
            self.unanswerable_declined += not outcome.shown

    @staticmethod
    def share(part: int, whole: int) -> float:
        return part / whole if whole else math.nan

    def figures(self) -> dict[str, float]:
        return {
            "right": self.share(self.right, self.answerable),
            "reach": self.share(self.reachable, self.answerable),
            "wrong": self.share(self.wrong, self.answerable),
            "unans_answered": self.share(self.unanswerable_answered, self.unanswerable),
            "unans_declined": self.share(self.unanswerable_declined, self.unanswerable),
            "intent": self.share(self.intent_right, self.intents),
        }


def tally(engine: Engine, questions: Iterable[EvalQuestion], verbose: bool = False) -> Tally:
    result = Tally()
    for item in questions:
        outcome = engine(item)
        result.add(item, outcome)
        if verbose and item.expected and outcome.answer not in item.expected:
            print(
                f"  MISS [{item.lang} {item.kind}] {item.q!r}: answer {outcome.answer} "
                f"shown {list(outcome.shown)} want {list(item.expected)}"
            )
        elif verbose and not item.expected and outcome.answer is not None:
            print(f"  FALSE ANSWER [{item.lang} {item.kind}] {item.q!r}: {outcome.answer}")
    return result


def groups(questions: Sequence[EvalQuestion]) -> list[tuple[str, list[EvalQuestion]]]:
    """Per language, then per kind of question."""
    by_lang = [(lang, [q for q in questions if q.lang == lang]) for lang in LANGUAGES]
    kinds = sorted({q.kind for q in questions})
    return by_lang + [(f"kind:{kind}", [q for q in questions if q.kind == kind]) for kind in kinds]


# What a reply is worth to the person, for calibration: a wrong direct answer misleads an
# official (they act on it, or must notice it is wrong), so it costs more than a right one
# earns; a suggestion that holds the right entry costs one tap, so it earns part of an answer.
RIGHT_CREDIT = 1.0
SUGGESTED_CREDIT = 0.5
WRONG_COST = 2.0
# A question nothing answers, answered directly with an entry that shares its words.
UNANSWERABLE_ANSWERED_COST = 2.0
# An off-topic message declined rather than shown entries (AIM_OFF_TOPIC_DECLINED), a little.
OFF_TOPIC_DECLINED_CREDIT = 0.2


def utility(figures: dict[str, float]) -> list[float]:
    """The worth of a group's replies per question: answerable questions, then unanswerable
    ones (each only when the group has some)."""
    values: list[float] = []
    if not math.isnan(figures["right"]):
        suggested = figures["reach"] - figures["right"]
        values.append(
            RIGHT_CREDIT * figures["right"]
            + SUGGESTED_CREDIT * suggested
            - WRONG_COST * figures["wrong"]
        )
    if not math.isnan(figures["unans_answered"]):
        values.append(-UNANSWERABLE_ANSWERED_COST * figures["unans_answered"])
    return values


def objective(engine: Engine, questions: Sequence[EvalQuestion]) -> float:
    """What calibration maximises on the tuning half: the worth of the replies (utility) in
    each language and each kind, averaged, so that no language or kind is sacrificed; the
    off-topic messages declined towards AIM_OFF_TOPIC_DECLINED, and the intents, count too."""
    values: list[float] = []
    for _, subset in groups(questions):
        values += utility(tally(engine, subset).figures())
    everything = tally(engine, questions).figures()
    if not math.isnan(everything["intent"]):
        values.append(everything["intent"])
    off_topic = tally(engine, [q for q in questions if q.kind == "unanswerable"]).figures()
    if not math.isnan(off_topic["unans_declined"]):
        values.append(
            OFF_TOPIC_DECLINED_CREDIT
            * min(off_topic["unans_declined"] / AIM_OFF_TOPIC_DECLINED, 1.0)
        )
    return sum(values) / max(len(values), 1)


# --- the bot's engine --------------------------------------------------------------------------


def coverage_rule_engine(index: KnowledgeIndex) -> Engine:
    """The decision before the tiers: answer with the best entry when one covers enough of
    the whole message (KnowledgeIndex.search), its neighbours as buttons; else decline."""

    def engine(item: EvalQuestion) -> Outcome:
        hits = index.search(item.q, lang=item.lang).hits
        return Outcome(hits[0].slug if hits else None, tuple(hit.slug for hit in hits))

    return engine


def bot_engine(index: KnowledgeIndex, intents: IntentRecognizer) -> Engine:
    """The bot's reading of a message: the knowledge base's tiers and the feature it asks for
    (content/intents.yaml), combined as the bot combines them."""

    def engine(item: EvalQuestion) -> Outcome:
        reading = understand(index, intents, item.q, lang=item.lang).reading
        return Outcome(reading.answer, reading.shown, reading.intent)

    return engine


def intent_recognizer(synonyms: Synonyms) -> IntentRecognizer:
    catalog, problems = load_intents(INTENTS_FILE)
    for problem in problems:
        print(f"warning: {problem}")
    return IntentRecognizer(catalog, synonyms=synonyms)


# What --calibrate tries for each setting (coordinate ascent from the current settings).
CALIBRATION_GRID: dict[str, tuple[float, ...]] = {
    # Floors: below 0.5 a question half of which no entry covers is answered ("who won the
    # football match?", "quarterly budget of the prefecture?"), and with no gap a word that
    # several entries share ("youth").
    "answer_min_coverage": (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9),
    "fact_answer_min_coverage": (0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0),
    "answer_gap_weight": (0.0, 0.25, 0.5, 0.75, 1.0),
    "answer_min_surety": (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 1.0, 1.1),
    "context_word_factor": (0.1, 0.2, 0.3, 0.5, 0.7),
    "answer_min_gap": (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4),
    # Floor: below 0.3 off-topic messages ("Who won the football match?", "How is the weather
    # tomorrow in Amman?") are shown entries instead of the decline and the offer to forward.
    "suggest_min_coverage": (0.3, 0.35, 0.4, 0.45, 0.5),
    "context_part_factor": (0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
    "unknown_word_mass": (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2),
    "fact_cue_mass": (0.5, 1.0, 1.5, 2.0, 3.0),
    "min_word_mass": (0.1, 0.2, 0.3, 0.4),
    "non_topical_word_factor": (0.1, 0.2, 0.3, 0.5, 0.7, 1.0),
    "answer_only_match": (0.3, 0.45, 0.6, 0.75, 0.9),
    "question_match": (0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
    "title_weight": (1.5, 2.0, 2.5, 3.0, 3.5, 4.0),
    "keyword_weight": (1.5, 2.0, 2.5, 3.0, 3.5),
    "question_weight": (0.5, 1.0, 1.5, 2.0, 2.5, 3.0),
    "answer_weight": (0.5, 1.0, 1.5),
    "bigram_weight": (0.0, 0.25, 0.5, 1.0),
    "synonym_weight": (0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
    "morphology_weight": (0.6, 0.75, 0.85, 1.0),
    "example_question_boost": (0.0, 0.5, 1.0, 2.0),
    "coverage_rank_power": (0.0, 0.5, 1.0, 2.0),
    "relative_min_score": (0.2, 0.3, 0.4, 0.5),
    "name_word_factor": (0.3, 0.5, 0.7, 1.0),
}
# Settings that change the index itself, not only how it is searched.
INDEX_SETTINGS = {
    "title_weight",
    "keyword_weight",
    "question_weight",
    "answer_weight",
    "answer_only_match",
    "question_match",
}


# The settings of the decision alone (knowledge/reading.py): --calibrate --decision tries only
# these, which needs no new index and takes a minute.
DECISION_SETTINGS = (
    "answer_min_coverage",
    "fact_answer_min_coverage",
    "answer_gap_weight",
    "answer_min_surety",
    "context_word_factor",
    "answer_min_gap",
    "suggest_min_coverage",
    "context_part_factor",
)


def calibrate(
    entries: dict[str, Entry],
    synonyms: Synonyms,
    tuning: list[EvalQuestion],
    rounds: int,
    names: Sequence[str] = tuple(CALIBRATION_GRID),
) -> SearchSettings:
    """Coordinate ascent over CALIBRATION_GRID on the tuning half only; prints the settings."""
    best = DEFAULT_SETTINGS
    cache: dict[SearchSettings, KnowledgeIndex] = {}
    intents = intent_recognizer(synonyms)

    def value(settings: SearchSettings) -> float:
        index = cache.get(settings)
        if index is None:
            index = cache[settings] = KnowledgeIndex.build(
                entries, synonyms=synonyms, settings=settings
            )
        return objective(bot_engine(index, intents), tuning)

    best_value = value(best)
    print(f"start: {best_value:.4f}")
    for _ in range(rounds):
        improved = False
        for name in names:
            for candidate in CALIBRATION_GRID[name]:
                trial = replace(best, **{name: candidate})
                trial_value = value(trial)
                if trial_value > best_value + 1e-9:
                    best, best_value, improved = trial, trial_value, True
                    print(f"{name}={candidate}: {best_value:.4f}")
            if name in INDEX_SETTINGS:
                cache.clear()
        if not improved:
            break
    changed = {
        f.name: getattr(best, f.name)
        for f in fields(best)
        if getattr(best, f.name) != getattr(DEFAULT_SETTINGS, f.name)
    }
    print(f"best on the tuning half: {best_value:.4f}; changed settings: {changed}")
    return best


# --- plain lexical engines over the same entries -----------------------------------------------


def entry_text(entry: Entry) -> str:
    return "\n".join(
        (
            *(entry.title.get(lang) for lang in LANGUAGES),
            *(k for lang in LANGUAGES for k in entry.keywords.get(lang)),
            *(q for lang in LANGUAGES for q in entry.questions.get(lang)),
            *(entry.answer.get(lang) for lang in LANGUAGES),
        )
    )


Ranker = Callable[[str], list[tuple[str, float]]]


def bm25_ranker(entries: dict[str, Entry]) -> Ranker:
    """rank_bm25's Okapi BM25 over the entries, words normalised and stemmed as the bot does."""
    slugs = list(entries)
    model = BM25Okapi([tokenize(entry_text(entries[slug])) or ["_"] for slug in slugs])

    def rank(question: str) -> list[tuple[str, float]]:
        words = tokenize(question)
        if not words:
            return []
        scores = model.get_scores(words)
        order = sorted(range(len(slugs)), key=lambda i: -scores[i])[:SHOWN_ENTRIES]
        return [(slugs[i], float(scores[i])) for i in order if scores[i] > 0.0]

    return rank


def fts5_ranker(entries: dict[str, Entry]) -> Ranker:
    """SQLite FTS5 (bm25()) over the same normalised and stemmed words, any word matching."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE entry USING fts5(slug UNINDEXED, body)")
    db.executemany(
        "INSERT INTO entry (slug, body) VALUES (?, ?)",
        [(slug, " ".join(tokenize(entry_text(entry)))) for slug, entry in entries.items()],
    )

    def rank(question: str) -> list[tuple[str, float]]:
        words = dict.fromkeys(tokenize(question))
        if not words:
            return []
        query = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
        rows = db.execute(
            "SELECT slug, -bm25(entry) FROM entry WHERE entry MATCH ? ORDER BY bm25(entry) LIMIT ?",
            (query, SHOWN_ENTRIES),
        ).fetchall()
        return [(str(slug), float(score)) for slug, score in rows]

    return rank


def threshold_engine(ranked: dict[str, list[tuple[str, float]]], threshold: float) -> Engine:
    """Answer with the best entry when its score reaches the threshold, else show the ranked
    entries as suggestions (decline when nothing matches)."""

    def engine(item: EvalQuestion) -> Outcome:
        hits = ranked[item.q]
        answer = hits[0][0] if hits and hits[0][1] >= threshold else None
        return Outcome(answer, tuple(slug for slug, _ in hits))

    return engine


def tuned_threshold(ranker: Ranker, questions: list[EvalQuestion]) -> tuple[Engine, float]:
    """The engine with its best answering threshold on the tuning half."""
    ranked = {q.q: ranker(q.q) for q in questions}
    tuning = [q for q in questions if q.split == TUNE]
    scores = sorted({hits[0][1] for q in tuning if (hits := ranked[q.q])})
    candidates = [*scores, math.inf]
    best = max(candidates, key=lambda t: objective(threshold_engine(ranked, t), tuning))
    return threshold_engine(ranked, best), best


# --- report ------------------------------------------------------------------------------------


def short(name: str) -> str:
    return name.replace("kind:", "")


def report(
    name: str, engine: Engine, questions: list[EvalQuestion], *, detailed: bool
) -> list[str]:
    """Prints the held-out figures of an engine; returns its key=value figures."""
    heldout = [q for q in questions if q.split == HELDOUT]
    overall = tally(engine, heldout).figures()
    print(
        f"{name} heldout all: right={overall['right']:.2f} reach={overall['reach']:.2f} "
        f"wrong={overall['wrong']:.2f} unanswerable_answered={overall['unans_answered']:.2f} "
        f"unanswerable_declined={overall['unans_declined']:.2f}"
    )
    keys = [
        f"{name}_right={overall['right']:.2f}",
        f"{name}_reach={overall['reach']:.2f}",
        f"{name}_wrong={overall['wrong']:.2f}",
        f"{name}_unans_answered={overall['unans_answered']:.2f}",
    ]
    if not detailed:
        return keys
    if not math.isnan(overall["intent"]):
        keys.append(f"{name}_intent={overall['intent']:.2f}")
    for group, subset in groups(heldout):
        counts = tally(engine, subset)
        f = counts.figures()
        print(
            f"  {short(group):>14}: {counts.answerable:3d} answerable right={f['right']:.2f} "
            f"reach={f['reach']:.2f} wrong={f['wrong']:.2f}; {counts.unanswerable:2d} "
            f"unanswerable answered={f['unans_answered']:.2f} declined={f['unans_declined']:.2f}"
            + (f"; {counts.intents} intents right={f['intent']:.2f}" if counts.intents else "")
        )
        keys += [
            f"{name}_{short(group)}_{figure}={value:.2f}"
            for figure, value in f.items()
            if figure in ("right", "reach", "wrong", "unans_answered", "intent")
            and not math.isnan(value)
        ]
    return keys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="print every miss of the tuning half"
    )
    parser.add_argument(
        "--calibrate", action="store_true", help="search settings on the tuning half and stop"
    )
    parser.add_argument("--rounds", type=int, default=3, help="calibration rounds")
    parser.add_argument(
        "--decision", action="store_true", help="calibrate only the settings of the decision"
    )
    args = parser.parse_args()

    loaded = load_directory(CONTENT_DIR)
    synonyms, problems = load_synonyms(SYNONYMS_FILE)
    for problem in problems:
        print(f"warning: {problem}")
    questions = load_questions(EVAL_FILE)
    unknown = {s for q in questions for s in q.expected if s not in loaded.entries}
    if unknown:
        print(f"warning: expected slugs not in content: {', '.join(sorted(unknown))}")
    tuning = [q for q in questions if q.split == TUNE]
    if args.calibrate:
        names = DECISION_SETTINGS if args.decision else tuple(CALIBRATION_GRID)
        calibrate(loaded.entries, synonyms, tuning, args.rounds, names)
        return 0

    index = KnowledgeIndex.build(loaded.entries, synonyms=synonyms)
    bot = bot_engine(index, intent_recognizer(synonyms))
    if args.verbose:
        # Misses of the held-out half are never shown: reading them is tuning on them.
        print("tune misses:")
        tally(bot, tuning, verbose=True)
    tune = tally(bot, tuning).figures()
    print(
        f"bot tune all: right={tune['right']:.2f} reach={tune['reach']:.2f} "
        f"wrong={tune['wrong']:.2f} unanswerable_answered={tune['unans_answered']:.2f}"
    )
    heldout = sum(q.split == HELDOUT for q in questions)
    print(f"{len(questions)} questions, {heldout} held out; figures on the held-out half")
    figures = report("bot", bot, questions, detailed=True)
    figures += report("coverage_rule", coverage_rule_engine(index), questions, detailed=False)
    for name, ranker in (("bm25", bm25_ranker), ("fts5", fts5_ranker)):
        engine, threshold = tuned_threshold(ranker(loaded.entries), questions)
        print(f"{name}: answers at score >= {threshold:.3f} (chosen on the tuning half)")
        figures += report(name, engine, questions, detailed=False)
    print(" ".join(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
