"""Staff triage of support requests, the city following them, digests and the CSV export."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.context import HubContext
from bot.support.desk import spreadsheet_safe
from handlers.routes import REQ_ANSWER, REQ_VIEW, TRI_STATUS
from handlers.support_triage import post_digest
from standin import SentMessage
from storage.support_requests import RequestFilter
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, STAFF_CHAT, Harness, catalogs, expected, label
from tests.support_helpers import TITLES, fill_request, make_focal_point
from tests.test_events import visible

STATUS_NOW = "Your support request {reference}, «{title}», is now: <b>{status}</b>."
QUESTION = (
    "<b>The Hub team has a question about your support request {reference}</b>, "
    "«{title}»:\n\n{question}"
)
NOT_YOURS = "This request is not available to you."
ALTERNATE = 301


def status_label(language: str, status: str) -> str:
    return catalogs().translator(language).plabel("request status", status)


async def file_one(bot: Harness, language: str = "en", **options: object) -> int:
    user = {"ar": ARABIC_USER, "fr": FRENCH_USER, "en": ENGLISH_USER}[language]
    await fill_request(bot, language, **options)  # type: ignore[arg-type]
    await bot.press(user, label(language, "✔ Submit"))
    page = await bot.services.support.search(RequestFilter(), page=0, size=1)
    return page.requests[0].id


async def file_for_two_focal_points(bot: Harness, *, attach: bool = True) -> int:
    """Amman's focal points read English (who files) and Arabic (the alternate)."""
    city = "Greater Amman Municipality"
    await make_focal_point(bot, ENGLISH_USER, "JO", city)
    await make_focal_point(bot, ALTERNATE, "JO", city)
    return await file_one(bot, "en", attach=attach)


async def test_the_whole_staff_cycle_in_the_staff_chat(harness: Harness) -> None:
    """Staff read French; the city's two focal points read English and Arabic."""
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    harness.api.add_user(ALTERNATE, "Rania", language_code="ar")
    async with harness.running(staff_chat_id=STAFF_CHAT, staff_language="fr"):
        bot = harness
        request_id = await file_for_two_focal_points(bot)
        title = TITLES["en"]
        reference = "TSR-2026-0001"
        # The alternate focal point hears of it in Arabic.
        assert reference in bot.last_text(ALTERNATE)
        card = bot.api.messages(STAFF_CHAT)[-2]
        assert reference in (card.text or "")

        async def staff_press(text: str) -> None:
            await bot.press(ADMIN, label("fr", text), chat_id=STAFF_CHAT)

        async def staff_say(text: str) -> list[SentMessage]:
            # With Telegram's privacy mode on in the staff chat, the bot sees only replies to
            # its messages: staff answer the prompt by replying to it.
            prompt = bot.api.last_message(STAFF_CHAT)
            return await bot.say(
                ADMIN, text, chat_id=STAFF_CHAT, reply_to_message_id=prompt.message_id
            )

        # Assign to me: the card shows it, in place.
        await staff_press("Assign to me")
        refreshed = next(m for m in bot.api.messages(STAFF_CHAT) if m.message_id == card.message_id)
        assert "Hala" in (refreshed.text or "")
        # An internal note: recorded, never shown to the city.
        await staff_press("Note")
        [done] = await staff_say("Call the deputy mayor next week.")
        assert done.text == expected("fr", "Note added to {reference}.", reference=reference)
        # The audit log has the button and what it led to (not the note's words).
        audit = (await bot.services.audit.page(actor_id=ADMIN, size=2)).records
        assert [(r.action, r.subject) for r in audit] == [
            ("support.note", reference),
            ("button tri.note", str(request_id)),
        ]
        city_messages = len(bot.api.messages(ENGLISH_USER))
        # A question, written in French by staff, reaches both focal points with the reference.
        await staff_press("Ask the city")
        question = "Combien de jeunes participeront ?"
        [done] = await staff_say(question)
        assert reference in (done.text or "")
        for user, language in ((ENGLISH_USER, "en"), (ALTERNATE, "ar")):
            assert bot.last_text(user) == expected(
                language, QUESTION, reference=reference, title=title, question=question
            )
        assert len(bot.api.messages(ENGLISH_USER)) == city_messages + 1
        request = await bot.services.support.get(request_id)
        assert request is not None and request.status == "waiting_city"
        # The city answers; the answer is attached and comes back to the staff chat.
        [prompt] = await bot.press(ENGLISH_USER, "✍ Answer the Hub team")
        assert reference in (prompt.text or "")
        [thanks] = await bot.say(ENGLISH_USER, "About 90 young people from 12 associations.")
        assert thanks.text == expected(
            "en",
            "Thank you. Your answer was attached to {reference} and sent to the Hub team.",
            reference=reference,
        )
        answer_notice = bot.api.last_message(STAFF_CHAT)
        assert "About 90 young people" in (answer_notice.text or "")
        assert reference in (answer_notice.text or "")
        request = await bot.services.support.get(request_id)
        assert request is not None and request.status == "in_review"
        # Open posts a fresh card below the answer, which stays readable.
        opener = label("fr", "Open {reference}", reference=reference)
        [fresh] = await bot.press(ADMIN, opener, chat_id=STAFF_CHAT)
        assert reference in (fresh.text or "")
        assert label("fr", "Status…") in fresh.button_texts()
        # Status changes reach both focal points, each in their own language.
        for status in ("Accepted", "In progress", "Completed"):
            await bot.press(ADMIN, label("fr", "Status…"), chat_id=STAFF_CHAT)
            await bot.press(ADMIN, status_label("fr", status), chat_id=STAFF_CHAT)
            for user, language in ((ENGLISH_USER, "en"), (ALTERNATE, "ar")):
                assert bot.last_text(user) == expected(
                    language,
                    STATUS_NOW,
                    reference=reference,
                    title=title,
                    status=status_label(language, status),
                )
        # Every copy of the card shows where the request stands.
        for copy in (card, fresh):
            shown = next(m for m in bot.api.messages(STAFF_CHAT) if m.message_id == copy.message_id)
            assert status_label("fr", "Completed") in (shown.text or "")
        # The history: everything for staff, no note for the city.
        events = await bot.services.support.details(request_id)
        assert events is not None
        kinds = [event.kind for event in events.events]
        assert kinds == [
            "filed",
            "assigned",
            "note",
            "question",
            "status",
            "answer",
            "status",
            "status",
            "status",
            "status",
        ]
        await bot.say(ENGLISH_USER, "/myrequests")
        [view] = await bot.press(ENGLISH_USER, f"{reference} · {title}"[:31] + "…")
        assert "About 90 young people" in (view.text or "")
        assert question in (view.text or "")
        assert "deputy mayor" not in (view.text or "")
        assert status_label("en", "Completed") in (view.text or "")
        # Staff see the whole history.
        await staff_press("History")
        history = bot.api.last_message(STAFF_CHAT).text or ""
        assert "Call the deputy mayor next week." in history


def card_now(bot: Harness, copy: SentMessage) -> str:
    """A card's text as it stands after every edit."""
    return (
        next(m for m in bot.api.messages(copy.chat_id) if m.message_id == copy.message_id).text
        or ""
    )


async def test_the_city_answer_refreshes_every_card_and_tells_the_other_focal_point(
    harness: Harness,
) -> None:
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    harness.api.add_user(ALTERNATE, "Rania", language_code="ar")
    async with harness.running(staff_chat_id=STAFF_CHAT, staff_language="fr"):
        bot = harness
        request_id = await file_for_two_focal_points(bot, attach=False)
        reference = "TSR-2026-0001"
        group_card = bot.api.messages(STAFF_CHAT)[-1]
        # A second copy, in a staff member's private chat, from /requests.
        await bot.say(ADMIN, "/requests")
        [private_card] = await bot.press(ADMIN, f"{reference} · {TITLES['en']}"[:31] + "…")
        await bot.press(ADMIN, label("fr", "Ask the city"), chat_id=STAFF_CHAT)
        # Privacy mode: in the staff group the bot sees the answer as a reply to its prompt.
        prompt = bot.api.last_message(STAFF_CHAT)
        await bot.say(
            ADMIN,
            "Combien de jeunes participeront ?",
            chat_id=STAFF_CHAT,
            reply_to_message_id=prompt.message_id,
        )
        assert status_label("fr", "Waiting for the city") in card_now(bot, group_card)
        # The alternate focal point answers.
        await bot.press(ALTERNATE, label("ar", "✍ Answer the Hub team"))
        answer = "About 90 young people from 12 associations."
        await bot.say(ALTERNATE, answer)
        assert status_label("fr", "In review") in card_now(bot, group_card)
        assert status_label("fr", "Waiting for the city") not in card_now(bot, group_card)
        assert status_label("en", "In review") in card_now(bot, private_card)
        # The focal point who filed it learns what their colleague answered.
        told = bot.last_text(ENGLISH_USER)
        assert answer in told and reference in told
        assert status_label("en", "In review") in told
        # The history says why the status changed, not that Rania changed it.
        details = await bot.services.support.details(request_id)
        assert details is not None
        automatic = details.events[-1]
        assert (automatic.kind, automatic.status, automatic.actor) == ("status", "in_review", None)
        await bot.press(ADMIN, label("fr", "History"), chat_id=STAFF_CHAT)
        history = bot.last_text(STAFF_CHAT).splitlines()
        assert history[-1] == label(
            "fr",
            "{when}: back to {status} because the city answered",
            when=f"{automatic.at:%Y-%m-%d %H:%M} UTC",
            status=status_label("fr", "In review"),
        )


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_staff_times_are_in_the_staff_time_zone_and_say_so(
    harness: Harness, language: str
) -> None:
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    zone = "Africa/Casablanca"
    running = harness.running(
        staff_chat_id=STAFF_CHAT, staff_language=language, staff_time_zone=zone
    )
    async with running:
        bot = harness
        t = catalogs().translator(language)

        def in_staff_zone(moment: datetime) -> str:
            shown = t.label(
                "{moment} ({zone})", moment=t.datetime(moment, zone), zone=t.time_zone_name(zone)
            )
            return visible(shown)

        await make_focal_point(bot, ENGLISH_USER, "EG", "Giza")
        request_id = await file_one(bot, "en", attach=False)
        request = await bot.services.support.get(request_id)
        assert request is not None
        card = bot.api.messages(STAFF_CHAT)[-1]
        assert in_staff_zone(request.created_at) in visible(card.text)
        bot.clock.advance(timedelta(days=3, minutes=1))
        assert await post_digest(HubContext(bot.application)) == 1  # type: ignore[arg-type]
        digest = bot.api.last_message(STAFF_CHAT)
        assert in_staff_zone(request.waiting_since or request.created_at) in visible(digest.text)


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_declining_asks_for_a_reason_and_tells_the_city(bot: Harness, language: str) -> None:
    user = {"ar": ARABIC_USER, "fr": FRENCH_USER, "en": ENGLISH_USER}[language]
    await make_focal_point(bot, user, "TN", "Sousse")
    await file_one(bot, language, attach=False)
    await bot.press(ADMIN, "Status…")
    [prompt] = await bot.press(ADMIN, status_label("en", "Declined"))
    assert "reason" in (prompt.text or "")
    # Too short a reason keeps staff on the step.
    [problem] = await bot.say(ADMIN, "x")
    assert "too short" in (problem.text or "")
    request = (await bot.services.support.search(RequestFilter(), page=0, size=1)).requests[0]
    assert request.status == "new"
    await bot.say(ADMIN, "Outside the Hub's mandate this year.")
    assert bot.last_text(user) == expected(
        language,
        "The Hub team declined your support request {reference}, «{title}».\nReason: {reason}",
        reference="TSR-2026-0001",
        title=TITLES[language],
        reason="Outside the Hub's mandate this year.",
    )
    request = (await bot.services.support.search(RequestFilter(), page=0, size=1)).requests[0]
    assert request.status == "declined"
    assert request.decline_reason == "Outside the Hub's mandate this year."


async def test_cancelling_a_staff_question_sends_nothing(bot: Harness) -> None:
    await make_focal_point(bot, FRENCH_USER, "MA", "Rabat")
    await file_one(bot, "fr", attach=False)
    before = len(bot.api.messages(FRENCH_USER))
    await bot.press(ADMIN, "Ask the city")
    [cancelled] = await bot.press(ADMIN, "✖ Cancel")
    assert cancelled.text == expected("en", "All right, nothing was recorded.")
    # Free text is a question for the knowledge base again, not for the city.
    await bot.say(ADMIN, "What is the youth council guide?")
    assert len(bot.api.messages(FRENCH_USER)) == before


async def test_another_city_and_unverified_users_are_refused(bot: Harness) -> None:
    await make_focal_point(bot, ENGLISH_USER, "JO", "Karak")
    await make_focal_point(bot, ARABIC_USER, "IQ", "Halabja")
    request_id = await file_one(bot, "en", attach=False)
    await bot.press(ADMIN, "Ask the city")
    await bot.say(ADMIN, "How many participants?")
    # Another city's focal point forges every city-side button.
    last = bot.api.last_message(ARABIC_USER)
    for data in (
        REQ_VIEW.data(request_id),
        REQ_ANSWER.data(request_id),
    ):
        await bot.press_data(ARABIC_USER, last.message_id, data)
        assert bot.api.callback_answers[-1]["text"] == label("ar", NOT_YOURS)
    assert await bot.services.support.details(request_id) is not None
    [listing] = await bot.say(ARABIC_USER, "/myrequests")
    assert "TSR-2026-0001" not in (listing.text or "")
    # Nor can they answer, or act as staff.
    await bot.press_data(ARABIC_USER, last.message_id, TRI_STATUS.data(request_id, "completed"))
    assert bot.api.callback_answers[-1]["text"] == label("ar", "This is for hub staff only.")
    [refused] = await bot.say(ARABIC_USER, "/requests")
    assert refused.text == expected("ar", "This is for hub staff only.")
    [refused] = await bot.say(ARABIC_USER, "/exportrequests")
    assert refused.text == expected("ar", "This is for hub staff only.")
    # A user who is not a focal point at all.
    await bot.press_data(FRENCH_USER, 1, REQ_VIEW.data(request_id))
    assert bot.api.callback_answers[-1]["text"] == label("fr", NOT_YOURS)
    request = await bot.services.support.get(request_id)
    assert request is not None and request.status == "waiting_city"
    events = await bot.services.support.details(request_id)
    assert events is not None and [e.kind for e in events.events].count("answer") == 0


async def test_staff_list_with_filters_and_pages(bot: Harness) -> None:
    await make_focal_point(bot, ENGLISH_USER, "JO", "Irbid")
    await make_focal_point(bot, FRENCH_USER, "TN", "Sfax")
    for _ in range(9):
        await file_one(bot, "en", attach=False, contact="Telegram")
    tunisian = await file_one(bot, "fr", attach=False, contact="Telegram")
    [listing] = await bot.say(ADMIN, "/requests")
    assert "10" in (listing.text or "")
    assert "TSR-2026-0010" in (listing.text or "")
    assert "Next ›" in listing.button_texts()
    [second] = await bot.press(ADMIN, "Next ›")
    assert "TSR-2026-0001" in (second.text or "")
    await bot.press(ADMIN, "Country")
    [tunisia] = await bot.press(ADMIN, "Tunisia")
    assert "TSR-2026-0010" in (tunisia.text or "")
    assert "TSR-2026-0009" not in (tunisia.text or "")
    # Assign the Tunisian request, then filter on the assignee and the status.
    [card] = await bot.press(ADMIN, f"TSR-2026-0010 · {TITLES['fr']}"[:31] + "…")
    assert "TSR-2026-0010" in (card.text or "")
    await bot.press(ADMIN, "Assign to me")
    [listing] = await bot.say(ADMIN, "/requests")
    await bot.press(ADMIN, "Assignee")
    [mine] = await bot.press(ADMIN, "Hala")
    assert "1" in (mine.text or "") and "TSR-2026-0010" in (mine.text or "")
    await bot.press(ADMIN, "Status")
    [none] = await bot.press(ADMIN, "Completed")
    assert "TSR-2026-0010" not in (none.text or "")
    [cleared] = await bot.press(ADMIN, "Clear the filters")
    assert "TSR-2026-0010" in (cleared.text or "")
    request = await bot.services.support.get(tunisian)
    assert request is not None and request.assignee == ADMIN


async def test_daily_digest_of_requests_waiting_more_than_three_days(harness: Harness) -> None:
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT):
        bot = harness
        await make_focal_point(bot, ENGLISH_USER, "EG", "Giza")
        waiting = await file_one(bot, "en", attach=False)
        answered = await file_one(bot, "en", attach=False)
        await bot.services.support.change_status(answered, "in_review", staff_id=ADMIN)
        context = HubContext(bot.application)  # type: ignore[arg-type]
        bot.clock.advance(timedelta(days=2))
        assert await post_digest(context) == 0
        bot.clock.advance(timedelta(days=1, minutes=1))
        assert await post_digest(context) == 1
        await bot.services.background.idle()  # staff are told beside the job
        digest = bot.api.last_message(STAFF_CHAT)
        assert "TSR-2026-0001" in (digest.text or "")
        assert "TSR-2026-0002" not in (digest.text or "")
        request = await bot.services.support.get(waiting)
        assert request is not None
        # The job is planned every day.
        assert bot.application is not None and bot.application.job_queue is not None
        assert "support-digest" in [job.name for job in bot.application.job_queue.jobs()]


async def test_csv_export_by_command_and_on_the_command_line(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with harness.running():
        bot = harness
        await make_focal_point(bot, ARABIC_USER, "IQ", "Mosul")
        await file_one(bot, "ar")
        await bot.press(ADMIN, "Ask the city")
        await bot.say(ADMIN, "=1+1 is not a formula")
        await bot.press(ARABIC_USER, label("ar", "✍ Answer the Hub team"))
        await bot.say(ARABIC_USER, "نعم، حوالي ٥٠ شابا")
        await bot.say(ADMIN, "/exportrequests")
        sent = bot.api.last_message(ADMIN)
        assert sent.document is not None
        assert sent.document["file_name"] == "support-requests-2026-06-01.csv"
        content = sent.document["content"].decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    [row] = rows
    assert row["reference"] == "TSR-2026-0001"
    assert row["country"] == "Iraq"
    assert row["city"] == "Mosul"
    assert row["topic"] == "Youth engagement"
    assert row["support_kind"] == "Advice on a plan or policy"
    assert row["title"] == TITLES["ar"]
    assert row["status"] == "In review"
    assert row["contact_detail"] == "focal.point@city.example.org"
    history = row["history"].splitlines()
    assert len(history) == 5
    assert "filed by" in history[0]
    assert "asked the city: =1+1 is not a formula" in history[1]
    assert "نعم، حوالي ٥٠ شابا" in history[3]
    # The same from the command line, against the same database.
    monkeypatch.setenv("HUBBOT_DATABASE", str(harness.config.database_path))
    monkeypatch.chdir(tmp_path)
    output = tmp_path / "out" / "requests.csv"
    # main() runs its own event loop: give it a thread of its own.
    arguments = ["export", "requests", "--format", "csv", "--output", str(output)]
    assert await asyncio.to_thread(main, arguments) == 0
    assert output.read_bytes().decode("utf-8-sig") == content


def test_typed_text_never_becomes_a_spreadsheet_formula() -> None:
    assert spreadsheet_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert spreadsheet_safe("+212 600") == "'+212 600"
    assert spreadsheet_safe("@cmd") == "'@cmd"
    assert spreadsheet_safe("TSR-2026-0001") == "TSR-2026-0001"
    assert spreadsheet_safe("") == ""


async def test_a_staff_reply_to_another_message_is_not_taken_for_the_awaited_question(
    harness: Harness,
) -> None:
    """Staff press "Ask the city", then answer a user's forwarded question by replying to it:
    that answer goes to the user who asked, not to the city as a question."""
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT):
        bot = harness
        await make_focal_point(bot, ENGLISH_USER, "JO", "Karak")
        request_id = await file_one(bot, "en", attach=False)
        await bot.say(FRENCH_USER, "Quel temps fera-t-il demain ?")
        await bot.press(FRENCH_USER, label("fr", "Send it to the Hub team"))
        forwarded = bot.api.last_message(STAFF_CHAT)
        [prompt] = await bot.press(ADMIN, "Ask the city", chat_id=STAFF_CHAT)
        city_messages = len(bot.api.messages(ENGLISH_USER))
        await bot.say(
            ADMIN,
            "Nous ne suivons pas la météo.",
            chat_id=STAFF_CHAT,
            reply_to_message_id=forwarded.message_id,
        )
        assert "Nous ne suivons pas la météo." in bot.last_text(FRENCH_USER)
        assert len(bot.api.messages(ENGLISH_USER)) == city_messages
        # The question, replying to the prompt as it asks, still reaches the city.
        await bot.say(
            ADMIN,
            "How many participants?",
            chat_id=STAFF_CHAT,
            reply_to_message_id=prompt.message_id,
        )
        assert "How many participants?" in bot.last_text(ENGLISH_USER)
        details = await bot.services.support.details(request_id)
        assert details is not None
        assert [event.text for event in details.events if event.kind == "question"] == [
            "How many participants?"
        ]


async def test_a_staff_reply_to_the_citys_answer_is_not_silently_dropped(
    harness: Harness,
) -> None:
    """Replying to the city's answer in the staff chat reaches nobody: staff are told how to
    write to the city instead of hearing nothing."""
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT, staff_language="fr"):
        bot = harness
        await make_focal_point(bot, ENGLISH_USER, "JO", "Greater Amman Municipality")
        await file_one(bot, "en", attach=False)
        await bot.press(ADMIN, label("fr", "Ask the city"), chat_id=STAFF_CHAT)
        prompt = bot.api.last_message(STAFF_CHAT)
        await bot.say(
            ADMIN, "Combien de jeunes ?", chat_id=STAFF_CHAT, reply_to_message_id=prompt.message_id
        )
        await bot.press(ENGLISH_USER, "✍ Answer the Hub team")
        await bot.say(ENGLISH_USER, "About 90 young people.")
        city_messages = len(bot.api.messages(ENGLISH_USER))
        answer_notice = bot.api.last_message(STAFF_CHAT)
        [told] = await bot.say(
            ADMIN, "Merci !", chat_id=STAFF_CHAT, reply_to_message_id=answer_notice.message_id
        )
        assert told.text == expected(
            "fr",
            "Nobody receives replies to this message. To write to a city about its request, "
            "press «{button}» on the request's card.",
            button=label("fr", "Ask the city"),
        )
        assert len(bot.api.messages(ENGLISH_USER)) == city_messages
