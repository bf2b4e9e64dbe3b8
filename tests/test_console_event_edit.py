"""Editing a coming event in the staff console, in a real browser (headless Chromium) against
the real bot and the stand-in: the same fields and rules as a new event, prefilled, with the
previews; focal points told once in their language and time zone; reminders at the new time;
two staff editing at once, the second told who saved first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.async_api import Browser, Page, expect

from tests.console_harness import LAPTOP, console_url, signed_in_page
from tests.harness import ADMIN, Harness, catalogs, label
from tests.test_event_edits import ARABIC_STAFF, staff_member
from tests.test_events import (
    PLACES,
    STARTS_AT,
    TITLES,
    ZONES,
    answer,
    focal_point,
    make_event,
    reminders_in,
    skipped_time,  # noqa: F401  (autouse: the limiter's waits take no real time)
    visible,
)

# 18 June 2026, 15:00 in Casablanca (UTC+1); 17:00 in Baghdad, 15:00 in Tunis.
NEW_START = datetime(2026, 6, 18, 14, 0, tzinfo=UTC)


def moved_notices(bot: Harness, user: int) -> list[str]:
    return [visible(m.text) for m in bot.api.messages(user) if "📢" in visible(m.text)]


async def open_edit(page: Page, bot: Harness, event_id: int) -> None:
    await page.goto(console_url(bot, f"/events/{event_id}"))
    await page.click("a#edit")
    await page.wait_for_url(f"**/events/{event_id}/edit")


async def test_staff_move_an_event_and_each_focal_point_is_told_in_their_language_and_zone(
    console_bot: Harness, browser: Browser
) -> None:
    bot = console_bot
    people = {language: await focal_point(bot, language) for language in ("ar", "fr", "en")}
    event = await make_event(bot)  # everyone; 16 June, 10:00 in Casablanca
    assert await bot.services.events.announce(event.id) == 3
    await bot.services.reminders.run_due()
    await answer(bot, "ar", event, "going")
    await answer(bot, "fr", event, "maybe")  # the Tunisian focal point has not answered
    page = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    await open_edit(page, bot, event.id)
    # Prefilled with the event as it is, local to its zone; previews in the three languages.
    assert await page.input_value("input[name=start]") == "2026-06-16T10:00"
    assert await page.input_value("input[name=title_ar]") == TITLES["ar"]
    assert await page.input_value("input[name=reminders]") == "7d 1d 1h"
    await expect(page.locator("section.preview")).to_have_count(3)
    # The rules of /newevent: an end before the start is refused, what was typed kept.
    await page.fill("input[name=start]", "2026-06-18T15:00")
    await page.fill("input[name=end]", "2026-06-18T12:00")
    await page.click("#edit-event button[name=save]")
    await expect(page.locator(".problem[data-field=end]")).to_have_text(
        label("en", "The end must be after the start.")
    )
    assert await page.input_value("input[name=start]") == "2026-06-18T15:00"
    assert (await bot.services.events.get(event.id)) == event
    await page.fill("input[name=end]", "2026-06-18T18:00")
    # The preview shows the new time before anything is saved.
    await page.click("#edit-event button[name=preview]")
    english = catalogs().translator("en", "TN")
    await expect(page.locator("section.preview").nth(2)).to_contain_text(
        visible(english.datetime(NEW_START, "Africa/Casablanca"))
    )
    # And the change notice this edit will send, in each language.
    changes = page.locator("section.preview .bubble.change")
    await expect(changes).to_have_count(3)
    await expect(changes.nth(2)).to_contain_text(label("en", "It was: {old}", old=""))
    await expect(changes.nth(1)).to_contain_text("📢")
    assert (await bot.services.events.get(event.id)) == event
    await page.click("#edit-event button[name=save]")
    await page.wait_for_url(f"**/events/{event.id}?*")
    await expect(page.locator(".done")).to_have_text(
        "Saved. 3 people invited who have not declined are being told of the change."
    )
    moved = await bot.services.events.get(event.id)
    assert moved is not None and moved.starts_at == NEW_START
    assert moved.ends_at == NEW_START + timedelta(hours=3)
    assert moved.revision == event.revision + 1 and moved.updated_by == ADMIN
    # Each is told once, in their language and their own time zone.
    await bot.services.reminders.run_due()
    await bot.services.reminders.run_due()
    for language, user in people.items():
        [notice] = moved_notices(bot, user)
        reader = catalogs().translator(language, PLACES[language][0])
        assert TITLES[language] in notice
        assert visible(reader.datetime(NEW_START, ZONES[language])) in notice
        assert visible(reader.datetime(STARTS_AT, ZONES[language])) in notice
    # The edit is in the audit log.
    records = (await bot.services.audit.page()).records
    assert any(r.action == "event.edit" and f"#{event.id} " in (r.subject or "") for r in records)
    # Reminders follow the new start (tests below watch them fire).
    for user in (people["ar"], people["fr"]):
        dues = {
            n.ref: n.due_at
            for n in await bot.services.reminders._events.notices(event.id)
            if n.kind == "reminder" and n.user_id == user
        }
        assert dues == {offset: NEW_START - timedelta(seconds=offset) for offset in dues}
        assert sorted(dues) == [3_600, 86_400, 7 * 86_400]


async def test_reminders_follow_the_new_time_not_the_old(
    console_bot: Harness, browser: Browser
) -> None:
    bot = console_bot
    moroccan = await focal_point(bot, "fr")
    event = await make_event(bot, audience=("MA",))
    await bot.services.events.announce(event.id)
    await bot.services.reminders.run_due()
    await answer(bot, "fr", event, "going")
    page = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    await open_edit(page, bot, event.id)
    await page.fill("input[name=start]", "2026-06-18T15:00")
    await page.fill("input[name=end]", "2026-06-18T18:00")
    await page.click("#edit-event button[name=save]")
    await page.wait_for_url(f"**/events/{event.id}?*")
    # The old week-before time passes: no reminder; the new one comes at its own time.
    bot.clock.set(STARTS_AT - timedelta(days=7))
    assert (await bot.services.reminders.run_due()).sent == 0
    bot.clock.set(NEW_START - timedelta(days=7, seconds=1))
    assert (await bot.services.reminders.run_due()).sent == 0
    bot.clock.set(NEW_START - timedelta(days=7))
    assert (await bot.services.reminders.run_due()).sent == 1
    # The old day-before and hour-before times pass: nothing.
    for old_due in (STARTS_AT - timedelta(days=1), STARTS_AT - timedelta(hours=1)):
        bot.clock.set(old_due)
        assert (await bot.services.reminders.run_due()).sent == 0
    bot.clock.set(NEW_START - timedelta(days=1))
    assert (await bot.services.reminders.run_due()).sent == 1
    bot.clock.set(NEW_START - timedelta(hours=1))
    assert (await bot.services.reminders.run_due()).sent == 1
    assert len(reminders_in(bot, moroccan)) == 3


async def test_two_staff_editing_one_event_at_once_the_second_is_told_and_nothing_is_lost(
    console_bot: Harness, browser: Browser
) -> None:
    bot = console_bot
    event = await make_event(bot)
    salma = await staff_member(bot, ARABIC_STAFF, "سلمى", "ar")
    first = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    second = await signed_in_page(browser, bot, salma, viewport=LAPTOP)
    await open_edit(first, bot, event.id)
    await open_edit(second, bot, event.id)
    await expect(second.locator("html")).to_have_attribute("dir", "rtl")
    # Both have the form open; the first saves a new place, the second a new Arabic title.
    await first.fill("input[name=place]", "Tunis City Hall")
    await second.fill("input[name=title_ar]", "ورشة عمل حول الوقاية المحلية")
    await first.click("#edit-event button[name=save]")
    await first.wait_for_url(f"**/events/{event.id}?*")
    await second.click("#edit-event button[name=save]")
    problem = second.locator(".problem[data-field=changed]")
    await expect(problem).to_contain_text("Hala")
    assert label("ar", "another staff member") not in (await problem.inner_text())
    # Nothing of the second's was saved, and the first's change stands.
    now = await bot.services.events.get(event.id)
    assert now is not None and now.place == "Tunis City Hall"
    assert now.titles["ar"] == TITLES["ar"] and now.revision == event.revision + 1
    # The form shows what the second typed, on top of the first's change: saving again
    # keeps both.
    assert await second.input_value("input[name=place]") == "Tunis City Hall"
    assert await second.input_value("input[name=title_ar]") == "ورشة عمل حول الوقاية المحلية"
    await second.click("#edit-event button[name=save]")
    await second.wait_for_url(f"**/events/{event.id}?*")
    both = await bot.services.events.get(event.id)
    assert both is not None and both.place == "Tunis City Hall"
    assert both.titles["ar"] == "ورشة عمل حول الوقاية المحلية"
    assert both.updated_by == salma
    records = (await bot.services.audit.page()).records
    assert [r.actor_id for r in records if r.action == "event.edit.refused"] == [salma]


async def test_a_cancelled_or_started_event_cannot_be_edited(
    console_bot: Harness, browser: Browser
) -> None:
    bot = console_bot
    started = await make_event(bot)
    cancelled = await make_event(bot, titles={"en": "National roundtable"})
    page = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    await open_edit(page, bot, cancelled.id)
    form = await page.request.get(console_url(bot, f"/events/{cancelled.id}/edit"))
    assert form.ok
    await bot.services.events.cancel(cancelled.id)
    await page.click("#edit-event button[name=save]")
    await expect(page.locator(".problem[data-field=closed]")).to_be_visible()
    await page.goto(console_url(bot, f"/events/{cancelled.id}"))
    await expect(page.locator("a#edit")).to_have_count(0)
    bot.clock.set(STARTS_AT + timedelta(minutes=1))
    page = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    await page.goto(console_url(bot, f"/events/{started.id}"))
    await expect(page.locator("a#edit")).to_have_count(0)
    refused = await page.goto(console_url(bot, f"/events/{started.id}/edit"))
    assert refused is not None and refused.status == 409
    assert await bot.services.events.get(started.id) == started
