"""Focal point registration end to end: the form, staff review, and every way it can go wrong."""

from __future__ import annotations

import pytest

from handlers.routes import REG_CITY, REG_COUNTRY, REG_REJECT
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, STAFF_CHAT, Harness, expected, label

USERS = {"ar": ARABIC_USER, "fr": FRENCH_USER, "en": ENGLISH_USER}
ASK_NAME = "Registration (1/5). What is your full name?"
ASK_COUNTRY = "Registration (2/5). Which country is your city in?"
ASK_CITY = "Registration (3/5). Choose your city or governorate, or type its name."
ASK_CITY_TYPED = "Registration (3/5). Type the name of your city or governorate."
ASK_POSITION = "Registration (4/5). What is your position in the municipality?"
ASK_EMAIL = "Registration (5/5). Type your work email address, or skip this step."
SENT = "Thank you. Your registration was sent to the Hub team; you will get their answer here."
APPROVED = "Good news: the Hub team approved your registration as the focal point for {city}."
REJECTED = (
    "The Hub team could not approve your registration. If you think this is a mistake, "
    "write to {email}."
)


async def fill_form(
    bot: Harness,
    language: str,
    *,
    country: str,
    city: str | None,
    typed_city: str | None = None,
    email: str | None = None,
) -> None:
    user = USERS[language]
    [question] = await bot.say(user, "/register")
    assert question.text == expected(language, ASK_NAME)
    [question] = await bot.say(user, "Amina <Benali> & Co")
    assert question.text == expected(language, ASK_COUNTRY)
    [question] = await bot.press(user, label(language, country))
    if city is not None:
        assert question.text == expected(language, ASK_CITY)
        [question] = await bot.press(user, label(language, city))
    else:
        assert question.text == expected(language, ASK_CITY_TYPED)
        assert typed_city is not None
        [question] = await bot.say(user, typed_city)
    assert question.text == expected(language, ASK_POSITION)
    [question] = await bot.say(user, "Youth affairs officer")
    assert question.text == expected(language, ASK_EMAIL)
    if email is None:
        [summary] = await bot.press(user, label(language, "Skip"))
    else:
        [summary] = await bot.say(user, email)
    assert label(language, "✔ Submit") in summary.button_texts()
    # User text is escaped in HTML, and shown back exactly as typed.
    assert "Amina <Benali> & Co" in (summary.text or "")


@pytest.mark.parametrize(
    ("language", "country", "city", "typed_city", "email"),
    [
        ("ar", "Iraq", None, None, None),
        ("fr", "Morocco", "Fes", None, "amina@fes.ma"),
        ("en", "Other country", None, "Gaziantep", None),
    ],
)
async def test_registration_approved_by_staff(
    bot: Harness,
    language: str,
    country: str,
    city: str | None,
    typed_city: str | None,
    email: str | None,
) -> None:
    if language == "ar":
        city = "Miqdadiyah"
    await fill_form(bot, language, country=country, city=city, typed_city=typed_city, email=email)
    user = USERS[language]
    [thanks] = await bot.press(user, label(language, "✔ Submit"))
    assert thanks.text == expected(language, SENT)
    # The admin (no staff chat configured) gets it privately, in English, with buttons.
    notice = bot.api.last_message(ADMIN)
    assert "Amina <Benali> & Co" in (notice.text or "")
    assert notice.button_texts() == ["✔ Approve", "✖ Reject"]
    await bot.press(ADMIN, "✔ Approve")
    assert "Approved" in (bot.api.last_message(ADMIN).text or "")
    assert bot.api.last_message(ADMIN).message_id == notice.message_id  # edited in place
    shown_city = city or typed_city
    assert bot.last_text(user) == expected(
        language, APPROVED, city=label(language, shown_city or "")
    )
    profile = await bot.services.accounts.profile(user)
    assert profile is not None
    assert profile.is_verified_focal_point
    assert profile.focal_point is not None
    assert profile.focal_point.email == email


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_registration_rejected_in_the_staff_chat(harness: Harness, language: str) -> None:
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT, staff_language="fr"):
        await fill_form(harness, language, country="Jordan", city="Karak")
        await harness.press(USERS[language], label(language, "✔ Submit"))
        notice = harness.api.last_message(STAFF_CHAT)
        assert notice.button_texts() == [label("fr", "✔ Approve"), label("fr", "✖ Reject")]
        await harness.press(ADMIN, label("fr", "✖ Reject"), chat_id=STAFF_CHAT)
        # The staff chat reads French, whatever the language of the staff member who pressed.
        decision = expected(
            "fr", "{details}\n\n<b>Rejected</b> by {reviewer}.", details="@", reviewer="Hala"
        ).split("@")[-1]
        assert (harness.api.last_message(STAFF_CHAT).text or "").endswith(decision.strip())
        assert harness.last_text(USERS[language]) == expected(
            language, REJECTED, email="info@strongcitiesnetwork.org"
        )
        profile = await harness.services.accounts.profile(USERS[language])
        assert profile is not None
        assert profile.focal_point is not None
        assert profile.focal_point.status == "rejected"


async def test_back_and_cancel_at_every_step(bot: Harness) -> None:
    user = FRENCH_USER
    await bot.say(user, "/register")
    await bot.say(user, "Karim Benali")
    [back] = await bot.press(user, label("fr", "« Back"))
    assert back.text == expected("fr", ASK_NAME)
    await bot.say(user, "Karim Benali")
    await bot.press(user, label("fr", "Tunisia"))
    [back] = await bot.press(user, label("fr", "« Back"))
    assert back.text == expected("fr", ASK_COUNTRY)
    await bot.press(user, label("fr", "Tunisia"))
    await bot.press(user, label("fr", "Sousse"))
    [back] = await bot.press(user, label("fr", "« Back"))
    assert back.text == expected("fr", ASK_CITY)
    await bot.press(user, label("fr", "Sousse"))
    await bot.say(user, "Maire adjoint")
    [back] = await bot.press(user, label("fr", "« Back"))
    assert back.text == expected("fr", ASK_POSITION)
    await bot.say(user, "Maire adjoint")
    [summary] = await bot.press(user, label("fr", "Skip"))
    assert "Sousse" in (summary.text or "")
    [back] = await bot.press(user, label("fr", "« Back"))
    assert back.text == expected("fr", ASK_EMAIL)
    [cancelled] = await bot.press(user, label("fr", "✖ Cancel"))
    assert cancelled.text == expected("fr", "Registration cancelled. Nothing was sent.")
    assert await bot.services.registration.draft(user) is None
    # After cancelling, free text is no longer taken as a form answer.
    answers = await bot.say(user, "Karim")
    assert all(answer.text != expected("fr", ASK_COUNTRY) for answer in answers)


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_wrong_input_keeps_the_user_on_the_step(bot: Harness, language: str) -> None:
    user = USERS[language]
    await bot.say(user, "/register")
    problem, question = await bot.say(user, "A")
    assert problem.text is not None
    assert question.text == expected(language, ASK_NAME)
    await bot.say(user, "Amina Benali")
    problem, question = await bot.send(user, photo=bot.api.make_photo())
    assert problem.text == expected(language, "Please answer with a text message.")
    assert question.text == expected(language, ASK_COUNTRY)
    await bot.press(user, label(language, "Egypt"))
    await bot.press(user, label(language, "Cairo"))
    problem, question = await bot.say(user, "x" * 101)
    assert question.text == expected(language, ASK_POSITION)
    await bot.say(user, "Director of social affairs")
    problem, question = await bot.say(user, "not-an-email")
    assert problem.text == expected(
        language, "That does not look like an email address (name@example.org). Try again."
    )
    assert question.text == expected(language, ASK_EMAIL)
    # A forged city index and a country button pressed out of turn change nothing.
    await bot.press_data(user, question.message_id, REG_CITY.data(99))
    await bot.press_data(user, question.message_id, REG_COUNTRY.data("ZZ"))
    draft = await bot.services.registration.draft(user)
    assert draft is not None
    assert draft.step == "email"


async def test_the_form_survives_a_restart(harness: Harness) -> None:
    async with harness.running():
        await harness.say(ARABIC_USER, "/register")
        await harness.say(ARABIC_USER, "ليلى حداد")
        await harness.press(ARABIC_USER, label("ar", "Lebanon"))
    async with harness.running():
        # The keyboard sent before the restart still works.
        [question] = await harness.press(ARABIC_USER, label("ar", "Saida"))
        assert question.text == expected("ar", ASK_POSITION)
        [question] = await harness.say(ARABIC_USER, "منسقة شؤون الشباب")
        assert question.text == expected("ar", ASK_EMAIL)


async def test_double_submit_sends_one_registration(bot: Harness) -> None:
    await fill_form(bot, "en", country="Libya", city="Sabha")
    summary = bot.api.last_message(ENGLISH_USER)
    submit = summary.callback_data_for("✔ Submit")
    await bot.press_data(ENGLISH_USER, summary.message_id, submit)
    notices = len(bot.api.messages(ADMIN))
    [again] = await bot.press_data(ENGLISH_USER, summary.message_id, submit)
    assert again.text == expected(
        "en", "This registration form is closed. Use /register to start again."
    )
    assert len(bot.api.messages(ADMIN)) == notices
    assert [fp.user_id for fp in await bot.services.registration.pending()] == [ENGLISH_USER]


async def test_a_decision_is_taken_once(bot: Harness) -> None:
    await bot.say(ADMIN, "/addstaff 555")
    bot.api.add_user(555, "Omar", language_code="ar")
    await fill_form(bot, "en", country="Libya", city="Sabha")
    await bot.press(ENGLISH_USER, "✔ Submit")
    notice = bot.api.last_message(ADMIN)
    approve = notice.callback_data_for("✔ Approve")
    await bot.press_data(ADMIN, notice.message_id, approve)
    await bot.press_data(555, bot.api.last_message(555).message_id, REG_REJECT.data(ENGLISH_USER))
    assert bot.api.callback_answers[-1]["text"] == label(
        "ar", "This registration was already decided."
    )
    profile = await bot.services.accounts.profile(ENGLISH_USER)
    assert profile is not None
    assert profile.is_verified_focal_point


async def test_registered_users_are_not_asked_again(bot: Harness) -> None:
    await fill_form(bot, "fr", country="Morocco", city="Rabat")
    await bot.press(FRENCH_USER, label("fr", "✔ Submit"))
    [waiting] = await bot.say(FRENCH_USER, "/register")
    assert waiting.text == expected("fr", "Your registration is waiting for the Hub team's review.")
    await bot.press(ADMIN, "✔ Approve")
    [already] = await bot.say(FRENCH_USER, "/register")
    assert already.text == expected(
        "fr", "You are already registered as the focal point for {city}.", city=label("fr", "Rabat")
    )


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_pending_is_one_message_with_pages(bot: Harness, language: str) -> None:
    """Seven registrations waiting: one message of five, a second page of two, and deciding
    one from the page keeps the page (a message each held a busy staff chat for minutes)."""
    staff = ADMIN
    if language != "en":
        staff = 555
        bot.api.add_user(staff, "Omar", language_code=language)
        await bot.say(ADMIN, f"/addstaff {staff}")
    applicants = list(range(700, 707))
    for number, user_id in enumerate(applicants):
        bot.api.add_user(user_id, f"Applicant{number}", language_code="fr")
        await bot.say(user_id, "/help")
        await bot.services.registration._focal_points.save_pending(
            user_id=user_id,
            full_name=f"Applicant Number{number}",
            country="TN",
            city="Sfax",
            position="Adviser",
            email=None,
            now=bot.clock.now(),
        )
    [page] = await bot.say(staff, "/pending")
    assert page.text is not None
    assert "Applicant Number4" in page.text and "Applicant Number5" not in page.text
    buttons = page.button_texts()
    assert label(language, "✔ Approve {number}", number=1) in buttons
    assert label(language, "✖ Reject {number}", number=5) in buttons
    assert label(language, "✔ Approve {number}", number=6) not in buttons
    [second] = await bot.press(staff, label(language, "Next ›"))
    assert second.message_id == page.message_id
    assert "Applicant Number6" in (second.text or "")
    assert "Applicant Number0" not in (second.text or "")
    # Approving the sixth from the second page: the applicant is told, the page stays.
    [after] = await bot.press(staff, label(language, "✔ Approve {number}", number=6))
    assert after.message_id == page.message_id
    assert "Applicant Number5" not in (after.text or "")
    assert "Applicant Number6" in (after.text or "")
    assert bot.api.last_message(applicants[5]).text == expected(
        "fr", APPROVED, city=label("fr", "Sfax")
    )
    assert [fp.user_id for fp in await bot.services.registration.pending()] == [
        *applicants[:5],
        applicants[6],
    ]
    assert len([m for m in bot.api.messages(staff) if "Applicant" in (m.text or "")]) == 1
