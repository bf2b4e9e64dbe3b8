"""Index build time and per-message latency of the knowledge search and of the decision to answer,
suggest or decline (knowledge/reading.py), real and synthetic bases; a tenth of the generated
messages are long (two sentences of context, then the question), which are read in several
parts. The messages of the evaluation set (benchmarks/data/eval_questions.yaml, as people
write them: long with context, two questions, dialect...) are also timed against the 10,000
entries, the real ones among them. Wall clock and the CPU time of the searching thread, which
other jobs on a shared machine inflate less."""

from __future__ import annotations

import argparse
import cProfile
import itertools
import os
import pstats
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from bot.knowledge import (  # noqa: E402
    LANGUAGES,
    TOPICS,
    Entry,
    KnowledgeIndex,
    Translated,
    load_directory,
    tokenize,
)
from bot.knowledge.reading import read  # noqa: E402
from bot.knowledge.synonyms import load_synonyms  # noqa: E402

CONTENT_DIR = ROOT / "content" / "knowledge"
SYNONYMS_FILE = ROOT / "content" / "synonyms.yaml"
EVAL_FILE = ROOT / "benchmarks" / "data" / "eval_questions.yaml"
EXAMPLE_QUESTIONS_PER_LANGUAGE = 5
SEED = 20250617
SYNTHETIC_ENTRIES = 10_000
QUESTIONS = 2_000

_SYLLABLES = {
    "ar": ["بر", "كت", "مد", "سل", "عم", "نا", "لي", "قو", "ده", "فر", "شب", "حو", "را", "جم"],
    "fr": ["pre", "ven", "tion", "mu", "ni", "ci", "pal", "lo", "cal", "eau", "ment", "ri", "que"],
    "en": ["com", "mu", "ni", "ty", "pre", "ven", "tion", "lo", "cal", "re", "si", "lient", "ce"],
}
_OFF_TOPIC = [
    "what's the weather tomorrow",
    "who won the match yesterday",
    "quel temps fait-il demain",
    "كيف الطقس بكرة",
    "hello",
    "recette du couscous",
]


def vocabulary(entries: Sequence[Entry], rng: random.Random) -> dict[str, list[str]]:
    """Real words of the knowledge base plus invented words, per language (about 15k each)."""
    vocab: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        words: set[str] = set()
        for entry in entries:
            words.update(entry.answer.get(lang).split())
            words.update(entry.title.get(lang).split())
        syllables = _SYLLABLES[lang]
        while len(words) < 15_000:
            words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
        vocab[lang] = sorted(words)
    return vocab


def zipf_cumulative_weights(words: list[str], rng: random.Random) -> list[float]:
    """Cumulative Zipf weights over the words in a shuffled rank order (for random.choices)."""
    order = list(range(len(words)))
    rng.shuffle(order)
    weights = [0.0] * len(words)
    for rank, i in enumerate(order, start=1):
        weights[i] = 1.0 / rank
    return list(itertools.accumulate(weights))


def synthetic_entries(count: int, vocab: dict[str, list[str]], rng: random.Random) -> list[Entry]:
    cum_weights = {lang: zipf_cumulative_weights(vocab[lang], rng) for lang in LANGUAGES}

    def text(lang: str, n: int) -> str:
        return " ".join(rng.choices(vocab[lang], cum_weights=cum_weights[lang], k=n))

    entries = []
    for i in range(count):
        titles = {lang: text(lang, rng.randint(3, 8)) for lang in LANGUAGES}
        answers = {lang: text(lang, rng.randint(80, 180)) for lang in LANGUAGES}
        keywords = {
            lang: tuple(text(lang, rng.randint(1, 3)) for _ in range(rng.randint(6, 14)))
            for lang in LANGUAGES
        }
        examples = {
            lang: tuple(
                text(lang, rng.randint(4, 9)) for _ in range(EXAMPLE_QUESTIONS_PER_LANGUAGE)
            )
            for lang in LANGUAGES
        }
        entries.append(
            Entry(
                slug=f"synthetic-{i:05d}",
                topic=TOPICS[i % len(TOPICS)],
                title=Translated(titles["ar"], titles["fr"], titles["en"]),
                answer=Translated(answers["ar"], answers["fr"], answers["en"]),
                keywords=Translated(keywords["ar"], keywords["fr"], keywords["en"]),
                questions=Translated(examples["ar"], examples["fr"], examples["en"]),
            )
        )
    return entries


def with_typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def questions(entries: Sequence[Entry], count: int, rng: random.Random) -> list[str]:
    """Questions built from entries' titles and keywords, some with typos, some off-topic."""
    out: list[str] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.1:
            out.append(rng.choice(_OFF_TOPIC))
            continue
        entry = rng.choice(entries)
        lang = rng.choice(LANGUAGES)
        words = tokenize(entry.title.get(lang)) + list(entry.keywords.get(lang)[:2])
        rng.shuffle(words)
        words = words[: rng.randint(2, 6)]
        if roll < 0.4:
            words = [with_typo(w, rng) for w in words]
        out.append(" ".join(words))
    # Long messages: two sentences of context and a question, in the words of the base.
    for at in range(0, len(out), 10):
        context = rng.sample(out, 2)
        out[at] = f"{context[0]}, {context[1]}. {out[at]}?"
    return out


@dataclass(frozen=True)
class Latency:
    """Milliseconds per message: wall clock p50, p99 and max, and CPU time p50 and p99."""

    p50: float
    p99: float
    max: float
    cpu_p50: float
    cpu_p99: float

    def __str__(self) -> str:
        return (
            f"p50 {self.p50:.2f} ms, p99 {self.p99:.2f} ms, max {self.max:.2f} ms "
            f"(CPU p50 {self.cpu_p50:.2f} ms, p99 {self.cpu_p99:.2f} ms)"
        )


def measure(index: KnowledgeIndex, qs: Sequence[str]) -> Latency:
    """Wall-clock and CPU time (of this thread, which other jobs on a shared machine do not
    inflate) of reading each message."""
    latencies: list[float] = []
    cpu: list[float] = []
    for q in qs:
        start, start_cpu = time.perf_counter(), time.thread_time()
        read(index, q)
        latencies.append((time.perf_counter() - start) * 1000.0)
        cpu.append((time.thread_time() - start_cpu) * 1000.0)
    latencies.sort()
    cpu.sort()
    return Latency(
        statistics.median(latencies),
        percentile_99(latencies),
        latencies[-1],
        statistics.median(cpu),
        percentile_99(cpu),
    )


def percentile_99(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def evaluation_messages() -> tuple[list[str], list[str]]:
    """Every message of the evaluation set, and its long ones (context, then the question)."""
    items = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))
    return [str(item["q"]) for item in items], [
        str(item["q"]) for item in items if item.get("kind") == "long"
    ]


def profile_build(entries: Sequence[Entry], top: int = 25) -> None:
    """Print where an index build spends its time, by function (own time first)."""
    profiler = cProfile.Profile()
    profiler.runcall(KnowledgeIndex.build, entries)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=SYNTHETIC_ENTRIES)
    parser.add_argument("--questions", type=int, default=QUESTIONS)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile a second synthetic build with cProfile (printed to stderr)",
    )
    args = parser.parse_args()
    rng = random.Random(SEED)

    real = list(load_directory(CONTENT_DIR).entries.values())
    synonyms, _ = load_synonyms(SYNONYMS_FILE)
    start = time.perf_counter()
    real_index = KnowledgeIndex.build(real, synonyms=synonyms)
    real_build_s = time.perf_counter() - start
    real_qs = questions(real, args.questions, rng) if real else ["hub"]
    real_latency = measure(real_index, real_qs)
    print(f"real base: {len(real)} entries, build {real_build_s:.3f} s")
    print(f"  latency over {len(real_qs)} questions: {real_latency}")

    vocab = vocabulary(real, rng)
    synth = synthetic_entries(args.entries, vocab, rng)
    start = time.perf_counter()
    synth_index = KnowledgeIndex.build(synth, synonyms=synonyms)
    synth_build_s = time.perf_counter() - start
    synth_qs = questions(synth, args.questions, rng)
    synth_latency = measure(synth_index, synth_qs)
    if args.profile:
        # After the timed build, whose caches (content_word, stems) it must not warm.
        profile_build(synth)
    print(f"synthetic base: {len(synth)} entries, build {synth_build_s:.2f} s")
    print(f"  latency over {len(synth_qs)} questions: {synth_latency}")
    del synth_index

    # The evaluation set's messages against the synthetic entries with the real ones among them.
    mixed_index = KnowledgeIndex.build([*real, *synth], synonyms=synonyms)
    every, long = evaluation_messages()
    eval_latency = measure(mixed_index, every)
    long_latency = measure(mixed_index, long)
    print(f"real and synthetic base: {len(mixed_index)} entries")
    print(f"  latency over the {len(every)} evaluation messages: {eval_latency}")
    print(f"  latency over its {len(long)} long messages: {long_latency}")
    load = os.getloadavg()[0]
    print(
        f"real_build_s={real_build_s:.3f} real_p50_ms={real_latency.p50:.2f} "
        f"real_p99_ms={real_latency.p99:.2f} real_cpu_p99_ms={real_latency.cpu_p99:.2f} "
        f"synth_entries={len(synth)} synth_build_s={synth_build_s:.2f} "
        f"synth_p50_ms={synth_latency.p50:.2f} synth_p99_ms={synth_latency.p99:.2f} "
        f"synth_cpu_p99_ms={synth_latency.cpu_p99:.2f} "
        f"eval_p50_ms={eval_latency.p50:.2f} eval_p99_ms={eval_latency.p99:.2f} "
        f"eval_cpu_p99_ms={eval_latency.cpu_p99:.2f} "
        f"long_p50_ms={long_latency.p50:.2f} long_p99_ms={long_latency.p99:.2f} "
        f"long_cpu_p99_ms={long_latency.cpu_p99:.2f} load_1min={load:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
