"""The one way an event is edited (EventService.revise), used by the console's form and the
chat's edit form: one revision, one notice per person told, reminders re-planned, an edit made
on an older revision refused with who saved the newer one."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.events import ChangedMeanwhile
from bot.events.rules import offsets_answer, parse_offsets
from bot.events.whole_form import EventFields
from handlers.console_events import on_top_of
from handlers.events_views import changed_meanwhile
from storage.models import EventRevision
from tests.harness import ADMIN, Harness, catalogs, label
from tests.test_event_edits import ARABIC_STAFF, FRENCH_STAFF, open_edit, staff_member
from tests.test_events import (
    PLACES,
    STARTS_AT,
    TITLES,
    ZONES,
    answer,
    focal_point,
    make_event,
    skipped_time,  # noqa: F401  (autouse: the limiter's waits take no real time)
    visible,
)

LATER = timedelta(days=2)


def change_notices(bot: Harness, user: int) -> list[str]:
    return [visible(m.text) for m in bot.api.messages(user) if "📢" in visible(m.text)]


async def test_a_change_of_time_place_and_title_is_told_once_to_those_invited_who_did_not_decline(
    bot: Harness,
) -> None:
    people = {language: await focal_point(bot, language) for language in ("ar", "fr", "en")}
    event = await make_event(bot)
    await bot.services.events.announce(event.id)
    await bot.services.reminders.run_due()
    await answer(bot, "ar", event, "going")
    await answer(bot, "fr", event, "no")  # declined: not disturbed
    # The Tunisian focal point has not answered: their invitation is out of date, they are told.
    revision = replace(
        EventRevision.of(event),
        starts_at=STARTS_AT + LATER,
        ends_at=event.ends_at + LATER,
        place="Tunis City Hall",
        titles={**event.titles, "en": "Regional workshop on local prevention"},
    )
    outcome = await bot.services.events.revise(
        event.id, revision, by=ADMIN, seen_revision=event.revision
    )
    assert outcome is not None
    assert outcome.changed == {"time", "place", "titles"}
    assert outcome.told == 2 and outcome.event.revision == event.revision + 1
    await bot.services.reminders.run_due()
    await bot.services.reminders.run_due()
    assert change_notices(bot, people["fr"]) == []
    for language in ("ar", "en"):
        [notice] = change_notices(bot, people[language])
        reader = catalogs().translator(language, PLACES[language][0])
        assert visible(reader.datetime(STARTS_AT + LATER, ZONES[language])) in notice
        assert "Tunis City Hall" in notice and "Rabat City Hall" in notice
    [english] = change_notices(bot, people["en"])
    assert "Regional workshop on local prevention" in english
    assert TITLES["en"] in english  # "It was called: ..."
    # Saving the same again changes nothing and tells nobody.
    again = await bot.services.events.revise(
        event.id, revision, by=ADMIN, seen_revision=outcome.event.revision
    )
    assert again is not None and again.changed == frozenset() and again.told == 0
    assert (await bot.services.events.get(event.id)) == outcome.event


async def test_an_edit_on_an_older_revision_is_refused_with_who_saved_first(
    bot: Harness,
) -> None:
    nadia = await staff_member(bot, FRENCH_STAFF, "Nadia", "fr")
    user = await focal_point(bot, "fr")
    event = await make_event(bot)
    await answer(bot, "fr", event, "going")
    events = bot.services.events
    first = await events.revise(
        event.id,
        replace(EventRevision.of(event), place="Tunis City Hall"),
        by=nadia,
        seen_revision=event.revision,
    )
    assert first is not None
    stale = replace(
        EventRevision.of(event), starts_at=STARTS_AT + LATER, ends_at=event.ends_at + LATER
    )
    with pytest.raises(ChangedMeanwhile) as refused:
        await events.revise(event.id, stale, by=ADMIN, seen_revision=event.revision)
    assert refused.value.changed_by_name == "Nadia"
    assert refused.value.current == first.event
    # Nothing was written: the time stands, and only the place change is told.
    assert (await events.get(event.id)) == first.event
    notices = [n for n in await bot.services.reminders._events.notices(event.id)]
    assert [n.payload for n in notices if n.kind == "change" and n.user_id == user] == [
        {"old_place": "Rabat City Hall", "old_link": "https://meet.example.org/hub-workshop"}
    ]


async def test_a_cancelled_or_finished_event_is_not_revised(bot: Harness) -> None:
    event = await make_event(bot)
    over = await make_event(bot, titles={"en": "National roundtable"})
    await bot.services.events.cancel(event.id)
    revision = replace(EventRevision.of(event), place="Tunis City Hall")
    assert await bot.services.events.revise(event.id, revision, by=ADMIN, seen_revision=1) is None
    bot.clock.set(over.ends_at)
    later = replace(EventRevision.of(over), place="Tunis City Hall")
    assert await bot.services.events.revise(over.id, later, by=ADMIN, seen_revision=0) is None
    assert (await bot.services.events.get(over.id)) == over


async def test_a_chat_edit_begun_before_a_console_save_is_refused_in_the_staff_language(
    bot: Harness,
) -> None:
    """The chat's edit form and the console save through the same service: the chat's Save,
    pressed on the revision it began from, is refused once the console saved another."""
    staff = await staff_member(bot, ARABIC_STAFF, "سلمى", "ar")
    event = await make_event(bot)
    await open_edit(bot, staff, event, "place")
    await bot.say(staff, "Tunis City Hall")
    await bot.say(ADMIN, "/start")
    moved = replace(
        EventRevision.of(event), starts_at=STARTS_AT + LATER, ends_at=event.ends_at + LATER
    )
    saved = await bot.services.events.revise(event.id, moved, by=ADMIN, seen_revision=0)
    assert saved is not None
    [refusal, _roster] = await bot.press(staff, label("ar", "✔ Save and notify"))
    told = changed_meanwhile(catalogs().translator("ar"), ChangedMeanwhile(saved.event, "Hala"))
    assert visible(refusal.text) == visible(str(told))
    assert "Hala" in visible(refusal.text)
    assert (await bot.services.events.get(event.id)) == saved.event
    records = (await bot.services.audit.page(action="event.edit")).records
    assert records == []


async def test_the_saved_message_in_the_chat_counts_those_told(bot: Harness) -> None:
    staff = await staff_member(bot, FRENCH_STAFF, "Nadia", "fr")
    await focal_point(bot, "en")
    event = await make_event(bot)
    await answer(bot, "en", event, "maybe")
    await open_edit(bot, staff, event, "place")
    await bot.say(staff, "Tunis City Hall")
    [saved, _roster] = await bot.press(staff, label("fr", "✔ Save and notify"))
    assert saved.text == str(
        catalogs()
        .translator("fr")
        .ngettext(
            "Saved. {count} person invited who has not declined is being told of the change.",
            "Saved. {count} people invited who have not declined are being told of the change.",
            1,
        )
    )
    [record] = (await bot.services.audit.page(action="event.edit")).records
    assert record.actor_id == staff and (record.subject or "").startswith(f"#{event.id} ")


def test_reminder_offsets_read_back_as_the_reminders_step_reads_them() -> None:
    for offsets in ([7 * 86_400, 86_400, 3_600], [2 * 86_400, 90 * 60], []):
        assert parse_offsets(offsets_answer(offsets)) == offsets


def test_what_was_typed_goes_on_top_of_a_change_saved_meanwhile() -> None:
    was = EventFields(
        titles={"ar": "قديم", "en": "Old"}, zone="Africa/Casablanca", place="Rabat", reminders="1d"
    )
    current = replace(was, place="Tunis", reminders="2d")
    typed = replace(was, titles={"ar": "جديد", "en": "Old"}, reminders="1h")
    merged = on_top_of(current, typed, was)
    assert merged.titles == {"ar": "جديد", "fr": "", "en": "Old"}
    assert merged.place == "Tunis"  # theirs: not touched here
    assert merged.reminders == "1h"  # mine: both changed it, mine is what I am saving
