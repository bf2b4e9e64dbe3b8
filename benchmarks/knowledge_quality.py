"""Answer quality of the knowledge search on the evaluation questions, per language."""

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


@dataclass(frozen=True)
class EvalQuestion:
    q: str
    lang: str
    expected: tuple[str, ...]


@dataclass(frozen=True)
class LanguageScore:
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
    return [EvalQuestion(str(i["q"]), str(i["lang"]), tuple(i["expected"] or ())) for i in raw]


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
    detect_ok = 0
    for lang in LANGUAGES:
        subset = [q for q in questions if q.lang == lang]
        answerable = hit1 = hit3 = unanswerable = declined = wrongly_declined = 0
        for item in subset:
            result = index.search(item.q, lang=None if args.detect else item.lang)
            detect_ok += index.search(item.q).lang == item.lang
            slugs = [h.slug for h in result.hits]
            if item.expected:
                answerable += 1
                hit1 += bool(slugs) and slugs[0] in item.expected
                hit3 += any(s in item.expected for s in slugs[:3])
                wrongly_declined += not slugs
                if args.verbose and (not slugs or slugs[0] not in item.expected):
                    print(f"  MISS [{lang}] {item.q!r}: got {slugs} want {list(item.expected)}")
            else:
                unanswerable += 1
                declined += not slugs
                if args.verbose and slugs:
                    print(f"  FALSE ANSWER [{lang}] {item.q!r}: got {slugs}")
        score = LanguageScore(answerable, hit1, hit3, unanswerable, declined, wrongly_declined)
        h1 = score.ratio(hit1, answerable)
        h3 = score.ratio(hit3, answerable)
        dec = score.ratio(declined, unanswerable)
        print(
            f"{lang}: {answerable} answerable, hit@1={h1:.2f} hit@3={h3:.2f} "
            f"(declined by mistake: {wrongly_declined}); "
            f"{unanswerable} unanswerable, declined={dec:.2f}"
        )
        figures += [f"{lang}_hit1={h1:.2f}", f"{lang}_hit3={h3:.2f}", f"{lang}_decline={dec:.2f}"]
    print(f"language detection: {detect_ok}/{len(questions)} correct")
    figures.append(f"detect={detect_ok / max(len(questions), 1):.2f}")
    print(" ".join(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
