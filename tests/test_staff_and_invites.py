"""Staff powers: invites, the staff list, and everyone else refused, whatever they forge."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.routes import INVITE_CITY, INVITE_COUNTRY, REG_APPROVE, REG_REJECT
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, Harness, expected, label

STAFF_ONLY = "This is for hub staff only."


async def make_invite(bot: Harness, country: str = "Morocco", city: str = "Tetouan") -> str:
    await bot.say(ADMIN, "/invite")
    await bot.press(ADMIN, country)
    [link_message] = await bot.press(ADMIN, city)
    text = link_message.text or ""
    link = next(word for word in text.split() if word.startswith("https://t.me/"))
    assert link.startswith(f"https://t.me/{bot.api.bot_username}?start=inv-")
    return link.split("start=", 1)[1]


@pytest.mark.parametrize(
    ("user", "language"), [(ARABIC_USER, "ar"), (FRENCH_USER, "fr"), (ENGLISH_USER, "en")]
)
async def test_invite_link_registers_at_once(bot: Harness, user: int, language: str) -> None:
    code = await make_invite(bot)
    [welcome] = await bot.say(user, f"/start {code}")
    assert welcome.text == expected(
        language,
        "Welcome! You are now registered as the focal point for {city}. "
        "Use /settings to check your profile and /help to see what the bot can do.",
        city=label(language, "Tetouan"),
    )
    profile = await bot.services.accounts.profile(user)
    assert profile is not None
    assert profile.is_verified_focal_point
    assert profile.focal_point is not None
    assert profile.focal_point.country == "MA"
    assert profile.time_zone == "Africa/Casablanca"


async def test_invite_link_cannot_be_reused(bot: Harness) -> None:
    code = await make_invite(bot)
    await bot.say(FRENCH_USER, f"/start {code}")
    [refused] = await bot.say(ARABIC_USER, f"/start {code}")
    assert refused.text == expected(
        "ar", "This invite link has already been used. Ask the Hub for a new one."
    )
    profile = await bot.services.accounts.profile(ARABIC_USER)
    assert profile is not None
    assert profile.focal_point is None


async def test_invite_link_expires(bot: Harness) -> None:
    code = await make_invite(bot)
    bot.clock.advance(timedelta(hours=bot.config.invite_ttl_hours, seconds=1))
    [refused] = await bot.say(FRENCH_USER, f"/start {code}")
    assert refused.text == expected(
        "fr", "This invite link has expired. Ask the Hub for a new one."
    )


async def test_unknown_invite_code(bot: Harness) -> None:
    [refused] = await bot.say(ENGLISH_USER, "/start inv-doesnotexist")
    assert refused.text == expected(
        "en", "This invite link is not valid. Check that you copied all of it."
    )


@pytest.mark.parametrize(
    "command", ["/pending", "/invite", "/staff", "/addstaff 203", "/removestaff 100"]
)
@pytest.mark.parametrize(("user", "language"), [(ARABIC_USER, "ar"), (FRENCH_USER, "fr")])
async def test_staff_commands_refused_to_others(
    bot: Harness, command: str, user: int, language: str
) -> None:
    [refusal] = await bot.say(user, command)
    assert refusal.text == expected(language, STAFF_ONLY)
    assert not await bot.services.accounts.is_staff(ENGLISH_USER)


@pytest.mark.parametrize(
    "data",
    [
        REG_APPROVE.data(FRENCH_USER),
        REG_REJECT.data(FRENCH_USER),
        INVITE_COUNTRY.data("MA"),
        INVITE_CITY.data("MA", 0),
    ],
)
async def test_forged_staff_buttons_refused(bot: Harness, data: str) -> None:
    await bot.say(FRENCH_USER, "/register")
    await bot.say(FRENCH_USER, "Karim Benali")
    await bot.press(FRENCH_USER, label("fr", "Morocco"))
    await bot.press(FRENCH_USER, label("fr", "Fes"))
    await bot.say(FRENCH_USER, "Chargé de mission")
    await bot.press(FRENCH_USER, label("fr", "Skip"))
    await bot.press(FRENCH_USER, label("fr", "✔ Submit"))
    message_id = bot.api.last_message(FRENCH_USER).message_id
    await bot.press_data(FRENCH_USER, message_id, data)
    assert bot.api.callback_answers[-1]["text"] == label("fr", STAFF_ONLY)
    profile = await bot.services.accounts.profile(FRENCH_USER)
    assert profile is not None
    assert profile.focal_point is not None
    assert profile.focal_point.status == "pending"
    assert not any("start=inv-" in (m.text or "") for m in bot.api.messages(FRENCH_USER))


async def test_staff_can_add_and_remove_staff(bot: Harness) -> None:
    [added] = await bot.say(ADMIN, f"/addstaff {FRENCH_USER}")
    assert added.text == expected("en", "{user_id} is now hub staff.", user_id=str(FRENCH_USER))
    # The new staff member can now use staff commands, in their own language.
    [listing] = await bot.say(FRENCH_USER, "/staff")
    assert "Hala" in (listing.text or "")
    [pending] = await bot.say(FRENCH_USER, "/pending")
    assert pending.text == expected("fr", "No registration is waiting for review.")
    [refused] = await bot.say(FRENCH_USER, f"/removestaff {ADMIN}")
    assert refused.text == expected(
        "fr",
        "{user_id} is staff through the configuration and can only be removed there.",
        user_id=str(ADMIN),
    )
    [removed] = await bot.say(ADMIN, f"/removestaff {FRENCH_USER}")
    assert removed.text == expected(
        "en", "{user_id} is no longer hub staff.", user_id=str(FRENCH_USER)
    )
    [refusal] = await bot.say(FRENCH_USER, "/staff")
    assert refusal.text == expected("fr", STAFF_ONLY)


async def test_staff_command_needs_a_numeric_id(bot: Harness) -> None:
    [hint] = await bot.say(ADMIN, "/addstaff @someone")
    assert hint.text == expected(
        "en",
        "Give the person's numeric Telegram id, for example: {example}",
        example="/addstaff 123456789",
    )


async def test_pending_lists_registrations_with_buttons(bot: Harness) -> None:
    await bot.say(ENGLISH_USER, "/register")
    await bot.say(ENGLISH_USER, "Sam Haddad")
    await bot.press(ENGLISH_USER, "Lebanon")
    await bot.press(ENGLISH_USER, "Beirut")
    await bot.say(ENGLISH_USER, "Social cohesion officer")
    await bot.press(ENGLISH_USER, "Skip")
    await bot.press(ENGLISH_USER, "✔ Submit")
    [listed] = await bot.say(ADMIN, "/pending")
    assert "Sam Haddad" in (listed.text or "")
    await bot.press(ADMIN, "✔ Approve")
    profile = await bot.services.accounts.profile(ENGLISH_USER)
    assert profile is not None
    assert profile.is_verified_focal_point


async def test_invite_for_a_city_not_in_the_list(bot: Harness) -> None:
    [hint] = await bot.say(ADMIN, "/invite XX")
    assert hint.text == expected(
        "en",
        "Write the country code and the city, for example: {example}",
        example="/invite MA Chefchaouen",
    )
    [link_message] = await bot.say(ADMIN, "/invite ma Chefchaouen")
    code = (link_message.text or "").split("start=", 1)[1].split()[0]
    await bot.say(FRENCH_USER, f"/start {code}")
    focal_point = await bot.services.registration.focal_point(FRENCH_USER)
    assert focal_point is not None
    assert (focal_point.country, focal_point.city) == ("MA", "Chefchaouen")


async def test_staff_get_their_menu_at_start(bot: Harness) -> None:
    names = [command["command"] for command in bot.api.commands[(f"chat:{ADMIN}", "")]]
    assert "pending" in names


async def test_start_offers_verified_focal_points_a_support_request(bot: Harness) -> None:
    [before] = await bot.say(FRENCH_USER, "/start")
    assert label("fr", "Request technical support") not in before.button_texts()
    code = await make_invite(bot)
    await bot.say(FRENCH_USER, f"/start {code}")
    await bot.say(FRENCH_USER, "/start")
    [form] = await bot.press(FRENCH_USER, label("fr", "Request technical support"))
    draft = await bot.services.drafts.active(FRENCH_USER)
    assert draft is not None
    assert draft.flow == "request"
    assert form.button_texts()
