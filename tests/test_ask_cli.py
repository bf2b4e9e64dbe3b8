"""`hubbot ask` answers as the running bot does: from the live knowledge base in the database,
with the questions and intents staff taught; `--files` answers from the content files."""

from __future__ import annotations

import asyncio
import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main
from bot.config import PROJECT_ROOT
from bot.knowledge import Translated, load_directory
from bot.knowledge.reading import Reading
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, Harness, plain

ENTRIES = load_directory(PROJECT_ROOT / "content" / "knowledge").entries

TAUGHT_ENTRY = "hub-team-contact"
TAUGHT_QUESTIONS = {
    ARABIC_USER: ("ar", "هل يوجد موقف سيارات قرب المكان؟"),
    FRENCH_USER: ("fr", "Y a-t-il un parking près du lieu ?"),
    ENGLISH_USER: ("en", "Is there parking near the venue?"),
}
TAUGHT_INTENT = "events"
INTENT_QUESTION = "Any gatherings on the horizon for us?"
# Answered the same from the files and from the database.
UNCHANGED = "Qu'est-ce que la coopération nationale-locale (NLC) ?"


def reading_json(reading: Reading) -> dict[str, Any]:
    return {
        "query": reading.message,
        "lang": reading.lang,
        "tier": reading.tier.value,
        "answer": reading.answer,
        "suggestions": list(reading.suggestions),
        "intent": reading.intent,
        "declined": reading.declined,
        "part": reading.part,
    }


async def hubbot_ask(
    harness: Harness,
    questions: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *options: str,
) -> list[dict[str, Any]]:
    """`hubbot ask --json --batch` on the bot's database, one answer per question."""
    monkeypatch.setenv("HUBBOT_DATABASE", str(harness.config.database_path))
    monkeypatch.setenv("HUBBOT_CONTENT_DIR", str(harness.config.content_dir))
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{q}\n" for q in questions)))
    capsys.readouterr()
    # Its own event loop, in a thread, as it would be in its own process.
    assert await asyncio.to_thread(main, ["ask", "--json", "--batch", *options]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


async def test_ask_answers_with_what_staff_taught_as_the_bot_does(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = [text for _, text in TAUGHT_QUESTIONS.values()] + [INTENT_QUESTION, UNCHANGED]
    async with harness.running():
        knowledge = harness.services.knowledge
        for user, (language, text) in TAUGHT_QUESTIONS.items():
            await harness.say(user, text)
            kept = await knowledge.keep_unanswered(user_id=user, text=text, language=language)
            assert await knowledge.learn(kept, slug=TAUGHT_ENTRY, staff_id=ADMIN)
        kept = await knowledge.keep_unanswered(
            user_id=ENGLISH_USER, text=INTENT_QUESTION, language="en"
        )
        assert await knowledge.learn_intent(kept, intent=TAUGHT_INTENT, staff_id=ADMIN)

        live = await hubbot_ask(harness, questions, monkeypatch, capsys)
        # Exactly what the running bot makes of each message.
        assert live == [reading_json((await knowledge.understand(q)).reading) for q in questions]
        for user, (language, text) in TAUGHT_QUESTIONS.items():
            [reply] = await harness.say(user, text)
            entry = knowledge.entry(TAUGHT_ENTRY)
            assert entry is not None
            assert (
                plain(reply.text or "").lstrip("\u200f\u2068").startswith(entry.title.get(language))
            )
    by_question = dict(zip(questions, live, strict=True))
    for _, text in TAUGHT_QUESTIONS.values():
        assert by_question[text]["answer"] == TAUGHT_ENTRY
    assert by_question[INTENT_QUESTION]["intent"] == TAUGHT_INTENT
    assert by_question[INTENT_QUESTION]["declined"] is False

    # The content files know nothing of what staff taught.
    files = await hubbot_ask(harness, questions, monkeypatch, capsys, "--files")
    by_question = dict(zip(questions, files, strict=True))
    for _, text in TAUGHT_QUESTIONS.values():
        assert by_question[text]["answer"] is None
        assert by_question[text]["declined"] is True
    assert by_question[INTENT_QUESTION]["intent"] is None
    assert by_question[UNCHANGED] == dict(zip(questions, live, strict=True))[UNCHANGED]
    assert by_question[UNCHANGED]["answer"] == "nlc"


async def test_ask_reads_an_entry_published_in_the_console_not_its_file(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    question = "What is the Tamarisk Protocol?"
    async with harness.running():
        editor = harness.services.knowledge_editor
        entry = harness.services.knowledge.entry("nlc")
        assert entry is not None
        questions = Translated(
            entry.questions.ar, entry.questions.fr, (*entry.questions.en, question)
        )
        await editor.save(replace(entry, questions=questions), author=ADMIN)
        for language in ("ar", "fr"):  # the English questions changed: the others are read
            await editor.confirm("nlc", language, author=ADMIN)
        assert (await editor.publish("nlc", author=ADMIN)).published
        [reply] = await harness.say(ENGLISH_USER, question)
        assert plain(reply.text or "").startswith(entry.title.en)
    [live] = await hubbot_ask(harness, [question], monkeypatch, capsys)
    assert live["answer"] == "nlc"
    [files] = await hubbot_ask(harness, [question], monkeypatch, capsys, "--files")
    assert files["answer"] != "nlc"


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("ar", "كيف أتواصل مع فريق المركز الإقليمي؟"),
        ("fr", "Comment contacter l'équipe du Hub ?"),
        ("en", "How do I contact the Hub team?"),
    ],
)
def test_without_a_database_ask_reads_the_files_and_creates_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    language: str,
    question: str,
) -> None:
    database = tmp_path / "hub.sqlite3"
    monkeypatch.setenv("HUBBOT_DATABASE", str(database))
    assert main(["ask", "--json", question]) == 0
    captured = capsys.readouterr()
    answer = json.loads(captured.out)
    assert (answer["lang"], answer["answer"]) == (language, TAUGHT_ENTRY)
    assert "as the bot's first start would" in captured.err
    assert not database.exists()
    # Read out in the question's language.
    assert main(["ask", question]) == 0
    assert ENTRIES[TAUGHT_ENTRY].title.get(language) in capsys.readouterr().out
