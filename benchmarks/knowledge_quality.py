"""Answer quality of the knowledge search on the evaluation questions, per split and language."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from bot.knowledge import LANGUAGES, KnowledgeIndex, load_directory  # noqa: E402

CONTENT_DIR = ROOT / "content" / "knowledge"
EVAL_FILE = ROOT / "benchmarks" / "data" / "eval_questions.yaml"
# Thresholds and weights are chosen on the tuning half; the held-out half is what we report.
SPLITS = ("tune", "heldout")


@dataclass(frozen=True)
class EvalQuestion:
    q: str
    lang: str
    expected: tuple[str, ...]
    split: str
    dialect: bool


@dataclass(frozen=True)
class Score:
    answerable: int
    hit1: int
    hit3: int
    unanswerable: int
    declined: int
    wrongly_declined: int

    def ratio(self, part: int, whole: int) -> float:
        return part / whole if whole else 1.0


def load_questions(path: Path) -> list[EvalQuestion]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        EvalQuestion(
            str(i["q"]),
            str(i["lang"]),
            tuple(i["expected"] or ()),
            str(i["split"]),
            bool(i.get("dialect", False)),
        )
        for i in raw
    ]


def evaluate(
    index: KnowledgeIndex, questions: list[EvalQuestion], *, detect: bool, verbose: bool
) -> Score:
    answerable = hit1 = hit3 = unanswerable = declined = wrongly_declined = 0
    for item in questions:
        result = index.search(item.q, lang=None if detect else item.lang)
        slugs = [h.slug for h in result.hits]
        if item.expected:
            answerable += 1
            hit1 += bool(slugs) and slugs[0] in item.expected
            hit3 += any(s in item.expected for s in slugs[:3])
            wrongly_declined += not slugs
            if verbose and (not slugs or slugs[0] not in item.expected):
                print(f"  MISS [{item.lang}] {item.q!r}: got {slugs} want {list(item.expected)}")
        else:
            unanswerable += 1
            declined += not slugs
            if verbose and slugs:
                print(f"  FALSE ANSWER [{item.lang}] {item.q!r}: got {slugs}")
    return Score(answerable, hit1, hit3, unanswerable, declined, wrongly_declined)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--verbose", "-v", action="store_true", help="print every miss")
    parser.add_argument("--detect", action="store_true", help="detect the language, do not pass it")
    args = parser.parse_args()

    loaded = load_directory(CONTENT_DIR)
    index = KnowledgeIndex.build(loaded.entries)
    questions = load_questions(EVAL_FILE)
    unknown = {s for q in questions for s in q.expected if s not in loaded.entries}
    if unknown:
        print(f"warning: expected slugs not in content: {', '.join(sorted(unknown))}")

    figures: list[str] = []
    for split in SPLITS:
        in_split = [q for q in questions if q.split == split]
        groups = [(lang, [q for q in in_split if q.lang == lang]) for lang in LANGUAGES]
        groups.append(("dialect", [q for q in in_split if q.dialect]))
        for name, subset in groups:
            if args.verbose:
                print(f"{split} {name}:")
            score = evaluate(index, subset, detect=args.detect, verbose=args.verbose)
            h1 = score.ratio(score.hit1, score.answerable)
            h3 = score.ratio(score.hit3, score.answerable)
            dec = score.ratio(score.declined, score.unanswerable)
            print(
                f"{split} {name}: {score.answerable} answerable, hit@1={h1:.2f} hit@3={h3:.2f} "
                f"(declined by mistake: {score.wrongly_declined}); "
                f"{score.unanswerable} unanswerable, declined={dec:.2f}"
            )
            figures += [
                f"{split}_{name}_hit1={h1:.2f}",
                f"{split}_{name}_hit3={h3:.2f}",
                f"{split}_{name}_decline={dec:.2f}",
            ]
    detect_ok = sum(index.search(q.q).lang == q.lang for q in questions)
    print(f"language detection: {detect_ok}/{len(questions)} correct")
    figures.append(f"detect={detect_ok / max(len(questions), 1):.2f}")
    print(" ".join(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
