"""Staff publish through the knowledge editor (bot/knowledge/publishing.py) and the running bot
answers with it at once: the gate, review, history, restore, trying a question, taught
questions; over real HTTP against the stand-in."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.knowledge.content import Entry, Translated
from bot.knowledge.editor import LanguageState
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, STAFF_CHAT, Harness, expected, label
from tests.test_knowledge_bot import NOT_FOUND, button_label

SLUG = "nlc"
USERS = {"ar": ARABIC_USER, "fr": FRENCH_USER, "en": ENGLISH_USER}
QUESTIONS = {
    "ar": "ما هو التعاون الوطني المحلي في الوقاية من التطرف؟",
    "fr": "Qu'est-ce que la coopération nationale-locale (NLC) ?",
    "en": "What is national-local cooperation (NLC)?",
}
MARK = "Checked by the Hub in December 2026."


def with_answer(entry: Entry, lang: str, text: str) -> Entry:
    answers = dict(entry.answer.items())
    answers[lang] = text
    return replace(entry, answer=Translated(answers["ar"], answers["fr"], answers["en"]))


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_a_published_edit_is_answered_at_once_and_a_restore_brings_back_the_old(
    bot: Harness, language: str
) -> None:
    editor = bot.services.knowledge_editor
    edited = await editor.open(SLUG)
    assert edited is not None and edited.live is not None
    old_answer = edited.live.answer.get(language)
    new_entry = with_answer(edited.live, language, f"{old_answer}\n\n{MARK}")
    saved = await editor.save(new_entry, author=ADMIN)
    others = [lang for lang in ("ar", "fr", "en") if lang != language]
    assert [saved.states[lang] for lang in others] == [LanguageState.REVIEW] * 2
    # The draft does not reach anybody yet.
    [before] = await bot.say(USERS[language], QUESTIONS[language])
    assert MARK not in (before.text or "")
    refused = await editor.publish(SLUG, author=ADMIN)
    assert not refused.published
    assert {p.text for p in refused.problems if p.is_error} == {
        f"the {lang} text waits for review: confirm it or edit it" for lang in others
    }
    for lang in others:
        await editor.confirm(SLUG, lang, author=ADMIN)
    published = await editor.publish(SLUG, author=ADMIN)
    assert published.published, [p.text for p in published.problems]
    [after] = await bot.say(USERS[language], QUESTIONS[language])
    assert MARK in (after.text or "")

    history = await editor.history(SLUG)
    assert [version.kind for version in history] == ["confirm", "confirm", "edit", "import"]
    assert history[2].author == ADMIN
    restored = await editor.restore(SLUG, history[-1].id, author=ADMIN)
    assert restored.published
    [again] = await bot.say(USERS[language], QUESTIONS[language])
    assert MARK not in (again.text or "")
    assert old_answer.split("\n")[0][:40] in (again.text or "")


async def test_a_missing_french_answer_never_reaches_a_focal_point(bot: Harness) -> None:
    editor = bot.services.knowledge_editor
    edited = await editor.open(SLUG)
    assert edited is not None and edited.live is not None
    await editor.save(with_answer(edited.live, "fr", ""), author=ADMIN)
    refusal = await editor.publish(SLUG, author=ADMIN)
    assert not refusal.published
    assert "missing answer in fr" in [p.text for p in refusal.problems if p.is_error]
    [answer] = await bot.say(FRENCH_USER, QUESTIONS["fr"])
    assert edited.live.title.get("fr") in (answer.text or "")
    # The draft is kept: the next edit starts from it.
    reopened = await editor.open(SLUG)
    assert reopened is not None and reopened.draft is not None
    assert reopened.states["fr"] is LanguageState.MISSING


async def test_trying_a_question_shows_the_live_base_beside_the_draft(bot: Harness) -> None:
    editor = bot.services.knowledge_editor
    edited = await editor.open("hub-team-contact")
    assert edited is not None and edited.live is not None
    keywords = dict(edited.live.keywords.items())
    keywords["ar"] = (*keywords["ar"], "موقف السيارات")
    await editor.save(
        replace(edited.live, keywords=Translated(keywords["ar"], keywords["fr"], keywords["en"])),
        author=ADMIN,
    )
    trial = await editor.trial("hub-team-contact", "وين موقف السيارات؟")
    assert trial is not None
    assert trial.live.reading.answer != "hub-team-contact"
    [first, *_] = trial.draft.entries
    assert first.slug == "hub-team-contact"
    assert first.answers and trial.draft.reading.answer == "hub-team-contact"
    assert first.coverage > trial.live.entries[0].coverage if trial.live.entries else True
    assert "keywords" in [field for field, _ in first.matched]


async def test_taught_questions_appear_on_their_entry_and_can_be_removed(
    harness: Harness,
) -> None:
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    question = "Is there parking near the venue?"
    slug = "hub-team-contact"
    async with harness.running(staff_chat_id=STAFF_CHAT):
        [not_found] = await harness.say(ENGLISH_USER, question)
        assert not_found.text == expected("en", NOT_FOUND)
        await harness.press(ENGLISH_USER, label("en", "Send it to the Hub team"))
        copy = harness.api.last_message(STAFF_CHAT)
        await harness.say(
            ADMIN, "By email.", chat_id=STAFF_CHAT, reply_to_message_id=copy.message_id
        )
        await harness.press(ADMIN, label("en", "Add this question to an entry"), chat_id=STAFF_CHAT)
        await harness.press(ADMIN, "Contact the Hub", chat_id=STAFF_CHAT)
        await harness.press(ADMIN, button_label(slug, "en"), chat_id=STAFF_CHAT)
        editor = harness.services.knowledge_editor
        [taught] = await editor.taught(slug)
        assert (taught.text, taught.language, taught.added_by) == (question, "en", ADMIN)
        [answered] = await harness.say(ENGLISH_USER, question)
        assert answered.text != expected("en", NOT_FOUND)
        assert await editor.remove_taught(slug, taught.id)
        assert await editor.taught(slug) == []
        assert not await editor.remove_taught(slug, taught.id)
        [declined] = await harness.say(ENGLISH_USER, question)
        assert declined.text == expected("en", NOT_FOUND)
