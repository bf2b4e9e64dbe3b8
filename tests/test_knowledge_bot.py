"""Questions and browsing through Telegram, in three languages, and staff answering the rest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.knowledge import load_directory
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, STAFF_CHAT, Harness, catalogs, expected, label

ENTRIES = load_directory(PROJECT_ROOT / "content" / "knowledge").entries
USERS = {"ar": ARABIC_USER, "fr": FRENCH_USER, "en": ENGLISH_USER}
NOT_FOUND = (
    "I could not find an answer to that in the Hub's resources. Shall I send your "
    "question to the Hub team? They will answer you here."
)


def title(slug: str, language: str) -> str:
    return ENTRIES[slug].title.get(language)


def button_label(slug: str, language: str) -> str:
    text = " ".join(title(slug, language).split())
    return text if len(text) <= 48 else text[:47] + "…"


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_browse_to_an_entry_and_a_related_one(bot: Harness, language: str) -> None:
    user = USERS[language]
    [menu] = await bot.say(user, "/topics")
    assert label(language, "Case studies") in menu.button_texts()
    [listing] = await bot.press(user, label(language, "Case studies"))
    # Ten case studies, eight a page: the Fes council may be on either page.
    if button_label("case-fes-youth-council", language) not in listing.button_texts():
        [listing] = await bot.press(user, label(language, "Next ›"))
    [entry] = await bot.press(user, button_label("case-fes-youth-council", language))
    assert title("case-fes-youth-council", language) in (entry.text or "")
    assert "91" in (entry.text or "")
    [related] = await bot.press(user, button_label("young-cities-guide", language))
    assert title("young-cities-guide", language) in (related.text or "")
    back = label(language, "« {topic}", topic=label(language, "Guides and toolkits"))
    assert back in related.button_texts()


async def test_topic_lists_page(bot: Harness) -> None:
    await bot.say(ENGLISH_USER, "/topics")
    [first] = await bot.press(ENGLISH_USER, "Case studies")
    first_page = first.button_texts()
    assert "Next ›" in first_page
    assert "‹ Previous" not in first_page
    [second] = await bot.press(ENGLISH_USER, "Next ›")
    second_page = second.button_texts()
    assert "‹ Previous" in second_page
    cases = sorted(button_label(e.slug, "en") for e in ENTRIES.values() if e.topic == "cases")
    listed = [text for text in first_page + second_page if text in cases]
    assert sorted(listed) == cases


def switch_label(language: str) -> str:
    return label(
        language,
        "Answer me in {language_name} from now on",
        language_name=catalogs().translator(language).language_name(language),
    )


@pytest.mark.parametrize(
    ("language", "question", "slug"),
    [
        ("ar", "شو هو مجلس الشباب في فاس؟", "case-fes-youth-council"),
        ("ar", "كيف أطلب دعما فنيا؟", "technical-support"),
        ("fr", "comment joindre l'equipe du hub", "hub-team-contact"),
        ("en", "what is the hub?", "hub-overview"),
        ("en", "Tell me about the crisis managment guide of Amman", "case-amman-crisis-guide"),
        # Names alone say nothing of a language: the reader's language is kept.
        ("ar", "Sabha digital monitoring elections", "case-sabha-digital-monitoring"),
    ],
)
async def test_a_question_gets_the_right_entry(
    bot: Harness, language: str, question: str, slug: str
) -> None:
    # Asking how to get support also brings the offer to file a request, after the entry.
    answer, *_ = await bot.say(USERS[language], question)
    assert (answer.text or "").lstrip("\u200f\u2068").startswith(title(slug, language))
    assert len(answer.button_texts()) <= 4
    assert switch_label(language) not in answer.button_texts()


@pytest.mark.parametrize(
    ("profile_language", "question", "slug", "question_language"),
    [
        ("en", "كيف أطلب دعما فنيا؟", "technical-support", "ar"),
        (
            "fr",
            "What happened at the Tangier workshop on reintegration?",
            "case-tangier-rr-roadmap",
            "en",
        ),
        ("ar", "Comment contacter l'équipe du Hub ?", "hub-team-contact", "fr"),
    ],
)
async def test_the_answer_comes_in_the_language_of_the_question(
    bot: Harness, profile_language: str, question: str, slug: str, question_language: str
) -> None:
    user = USERS[profile_language]
    answer, *_ = await bot.say(user, question)
    text = (answer.text or "").lstrip("\u200f\u2068")
    assert text.startswith(title(slug, question_language))
    switch = switch_label(question_language)
    assert switch in answer.button_texts()
    [confirmation] = await bot.press(user, switch)
    assert confirmation.message_id != answer.message_id  # the answer stays
    assert confirmation.text == expected(
        question_language, "Language set to English. Type a question at any time, or use /help."
    )
    # The profile now speaks the question's language: no more offer to switch.
    again, *_ = await bot.say(user, question)
    assert switch not in again.button_texts()


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("ar", "كيف الطقس بكرة في عمان؟"),
        ("fr", "Qui a gagné le match de football hier ?"),
        ("en", "What's the weather like tomorrow?"),
    ],
)
async def test_an_unanswerable_question_goes_to_staff_and_back(
    harness: Harness, language: str, question: str
) -> None:
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    user = USERS[language]
    async with harness.running(staff_chat_id=STAFF_CHAT):
        [not_found] = await harness.say(user, question)
        assert not_found.text == expected(language, NOT_FOUND)
        forward = not_found.callback_data_for(label(language, "Send it to the Hub team"))
        [sent] = await harness.press(user, label(language, "Send it to the Hub team"))
        assert sent.text == expected(language, "Sent. The Hub team will answer you here.")
        copy = harness.api.last_message(STAFF_CHAT)
        assert question in (copy.text or "")
        # Pressing twice forwards once.
        await harness.press_data(user, not_found.message_id, forward)
        assert harness.api.last_message(STAFF_CHAT).message_id == copy.message_id
        [confirmation] = await harness.say(
            ADMIN,
            "We do not follow the weather, sorry!",
            chat_id=STAFF_CHAT,
            reply_to_message_id=copy.message_id,
        )
        assert confirmation.text == expected(
            "en",
            "Answer sent to {name}.",
            name=harness.api.users[user].first_name
            + (
                f" {harness.api.users[user].last_name}" if harness.api.users[user].last_name else ""
            ),
        )
        delivered = harness.api.last_message(user)
        assert "We do not follow the weather, sorry!" in (delivered.text or "")
        assert question in (delivered.text or "")


@pytest.mark.parametrize(
    ("profile_language", "question", "question_language"),
    [
        ("fr", "كيف الطقس بكرة في عمان؟", "ar"),
        ("en", "Qui a gagné le match de football hier ?", "fr"),
        ("ar", "What's the weather like tomorrow?", "en"),
    ],
)
async def test_a_question_declined_in_its_own_language_is_sent_on_in_it(
    bot: Harness, profile_language: str, question: str, question_language: str
) -> None:
    """The whole exchange stays in the question's language, not the profile's."""
    user = USERS[profile_language]
    [not_found] = await bot.say(user, question)
    assert not_found.text == expected(question_language, NOT_FOUND)
    [sent] = await bot.press(user, label(question_language, "Send it to the Hub team"))
    assert sent.text == expected(question_language, "Sent. The Hub team will answer you here.")


async def test_staff_answer_privately_when_there_is_no_staff_chat(bot: Harness) -> None:
    await bot.say(FRENCH_USER, "Quel temps fera-t-il demain ?")
    await bot.press(FRENCH_USER, label("fr", "Send it to the Hub team"))
    copy = bot.api.last_message(ADMIN)
    await bot.say(ADMIN, "Nous ne suivons pas la météo.", reply_to_message_id=copy.message_id)
    assert "Nous ne suivons pas la météo." in bot.last_text(FRENCH_USER)


async def test_declining_to_forward(bot: Harness) -> None:
    await bot.say(ENGLISH_USER, "Who won the football match?")
    [declined] = await bot.press(ENGLISH_USER, "No, thanks")
    assert declined.text == expected("en", "All right. You can ask another question at any time.")
    assert bot.api.messages(ADMIN) == []


async def test_reload_reads_the_database_not_the_files(harness: Harness, tmp_path: Path) -> None:
    """The content folder is imported on the first start only; after that the database is the
    source, so a file broken (or edited) on disk changes nothing until `hubbot content import`."""
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    async with harness.running(content_dir=content):
        [refused] = await harness.say(FRENCH_USER, "/reload")
        assert refused.text == expected("fr", "This is for hub staff only.")
        (content / "knowledge" / "case-fes-youth-council.yaml").write_text(
            "slug: case-fes-youth-council\ntitle: [unclosed", encoding="utf-8"
        )
        [report] = await harness.say(ADMIN, "/reload")
        assert report.text == expected(
            "en",
            "Knowledge base reloaded: {count} entries.",
            count=len(ENTRIES),
        )
        [answer] = await harness.say(ENGLISH_USER, "Fes youth council")
        assert title("case-fes-youth-council", "en") in (answer.text or "")


async def test_a_very_long_question_is_refused_politely(bot: Harness) -> None:
    [answer] = await bot.say(ARABIC_USER, "سؤال " * 300)
    assert "1" in (answer.text or "")
    assert bot.api.messages(ADMIN) == []


TEACHING = {
    "ar": "هل يوجد موقف سيارات قرب المكان؟",
    "fr": "Y a-t-il un parking près du lieu ?",
    "en": "Is there parking near the venue?",
}


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_staff_answers_teach_the_bot(harness: Harness, language: str) -> None:
    """Forward → staff answer → add to an entry → the same question is answered at once."""
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    user = USERS[language]
    question = TEACHING[language]
    async with harness.running(staff_chat_id=STAFF_CHAT):
        [not_found] = await harness.say(user, question)
        assert not_found.text == expected(language, NOT_FOUND)
        await harness.press(user, label(language, "Send it to the Hub team"))
        copy = harness.api.last_message(STAFF_CHAT)
        [confirmation] = await harness.say(
            ADMIN, "Ask the team by email.", chat_id=STAFF_CHAT, reply_to_message_id=copy.message_id
        )
        add = label("en", "Add this question to an entry")
        assert add in confirmation.button_texts()
        [picker] = await harness.press(ADMIN, add, chat_id=STAFF_CHAT)
        assert question in (picker.text or "")
        assert "Contact the Hub" in picker.button_texts()
        # The topic's entries replace the suggestions in the same message.
        await harness.press(ADMIN, "Contact the Hub", chat_id=STAFF_CHAT)
        assert (
            button_label("hub-team-contact", "en")
            in harness.api.last_message(STAFF_CHAT).button_texts()
        )
        [filed] = await harness.press(
            ADMIN, button_label("hub-team-contact", "en"), chat_id=STAFF_CHAT
        )
        assert filed.text == expected(
            "en",
            "«{question}» is now an example question of «{title}»: the bot answers it with "
            "that entry.",
            question=question,
            title=title("hub-team-contact", "en"),
        )
        [answer] = await harness.say(USERS[language], question)
        assert (
            (answer.text or "")
            .lstrip("\u200f\u2068")
            .startswith(title("hub-team-contact", language))
        )
        assert (await harness.services.knowledge.export_learned()).startswith("hub-team-contact:")
    # Learned questions are kept in the database: a restarted bot still knows.
    async with harness.running(staff_chat_id=STAFF_CHAT):
        [answer] = await harness.say(USERS[language], question)
        assert title("hub-team-contact", language) in (answer.text or "")
        # They are the asker's words: erasing their data erases them too, and the bot no
        # longer answers by them.
        await harness.say(user, "/deleteme")
        await harness.press(user, label(language, "Yes, erase my data"))
        assert await harness.services.knowledge.export_learned() == ""
        [declined] = await harness.say(USERS[language], question)
        assert title("hub-team-contact", language) not in (declined.text or "")


async def test_only_staff_file_questions(bot: Harness) -> None:
    await bot.say(ENGLISH_USER, TEACHING["en"])
    await bot.press(ENGLISH_USER, "Send it to the Hub team")
    copy = bot.api.last_message(ADMIN)
    [confirmation] = await bot.say(ADMIN, "No parking, sorry.", reply_to_message_id=copy.message_id)
    data = confirmation.callback_data_for("Add this question to an entry")
    # Someone else pressing forged data gets a refusal, and nothing is filed.
    await bot.press_data(FRENCH_USER, confirmation.message_id, data)
    assert await bot.services.knowledge.export_learned() == ""


@pytest.mark.parametrize("form", ["/broadcast", "/newevent"])
async def test_a_staff_answer_reaches_the_asker_while_the_staff_member_has_a_form_open(
    harness: Harness, form: str
) -> None:
    """A form left half-filled in private must not swallow the staff's replies in the group."""
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT):
        await harness.say(FRENCH_USER, "Qui a gagné le match de football hier ?")
        await harness.press(FRENCH_USER, label("fr", "Send it to the Hub team"))
        copy = harness.api.last_message(STAFF_CHAT)
        await harness.say(ADMIN, form)
        if form == "/broadcast":
            await harness.press(ADMIN, "English")
        await harness.say(
            ADMIN,
            "Nous ne suivons pas le football.",
            chat_id=STAFF_CHAT,
            reply_to_message_id=copy.message_id,
        )
        assert "Nous ne suivons pas le football." in harness.last_text(FRENCH_USER)


async def test_a_staff_reply_with_a_photo_to_a_question_is_asked_for_text(harness: Harness) -> None:
    """Only text reaches the asker: a photo in reply is not dropped without a word."""
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT):
        await harness.say(FRENCH_USER, "Qui a gagné le match de football hier ?")
        await harness.press(FRENCH_USER, label("fr", "Send it to the Hub team"))
        copy = harness.api.last_message(STAFF_CHAT)
        before = len(harness.api.messages(STAFF_CHAT))
        await harness.settle(
            harness.api.send_message(
                ADMIN,
                chat_id=STAFF_CHAT,
                photo=harness.api.make_photo(),
                reply_to_message_id=copy.message_id,
            )
        )
        [asked] = harness.api.messages(STAFF_CHAT)[before:]
        assert asked.text == expected("en", "Please answer with a text message.")
