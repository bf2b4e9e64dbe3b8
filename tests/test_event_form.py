"""The staff's /newevent form end to end, its validation, and announcing the new event."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.events import parse_offsets, split_place
from handlers.routes import NEW_EVENT_CREATE
from tests.conftest import ARABIC_USER, FRENCH_USER
from tests.harness import ADMIN, Harness, expected, label
from tests.test_events import (
    focal_point,
    skipped_time,  # noqa: F401  (autouse: the limiter's waits take no real time)
)

ASK_ZONE = (
    "New event ({step}/{total}). In which time zone will you give the times? Choose one, "
    "or type its name (for example Africa/Tunis)."
)


async def test_new_event_from_start_to_announcement(bot: Harness) -> None:
    moroccan = await focal_point(bot, "fr")
    iraqi = await focal_point(bot, "ar")
    [ask] = await bot.say(ADMIN, "/newevent")
    assert "Arabic" in (ask.text or "")
    await bot.press(ADMIN, "Skip")
    await bot.say(ADMIN, "Table ronde nationale\nLes réseaux locaux de prévention.")
    [ask_zone] = await bot.say(ADMIN, "National roundtable\nLocal prevention networks.")
    assert ask_zone.text == expected("en", ASK_ZONE, step=4, total=9)
    [problem, _] = await bot.say(ADMIN, "Mars/Olympus")
    assert problem.text == expected(
        "en", "That is not a time zone I know. Type a name such as Africa/Tunis."
    )
    await bot.press(ADMIN, "Africa/Casablanca")
    [problem, _] = await bot.say(ADMIN, "next Tuesday")
    assert problem.text == expected(
        "en", "I cannot read that date. Write it like 2026-06-16 10:00."
    )
    await bot.say(ADMIN, "٢٠٢٦-٠٦-١٦ 10:00")  # Arabic-Indic digits are read too
    [problem, _] = await bot.say(ADMIN, "2026-07-16 10:00")
    assert problem.text == expected("en", "An event can last at most {count} days.", count=14)
    await bot.say(ADMIN, "17:30")
    # A plain http:// link is refused, as the events file import refuses it.
    [problem, _] = await bot.say(ADMIN, "Rabat City Hall\nhttp://meet.example.org/roundtable")
    assert problem.text == expected(
        "en",
        "Please type a place (2 to 200 characters), an online link starting with "
        "https://, or both on two lines.",
    )
    await bot.say(ADMIN, "Rabat City Hall\nhttps://meet.example.org/roundtable")
    await bot.press(ADMIN, "Morocco")
    [audience] = await bot.press(ADMIN, "Tunisia")
    assert "✓ Morocco" in audience.button_texts()
    assert "Morocco and Tunisia" in (audience.text or "")
    await bot.press(ADMIN, "Continue »")
    [problem, _] = await bot.say(ADMIN, "every day")
    assert "cannot read those reminders" in (problem.text or "")
    [check] = await bot.say(ADMIN, "2d 3h")
    assert "2 days and 3 hours" in (check.text or "")
    assert "Rabat City Hall" in (check.text or "")
    [created] = await bot.press(ADMIN, "✔ Create event")
    assert "📣 Announce" in created.button_texts()
    [(event, _)] = await bot.services.events.upcoming_for(
        await _profile(bot, ADMIN)  # staff see every event
    )
    assert event.titles == {"fr": "Table ronde nationale", "en": "National roundtable"}
    assert event.descriptions["en"] == "Local prevention networks."
    assert event.starts_at == datetime(2026, 6, 16, 9, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2026, 6, 16, 16, 30, tzinfo=UTC)
    assert (event.place, event.link) == ("Rabat City Hall", "https://meet.example.org/roundtable")
    assert event.audience == ("MA", "TN")
    assert event.reminder_offsets_s == (2 * 86_400, 3 * 3_600)
    # A double tap on Create (the old button, pressed again) makes one event.
    await bot.press_data(ADMIN, created.message_id, NEW_EVENT_CREATE.data())
    assert len(await bot.services.events.upcoming_for(await _profile(bot, ADMIN))) == 1
    # Announcing invites the Moroccan focal point, not the Iraqi one; only once.
    [sent] = await bot.press(ADMIN, "📣 Announce")
    assert sent.text == expected(
        "en", "Invitations are on their way to {count} focal point.", count=1
    )
    await bot.services.reminders.run_due()
    invitation = bot.api.last_message(moroccan)
    assert "Table ronde nationale" in (invitation.text or "")
    assert label("fr", "✅ Going") in invitation.button_texts()
    assert all("Table ronde" not in (m.text or "") for m in bot.api.messages(iraqi))
    [again] = await bot.press(ADMIN, "📣 Announce")
    assert again.text == expected("en", "Everyone invited has already been told about this event.")
    # The invitation's own buttons answer it.
    await bot.press(moroccan, label("fr", "✅ Going"))
    assert await bot.services.events.attendee_ids(event.id) == [moroccan]


async def _profile(bot: Harness, user: int):  # type: ignore[no-untyped-def]
    profile = await bot.services.accounts.profile(user)
    assert profile is not None
    return profile


async def test_back_cancel_and_a_title_is_required(bot: Harness) -> None:
    await bot.say(ADMIN, "/newevent")
    await bot.press(ADMIN, "Skip")
    await bot.press(ADMIN, "Skip")
    [problem, ask] = await bot.press(ADMIN, "Skip")
    assert problem.text == expected(
        "en", "An event needs a title in at least one language. Let us start again."
    )
    assert "Arabic" in (ask.text or "")
    await bot.say(ADMIN, "ورشة عمل")
    [back] = await bot.press(ADMIN, "« Back")
    assert "Arabic" in (back.text or "")
    [cancelled] = await bot.press(ADMIN, "✖ Cancel")
    assert cancelled.text == expected("en", "Cancelled. Nothing was changed.")
    assert await bot.services.events.draft(ADMIN) is None
    # Free text after cancelling is not taken as a form answer.
    answers = await bot.say(ADMIN, "Webinar")
    assert all("New event" not in (m.text or "") for m in answers)


async def test_the_form_survives_a_restart(harness: Harness) -> None:
    async with harness.running():
        await harness.say(ADMIN, "/newevent")
        await harness.say(ADMIN, "ورشة عمل إقليمية")
    async with harness.running():
        [ask] = await harness.press(ADMIN, "Skip")
        assert "English" in (ask.text or "")


async def test_only_staff_create_events(bot: Harness) -> None:
    [refusal] = await bot.say(FRENCH_USER, "/newevent")
    assert refusal.text == expected("fr", "This is for hub staff only.")
    [refusal] = await bot.say(ARABIC_USER, "/newevent")
    assert refusal.text == expected("ar", "This is for hub staff only.")


def test_reminder_offsets_and_places_are_read_strictly() -> None:
    assert parse_offsets("7d 1d 1h") == [7 * 86_400, 86_400, 3_600]
    assert parse_offsets("30m, 2h") == [7_200, 1_800]
    assert parse_offsets("٣ي ٢س") == [3 * 86_400, 2 * 3_600]
    assert parse_offsets("none") == []
    assert parse_offsets("1m") is None  # under five minutes
    assert parse_offsets("90d") is None
    assert parse_offsets("7d tomorrow") is None
    assert split_place("https://meet.example.org/x") == (None, "https://meet.example.org/x")
    assert split_place("Salle 3\nMairie de Sousse") == ("Salle 3, Mairie de Sousse", None)
    assert split_place("x") is None
    assert split_place("Salle 3\nhttp://meet.example.org/x") is None
    assert split_place("HTTPS://meet.example.org/x") == (None, "HTTPS://meet.example.org/x")
