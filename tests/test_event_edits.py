"""Staff edit an event's text, reminders and audience; reminders are re-planned, never doubled."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from babel.dates import format_date

from handlers.routes import EV_REMINDERS, EV_RSVP, EVS_ANNOUNCE, EVS_EDIT
from standin import SentMessage
from storage.events import NO_LONGER_INVITED
from storage.models import Event, EventRevision
from tests.harness import ADMIN, Harness, catalogs, expected, label
from tests.test_events import (
    STARTS_AT,
    TITLES,
    answer,
    focal_point,
    make_event,
    reminders_in,
    skipped_time,  # noqa: F401  (autouse: the limiter's waits take no real time)
    visible,
)

FRENCH_STAFF = 204
ARABIC_STAFF = 205
ENGLISH_STAFF = 206
DAY = timedelta(days=1)


def plural(language: str, singular: str, plural_form: str, count: int) -> str:
    """A plural message as the user sees it (no direction marks: used for French only)."""
    return str(catalogs().translator(language).ngettext(singular, plural_form, count))


async def open_edit(bot: Harness, staff: int, event: Event, what: str) -> list[SentMessage]:
    """Press the roster's edit button for this part of the event."""
    [start] = await bot.say(staff, "/start")
    return await bot.press_data(staff, start.message_id, EVS_EDIT.data(what, event.id))


async def staff_member(bot: Harness, user: int, name: str, language: str) -> int:
    bot.api.add_user(user, name, language_code=language)
    await bot.say(user, "/help")
    assert await bot.services.accounts.add_staff(user, added_by=ADMIN)
    return user


async def states(bot: Harness, event: Event, user: int) -> dict[int, tuple[str, str | None]]:
    notices = await bot.services.reminders._events.notices(event.id)
    return {
        n.ref: (n.state, n.detail) for n in notices if n.kind == "reminder" and n.user_id == user
    }


async def test_staff_edit_the_text_in_french(bot: Harness) -> None:
    staff = await staff_member(bot, FRENCH_STAFF, "Nadia", "fr")
    reader = await focal_point(bot, "ar")
    event = await make_event(bot, titles={"fr": TITLES["fr"], "en": TITLES["en"]})
    [ask_ar] = await open_edit(bot, staff, event, "texts")
    # No Arabic version yet: it can be skipped, or typed.
    assert label("fr", "Skip") in ask_ar.button_texts()
    assert label("fr", "Remove this language") not in ask_ar.button_texts()
    [problem, _] = await bot.say(staff, "ور")
    assert problem.text == plural(
        "fr",
        "The title is too short: please use at least {count} character.",
        "The title is too short: please use at least {count} characters.",
        3,
    )
    [ask_fr] = await bot.say(staff, "ورشة عمل حول الوقاية\nيومان حول شبكات الوقاية المحلية.")
    assert TITLES["fr"] in (ask_fr.text or "")
    assert label("fr", "Keep as it is") in ask_fr.button_texts()
    [ask_en] = await bot.press(staff, label("fr", "Keep as it is"))
    assert TITLES["en"] in (ask_en.text or "")
    [check] = await bot.press(staff, label("fr", "Remove this language"))
    assert "ورشة عمل حول الوقاية" in visible(check.text)
    assert TITLES["fr"] in (check.text or "")
    assert TITLES["en"] not in (check.text or "")
    [saved, roster] = await bot.press(staff, label("fr", "✔ Save"))
    assert saved.text == expected("fr", "Saved. Nobody is notified of this change.")
    assert TITLES["fr"] in (roster.text or "")
    changed = await bot.services.events.get(event.id)
    assert changed is not None
    assert changed.titles == {"ar": "ورشة عمل حول الوقاية", "fr": TITLES["fr"]}
    assert changed.descriptions == {"ar": "يومان حول شبكات الوقاية المحلية."}
    assert changed.revision == event.revision + 1
    # The Arabic reader now sees the event in Arabic, without the "no translation" note.
    [_, shown] = await bot.say(reader, "/events")
    assert "ورشة عمل حول الوقاية" in visible(shown.text)
    assert "يومان حول شبكات الوقاية المحلية." in visible(shown.text)
    assert TITLES["fr"] not in (shown.text or "")


async def test_the_last_title_cannot_be_removed(bot: Harness) -> None:
    staff = await staff_member(bot, ARABIC_STAFF, "سلمى", "ar")
    event = await make_event(bot, titles={"en": TITLES["en"]})
    await open_edit(bot, staff, event, "texts")
    await bot.press(staff, label("ar", "Skip"))
    await bot.press(staff, label("ar", "Skip"))
    [problem, ask] = await bot.press(staff, label("ar", "Remove this language"))
    assert problem.text == expected(
        "ar", "An event needs a title in at least one language, so this one cannot be removed."
    )
    assert label("ar", "Keep as it is") in ask.button_texts()
    # Back, then Cancel: nothing changes.
    [back] = await bot.press(staff, label("ar", "« Back"))
    assert label("ar", "Skip") in back.button_texts()
    [cancelled] = await bot.press(staff, label("ar", "✖ Cancel"))
    assert cancelled.text == expected("ar", "Cancelled. Nothing was changed.")
    unchanged = await bot.services.events.get(event.id)
    assert unchanged == event
    # Typing after the form closed is not taken as a title.
    await bot.say(staff, "عنوان جديد")
    assert await bot.services.events.get(event.id) == event


async def test_changed_reminders_are_replanned_and_never_doubled(bot: Harness) -> None:
    arabic, french, english = [await focal_point(bot, lang) for lang in ("ar", "fr", "en")]
    event = await make_event(bot)  # reminders 7 days, 1 day and 1 hour before
    await answer(bot, "ar", event, "going")
    await answer(bot, "en", event, "maybe")
    cards = await answer(bot, "fr", event, "going")
    await bot.press_data(french, cards[-1].message_id, EV_REMINDERS.data(event.id, "off"))
    runner = bot.services.reminders
    bot.clock.set(STARTS_AT - 7 * DAY)
    assert (await runner.run_due()).sent == 2
    # Staff replace "1 day" with "2 days" (typed with Arabic-Indic digits, in Arabic).
    staff = await staff_member(bot, ARABIC_STAFF, "سلمى", "ar")
    [ask] = await open_edit(bot, staff, event, "reminders")
    assert label("ar", "Use the defaults") in ask.button_texts()
    [problem, _] = await bot.say(staff, "كل يوم")
    assert "5" in visible(problem.text)  # the rule, in Arabic, not a stack trace
    [check] = await bot.say(staff, "٧ي ٢ي ١س")
    assert label("ar", "✔ Save") in check.button_texts()
    [saved, _roster] = await bot.press(staff, label("ar", "✔ Save"))
    assert saved.text == expected("ar", "Saved. Nobody is notified of this change.")
    changed = await bot.services.events.get(event.id)
    assert changed is not None
    assert changed.reminder_offsets_s == (7 * 86_400, 2 * 86_400, 3_600)
    for user in (arabic, english):
        assert await states(bot, event, user) == {
            7 * 86_400: ("sent", None),  # already sent: untouched
            2 * 86_400: ("pending", None),  # new
            86_400: ("skipped", "withdrawn"),  # removed
            3_600: ("pending", None),
        }
    assert all(state != "pending" for state, _ in (await states(bot, event, french)).values())
    bot.clock.set(STARTS_AT - 2 * DAY)
    assert (await runner.run_due()).sent == 2
    bot.clock.set(STARTS_AT - DAY)
    assert (await runner.run_due()).sent == 0
    # Staff put "1 day" back while it is still ahead; the week's one, long sent, stays sent.
    [_] = await open_edit(bot, staff, event, "reminders")
    await bot.press(staff, label("ar", "Use the defaults"))
    await bot.press(staff, label("ar", "✔ Save"))
    bot.clock.set(STARTS_AT - DAY + timedelta(minutes=1))
    assert (await runner.run_due()).sent == 0  # "1 day" had passed: not sent late
    bot.clock.set(STARTS_AT - timedelta(hours=1))
    assert (await runner.run_due()).sent == 2
    for user in (arabic, english):
        heads = [visible(m.text).split("\n")[0] for m in reminders_in(bot, user)]
        assert len(heads) == 3, heads  # 7 days, 2 days, 1 hour: each once
    assert reminders_in(bot, french) == []


async def test_no_reminders_then_some_again(bot: Harness) -> None:
    user = await focal_point(bot, "fr")
    event = await make_event(bot)
    await answer(bot, "fr", event, "going")
    staff = await staff_member(bot, FRENCH_STAFF, "Nadia", "fr")
    await open_edit(bot, staff, event, "reminders")
    [check] = await bot.press(staff, label("fr", "No reminders"))
    assert label("fr", "no reminders") in (check.text or "")
    await bot.press(staff, label("fr", "✔ Save"))
    assert {state for state, _ in (await states(bot, event, user)).values()} == {"skipped"}
    bot.clock.set(STARTS_AT - DAY)
    assert (await bot.services.reminders.run_due()).sent == 0
    await open_edit(bot, staff, event, "reminders")
    await bot.say(staff, "2h")
    await bot.press(staff, label("fr", "✔ Save"))
    bot.clock.set(STARTS_AT - timedelta(hours=2))
    assert (await bot.services.reminders.run_due()).sent == 1
    assert len(reminders_in(bot, user)) == 1


async def test_audience_change_withdraws_and_invites(bot: Harness) -> None:
    iraqi = await focal_point(bot, "ar")
    moroccan = await focal_point(bot, "fr")
    tunisian = await focal_point(bot, "en")
    event = await make_event(bot)  # for everyone
    runner = bot.services.reminders
    # While a run holds the outbox, the invitations wait: two people answer from /events
    # and staff narrow the audience before the invitations go out.
    async with runner._lock:
        [start] = await bot.say(ADMIN, "/start")
        await bot.press_data(ADMIN, start.message_id, EVS_ANNOUNCE.data(event.id))
        await answer(bot, "ar", event, "going")
        await answer(bot, "fr", event, "maybe")
        staff = await staff_member(bot, FRENCH_STAFF, "Nadia", "fr")
        [ask] = await open_edit(bot, staff, event, "audience")
        assert label("fr", "✓ Everyone") in ask.button_texts()
        [chosen] = await bot.press(staff, label("fr", "Morocco"))
        assert label("fr", "✓ {country}", country=label("fr", "Morocco")) in chosen.button_texts()
        [check] = await bot.press(staff, label("fr", "Continue »"))
        assert plural(
            "fr",
            "{count} person who answered or was invited would no longer be invited: their answer "
            "is withdrawn, they are told once if they were coming, and they get nothing more "
            "about this event.",
            "{count} people who answered or were invited would no longer be invited: their "
            "answers are withdrawn, those who were coming are told once, and they get nothing "
            "more about this event.",
            2,
        ) in (check.text or "")
        [saved, roster] = await bot.press(staff, label("fr", "✔ Save"))
        assert saved.text == "\n".join(
            [
                label("fr", "Saved."),
                plural(
                    "fr",
                    "{count} answer was withdrawn: those no longer invited who were coming are "
                    "told it no longer concerns them.",
                    "{count} answers were withdrawn: those no longer invited who were coming are "
                    "told it no longer concerns them.",
                    1,
                ),
            ]
        )
        assert "Focal point ar" not in (roster.text or "")
        assert await bot.services.events.attendee_ids(event.id) == [moroccan]
        notices = await bot.services.reminders._events.notices(event.id)
        assert {(n.state, n.detail) for n in notices if n.user_id == tunisian} == {
            ("skipped", NO_LONGER_INVITED)
        }
        # The Iraqi focal point was coming: nothing they were owed goes out, but one word does.
        assert {(n.kind, n.state, n.detail) for n in notices if n.user_id == iraqi} == {
            ("invitation", "skipped", NO_LONGER_INVITED),
            ("reminder", "skipped", NO_LONGER_INVITED),
            ("change", "pending", None),
        }
    # The Moroccan hears the invitation, then the reminders; the Iraqi only that it no longer
    # concerns them, in Arabic.
    await bot.services.reminders.run_due()
    assert len(bot.api.messages(moroccan)) > 0
    assert all("📣" not in visible(m.text) for m in bot.api.messages(iraqi))
    [told] = [m for m in bot.api.messages(iraqi) if "ℹ️" in visible(m.text)]
    assert TITLES["ar"] in visible(told.text)
    assert not any(TITLES["en"] in visible(m.text) for m in bot.api.messages(tunisian))
    [nothing] = await bot.say(iraqi, "/events")
    assert nothing.text == expected("ar", "There are no upcoming events for you at the moment.")
    await bot.press_data(iraqi, nothing.message_id, EV_RSVP.data(event.id, "going"))
    assert bot.api.callback_answers[-1]["text"] == label(
        "ar", "This event is not open to your country."
    )
    bot.clock.set(STARTS_AT - 7 * DAY)
    assert (await bot.services.reminders.run_due()).sent == 1
    assert reminders_in(bot, iraqi) == []
    # Everyone again: the two left out can see and answer it, and Announce reaches them once.
    await open_edit(bot, staff, event, "audience")
    await bot.press(staff, label("fr", "Everyone"))
    [check] = await bot.press(staff, label("fr", "Continue »"))
    assert "nothing more" not in (check.text or "")
    [saved, _] = await bot.press(staff, label("fr", "✔ Save"))
    # The event was announced: those the wider audience adds are invited with the save.
    assert saved.text == "\n".join(
        [
            label("fr", "Saved."),
            plural(
                "fr",
                "{count} focal point the new audience includes is being invited.",
                "{count} focal points the new audience includes are being invited.",
                2,
            ),
        ]
    )
    await bot.services.reminders.run_due()
    for person in (iraqi, tunisian, moroccan):
        invitations = [m for m in bot.api.messages(person) if "📣" in visible(m.text)]
        assert len(invitations) == 1
    await answer(bot, "ar", event, "going")
    assert await bot.services.events.attendee_ids(event.id) == sorted([iraqi, moroccan])
    bot.clock.set(STARTS_AT - DAY)
    assert (await bot.services.reminders.run_due()).sent == 2
    assert len(reminders_in(bot, iraqi)) == 1


async def test_an_answer_racing_a_narrower_audience_is_withdrawn(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    iraqi = await focal_point(bot, "ar")
    event = await make_event(bot)
    _header, shown = await bot.say(iraqi, "/events")
    repository = bot.services.reminders._events
    real_answer = repository.answer

    async def staff_narrow_it_meanwhile(*args: object, **kwargs: object) -> object:
        saved = await real_answer(*args, **kwargs)  # type: ignore[arg-type]
        narrower = replace(EventRevision.of(event), audience=("MA",))
        await repository.revise(event.id, narrower, by=None, now=bot.clock.now())
        return saved

    monkeypatch.setattr(repository, "answer", staff_narrow_it_meanwhile)
    await bot.press_data(iraqi, shown.message_id, EV_RSVP.data(event.id, "going"))
    assert bot.api.callback_answers[-1]["text"] == label(
        "ar", "This event is not open to your country."
    )
    assert await bot.services.events.attendee_ids(event.id) == []
    assert all(n.state != "pending" for n in await repository.notices(event.id))


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_a_new_time_reads_like_the_old_one(bot: Harness, language: str) -> None:
    """The zone by its name on both lines; a same-day range gives its date once."""
    staff_ids = {"ar": ARABIC_STAFF, "fr": FRENCH_STAFF, "en": ENGLISH_STAFF}
    staff = await staff_member(bot, staff_ids[language], "Hala", language)
    event = await make_event(bot)  # Africa/Casablanca
    await open_edit(bot, staff, event, "time")
    await bot.say(staff, "2026-12-04 14:17")
    [check] = await bot.say(staff, "16:17")
    t = catalogs().translator(language)
    shown = visible(check.text)
    assert shown.count(f"({t.time_zone_name('Africa/Casablanca')})") == 2
    assert "Africa/Casablanca" not in shown
    assert shown.count(format_date(date(2026, 12, 4), "long", locale=t.locale)) == 1
