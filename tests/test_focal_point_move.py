"""An approved focal point who opens another city's invite is asked first; staff hear of a move."""

from __future__ import annotations

import pytest

from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, Harness, expected, label
from tests.support_helpers import make_focal_point

OFFER = (
    "You are the focal point for {current}. This invite is for {city}. "
    "Do you want to become the focal point for {city} instead?"
)
WELCOME = (
    "Welcome! You are now registered as the focal point for {city}. "
    "Use /settings to check your profile and /help to see what the bot can do."
)
MOVED = (
    "<b>Focal point moved</b>: {name} (id {user_id}) opened an invite and is now the "
    "focal point for {city}, no longer for {previous}."
)


async def city_of(bot: Harness, user_id: int) -> str:
    profile = await bot.services.accounts.profile(user_id)
    assert profile is not None and profile.focal_point is not None
    return profile.focal_point.city


@pytest.mark.parametrize(
    ("user_id", "language"), [(ARABIC_USER, "ar"), (FRENCH_USER, "fr"), (ENGLISH_USER, "en")]
)
async def test_a_second_invite_asks_before_moving_and_tells_staff(
    bot: Harness, user_id: int, language: str
) -> None:
    await bot.say(ADMIN, "/start")
    await make_focal_point(bot, user_id, "JO", "Karak")
    invite = await bot.services.registration.create_invite(
        country="JO", city="Zarqa", created_by=ADMIN
    )
    [offer] = await bot.say(user_id, f"/start {invite.code}")
    karak, zarqa = label(language, "Karak"), label(language, "Zarqa")
    assert offer.text == expected(language, OFFER, current=karak, city=zarqa)
    assert await city_of(bot, user_id) == "Karak"

    [kept] = await bot.press(user_id, label(language, "Stay with {city}", city=karak))
    assert kept.text == expected(
        language, "Nothing was changed: you remain the focal point for {city}.", city=karak
    )
    assert await city_of(bot, user_id) == "Karak"
    # The link still works: opened again, it asks again.
    [offer] = await bot.say(user_id, f"/start {invite.code}")
    assert offer.text == expected(language, OFFER, current=karak, city=zarqa)

    move = offer.callback_data_for(label(language, "Move to {city}", city=zarqa))
    staff_before = len(bot.api.messages(ADMIN))
    [moved] = await bot.press(user_id, label(language, "Move to {city}", city=zarqa))
    assert moved.text == expected(language, WELCOME, city=zarqa)
    assert await city_of(bot, user_id) == "Zarqa"
    [notice] = bot.api.messages(ADMIN)[staff_before:]
    name = bot.api.users[user_id].first_name
    if bot.api.users[user_id].last_name:
        name += f" {bot.api.users[user_id].last_name}"
    assert notice.text == expected(
        "en", MOVED, name=name, user_id=str(user_id), city="Zarqa", previous="Karak"
    )
    # A second tap on the same button: the invite is used, nothing moves again.
    [again] = await bot.press_data(user_id, offer.message_id, move)
    assert again.text == expected(
        language, "This invite link has already been used. Ask the Hub for a new one."
    )
    assert len(bot.api.messages(ADMIN)) == staff_before + 1


async def test_an_invite_for_the_same_city_needs_no_confirmation(bot: Harness) -> None:
    await make_focal_point(bot, ENGLISH_USER, "JO", "Karak")
    invite = await bot.services.registration.create_invite(
        country="JO", city="Karak", created_by=None
    )
    [welcome] = await bot.say(ENGLISH_USER, f"/start {invite.code}")
    assert welcome.text == expected("en", WELCOME, city="Karak")
