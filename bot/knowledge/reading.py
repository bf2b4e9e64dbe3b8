"""What the bot does with a message: answer it with an entry when sure, suggest the closest
entries when the message is about the Hub but the ranking is unsure, or decline.

People write with context ("We are a small municipality near Sfax and last year...") and
sometimes two questions in one message. A message is read in parts (sentences, clauses, and
the message whole); each part is ranked on its own, so a question is not diluted by the words
around it, and the decision rests on the part whose evidence is strongest: the share of the
part the best entry covers, how far it stands ahead of the next entry, and whether it states
the kind of fact the part asks for (an amount, a number, a date: knowledge/facts.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from bot.knowledge.normalize import LANGUAGES, detect_language, normalize
from bot.knowledge.search import Candidate, Evidence, KnowledgeIndex, WordCache
from bot.knowledge.settings import SearchSettings

# Entries shown as buttons at most: the answer's neighbours, or the suggestions.
SHOWN_ENTRIES: Final = 3
# A long message is read in at most this many parts (the first ones), to keep search fast.
MAX_PARTS: Final = 10


class Tier(StrEnum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    DECLINE = "decline"


@dataclass(frozen=True)
class Reading:
    """The decision on one message. `answer` is the entry given at once (tier ANSWER only);
    `suggestions` the other entries shown as buttons, best first (with an answer: its
    neighbours; tier SUGGEST: the entries it might be); `part` the text the decision rests on."""

    message: str
    lang: str
    tier: Tier
    answer: str | None
    suggestions: tuple[str, ...]
    part: str
    # One of the bot's own features the message asks for (set by intent detection), or None.
    intent: str | None = None

    @property
    def declined(self) -> bool:
        """Nothing for the person: no entry, and no feature of the bot (knowledge/intents.py)."""
        return self.tier is Tier.DECLINE and self.intent is None

    @property
    def shown(self) -> tuple[str, ...]:
        """Every entry the reader can reach from the reply, the answer first."""
        return (self.answer, *self.suggestions) if self.answer else self.suggestions


@dataclass(frozen=True)
class Part:
    """A piece of a message read on its own; `is_question` when it asks something (a question
    mark, or a question word first), rather than giving context."""

    text: str
    is_question: bool
    # The rest of the message, read with the part: its words count less (search._score).
    context: str = ""


_SENTENCE_END: Final = re.compile(r"([?!؟;\n]+|(?<!\d)\.+(?!\d))")
_QUESTION_MARKS: Final = ("?", "؟")
_TRAILING_MARKS: Final = "?!؟.;:, "
_CLAUSE_COMMA: Final = re.compile(r"[,،]\s*")
# Question words that start a question, in the normalised spelling (knowledge/normalize.py),
# dialects and Arabic in Latin letters included.
_QUESTION_WORDS: Final = frozenset(
    normalize(word)
    for word in (
        "what", "how", "when", "where", "who", "which", "why", "can", "could", "is", "are",
        "do", "does", "is there", "quoi", "que", "qu", "comment", "quand", "où", "qui",
        "quel", "quelle", "quels", "quelles", "pourquoi", "est-ce", "peut-on", "combien",
        "ما", "ماذا", "كيف", "متى", "أين", "اين", "من", "هل", "لماذا", "كم", "أي", "اي",
        "شو", "ايش", "إيش", "وين", "فين", "كيفاش", "كيفاه", "امتى", "إمتى", "وقتاش", "علاش",
        "ليش", "شنو", "شنهو", "اشنو", "شكون", "منو", "قديش", "قداش", "شحال", "بكام", "ازاي",
        "إزاي", "فاش", "chno", "shno", "chnou", "wach", "kifach", "kifash", "kifech", "wa9tach",
        "waqtash", "fin", "win", "chkoun", "ech", "chnowa", "ashno", "izay", "emta", "imta",
    )
)  # fmt: skip
# A second question inside a sentence: "what is the TSF and how do I apply?".
_CONNECTORS: Final = ("and", "et", "or", "ou", "but", "mais", "w", "wa", "و")


def message_parts(message: str) -> list[Part]:
    """The message whole, each sentence, and each clause of a sentence, in order, each once."""
    pieces = _SENTENCE_END.split(message)
    sentences: list[Part] = []
    for text, end in zip(pieces[::2], [*pieces[1::2], ""], strict=True):
        text = text.strip()
        if text:
            asks = any(mark in end for mark in _QUESTION_MARKS) or _starts_question(text)
            sentences.append(Part(text, asks))
    whole = " ".join(message.split())
    parts = [Part(whole, any(s.is_question for s in sentences) or not sentences)]
    questions = [s.text for s in sentences if s.is_question]
    context = ""
    if questions and len(questions) < len(sentences):
        # The question, with the sentences around it as its context.
        context = " ".join(s.text for s in sentences if not s.is_question)
        parts.insert(0, Part(" ".join(questions), True, context))
    for sentence in sentences:
        clauses = _clauses(sentence.text)
        own = [sentence]
        if len(clauses) > 1:
            own += [
                Part(clause, sentence.is_question or _starts_question(clause)) for clause in clauses
            ]
        # A question of a message that also gives context ("How did Saida organise this?",
        # "who supports them?") is read with that context, never alone.
        parts += [
            replace(piece, context=context) if context and piece.is_question else piece
            for piece in own
        ]
    # Each text once (a one-sentence message is its sentence, its final mark aside).
    unique: dict[str, Part] = {}
    for part in parts:
        key = part.text.rstrip(_TRAILING_MARKS) + "\n" + part.context
        known = unique.get(key)
        if known is None or (part.is_question and not known.is_question):
            unique[key] = part
    return list(unique.values())[:MAX_PARTS]


def _starts_question(text: str) -> bool:
    words = normalize(text).split()
    if not words:
        return False
    first = words[0]
    # Arabic joins "and" to the next word: "وكيف".
    return (
        first in _QUESTION_WORDS
        or " ".join(words[:2]) in _QUESTION_WORDS
        or (first.startswith("و") and first[1:] in _QUESTION_WORDS)
    )


def _clauses(sentence: str) -> list[str]:
    """A sentence cut at its commas and before a connector that starts another question."""
    clauses: list[str] = []
    for chunk in _CLAUSE_COMMA.split(sentence):
        words = chunk.split()
        start = 0
        for at in range(1, len(words) - 1):
            word = words[at].casefold()
            joined_arabic = word.startswith("و") and _starts_question(word[1:])
            if (word in _CONNECTORS and _starts_question(" ".join(words[at + 1 :]))) or (
                joined_arabic and at > start
            ):
                clauses.append(" ".join(words[start:at]))
                start = at if joined_arabic else at + 1
        clauses.append(" ".join(words[start:]))
    return [clause for clause in clauses if clause]


@dataclass(frozen=True)
class _Judged:
    part: Part
    evidence: Evidence
    weight: float  # 1, or less for context next to a question

    @property
    def top(self) -> Candidate:
        return self.evidence.candidates[0]

    def coverage(self) -> float:
        return self.weight * self.top.coverage

    def reach(self) -> float:
        return self.weight * max(c.coverage for c in self.evidence.candidates)

    def gap(self) -> float:
        """How far the best entry stands ahead of the next (1: alone)."""
        candidates = self.evidence.candidates
        if len(candidates) < 2 or candidates[0].score <= 0.0:
            return 1.0
        return 1.0 - candidates[1].score / candidates[0].score

    def surety(self, settings: SearchSettings) -> float:
        """How sure the best entry is the answer: the share of the part it covers, plus
        answer_gap_weight times how far it stands ahead of the next entry (gap 0: level)."""
        return self.coverage() + settings.answer_gap_weight * self.gap()

    def is_sure(self, settings: SearchSettings) -> bool:
        # A question asking for a fact that the entry does not state is not answered by an
        # entry that merely shares its other words; nor by one that covers it only in part.
        if self.evidence.asked_kinds:
            return (
                self.top.states_asked_facts
                and self.coverage() >= settings.fact_answer_min_coverage
                and self.surety(settings) >= settings.answer_min_surety
            )
        return (
            self.coverage() >= settings.answer_min_coverage
            and self.gap() >= settings.answer_min_gap
            and self.surety(settings) >= settings.answer_min_surety
        )


def read(index: KnowledgeIndex, message: str, *, lang: str | None = None) -> Reading:
    """Answer, suggest or decline: what the bot does with a message."""
    if lang is None:
        lang = detect_language(message)
    elif lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    settings = index.settings
    parts = message_parts(message)
    has_question = any(part.is_question for part in parts)
    words_seen: WordCache = {}
    judged = [
        _Judged(
            part,
            evidence,
            1.0 if part.is_question or not has_question else settings.context_part_factor,
        )
        for part in parts
        if (
            evidence := index.evidence(
                part.text, SHOWN_ENTRIES, context=part.context, words_seen=words_seen
            )
        ).candidates
    ]
    whole = " ".join(message.split())
    if not judged:
        return Reading(message, lang, Tier.DECLINE, None, (), whole)
    # The part that asks, read with its context: an answer given by a sentence of context
    # must be one of its entries too ("... and rumours spread. How did Amman prepare?").
    asking = {
        c.slug
        for j in judged
        if j.part.is_question and j.part.context
        for c in j.evidence.candidates
    }
    sure = [
        j
        for j in judged
        if j.is_sure(settings) and (j.part.is_question or not asking or j.top.slug in asking)
    ]
    if sure:
        best = max(sure, key=lambda j: (j.surety(settings), j.top.score))
        answer = best.top.slug
        # Its close neighbours, then the answer of another question in the message.
        others = [
            c.slug
            for c in best.evidence.candidates[1:]
            if c.score >= settings.relative_min_score * best.top.score
        ]
        others += [j.top.slug for j in sure if j is not best and j.part.is_question]
        return Reading(
            message, lang, Tier.ANSWER, answer, _distinct(others, answer), best.part.text
        )
    closest = max(judged, key=lambda j: (j.surety(settings), j.top.score))
    if closest.reach() < settings.suggest_min_coverage:
        return Reading(message, lang, Tier.DECLINE, None, (), whole)
    slugs = [c.slug for c in closest.evidence.candidates]
    # Fill from the other parts' best entries, strongest first.
    slugs += [j.top.slug for j in sorted(judged, key=lambda j: -j.reach())]
    return Reading(message, lang, Tier.SUGGEST, None, _distinct(slugs, None), closest.part.text)


def _distinct(slugs: list[str], answer: str | None) -> tuple[str, ...]:
    unique = [slug for slug in dict.fromkeys(slugs) if slug != answer]
    return tuple(unique[: SHOWN_ENTRIES - (1 if answer else 0)])
