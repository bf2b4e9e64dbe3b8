"""Staff broadcasts end to end: composing, targeting, fallbacks, 403, 429, kill, resume, cancel."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.i18n import right_to_left
from bot.registration import RedeemStatus
from bot.services import Services
from handlers.routes import BC_SCHEDULE
from standin import SentMessage
from tests.conftest import ARABIC_USER, ENGLISH_USER
from tests.harness import ADMIN, STAFF_CHAT, START, Harness, catalogs, expected, plain

FALLBACK_NOTE = (
    "<i>This announcement is not available in your language; here it is in {language}.</i>"
)
REPORT = "Report of broadcast"


@pytest.fixture(autouse=True)
def fast_delivery(harness: Harness) -> None:
    """Paid-broadcast speed; Telegram's one message a second to a chat costs no real time
    (the harness skips the pacer's waits).

    Through the Config the bot is built from: the harness does not read the environment."""
    delivery_settings(harness, paid=True, rate=200, chat_interval_ms=1000)


def delivery_settings(harness: Harness, *, paid: bool, rate: float, chat_interval_ms: int) -> None:
    harness.config = replace(
        harness.config,
        broadcast_paid=paid,
        broadcast_rate=rate,
        broadcast_chat_interval_ms=chat_interval_ms,
    )


async def add_focal_point(
    bot: Harness, user_id: int, language: str, country: str, city: str
) -> None:
    if user_id not in bot.api.users:
        bot.api.add_user(user_id, f"Person {user_id}", language_code=language)
    services = bot.services
    await services.accounts.on_contact(
        user_id=user_id,
        first_name=f"Person {user_id}",
        last_name=None,
        username=None,
        telegram_language=language,
    )
    invite = await services.registration.create_invite(country=country, city=city, created_by=None)
    outcome = await services.registration.redeem(
        invite.code, user_id=user_id, full_name=f"Person {user_id}"
    )
    assert outcome.status is RedeemStatus.REGISTERED


async def compose(
    services: Services, versions: dict[str, str], kind: str = "fp", values: tuple[str, ...] = ()
) -> None:
    """A confirmed draft for ADMIN, through the service (the Telegram form is tested apart)."""
    broadcasts = services.broadcasts
    await services.accounts.on_contact(
        user_id=ADMIN, first_name="Hala", last_name=None, username=None, telegram_language="en"
    )
    await broadcasts.start(ADMIN)
    for language, text in versions.items():
        await broadcasts.write_in(ADMIN, language)
        await broadcasts.add_version(ADMIN, text)
    await broadcasts.to_audience(ADMIN)
    outcome = await broadcasts.choose_audience(ADMIN, kind)
    for value in values:
        outcome = await broadcasts.toggle(ADMIN, value)
    if values:
        outcome = await broadcasts.chosen(ADMIN)
    assert outcome.problem is None, outcome


def fallback_note(reader: str, version: str) -> str:
    """The note a reader gets above another language's version (``version``: a code)."""
    t = catalogs().translator(reader)
    return plain(right_to_left(str(t._(FALLBACK_NOTE, language=t.language_name(version)))))


def broadcast_messages(bot: Harness, chat_id: int, marker: str) -> list[SentMessage]:
    return [m for m in bot.api.messages(chat_id) if marker in (m.text or "") + (m.caption or "")]


async def wait_for_report(bot: Harness, after: int = 0) -> SentMessage:
    return await bot.api.wait_for_message(
        ADMIN, lambda m: REPORT in (m.text or ""), timeout=20, after=after
    )


async def test_composing_in_two_languages_with_previews_and_fallbacks(bot: Harness) -> None:
    await add_focal_point(bot, ARABIC_USER, "ar", "JO", "Karak")
    await add_focal_point(bot, 301, "ar", "MA", "Fes")
    await add_focal_point(bot, 302, "fr", "TN", "Sousse")
    await add_focal_point(bot, ENGLISH_USER, "en", "IQ", "Mosul")
    [ask] = await bot.say(ADMIN, "/broadcast")
    assert ask.button_texts()[:3] == ["Arabic", "French", "English"]  # CLDR's names
    [ask] = await bot.press(ADMIN, "English")
    assert "Send the English version now" in (ask.text or "")
    # Staff formatting (bold, a link) is kept.
    [menu] = await bot.send(
        ADMIN,
        text="Call for applications: apply by 30 June & share",
        entities=[
            {"type": "bold", "offset": 0, "length": 21},
            {"type": "text_link", "offset": 32, "length": 7, "url": "https://example.org/a"},
        ],
    )
    assert "Add the French version" in menu.button_texts()
    await bot.press(ADMIN, "Add the French version")
    await bot.say(ADMIN, "Appel à candidatures : avant le 30 juin")
    await bot.press(ADMIN, "Choose who gets it »")
    confirm = await bot.press(ADMIN, "All verified focal points")
    texts = [m.text or "" for m in confirm]
    assert "Preview of the French version:" in texts
    assert "Appel à candidatures : avant le 30 juin" in texts
    summary = confirm[-1].text or ""
    assert "Ready to send to 4 people." in summary
    assert "Arabic: 2 people, who get the English version with a note" not in summary
    assert "Arabic: 1 person, who gets the English version with a note" in summary
    assert "Arabic: 1 person, who gets the French version with a note" in summary
    assert "French: 1 person" in summary
    await bot.press(ADMIN, "✔ Send now")
    report = await wait_for_report(bot)
    assert "sent 4, failed 0, blocked 0, not sent 0" in (report.text or "")
    assert "Jordan: sent 1" in (report.text or "")

    [english] = bot.api.messages(ENGLISH_USER)
    assert english.html == (
        '<b>Call for applications</b>: apply by <a href="https://example.org/a">30 June</a> '
        "&amp; share"
    )
    [french] = bot.api.messages(302)
    assert french.text == "Appel à candidatures : avant le 30 juin"
    # Arabic readers get a fallback with a note in Arabic: French in Morocco, English in Jordan.
    [jordan] = bot.api.messages(ARABIC_USER)
    assert (jordan.text or "").startswith(fallback_note("ar", "en"))
    assert "Call for applications" in (jordan.text or "")
    [morocco] = bot.api.messages(301)
    assert "Appel à candidatures" in (morocco.text or "")
    assert (morocco.text or "").startswith(fallback_note("ar", "fr"))
    # The staff member's progress message ends as "finished", and /broadcasts lists it.
    assert any("Broadcast #1 finished." in (m.text or "") for m in bot.api.messages(ADMIN))
    [listing] = await bot.say(ADMIN, "/broadcasts")
    assert "#1 · finished" in (listing.text or "")
    [again] = await bot.press(ADMIN, "Report #1")
    assert REPORT in (again.text or "")


async def test_a_photo_goes_to_everyone_with_the_caption(bot: Harness) -> None:
    await add_focal_point(bot, ENGLISH_USER, "en", "LB", "Saida")
    await bot.say(ADMIN, "/broadcast")
    await bot.press(ADMIN, "English")
    await bot.send(ADMIN, photo=bot.api.make_photo(b"png"), caption="New guide out")
    await bot.press(ADMIN, "Choose who gets it »")
    await bot.press(ADMIN, "All verified focal points")
    await bot.press(ADMIN, "✔ Send now")
    await wait_for_report(bot)
    [photo] = bot.api.messages(ENGLISH_USER)
    assert photo.sent_by == "sendPhoto"
    assert photo.caption == "New guide out"


async def test_targeting_countries_languages_and_everyone(bot: Harness) -> None:
    await add_focal_point(bot, 301, "ar", "MA", "Fes")
    await add_focal_point(bot, 302, "fr", "MA", "Rabat")
    await add_focal_point(bot, 303, "en", "TN", "Sfax")
    await bot.say(ENGLISH_USER, "/start")  # not a focal point
    await bot.say(ADMIN, "/help")
    broadcasts = bot.services.broadcasts

    async def recipients(kind: str, values: tuple[str, ...] = ()) -> set[int]:
        audience = {"kind": kind, "values": list(values)}
        return {r.user_id for r in await broadcasts.plan(audience, ["en"])}

    assert await recipients("fp") == {301, 302, 303}
    assert await recipients("cty", ("MA",)) == {301, 302}
    assert await recipients("lng", ("ar", "en")) == {301, 303}
    assert ENGLISH_USER in await recipients("all")
    assert ADMIN in await recipients("all")

    # Through the buttons: countries are toggled, and the count follows.
    await bot.say(ADMIN, "/broadcast")
    await bot.press(ADMIN, "English")
    await bot.say(ADMIN, "Workshop in Tunis")
    await bot.press(ADMIN, "Choose who gets it »")
    await bot.press(ADMIN, "Focal points in chosen countries")
    [problem, *_] = await bot.press(ADMIN, "Done")
    assert problem.text == "Choose at least one, then press Done."
    await bot.press(ADMIN, "Tunisia")
    await bot.press(ADMIN, "Morocco")
    await bot.press(ADMIN, "✔ Morocco")  # and off again
    confirm = await bot.press(ADMIN, "Done")
    assert "Ready to send to 1 person." in (confirm[-1].text or "")
    await bot.press(ADMIN, "✔ Send now")
    await wait_for_report(bot)
    assert broadcast_messages(bot, 303, "Workshop in Tunis")
    assert not broadcast_messages(bot, 301, "Workshop in Tunis")


async def test_only_staff_can_broadcast(bot: Harness) -> None:
    [refusal] = await bot.say(ENGLISH_USER, "/broadcast")
    assert refusal.text == expected("en", "This is for hub staff only.")


async def test_a_blocked_person_is_marked_inactive_and_skipped_until_they_return(
    bot: Harness,
) -> None:
    await add_focal_point(bot, 301, "en", "EG", "Cairo")
    await add_focal_point(bot, 302, "en", "EG", "Giza")
    bot.api.block(302)
    await compose(bot.services, {"en": "First notice"})
    await bot.services.broadcasts.submit(ADMIN)
    report = await wait_for_report(bot)
    assert "sent 1, failed 0, blocked 1" in (report.text or "")
    profile = await bot.services.accounts.profile(302)
    assert profile is not None and not profile.user.is_active

    await compose(bot.services, {"en": "Second notice"})
    draft = await bot.services.broadcasts.draft(ADMIN)
    assert draft is not None
    preview = await bot.services.broadcasts.preview(draft.data)
    assert preview.total == 1
    # Writing to the bot again makes them reachable.
    bot.api.unblock(302)
    await bot.say(302, "/help")
    await bot.services.broadcasts.submit(ADMIN)
    await wait_for_report(bot, after=report.message_id)
    assert broadcast_messages(bot, 302, "Second notice")


async def test_a_429_pauses_sending_and_nothing_is_lost(bot: Harness) -> None:
    for user_id in range(301, 311):
        await add_focal_point(bot, user_id, "fr", "TN", "Tunis")
    bot.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await compose(bot.services, {"fr": "Invitation"})
    started = bot.pacing.monotonic()
    await bot.services.broadcasts.submit(ADMIN)
    report = await wait_for_report(bot)
    assert bot.pacing.monotonic() - started >= 1.0
    assert "sent 10, failed 0" in (report.text or "")
    engine = bot.services.broadcasts.engine
    assert engine.stats.retry_after_hits == 1
    assert engine.limiter.pauses == 1
    for user_id in range(301, 311):
        assert len(broadcast_messages(bot, user_id, "Invitation")) == 1


async def test_the_stand_in_flood_control_is_respected(harness: Harness) -> None:
    harness.api.messages_per_s = 50
    harness.api.chat_interval_s = 1.0
    harness.api.chat_burst = 3
    delivery_settings(harness, paid=True, rate=50, chat_interval_ms=1000)
    async with harness.running():
        settings = harness.services.broadcasts.engine.settings
        assert (settings.messages_per_s, settings.private_chat_interval_s) == (50, 1.0)
        for user_id in range(301, 361):
            await add_focal_point(harness, user_id, "en", "LY", "Sabha")
        await compose(harness.services, {"en": "Paced"})
        await harness.services.broadcasts.submit(ADMIN)
        report = await wait_for_report(harness)
        assert "sent 60, failed 0" in (report.text or "")
        assert harness.api.rate_limited == 0


async def test_a_kill_mid_broadcast_resumes_without_duplicates_or_misses(
    harness: Harness,
) -> None:
    delivery_settings(harness, paid=True, rate=40, chat_interval_ms=0)
    harness.pace_in_real_time()
    people = range(301, 341)
    async with harness.running():
        assert harness.services.broadcasts.engine.settings.messages_per_s == 40
        for user_id in people:
            await add_focal_point(harness, user_id, "en", "IQ", "Baghdad")
        await compose(harness.services, {"en": "Resume me"})
        await harness.services.broadcasts.submit(ADMIN)
        await harness.api.wait_for_call("sendMessage", count=12)
        await harness.services.broadcasts.stop(grace_s=0)  # as abrupt as a kill
    delivered = Counter(
        user_id for user_id in people if broadcast_messages(harness, user_id, "Resume me")
    )
    assert 0 < len(delivered) < len(people)
    async with harness.running():
        report = await wait_for_report(harness)
        assert "not sent 0" in (report.text or "")
    counts = [len(broadcast_messages(harness, user_id, "Resume me")) for user_id in people]
    assert min(counts) == 1  # nobody skipped
    # Only messages in flight at the kill may arrive twice; at 40/s that is one or two.
    assert sum(count - 1 for count in counts) <= 2


async def test_staff_stop_a_running_broadcast(harness: Harness) -> None:
    delivery_settings(harness, paid=False, rate=10, chat_interval_ms=0)
    # At 10 a second in real time the 30 take 3 s: Stop lands halfway whatever else runs
    # (with waits skipped, the whole broadcast could go out before the press was handled).
    harness.pace_in_real_time()
    people = range(301, 331)
    async with harness.running():
        assert harness.services.broadcasts.engine.settings.messages_per_s == 10
        for user_id in people:
            await add_focal_point(harness, user_id, "en", "EG", "Alexandria")
        await compose(harness.services, {"en": "Stop me"})
        await harness.services.broadcasts.submit(ADMIN)
        await harness.api.wait_for_message(ADMIN, lambda m: "■ Stop" in m.button_texts())
        [question] = await harness.press(ADMIN, "■ Stop")
        assert "Stop broadcast #1?" in (question.text or "")
        await harness.press(ADMIN, "■ Yes, stop it")
        report = await wait_for_report(harness)
        assert "(cancelled)" in (report.text or "")
        sent = sum(len(broadcast_messages(harness, user_id, "Stop me")) for user_id in people)
        assert 0 < sent < len(people)
        assert f"sent {sent}, failed 0, blocked 0, not sent {len(people) - sent}" in (
            report.text or ""
        )


async def test_a_scheduled_broadcast_waits_for_its_time_and_can_be_cancelled(
    bot: Harness,
) -> None:
    await add_focal_point(bot, 301, "en", "JO", "Irbid")
    await compose(bot.services, {"en": "Later"})
    [ask] = await bot.press_data(ADMIN, 1, BC_SCHEDULE.data())
    assert "Type the date and time in your time zone (UTC)" in (ask.text or "")
    [problem, _] = await bot.say(ADMIN, "tomorrow at noon")
    assert (
        problem.text == "I could not read that date and time. Type it like this: 2026-06-15 09:30"
    )
    [problem, _] = await bot.say(ADMIN, "2026-05-31 10:00")
    assert problem.text == "That time has already passed. Type a time in the future."
    [done] = await bot.say(ADMIN, "2026-06-01 15:00")
    assert "Broadcast #1 is scheduled for" in (done.text or "")
    bot.services.broadcasts.wake()
    assert not broadcast_messages(bot, 301, "Later")

    # A second one, cancelled from /broadcasts before its time.
    await compose(bot.services, {"en": "Never"})
    await bot.services.broadcasts.ask_time(ADMIN)
    await bot.services.broadcasts.schedule(ADMIN, "٢٠٢٦-٠٦-٠١ ١٦:٠٠", "UTC")
    await bot.say(ADMIN, "/broadcasts")
    await bot.press(ADMIN, "■ Stop #2")
    [cancelled] = await bot.press(ADMIN, "■ Yes, stop it")
    assert cancelled.text == "Broadcast #2 is cancelled. Nothing was sent."

    bot.clock.advance(timedelta(hours=7))
    bot.services.broadcasts.wake()
    await wait_for_report(bot)
    assert len(broadcast_messages(bot, 301, "Later")) == 1
    assert not broadcast_messages(bot, 301, "Never")


async def test_questions_are_answered_while_a_broadcast_goes_out(harness: Harness) -> None:
    delivery_settings(harness, paid=False, rate=5, chat_interval_ms=0)
    async with harness.running():
        assert harness.services.broadcasts.engine.settings.messages_per_s == 5
        for user_id in range(301, 321):
            await add_focal_point(harness, user_id, "en", "MA", "Oujda")
        await compose(harness.services, {"en": "Slow news"})
        await harness.services.broadcasts.submit(ADMIN)
        await harness.api.wait_for_call("sendMessage", count=2)
        replies = await harness.say(301, "/help")
        assert replies and "What I can do" in (replies[0].text or "")
        assert harness.services.broadcasts.is_running(1)
        await harness.services.broadcasts.cancel(1, by=ADMIN)
        await wait_for_report(harness)


async def test_a_broadcast_scheduled_in_a_time_zone_east_of_utc_goes_out_on_time(
    bot: Harness,
) -> None:
    await add_focal_point(bot, 301, "en", "JO", "Zarqa")
    await compose(bot.services, {"en": "Amman time"})
    assert await bot.services.accounts.set_time_zone(ADMIN, "Asia/Amman") == "Asia/Amman"
    await bot.services.broadcasts.ask_time(ADMIN)
    # 13:00 in Amman (UTC+3) is 10:00 UTC, an hour after the clock's 09:00 UTC.
    broadcast = await bot.services.broadcasts.schedule(ADMIN, "2026-06-01 13:00", "Asia/Amman")
    assert broadcast.scheduled_for == START + timedelta(hours=1)
    # Due at 10:00 UTC, not three hours later when "13:00" would be reached in UTC.
    bot.clock.advance(timedelta(hours=1, minutes=1))
    bot.services.broadcasts.wake()
    report = await bot.api.wait_for_message(ADMIN, lambda m: REPORT in (m.text or ""), timeout=5)
    assert "sent 1," in (report.text or "")
    assert len(broadcast_messages(bot, 301, "Amman time")) == 1


async def test_a_caption_is_measured_as_telegram_shows_it_not_by_its_html(bot: Harness) -> None:
    """Links and bold lengthen the HTML, not the caption: a caption Telegram took is kept."""
    await add_focal_point(bot, ENGLISH_USER, "en", "LB", "Tripoli")
    url = "https://strongcitiesnetwork.org/resources/a-guide-with-a-long-address"
    caption = "Guide " + "x" * 1000 + " read it"  # 1015 characters, under 1024
    await bot.say(ADMIN, "/broadcast")
    await bot.press(ADMIN, "English")
    [menu] = await bot.send(
        ADMIN,
        photo=bot.api.make_photo(b"png"),
        caption=caption,
        caption_entities=[
            {"type": "bold", "offset": 0, "length": 5},
            {"type": "text_link", "offset": len(caption) - 7, "length": 7, "url": url},
        ],
    )
    assert "Choose who gets it »" in menu.button_texts(), menu.text
    await bot.press(ADMIN, "Choose who gets it »")
    await bot.press(ADMIN, "All verified focal points")
    await bot.press(ADMIN, "✔ Send now")
    report = await wait_for_report(bot)
    assert "sent 1, failed 0" in (report.text or "")
    [photo] = bot.api.messages(ENGLISH_USER)
    assert photo.caption == caption


async def test_a_fallback_note_never_pushes_a_message_over_telegrams_limits(bot: Harness) -> None:
    """Telegram counts UTF-16 units: emoji count twice, so the note may not fit beside them."""
    await add_focal_point(bot, ARABIC_USER, "ar", "JO", "Madaba")
    body = "📣" * 2040  # 4080 UTF-16 units: fits alone, not with the note before it
    await compose(bot.services, {"en": body})
    await bot.services.broadcasts.submit(ADMIN)
    report = await wait_for_report(bot)
    assert "sent 1, failed 0" in (report.text or "")
    [note, announcement] = bot.api.messages(ARABIC_USER)
    assert note.text == fallback_note("ar", "en")
    assert announcement.text == body


async def test_a_run_stopped_by_an_error_is_resumed_by_the_scheduler(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_focal_point(bot, 301, "en", "JO", "Zarqa")
    service = bot.services.broadcasts
    original = service._deliver_broadcast
    failures: list[int] = []

    async def fail_once_started(broadcast_id: int) -> None:
        if not failures:
            failures.append(broadcast_id)
            await service._begin(broadcast_id)  # recipients planned, the broadcast "sending"
            raise RuntimeError("disk hiccup")
        await original(broadcast_id)

    monkeypatch.setattr(service, "_deliver_broadcast", fail_once_started)
    await compose(bot.services, {"en": "Resumed after a hiccup"})
    broadcast = await service.submit(ADMIN)
    await service._runs[broadcast.id].task  # the failing run ends (the error is logged)
    assert failures == [broadcast.id]
    service.wake()  # the scheduler's next look, without waiting for its poll
    report = await bot.api.wait_for_message(ADMIN, lambda m: REPORT in (m.text or ""), timeout=10)
    assert "sent 1," in (report.text or "")
    assert len(broadcast_messages(bot, 301, "Resumed after a hiccup")) == 1


async def test_the_report_of_a_sender_erased_meanwhile_goes_to_the_staff_chat(
    harness: Harness,
) -> None:
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    delivery_settings(harness, paid=False, rate=10, chat_interval_ms=0)
    harness.pace_in_real_time()
    people = range(301, 321)
    async with harness.running(staff_chat_id=STAFF_CHAT, staff_language="fr"):
        for user_id in people:
            await add_focal_point(harness, user_id, "en", "EG", "Alexandria")
        await compose(harness.services, {"en": "Erased sender"})
        await harness.services.broadcasts.submit(ADMIN)
        await harness.api.wait_for_call("sendMessage", count=5)
        await harness.services.accounts.erase(ADMIN)
        # In the staff chat's language, since nobody's own language is known any more.
        report = await harness.api.wait_for_message(
            STAFF_CHAT, lambda m: "Rapport de la diffusion #1" in (m.text or ""), timeout=20
        )
        assert "envoyés 20, échecs 0, bloqués 0, non envoyés 0" in (report.text or "")
    assert 0 not in harness.api.users
    assert not [params for method, params in harness.api.calls if params.get("chat_id") == 0]
