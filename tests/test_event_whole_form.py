"""A new event written all at once (the console's form) goes through the steps of /newevent:
the same refusals, the same event, the same invitations and reminders."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.events.form import Problem
from bot.events.whole_form import EventFields, create_new_event
from bot.forms import FormProblem
from tests.harness import ADMIN, Harness, label
from tests.test_events import (
    focal_point,
    skipped_time,  # noqa: F401  (autouse: the limiter's waits take no real time)
)

ROUNDTABLE = EventFields(
    titles={"fr": "Table ronde nationale", "en": "National roundtable"},
    descriptions={"en": "Local prevention networks."},
    zone="Africa/Casablanca",
    start="2026-06-16 10:00",
    end="17:30",
    place="Rabat City Hall",
    link="https://meet.example.org/roundtable",
    audience=("MA",),
    reminders="2d 3h",
)


async def test_the_whole_form_keeps_the_rules_of_newevent(bot: Harness) -> None:
    events = bot.services.events
    await bot.say(ADMIN, "/start")
    moroccan = await focal_point(bot, "fr")
    iraqi = await focal_point(bot, "ar")
    refusals = {
        "text_ar": replace(ROUNDTABLE, titles={}),
        "text_fr": replace(ROUNDTABLE, titles={"fr": "x" * 151}),
        "zone": replace(ROUNDTABLE, zone="Mars/Olympus"),
        "start": replace(ROUNDTABLE, start="2026-05-01 10:00"),
        "end": replace(ROUNDTABLE, end="2026-07-16 10:00"),
        "place": replace(ROUNDTABLE, place="", link=""),
        "audience": replace(ROUNDTABLE, audience=("XX",)),
        "reminders": replace(ROUNDTABLE, reminders="every day"),
    }
    problems = {}
    for name, fields in refusals.items():
        event, problem = await create_new_event(events, ADMIN, fields)
        assert event is None and problem is not None
        problems[name] = (problem.field, problem.problem, problem.limit)
    assert problems == {
        "text_ar": ("text_ar", Problem.NO_TITLE, None),
        "text_fr": ("text_fr", FormProblem.TOO_LONG, 150),
        "zone": ("zone", Problem.BAD_ZONE, None),
        "start": ("start", Problem.IN_PAST, None),
        "end": ("end", Problem.TOO_LONG_EVENT, 14),
        "place": ("place", Problem.BAD_PLACE, None),
        "audience": ("audience", FormProblem.UNKNOWN_CHOICE, None),
        "reminders": ("reminders", Problem.BAD_REMINDERS, None),
    }
    assert await events.draft(ADMIN) is None

    event, problem = await create_new_event(events, ADMIN, ROUNDTABLE)
    assert problem is None and event is not None
    assert event.titles == {"fr": "Table ronde nationale", "en": "National roundtable"}
    assert event.starts_at == datetime(2026, 6, 16, 9, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2026, 6, 16, 16, 30, tzinfo=UTC)
    assert (event.place, event.link) == ("Rabat City Hall", "https://meet.example.org/roundtable")
    assert event.audience == ("MA",)
    assert event.reminder_offsets_s == (2 * 86_400, 3 * 3_600)
    default, _ = await create_new_event(events, ADMIN, replace(ROUNDTABLE, reminders=""))
    assert default is not None and default.reminder_offsets_s == (7 * 86_400, 86_400, 3_600)
    # Invited as one made in Telegram: the Moroccan focal point in French, not the Iraqi one.
    assert await events.announce(event.id) == 1
    await bot.services.reminders.run_due()
    invitation = bot.api.last_message(moroccan)
    assert "Table ronde nationale" in (invitation.text or "")
    assert label("fr", "✅ Going") in invitation.button_texts()
    assert all("Table ronde" not in (m.text or "") for m in bot.api.messages(iraqi))
    # The console's list: coming events with their answers; a cancelled one among the past.
    await bot.press(moroccan, label("fr", "✅ Going"))
    coming = await events.listing(past=False)
    assert [(listed.id, counts) for listed, counts in coming] == [
        (event.id, {"going": 1}),
        (default.id, {}),
    ]
    assert await events.attendee_ids(event.id) == [moroccan]  # who a cancellation tells
    assert await events.cancel(event.id) is not None
    [(cancelled, counts)] = await events.listing(past=True)
    assert (cancelled.id, cancelled.is_cancelled, counts) == (event.id, True, {"going": 1})
