"""Events end to end: listing, answers, reminders at each offset, restarts, kills, changes, .ics."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from babel.dates import format_timedelta
from icalendar import Calendar

from handlers.routes import EV_CALENDAR, EV_REMINDERS, EV_RSVP, EVS_CANCEL, EVS_EDIT, EVS_MANAGE
from standin import SentMessage
from storage.models import Event, EventRevision, NewEvent
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, Harness, SkippedTime, catalogs, expected, label
from tests.test_i18n import paragraph_direction

USERS = {"ar": ARABIC_USER, "fr": FRENCH_USER, "en": ENGLISH_USER}
# Each user is a verified focal point: Iraq (UTC+3), Morocco (UTC+1), Tunisia (UTC+1).
PLACES = {"ar": ("IQ", "Baghdad"), "fr": ("MA", "Fes"), "en": ("TN", "Sousse")}
ZONES = {"ar": "Asia/Baghdad", "fr": "Africa/Casablanca", "en": "Africa/Tunis"}
TITLES = {
    "ar": "ورشة عمل إقليمية حول الوقاية",
    "fr": "Atelier régional sur la prévention",
    "en": "Regional workshop on prevention",
}
# 16 June 2026, 10:00 in Rabat (UTC+1) = 09:00 UTC; the harness clock starts on 1 June, 09:00.
STARTS_AT = datetime(2026, 6, 16, 9, 0, tzinfo=UTC)
ENDS_AT = datetime(2026, 6, 16, 16, 0, tzinfo=UTC)
INVISIBLE = str.maketrans("", "", "\u2068\u2069\u200f")


@pytest.fixture
def skipped_time(harness: Harness) -> SkippedTime:
    """Event notices share the broadcasts' limiter; its waits take no real time here."""
    assert isinstance(harness.pacing, SkippedTime)
    return harness.pacing


def visible(text: str | None) -> str:
    """Text without the direction marks Arabic messages carry around values."""
    return (text or "").translate(INVISIBLE)


async def focal_point(bot: Harness, language: str) -> int:
    user = USERS[language]
    await bot.say(user, "/help")
    country, city = PLACES[language]
    registration = bot.services.registration
    invite = await registration.create_invite(country=country, city=city, created_by=ADMIN)
    await registration.redeem(invite.code, user_id=user, full_name=f"Focal point {language}")
    return user


async def make_event(bot: Harness, **overrides: object) -> Event:
    values: dict[str, object] = {
        "titles": dict(TITLES),
        "descriptions": {"en": "Two days on local prevention networks."},
        "starts_at": STARTS_AT,
        "ends_at": ENDS_AT,
        "time_zone": "Africa/Casablanca",
        "place": "Rabat City Hall",
        "link": "https://meet.example.org/hub-workshop",
        "audience": (),
        "reminder_offsets_s": (7 * 86_400, 86_400, 3_600),
        "created_by": ADMIN,
    }
    values.update(overrides)
    event = await bot.services.events.create(NewEvent(**values))  # type: ignore[arg-type]
    assert event is not None
    return event


def reminder_head(language: str, title: str, left: timedelta) -> str:
    translator = catalogs().translator(language, PLACES[language][0])
    relative = format_timedelta(left, add_direction=True, locale=translator.locale, threshold=1.1)
    return visible(
        expected(
            language,
            "⏰ Reminder: <b>{title}</b> starts {relative}.",
            PLACES[language][0],
            title=title,
            relative=relative,
        )
    )


def reminders_in(bot: Harness, user: int) -> list[SentMessage]:
    return [m for m in bot.api.messages(user) if visible(m.text).lstrip().startswith("⏰")]


async def answer(bot: Harness, language: str, event: Event, choice: str) -> list[SentMessage]:
    user = USERS[language]
    cards = await bot.say(user, "/events")
    target = next(m for m in cards if TITLES[language] in visible(m.text))
    return await bot.press_data(user, target.message_id, EV_RSVP.data(event.id, choice))


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_list_and_answer_in_each_language(bot: Harness, language: str) -> None:
    user = await focal_point(bot, language)
    event = await make_event(bot)
    _header, event_card = await bot.say(user, "/events")
    assert TITLES[language] in visible(event_card.text)
    translator = catalogs().translator(language, PLACES[language][0])
    # The date and time in the reader's zone and language (Arabic in the country's variant).
    assert visible(translator.datetime(STARTS_AT, ZONES[language])) in visible(event_card.text)
    assert "https://meet.example.org/hub-workshop" in (event_card.text or "")
    assert event_card.button_texts()[:3] == [
        label(language, "✅ Going"),
        label(language, "🤔 Maybe"),
        label(language, "❌ Not going"),
    ]
    [edited] = await bot.press(user, label(language, "✅ Going"))
    assert edited.message_id == event_card.message_id
    assert visible(expected(language, "Your answer: going.")) in visible(edited.text)
    assert bot.api.callback_answers[-1]["text"] == label(
        language, "Saved: you are going. You will get reminders before it starts."
    )
    # The answer can change at any time, and /myevents lists it.
    await bot.press(user, label(language, "🤔 Maybe"))
    [mine] = await bot.say(user, "/myevents")
    assert visible(expected(language, "Your answer: maybe.")) in visible(mine.text)
    assert await bot.services.events.attendee_ids(event.id) == [user]
    await bot.press(user, label(language, "❌ Not going"))
    assert await bot.services.events.attendee_ids(event.id) == []
    notices = await bot.services.reminders._events.notices(event.id)
    assert {notice.state for notice in notices} == {"skipped"}


async def test_missing_translation_is_said(bot: Harness) -> None:
    user = await focal_point(bot, "fr")
    await make_event(bot, titles={"en": TITLES["en"]})
    _, event_card = await bot.say(user, "/events")
    assert TITLES["en"] in (event_card.text or "")
    assert expected(
        "fr",
        "<i>There is no {missing} version of this event; it is shown in {shown}.</i>",
        missing="français",
        shown="anglais",
    ) in (event_card.text or "")


async def test_audience_by_country(bot: Harness) -> None:
    iraqi = await focal_point(bot, "ar")
    moroccan = await focal_point(bot, "fr")
    event = await make_event(bot, audience=("MA",))
    [nothing] = await bot.say(iraqi, "/events")
    assert nothing.text == expected("ar", "There are no upcoming events for you at the moment.")
    _, shown = await bot.say(moroccan, "/events")
    assert TITLES["fr"] in (shown.text or "")
    # A forged answer from outside the audience is refused.
    await bot.press_data(iraqi, nothing.message_id, EV_RSVP.data(event.id, "going"))
    assert bot.api.callback_answers[-1]["text"] == label(
        "ar", "This event is not open to your country."
    )
    assert await bot.services.events.attendee_ids(event.id) == []


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_reminders_at_each_offset(bot: Harness, language: str) -> None:
    user = await focal_point(bot, language)
    event = await make_event(bot)
    await answer(bot, language, event, "going")
    runner = bot.services.reminders
    for offset in (timedelta(days=7), timedelta(days=1), timedelta(hours=1)):
        bot.clock.set(STARTS_AT - offset - timedelta(seconds=1))
        await runner.run_due()
        before = len(reminders_in(bot, user))
        bot.clock.set(STARTS_AT - offset)
        report = await runner.run_due()
        assert report.sent == 1
        reminders = reminders_in(bot, user)
        assert len(reminders) == before + 1
        assert visible(reminders[-1].text).startswith(
            reminder_head(language, TITLES[language], offset)
        )
        assert "https://meet.example.org/hub-workshop" in (reminders[-1].text or "")
        await runner.run_due()  # nothing twice
        assert len(reminders_in(bot, user)) == before + 1
    bot.clock.set(STARTS_AT + timedelta(minutes=5))
    assert (await runner.run_due()).sent == 0
    assert len(reminders_in(bot, user)) == 3


async def test_an_arabic_event_card_reads_right_to_left_line_by_line(bot: Harness) -> None:
    """Each line is a paragraph for the bidi algorithm; isolated values do not decide it."""
    user = await focal_point(bot, "ar")
    await make_event(bot)
    _, event_card = await bot.say(user, "/events")
    lines = (event_card.text or "").split("\n")
    when = next(line for line in lines if "🗓" in line)
    where = next(line for line in lines if "📍" in line)
    assert [paragraph_direction(line) for line in (lines[0], when, where)] == ["rtl"] * 3


# CLDR's own name of UTC in each language, where Babel would say "Unknown Region (UTC) Time".
UTC_NAMES = {
    "ar": "التوقيت العالمي المنسق",
    "fr": "temps universel coordonné",
    "en": "Coordinated Universal Time",
}


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_a_reader_in_utc_sees_utc_named(bot: Harness, language: str) -> None:
    """Someone who has not registered a country reads times in UTC, and is told so plainly."""
    await make_event(bot)
    _, event_card = await bot.say(USERS[language], "/events")
    assert f"({UTC_NAMES[language]})" in visible(event_card.text)
    assert "(UTC)" not in visible(event_card.text)


# The switch says what pressing it does, in every language.
REMINDER_SWITCH = {
    "ar": ("🔕 إيقاف التذكيرات", "🔔 تشغيل التذكيرات"),
    "fr": ("🔕 Désactiver les rappels", "🔔 Activer les rappels"),
    "en": ("🔕 Turn reminders off", "🔔 Turn reminders on"),
}


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_the_reminder_switch_names_its_action(bot: Harness, language: str) -> None:
    user = await focal_point(bot, language)
    event = await make_event(bot)
    [going] = await answer(bot, language, event, "going")
    turn_off, turn_on = REMINDER_SWITCH[language]
    assert turn_off in going.button_texts()
    [off] = await bot.press(user, turn_off)
    assert turn_on in off.button_texts()
    assert bot.api.callback_answers[-1]["text"] == label(
        language, "Reminders for this event are off."
    )
    [on] = await bot.press(user, turn_on)
    assert turn_off in on.button_texts()
    assert bot.api.callback_answers[-1]["text"] == label(
        language, "Reminders for this event are on."
    )


async def test_reminders_can_be_turned_off_per_event(bot: Harness) -> None:
    user = await focal_point(bot, "fr")
    event = await make_event(bot)
    other = await make_event(bot, titles={"fr": "Table ronde nationale"})
    await answer(bot, "fr", event, "going")
    _, first, second = await bot.say(user, "/events")
    await bot.press_data(user, second.message_id, EV_RSVP.data(other.id, "maybe"))
    [edited] = await bot.press_data(user, first.message_id, EV_REMINDERS.data(event.id, "off"))
    assert REMINDER_SWITCH["fr"][1] in edited.button_texts()
    bot.clock.set(STARTS_AT - timedelta(days=1))
    await bot.services.reminders.run_due()
    reminders = reminders_in(bot, user)
    # One reminder per offset passed for the other event, none for the one turned off.
    assert len(reminders) == 1
    assert "Table ronde nationale" in (reminders[0].text or "")


async def test_a_restart_before_a_reminder_is_due_loses_nothing(harness: Harness) -> None:
    async with harness.running():
        user = await focal_point(harness, "en")
        event = await make_event(harness)
        await answer(harness, "en", event, "going")
    harness.clock.set(STARTS_AT - timedelta(days=1))
    async with harness.running():
        # The bot plans from the database at start; the due reminder goes out once.
        await harness.api.wait_for_message(user, lambda m: visible(m.text).startswith("⏰"))
        await harness.services.reminders.run_due()
        assert len(reminders_in(harness, user)) == 1
        assert reminders_in(harness, user)[0].text is not None
        assert visible(reminders_in(harness, user)[0].text).startswith(
            reminder_head("en", TITLES["en"], timedelta(days=1))
        )


async def test_reminders_missed_while_down_are_sent_if_still_useful(harness: Harness) -> None:
    async with harness.running():
        user = await focal_point(harness, "fr")
        event = await make_event(harness)
        late = await make_event(harness, titles={"fr": "Webinaire"})
        await answer(harness, "fr", event, "going")
        await answer(harness, "fr", late, "maybe")
        await harness.services.events.create(
            NewEvent(
                titles={"fr": "Sommet mondial"},
                descriptions={},
                starts_at=STARTS_AT,
                ends_at=ENDS_AT,
                time_zone="UTC",
                place="Bruxelles",
                link=None,
                audience=(),
                reminder_offsets_s=(3_600,),
                created_by=ADMIN,
            )
        )
    # Down for the 7-day and 1-day reminders: only the nearer one is still worth sending.
    harness.clock.set(STARTS_AT - timedelta(hours=20))
    async with harness.running():
        await harness.services.reminders.run_due()
        reminders = reminders_in(harness, user)
        assert len(reminders) == 2
        assert {TITLES["fr"] in (m.text or "") for m in reminders} == {True, False}
        notices = await harness.services.reminders._events.notices(event.id)
        states = {notice.ref: (notice.state, notice.detail) for notice in notices}
        assert states[7 * 86_400] == ("skipped", "superseded by a nearer reminder")
        assert states[86_400] == ("sent", None)
        assert states[3_600] == ("pending", None)
    # Down until after the start: the 1-hour reminder is skipped, not sent late.
    harness.clock.set(STARTS_AT + timedelta(minutes=10))
    async with harness.running():
        await harness.services.reminders.run_due()
        assert len(reminders_in(harness, user)) == 2
        notices = await harness.services.reminders._events.notices(event.id)
        assert {n.ref: n.detail for n in notices}[3_600] == "event started"


class Killed(BaseException):
    """The process dying between Telegram accepting a message and the database recording it."""


async def test_a_kill_between_sending_and_recording_never_doubles(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with harness.running():
        user = await focal_point(harness, "ar")
        event = await make_event(harness)
        await answer(harness, "ar", event, "going")
        harness.clock.set(STARTS_AT - timedelta(days=7))
        repository = harness.services.reminders._events

        async def die(*args: object, **kwargs: object) -> None:
            raise Killed

        monkeypatch.setattr(repository, "finish", die)
        with pytest.raises(Killed):
            await harness.services.reminders.run_due()
        assert len(reminders_in(harness, user)) == 1
        monkeypatch.undo()
    async with harness.running():
        await harness.services.reminders.run_due()
        assert len(reminders_in(harness, user)) == 1
        notices = await harness.services.reminders._events.notices(event.id)
        week = next(n for n in notices if n.ref == 7 * 86_400)
        assert (week.state, week.detail) == ("sent", "unconfirmed")
        # Later reminders are unaffected.
        harness.clock.set(STARTS_AT - timedelta(days=1))
        await harness.services.reminders.run_due()
        assert len(reminders_in(harness, user)) == 2


async def test_telegram_rate_limit_is_obeyed(bot: Harness, skipped_time: SkippedTime) -> None:
    user = await focal_point(bot, "en")
    event = await make_event(bot)
    await answer(bot, "en", event, "going")
    limiter = bot.services.broadcasts.engine.limiter
    bot.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    bot.clock.set(STARTS_AT - timedelta(days=1))
    before = skipped_time.skipped_s
    report = await bot.services.reminders.run_due()
    assert report.sent == 1
    # Their chat waits it out, in the one limiter broadcasts use too, and so did the retry.
    assert limiter.stats.chat_pauses == 1
    assert skipped_time.skipped_s - before >= 7
    assert len(reminders_in(bot, user)) == 1
    day = next(n for n in await bot.services.reminders._events.notices(event.id) if n.ref == 86_400)
    assert (day.state, day.attempts) == ("sent", 1)  # the refused try is not counted


async def test_a_stop_while_waiting_for_a_sending_slot_loses_nothing(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with harness.running():
        user = await focal_point(harness, "fr")
        event = await make_event(harness)
        await answer(harness, "fr", event, "going")
        harness.clock.set(STARTS_AT - timedelta(days=1))
        runner = harness.services.reminders

        async def stopped(chat_id: int) -> None:
            raise Killed  # the bot stops while the limiter holds this message back

        monkeypatch.setattr(runner, "_turn", stopped)
        with pytest.raises(Killed):
            await runner.run_due()
        monkeypatch.undo()
        notices = await runner._events.notices(event.id)
        assert {n.state for n in notices if n.ref == 86_400} == {"pending"}
    async with harness.running():
        await harness.services.reminders.run_due()
        assert len(reminders_in(harness, user)) == 1


async def test_notices_and_broadcasts_share_one_limit(
    harness: Harness, skipped_time: SkippedTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with harness.running(broadcast_rate=2):
        users = [await focal_point(harness, language) for language in ("ar", "fr", "en")]
        event = await make_event(harness)
        for language in ("ar", "fr", "en"):
            await answer(harness, language, event, "going")
        limiter = harness.services.broadcasts.engine.limiter
        slots: list[int] = []
        take = limiter.acquire

        async def counted(chat_id: int) -> None:
            slots.append(chat_id)
            await take(chat_id)

        monkeypatch.setattr(limiter, "acquire", counted)
        harness.clock.set(STARTS_AT - timedelta(days=1))
        before = skipped_time.skipped_s
        assert (await harness.services.reminders.run_due()).sent == 3
        # Each reminder took a slot of the engine's limit (2 a second here): three messages
        # span at least a second, and each went once.
        assert sorted(slots) == sorted(users)
        assert skipped_time.skipped_s - before >= 2 / limiter.messages_per_s - 0.05
        assert all(len(reminders_in(harness, user)) == 1 for user in users)


async def test_a_blocked_user_is_skipped_and_marked(bot: Harness) -> None:
    user = await focal_point(bot, "en")
    event = await make_event(bot)
    await answer(bot, "en", event, "going")
    bot.api.block(user)
    bot.clock.set(STARTS_AT - timedelta(days=1))
    report = await bot.services.reminders.run_due()
    assert (report.sent, report.skipped) == (0, 2)
    profile = await bot.services.accounts.profile(user)
    assert profile is not None
    assert not profile.user.is_active


async def test_staff_move_an_event_and_attendees_are_told(bot: Harness) -> None:
    users = {language: await focal_point(bot, language) for language in ("ar", "fr")}
    event = await make_event(bot)
    for language in users:
        await answer(bot, language, event, "going")
    bot.clock.set(STARTS_AT - timedelta(days=7))
    await bot.services.reminders.run_due()
    # Staff open the event from /events and change its time.
    staff_cards = await bot.say(ADMIN, "/events")
    staff_card = next(m for m in staff_cards if "⚙ Manage" in m.button_texts())
    await bot.press_data(ADMIN, staff_card.message_id, EVS_MANAGE.data(event.id))
    [roster] = bot.api.messages(ADMIN)[-1:]
    assert "Focal point ar" in (roster.text or "")
    assert "Going: 2" in (roster.text or "")
    [ask_start] = await bot.press(ADMIN, "✏ Change time")
    assert "Africa/Casablanca" in (ask_start.text or "")
    [problem, _] = await bot.say(ADMIN, "2026-05-01 10:00")
    assert problem.text == expected(
        "en", "That moment has already passed. Give a future date and time."
    )
    await bot.say(ADMIN, "2026-06-18 14:00")
    [problem, _] = await bot.say(ADMIN, "13:00")
    assert problem.text == expected("en", "The end must be after the start.")
    [check] = await bot.say(ADMIN, "18:00")
    assert "Save and notify" in check.button_texts()[0]
    await bot.press(ADMIN, "✔ Save and notify")
    await bot.services.reminders.run_due()
    new_start = datetime(2026, 6, 18, 13, 0, tzinfo=UTC)
    for language, user in users.items():
        notice = bot.api.last_message(user)
        assert "📢" in (notice.text or "")
        translator = catalogs().translator(language, PLACES[language][0])
        assert visible(translator.datetime(new_start, ZONES[language])) in visible(notice.text)
        assert visible(translator.datetime(STARTS_AT, ZONES[language])) in visible(notice.text)
    # Reminders follow the new time: the 1-day one comes a day before the new start.
    bot.clock.set(STARTS_AT - timedelta(days=1))
    assert (await bot.services.reminders.run_due()).sent == 0
    bot.clock.set(new_start - timedelta(days=1))
    assert (await bot.services.reminders.run_due()).sent == 2
    assert visible(bot.api.last_message(users["fr"]).text).startswith(
        reminder_head("fr", TITLES["fr"], timedelta(days=1))
    )


async def test_staff_change_the_place(bot: Harness) -> None:
    user = await focal_point(bot, "fr")
    event = await make_event(bot)
    await answer(bot, "fr", event, "maybe")
    [start] = await bot.say(ADMIN, "/start")
    await bot.press_data(ADMIN, start.message_id, EVS_EDIT.data("place", event.id))
    await bot.say(ADMIN, "Hôtel de ville de Fès")
    await bot.press(ADMIN, "✔ Save and notify")
    await bot.services.reminders.run_due()
    notice = bot.api.last_message(user)
    assert "Hôtel de ville de Fès" in (notice.text or "")
    assert "Rabat City Hall" in (notice.text or "")
    changed = await bot.services.events.get(event.id)
    assert changed is not None
    assert (changed.place, changed.link, changed.revision) == ("Hôtel de ville de Fès", None, 1)


async def test_staff_cancel_an_event(bot: Harness) -> None:
    users = {language: await focal_point(bot, language) for language in ("en", "ar")}
    event = await make_event(bot)
    for language in users:
        await answer(bot, language, event, "going")
    [start] = await bot.say(ADMIN, "/start")
    [confirm] = await bot.press_data(ADMIN, start.message_id, EVS_CANCEL.data(event.id))
    assert "2 people" in (confirm.text or "")
    await bot.press(ADMIN, "Yes, cancel the event")
    await bot.services.reminders.run_due()
    for language, user in users.items():
        notice = bot.api.last_message(user)
        assert "🚫" in (notice.text or "")
        assert TITLES[language] in (notice.text or "")
    bot.clock.set(STARTS_AT - timedelta(days=1))
    assert (await bot.services.reminders.run_due()).sent == 0
    [nothing] = await bot.say(users["en"], "/events")
    assert nothing.text == expected("en", "There are no upcoming events for you at the moment.")
    # An old card's button now says why it does nothing.
    await bot.press_data(users["en"], nothing.message_id, EV_RSVP.data(event.id, "going"))
    assert bot.api.callback_answers[-1]["text"] == label("en", "This event is cancelled.")


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_calendar_file_parses_back(bot: Harness, language: str) -> None:
    user = await focal_point(bot, language)
    event = await make_event(bot)
    await bot.say(user, "/events")
    [document] = await bot.press(user, label(language, "📅 Add to calendar"))
    assert document.document is not None
    assert document.document["file_name"] == f"event-{event.id}.ics"
    calendar = Calendar.from_ical(document.document["content"])
    [entry] = calendar.walk("VEVENT")
    start = entry.decoded("dtstart")
    assert str(start.tzinfo) == "Africa/Casablanca"
    assert (start.hour, start.minute) == (10, 0)
    assert start == STARTS_AT
    assert entry.decoded("dtend") == ENDS_AT
    assert str(entry["summary"]) == TITLES[language]
    assert str(entry["location"]) == "Rabat City Hall"
    assert str(entry["uid"]) == f"event-{event.id}@mena-hub.strongcitiesnetwork.org"
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Africa/Casablanca"
    # A moved event keeps its UID and raises SEQUENCE, so calendars update the entry.
    moved = await bot.services.reminders._events.revise(
        event.id,
        replace(
            EventRevision.of(event),
            starts_at=STARTS_AT + timedelta(days=1),
            ends_at=ENDS_AT + timedelta(days=1),
        ),
        by=None,
        now=bot.clock.now(),
    )
    assert moved is not None
    [again] = await bot.press(user, label(language, "📅 Add to calendar"))
    assert again.document is not None
    [entry] = Calendar.from_ical(again.document["content"]).walk("VEVENT")
    assert int(entry["sequence"]) == 1
    assert entry.decoded("dtstart") == STARTS_AT + timedelta(days=1)


async def test_country_events_are_for_verified_focal_points(bot: Harness) -> None:
    # Someone who registered for Morocco but is not approved yet (or was refused) has only
    # claimed the country: events for Moroccan cities, and their links, are not theirs yet.
    user = USERS["fr"]
    await bot.say(user, "/help")
    await bot.services.registration._focal_points.save_pending(
        user_id=user,
        full_name="Not yet approved",
        country="MA",
        city="Fes",
        position="Adviser",
        email=None,
        now=bot.clock.now(),
    )
    moroccan = await make_event(bot, audience=("MA",))
    await make_event(bot, titles={"fr": "Webinaire ouvert"})
    [_header, shown] = await bot.say(user, "/events")
    assert "Webinaire ouvert" in (shown.text or "")
    await bot.press_data(user, shown.message_id, EV_RSVP.data(moroccan.id, "going"))
    assert bot.api.callback_answers[-1]["text"] == label(
        "fr", "This event is not open to your country."
    )
    await bot.press_data(user, shown.message_id, EV_CALENDAR.data(moroccan.id))
    assert bot.api.callback_answers[-1]["text"] == label("fr", "This event no longer exists.")
    assert await bot.services.events.attendee_ids(moroccan.id) == []


async def test_a_reminder_moved_while_a_run_is_sending_waits_for_its_new_time(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await focal_point(bot, "en")
    first = await make_event(bot)
    moved = await make_event(bot, titles={"en": "Peer exchange"})
    relocated = await make_event(bot, titles={"en": "National roundtable"})
    for event in (first, moved, relocated):
        await answer(bot, "en", event, "going")
    runner = bot.services.reminders
    repository = runner._events
    send = runner._sender
    assert send is not None
    later = timedelta(days=7)

    async def staff_change_during_the_run(*args: Any) -> Any:
        outcome = await send(*args)
        if len(reminders_in(bot, user)) == 1:
            # While the run works through its batch, staff move one event and relocate another.
            now = bot.clock.now()
            moving = replace(
                EventRevision.of(moved), starts_at=STARTS_AT + later, ends_at=ENDS_AT + later
            )
            await repository.revise(moved.id, moving, by=None, now=now)
            relocating = replace(EventRevision.of(relocated), place="Tunis City Hall", link=None)
            await repository.revise(relocated.id, relocating, by=None, now=now)
        return outcome

    monkeypatch.setattr(runner, "_sender", staff_change_during_the_run)
    bot.clock.set(STARTS_AT - timedelta(days=1))
    await runner.run_due()
    reminders = [visible(m.text) for m in reminders_in(bot, user)]
    # The moved event's reminders are neither sent early nor dropped; the others are sent,
    # with the place as it is when they go out.
    assert len(reminders) == 2
    assert not any("Peer exchange" in text for text in reminders)
    assert "Tunis City Hall" in next(text for text in reminders if "roundtable" in text)
    states = {n.ref: n.state for n in await repository.notices(moved.id) if n.kind == "reminder"}
    assert states == {7 * 86_400: "pending", 86_400: "pending", 3_600: "pending"}
    bot.clock.set(STARTS_AT + later - timedelta(days=7))
    await runner.run_due()
    assert "Peer exchange" in visible(reminders_in(bot, user)[-1].text)
