"""What the support request tests share: focal points in three languages, the form's prompts."""

from __future__ import annotations

from bot.i18n import right_to_left
from standin import SentMessage
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import Harness, catalogs, expected, label, plain

USERS = {"ar": ARABIC_USER, "fr": FRENCH_USER, "en": ENGLISH_USER}
# Each language's user is the focal point of a city of their own.
CITIES = {
    "ar": ("IQ", "Miqdadiyah"),
    "fr": ("MA", "Fes"),
    "en": ("JO", "Greater Amman Municipality"),
}

ASK_TOPIC = "Support request (1/7). Which topic is it about?"
ASK_KIND = "Support request (2/7). What kind of support would help?"
ASK_TITLE = "Support request (3/7). Give it a short title, for example: Youth council framework."
ASK_DESCRIPTION = (
    "Support request (4/7). Describe what you need: the situation, what you want to "
    "achieve and who is involved."
)
ASK_TIME_FRAME = "Support request (5/7). When do you need the support?"
ASK_FILES = (
    "Support request (6/7). You can send up to {count} document or photo that helps "
    "explain the request, or skip this step.",
    "Support request (6/7). You can send up to {count} documents or photos that help "
    "explain the request, or skip this step.",
)
FILES_RECEIVED = (
    "Support request (6/7). {count} file received. Send more documents or photos, or press Done.",
    "Support request (6/7). {count} files received. Send more documents or photos, or press Done.",
)
ASK_CONTACT = "Support request (7/7). How would you like the Hub team to contact you?"
ASK_EMAIL = "Support request (7/7). Type the email address to write to."
ASK_PHONE = (
    "Support request (7/7). Type the phone number, with the country code "
    "(for example +212 600 000 000)."
)
SENT = (
    "Thank you. Your support request was sent to the Hub team with the reference "
    "{reference}. Their answers and every change of status will reach you here; "
    "/myrequests shows where it stands."
)
CANCELLED = "Support request cancelled. Nothing was sent."
TITLES = {
    "ar": "إطار لإشراك الشباب <مجلس>",
    "fr": "Cadre d'engagement des jeunes & conseil",
    "en": "Crisis management guide <draft>",
}
DESCRIPTION = (
    "We want to set up a youth council and need advice on its framework, "
    "membership and how it links to the municipal council."
)


def expected_n(language: str, singular: str, plural: str, count: int, **values: object) -> str:
    translator = catalogs().translator(language)
    text = str(translator.ngettext(singular, plural, count, **values))
    return plain(right_to_left(text) if translator.is_rtl else text)


async def make_focal_point(bot: Harness, user_id: int, country: str, city: str) -> None:
    """An approved focal point at once, through an invite link as staff would send one."""
    invite = await bot.services.registration.create_invite(
        country=country, city=city, created_by=None
    )
    await bot.say(user_id, f"/start {invite.code}")
    profile = await bot.services.accounts.profile(user_id)
    assert profile is not None and profile.is_verified_focal_point


async def fill_request(
    bot: Harness,
    language: str,
    *,
    attach: bool = True,
    contact: str = "Email",
    description: str = DESCRIPTION,
    phone: str = "+212 600 123 456",
) -> SentMessage:
    """Walk the whole form; returns the summary with its Submit button."""
    user = USERS[language]
    [question] = await bot.say(user, "/request")
    assert question.text == expected(language, ASK_TOPIC)
    [question] = await bot.press(user, label(language, "Youth engagement"))
    assert question.text == expected(language, ASK_KIND)
    [question] = await bot.press(user, label(language, "Advice on a plan or policy"))
    assert question.text == expected(language, ASK_TITLE)
    [question] = await bot.say(user, TITLES[language])
    assert question.text == expected(language, ASK_DESCRIPTION)
    [question] = await bot.say(user, description)
    assert question.text == expected(language, ASK_TIME_FRAME)
    [question] = await bot.press(user, label(language, "In 1 to 3 months"))
    assert question.text == expected_n(language, *ASK_FILES, 10)
    if attach:
        [question] = await bot.send(
            user, document=bot.api.make_document(b"%PDF-1.4 plan", "youth-plan.pdf")
        )
        assert question.text == expected_n(language, *FILES_RECEIVED, 1)
        [question] = await bot.press(user, label(language, "Done"))
    else:
        [question] = await bot.press(user, label(language, "Skip"))
    assert question.text == expected(language, ASK_CONTACT)
    [question] = await bot.press(user, label(language, contact))
    # A long description makes a summary of several messages; the buttons are on the last.
    if contact == "Email":
        assert question.text == expected(language, ASK_EMAIL)
        *_, question = await bot.say(user, "focal.point@city.example.org")
    elif contact == "Phone":
        assert question.text == expected(language, ASK_PHONE)
        *_, question = await bot.say(user, phone)
    assert label(language, "✔ Submit") in question.button_texts()
    return question
