"""/settings (time zone, profile), /privacy, /deleteme, and state kept across restarts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, Harness, expected, label


async def register_by_invite(bot: Harness, user: int, country: str, city: str) -> None:
    invite = await bot.services.registration.create_invite(
        country=country, city=city, created_by=ADMIN
    )
    await bot.say(user, f"/start {invite.code}")


@pytest.mark.parametrize(
    ("user", "language", "country", "zone"),
    [
        (ARABIC_USER, "ar", "IQ", "Asia/Baghdad"),
        (FRENCH_USER, "fr", "TN", "Africa/Tunis"),
        (ENGLISH_USER, "en", "JO", "Asia/Amman"),
    ],
)
async def test_time_zone_defaults_from_the_country_and_can_change(
    bot: Harness, user: int, language: str, country: str, zone: str
) -> None:
    await register_by_invite(bot, user, country, "Somewhere")
    profile = await bot.services.accounts.profile(user)
    assert profile is not None
    assert profile.time_zone == zone
    [settings] = await bot.say(user, "/settings")
    assert zone in (settings.text or "")
    await bot.press(user, label(language, "Time zone"))
    [unknown] = await bot.say(user, "Mars/Olympus")
    assert unknown.text == expected(
        language,
        "I do not know the time zone {typed}. Type a name such as Asia/Amman, "
        "or choose one of the buttons.",
        typed="Mars/Olympus",
    )
    [saved] = await bot.say(user, "europe/paris")
    assert "Europe/Paris" in (saved.text or "")
    profile = await bot.services.accounts.profile(user)
    assert profile is not None
    assert profile.time_zone == "Europe/Paris"
    await bot.say(user, "/settings")
    await bot.press(user, label(language, "Time zone"))
    await bot.press(user, label(language, "Use my country's time zone"))
    profile = await bot.services.accounts.profile(user)
    assert profile is not None
    assert profile.time_zone == zone
    # Cancelling the entry leaves the zone as it was, and free text is no longer a zone.
    await bot.say(user, "/settings")
    await bot.press(user, label(language, "Time zone"))
    [unchanged] = await bot.press(user, label(language, "✖ Cancel"))
    assert unchanged.text == expected(language, "Time zone unchanged.")
    assert await bot.services.drafts.active(user) is None


async def test_dates_in_settings_use_the_arabic_country_variant(bot: Harness) -> None:
    # 1 June 2026: Iraqi readers see حزيران, Tunisian readers جوان.
    await register_by_invite(bot, ARABIC_USER, "IQ", "Baghdad")
    [iraq] = await bot.say(ARABIC_USER, "/privacy")
    assert "حزيران" in (iraq.text or "")
    bot.api.add_user(402, "Mehdi", language_code="ar")
    await register_by_invite(bot, 402, "TN", "Sousse")
    [tunisia] = await bot.say(402, "/privacy")
    assert "جوان" in (tunisia.text or "")


async def test_profile_in_settings(bot: Harness) -> None:
    await bot.say(FRENCH_USER, "/settings")
    [not_registered] = await bot.press(FRENCH_USER, label("fr", "My profile"))
    assert not_registered.text == expected("fr", "You are not registered as a focal point.")
    await register_by_invite(bot, FRENCH_USER, "MA", "Fes")
    await bot.say(FRENCH_USER, "/settings")
    [profile] = await bot.press(FRENCH_USER, label("fr", "My profile"))
    assert label("fr", "Fes") in (profile.text or "")


@pytest.mark.parametrize(
    ("user", "language"), [(ARABIC_USER, "ar"), (FRENCH_USER, "fr"), (ENGLISH_USER, "en")]
)
async def test_privacy_lists_what_is_stored(bot: Harness, user: int, language: str) -> None:
    await register_by_invite(bot, user, "LB", "Saida")
    [report] = await bot.say(user, "/privacy")
    text = report.text or ""
    assert str(user) in text
    assert label(language, "Saida") in text
    assert "Asia/Beirut" in text


@pytest.mark.parametrize(
    ("user", "language"), [(ARABIC_USER, "ar"), (FRENCH_USER, "fr"), (ENGLISH_USER, "en")]
)
async def test_deleteme_erases_after_confirmation(bot: Harness, user: int, language: str) -> None:
    await register_by_invite(bot, user, "LY", "Sabha")
    await bot.say(user, "/deleteme")
    [kept] = await bot.press(user, label(language, "No, keep it"))
    assert kept.text == expected(language, "Nothing was erased.")
    assert (await bot.services.accounts.profile(user)) is not None
    await bot.say(user, "/deleteme")
    [erased] = await bot.press(user, label(language, "Yes, erase my data"))
    assert erased.text == expected(
        language,
        "Your personal data has been erased. If you write to the bot again, it starts afresh.",
    )
    assert await bot.services.accounts.profile(user) is None
    assert await bot.services.registration.focal_point(user) is None


async def test_restart_keeps_everyones_state(harness: Harness) -> None:
    async with harness.running():
        await harness.say(ARABIC_USER, "/start")
        await harness.press(ARABIC_USER, "Français")
        await harness.say(ADMIN, f"/addstaff {ENGLISH_USER}")
        invite = await harness.services.registration.create_invite(
            country="EG", city="Alexandria", created_by=ADMIN
        )
        await harness.say(FRENCH_USER, f"/start {invite.code}")
        await harness.say(ENGLISH_USER, "/register")
    async with harness.running():
        accounts = harness.services.accounts
        arabic = await accounts.profile(ARABIC_USER)
        french = await accounts.profile(FRENCH_USER)
        assert arabic is not None
        assert arabic.language == "fr"
        assert french is not None
        assert french.is_verified_focal_point
        assert french.time_zone == "Africa/Cairo"
        assert await accounts.is_staff(ENGLISH_USER)
        [question] = await harness.say(ENGLISH_USER, "Sam Haddad")
        assert question.text == expected("en", "Registration (2/5). Which country is your city in?")


async def test_a_command_abandons_a_one_answer_prompt(bot: Harness) -> None:
    await bot.say(FRENCH_USER, "/settings")
    await bot.press(FRENCH_USER, label("fr", "Time zone"))
    await bot.say(FRENCH_USER, "/help")
    assert await bot.services.drafts.active(FRENCH_USER) is None
    # The next text is a question again, not a time zone.
    [answer] = await bot.say(FRENCH_USER, "Qui dirige le Hub ?")
    assert "Qui dirige" not in (answer.text or "")
    profile = await bot.services.accounts.profile(FRENCH_USER)
    assert profile is not None
    assert profile.user.time_zone is None


async def test_a_one_answer_prompt_left_for_days_no_longer_takes_the_next_text(
    bot: Harness,
) -> None:
    """Someone who opened the time zone choice and went away asks a question days later: it is
    a question, not a time zone."""
    await bot.say(FRENCH_USER, "/settings")
    await bot.press(FRENCH_USER, label("fr", "Time zone"))
    bot.clock.advance(timedelta(days=3))
    [answer] = await bot.say(FRENCH_USER, "Qui dirige le Hub ?")
    assert "Qui dirige" not in (answer.text or "")
    assert await bot.services.drafts.active(FRENCH_USER) is None
