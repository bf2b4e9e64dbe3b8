"""Filing technical-support requests end to end: the form in three languages and its mishaps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.routes import REQ_CHOOSE, REQ_PAGE, REQ_SUBMIT
from standin import SentMessage
from storage.support_requests import RequestFilter
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, STAFF_CHAT, Harness, expected, label
from tests.support_helpers import (
    ASK_CONTACT,
    ASK_DESCRIPTION,
    ASK_EMAIL,
    ASK_FILES,
    ASK_KIND,
    ASK_PHONE,
    ASK_TIME_FRAME,
    ASK_TITLE,
    ASK_TOPIC,
    CANCELLED,
    CITIES,
    DESCRIPTION,
    FILES_RECEIVED,
    SENT,
    TITLES,
    USERS,
    expected_n,
    fill_request,
    make_focal_point,
)

CLOSED = "This support request form is closed. Use /request to start a new one."
CHOOSE = "Please choose one of the buttons below."
NEEDS_TEXT = "Please answer with a text message."
NEEDS_FILE = "At this step, send a document or a photo, or use the buttons below."


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_a_complete_filing_with_an_attachment(harness: Harness, language: str) -> None:
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT):
        user = USERS[language]
        country, city = CITIES[language]
        await make_focal_point(harness, user, country, city)
        summary = await fill_request(harness, language)
        # What the user typed is shown back exactly, HTML characters and all.
        assert TITLES[language] in (summary.text or "")
        assert "focal.point@city.example.org" in (summary.text or "")
        [thanks] = await harness.press(user, label(language, "✔ Submit"))
        assert thanks.text == expected(language, SENT, reference="TSR-2026-0001")

        staff_messages = harness.api.messages(STAFF_CHAT)
        card, document = staff_messages[-2:]
        assert "TSR-2026-0001" in (card.text or "")
        assert TITLES[language] in (card.text or "")
        assert DESCRIPTION in (card.text or "")
        assert "Assign to me" in card.button_texts()
        assert document.document is not None
        assert document.document["file_name"] == "youth-plan.pdf"
        assert document.caption == "TSR-2026-0001"

        requests = await harness.services.support.search(RequestFilter(), page=0, size=10)
        [request] = requests.requests
        assert (request.country, request.city, request.topic) == (country, city, "youth")
        assert (request.support_kind, request.time_frame) == ("advice", "soon")
        assert (request.contact, request.contact_detail) == (
            "email",
            "focal.point@city.example.org",
        )
        details = await harness.services.support.details(request.id)
        assert details is not None
        [attachment] = details.attachments
        assert attachment.kind == "document"
        assert attachment.file_id == document.document["file_id"]
        assert await harness.services.request_form.draft(user) is None


async def test_a_photo_and_a_phone_number(bot: Harness) -> None:
    await make_focal_point(bot, ENGLISH_USER, "JO", "Karak")
    await bot.say(ENGLISH_USER, "/request")
    await bot.press(ENGLISH_USER, "Crisis management and response")
    await bot.press(ENGLISH_USER, "Training")
    await bot.say(ENGLISH_USER, "Flood response drill")
    await bot.say(ENGLISH_USER, DESCRIPTION)
    await bot.press(ENGLISH_USER, "Urgent: within a month")
    [question] = await bot.send(ENGLISH_USER, photo=bot.api.make_photo(b"\x89PNG"))
    assert question.text == expected_n("en", *FILES_RECEIVED, 1)
    [question] = await bot.send(ENGLISH_USER, document=bot.api.make_document(b"x", "map.pdf"))
    assert question.text == expected_n("en", *FILES_RECEIVED, 2)
    [question] = await bot.press(ENGLISH_USER, "Remove the files")
    assert question.text == expected_n("en", *ASK_FILES, 10)
    await bot.send(ENGLISH_USER, photo=bot.api.make_photo(b"\x89PNG"))
    await bot.press(ENGLISH_USER, "Done")
    [question] = await bot.press(ENGLISH_USER, "Phone")
    assert question.text == expected("en", ASK_PHONE)
    [summary] = await bot.say(ENGLISH_USER, "+962 79 123 4567")
    assert "+962 79 123 4567" in (summary.text or "")
    await bot.press(ENGLISH_USER, "✔ Submit")
    notice = bot.api.messages(ADMIN)
    assert notice[-1].photo is not None
    assert "Flood response drill" in (notice[-2].text or "")


async def test_back_at_every_step(bot: Harness) -> None:
    user = FRENCH_USER
    await make_focal_point(bot, user, "MA", "Fes")
    steps = [
        ("press", "Gender and inclusion", ASK_TOPIC),
        ("press", "Peer exchange", ASK_KIND),
        ("say", "Titre de la demande", ASK_TITLE),
        ("say", DESCRIPTION, ASK_DESCRIPTION),
        ("press", "Later", ASK_TIME_FRAME),
        ("press", "Skip", None),
        ("press", "Email", ASK_CONTACT),
        ("say", "karim@fes.ma", ASK_EMAIL),
    ]
    [question] = await bot.say(user, "/request")
    assert question.text == expected("fr", ASK_TOPIC)
    # The first step has nothing before it: Cancel only.
    assert question.button_texts()[-1] == label("fr", "✖ Cancel")
    assert label("fr", "« Back") not in question.button_texts()
    for how, answer, asked in steps:
        if how == "press":
            await bot.press(user, label("fr", answer))
        else:
            await bot.say(user, answer)
        [back] = await bot.press(user, label("fr", "« Back"))
        if asked is None:
            assert back.text == expected_n("fr", *ASK_FILES, 10)
        else:
            assert back.text == expected("fr", asked)
        if how == "press":
            await bot.press(user, label("fr", answer))
        else:
            await bot.say(user, answer)
    # Back from the summary of a Telegram contact skips the address step.
    await bot.press(user, label("fr", "« Back"))
    await bot.press(user, label("fr", "« Back"))
    [summary] = await bot.press(user, label("fr", "Telegram"))
    assert label("fr", "✔ Submit") in summary.button_texts()
    [back] = await bot.press(user, label("fr", "« Back"))
    assert back.text == expected("fr", ASK_CONTACT)
    draft = await bot.services.request_form.draft(user)
    assert draft is not None
    assert draft.data["title"] == "Titre de la demande"
    assert draft.data["time_frame"] == "later"


STEP_ANSWERS = (
    ("press", "Social cohesion and migration"),
    ("press", "Co-organising an event"),
    ("say", "Dialogue week"),
    ("say", DESCRIPTION),
    ("press", "In 1 to 3 months"),
    ("press", "Skip"),
    ("press", "Phone"),
    ("say", "+961 1 234 567"),
)


@pytest.mark.parametrize("steps_done", range(len(STEP_ANSWERS) + 1))
async def test_cancel_at_every_step(bot: Harness, steps_done: int) -> None:
    user = ARABIC_USER
    await make_focal_point(bot, user, "LB", "Saida")
    await bot.say(user, "/request")
    for how, answer in STEP_ANSWERS[:steps_done]:
        if how == "press":
            await bot.press(user, label("ar", answer))
        else:
            await bot.say(user, answer)
    [cancelled] = await bot.press(user, label("ar", "✖ Cancel"))
    assert cancelled.text == expected("ar", CANCELLED)
    assert await bot.services.request_form.draft(user) is None
    # The form is over: text is a question for the knowledge base again, not an answer.
    answers = await bot.say(user, "Dialogue week")
    assert all(answer.text != expected("ar", ASK_DESCRIPTION) for answer in answers)
    assert (await bot.services.support.search(RequestFilter(), page=0, size=5)).total == 0


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_wrong_input_keeps_the_user_on_the_step(bot: Harness, language: str) -> None:
    user = USERS[language]
    country, city = CITIES[language]
    await make_focal_point(bot, user, country, city)
    await bot.say(user, "/request")

    async def stays(
        answers: list[SentMessage], problem: str, prompt: str, **values: object
    ) -> None:
        got, question = answers
        assert got.text == problem
        assert question.text == expected(language, prompt, **values)

    # Topic: typed text and a photo are not a choice; a forged choice changes nothing.
    await stays(await bot.say(user, "youth"), expected(language, CHOOSE), ASK_TOPIC)
    await stays(
        await bot.send(user, photo=bot.api.make_photo()), expected(language, CHOOSE), ASK_TOPIC
    )
    last = bot.api.last_message(user)
    await bot.press_data(user, last.message_id, REQ_CHOOSE.data("topic", "astrology"))
    await bot.press_data(user, last.message_id, REQ_CHOOSE.data("kind", "training"))
    draft = await bot.services.request_form.draft(user)
    assert draft is not None and draft.step == "topic" and "kind" not in draft.data
    await bot.press(user, label(language, "Local prevention networks"))
    # Kind: a sticker is not a choice.
    await stays(
        await bot.send(user, sticker=bot.api.make_sticker()), expected(language, CHOOSE), ASK_KIND
    )
    await bot.press(user, label(language, "Resources or translation"))
    # Title: too short, too long, not text.
    too_short = expected_n(
        language,
        "That is too short: please use at least {count} character.",
        "That is too short: please use at least {count} characters.",
        5,
    )
    await stays(await bot.say(user, "Ab"), too_short, ASK_TITLE)
    too_long = expected_n(
        language,
        "That is too long: please use at most {count} character.",
        "That is too long: please use at most {count} characters.",
        120,
    )
    await stays(await bot.say(user, "t" * 121), too_long, ASK_TITLE)
    await stays(
        await bot.send(user, voice=bot.api.make_voice()), expected(language, NEEDS_TEXT), ASK_TITLE
    )
    await stays(
        await bot.send(user, document=bot.api.make_document()),
        expected(language, NEEDS_TEXT),
        ASK_TITLE,
    )
    await bot.say(user, "Network mapping")
    # Description: at least 20 characters, at most 2000.
    await stays(
        await bot.say(user, "Help please"),
        expected_n(
            language,
            "That is too short: please use at least {count} character.",
            "That is too short: please use at least {count} characters.",
            20,
        ),
        ASK_DESCRIPTION,
    )
    await stays(
        await bot.say(user, "d" * 2001),
        expected_n(
            language,
            "That is too long: please use at most {count} character.",
            "That is too long: please use at most {count} characters.",
            2000,
        ),
        ASK_DESCRIPTION,
    )
    await bot.say(user, DESCRIPTION)
    # Time frame: typed text is not a choice.
    await stays(await bot.say(user, "tomorrow"), expected(language, CHOOSE), ASK_TIME_FRAME)
    await bot.press(user, label(language, "Urgent: within a month"))
    # Attachments: text and stickers are not files.
    got, question = await bot.say(user, "here is the file")
    assert got.text == expected(language, NEEDS_FILE)
    assert question.text == expected_n(language, *ASK_FILES, 10)
    got, question = await bot.send(user, sticker=bot.api.make_sticker())
    assert got.text == expected(language, NEEDS_FILE)
    await bot.press(user, label(language, "Skip"))
    # Contact: a choice; then a valid address or number.
    await stays(await bot.say(user, "email"), expected(language, CHOOSE), ASK_CONTACT)
    await bot.press(user, label(language, "Email"))
    await stays(
        await bot.say(user, "not-an-address"),
        expected(
            language, "That does not look like an email address (name@example.org). Try again."
        ),
        ASK_EMAIL,
    )
    await bot.press(user, label(language, "« Back"))
    await bot.press(user, label(language, "Phone"))
    await stays(
        await bot.say(user, "call me"),
        expected(
            language,
            "That does not look like a phone number. Use digits, with the country code, "
            "for example +216 71 000 000.",
        ),
        ASK_PHONE,
    )
    await stays(
        await bot.send(user, photo=bot.api.make_photo()), expected(language, NEEDS_TEXT), ASK_PHONE
    )
    [summary] = await bot.say(user, "+216 71 123 456")
    assert label(language, "✔ Submit") in summary.button_texts()
    # At the summary, text is not an answer either.
    got, again = await bot.say(user, "yes")
    assert got.text == expected(language, CHOOSE)
    assert label(language, "✔ Submit") in again.button_texts()


async def test_restart_in_the_middle_and_continue(harness: Harness) -> None:
    async with harness.running():
        await make_focal_point(harness, FRENCH_USER, "MA", "Fes")
        await harness.say(FRENCH_USER, "/request")
        await harness.press(FRENCH_USER, label("fr", "Youth engagement"))
        await harness.press(FRENCH_USER, label("fr", "Training"))
        await harness.say(FRENCH_USER, "Formation des animateurs")
    # Days later, after a restart of the bot.
    harness.clock.advance(timedelta(days=4))
    async with harness.running():
        # The old keyboard's Back still works, and typed text still answers the form.
        [offer] = await harness.say(FRENCH_USER, "/request")
        assert label("fr", "Continue") in offer.button_texts()
        assert label("fr", "Start over") in offer.button_texts()
        [question] = await harness.press(FRENCH_USER, label("fr", "Continue"))
        assert question.text == expected("fr", ASK_DESCRIPTION)
        [question] = await harness.say(FRENCH_USER, DESCRIPTION)
        assert question.text == expected("fr", ASK_TIME_FRAME)
        draft = await harness.services.request_form.draft(FRENCH_USER)
        assert draft is not None
        assert draft.data["title"] == "Formation des animateurs"
        # Starting over forgets the answers.
        await harness.say(FRENCH_USER, "/request")
        [question] = await harness.press(FRENCH_USER, label("fr", "Start over"))
        assert question.text == expected("fr", ASK_TOPIC)
        draft = await harness.services.request_form.draft(FRENCH_USER)
        assert draft is not None
        assert "title" not in draft.data


async def test_double_submit_files_one_request(bot: Harness) -> None:
    await make_focal_point(bot, ENGLISH_USER, "LY", "Sabha")
    summary = await fill_request(bot, "en", attach=False, contact="Telegram")
    submit = summary.callback_data_for("✔ Submit")
    [thanks] = await bot.press_data(ENGLISH_USER, summary.message_id, submit)
    assert thanks.text == expected("en", SENT, reference="TSR-2026-0001")
    staff_messages = len(bot.api.messages(ADMIN))
    # A double tap, and the same update delivered again: one request, same reference.
    [again] = await bot.press_data(ENGLISH_USER, summary.message_id, submit)
    assert again.text == expected(
        "en",
        "This support request was already sent; its reference is {reference}.",
        reference="TSR-2026-0001",
    )
    await bot.press_data(ENGLISH_USER, summary.message_id, submit)
    assert len(bot.api.messages(ADMIN)) == staff_messages
    assert (await bot.services.support.search(RequestFilter(), page=0, size=5)).total == 1
    # A later form gets the next number.
    await fill_request(bot, "en", attach=False, contact="Telegram")
    [thanks] = await bot.press(ENGLISH_USER, "✔ Submit")
    assert thanks.text == expected("en", SENT, reference="TSR-2026-0002")
    # A submit button of a cancelled form does nothing.
    await bot.say(ENGLISH_USER, "/request")
    await bot.press(ENGLISH_USER, "✖ Cancel")
    [closed] = await bot.press_data(ENGLISH_USER, summary.message_id, REQ_SUBMIT.data("not-a-key"))
    assert closed.text == expected("en", CLOSED)


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_only_verified_focal_points_file_requests(bot: Harness, language: str) -> None:
    user = USERS[language]
    refusal = expected(
        language,
        "Support requests are for verified city focal points. Use /register to register "
        "as your city's focal point first.",
    )
    [answer] = await bot.say(user, "/request")
    assert answer.text == refusal
    [answer] = await bot.say(user, "/myrequests")
    assert answer.text == refusal
    # Waiting for approval: told so.
    await bot.services.registration.start(user)
    await bot.services.registration.answer_text(user, "Amina Benali")
    await bot.services.registration.choose_country(user, "TN")
    await bot.services.registration.choose_city(user, 0)
    await bot.services.registration.answer_text(user, "Adjointe au maire")
    await bot.services.registration.skip_email(user)
    assert await bot.services.registration.submit(user) is not None
    [answer] = await bot.say(user, "/request")
    assert answer.text == expected(
        language,
        "Your registration is still waiting for the Hub team's review. You can file "
        "support requests once it is approved.",
    )
    # A forged form button is refused the same way.
    await bot.press_data(user, answer.message_id, REQ_CHOOSE.data("topic", "youth"))
    assert await bot.services.request_form.draft(user) is None


async def test_erasing_the_focal_point_keeps_the_citys_request_without_their_name(
    bot: Harness,
) -> None:
    await make_focal_point(bot, ENGLISH_USER, "EG", "Alexandria")
    await fill_request(bot, "en", attach=False, contact="Telegram")
    await bot.press(ENGLISH_USER, "✔ Submit")
    [request] = (await bot.services.support.search(RequestFilter(), page=0, size=5)).requests
    assert request.filer_name == "Sam"
    await bot.services.accounts.erase(ENGLISH_USER)
    kept = await bot.services.support.details(request.id)
    assert kept is not None
    assert kept.request.filed_by is None
    assert kept.request.filer_name == ""
    assert kept.request.title == TITLES["en"]
    assert [event.actor_name for event in kept.events] == [""]


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_old_buttons_of_a_focal_point_no_longer_verified_are_refused(
    bot: Harness, language: str
) -> None:
    """The /start button and a /myrequests page button, pressed after the profile is gone."""
    user = USERS[language]
    country, city = CITIES[language]
    await make_focal_point(bot, user, country, city)
    [welcome] = await bot.say(user, "/start")
    begin = welcome.callback_data_for(label(language, "Request technical support"))
    await bot.services.accounts.erase(user)
    refusal = expected(
        language,
        "Support requests are for verified city focal points. Use /register to register "
        "as your city's focal point first.",
    )
    for data in (begin, REQ_PAGE.data(1)):
        answers = await bot.press_data(user, welcome.message_id, data)
        assert [answer.text for answer in answers] == [refusal]
    assert await bot.services.request_form.draft(user) is None


async def test_a_phone_number_in_arabic_digits(bot: Harness) -> None:
    """Arabic keyboards on phones type ٠١٢٣…: the number is taken, and kept in the digits
    staff dial."""
    await make_focal_point(bot, ARABIC_USER, *CITIES["ar"])
    summary = await fill_request(bot, "ar", attach=False, contact="Phone", phone="+٢١٢ ٦٠٠ ١٢٣ ٤٥٦")
    assert "+212 600 123 456" in (summary.text or "")
    await bot.press(ARABIC_USER, label("ar", "✔ Submit"))
    [request] = (await bot.services.support.search(RequestFilter(), page=0, size=1)).requests
    assert request.contact_detail == "+212 600 123 456"
