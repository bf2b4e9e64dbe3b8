"""/deleteme erases a person from every table; the city's request stays, by "a former focal
point"; /privacy says exactly that."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime

import pytest

from bot.erasure import ERASED, redactor
from bot.geography import COUNTRIES_BY_CODE
from handlers.routes import EV_RSVP
from handlers.support_views import staff_card
from storage.erasure import PersonalDetails
from storage.models import NewEvent
from storage.support_requests import RequestFilter
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, Harness, catalogs, expected, label
from tests.support_helpers import fill_request

PERSON = ENGLISH_USER
NAME = "Layla Haddad"
USERNAME = "layla_karak"
EMAIL = "layla.haddad@karak.example.org"
PHONE = "+212 600 123 456"  # what support_helpers.fill_request types for "Phone"
PRIVACY_PROMISE = (
    "\n\nThe bot also keeps the questions you sent to the Hub team, your answers to event "
    "invitations and your reminder choices, and the support requests you filed for your "
    "city. /deleteme erases all of it. Only your city's support requests stay, because they "
    "belong to your city: their author becomes «a former focal point», and your name, "
    "username, email, phone number and Telegram id are removed from them and from their "
    "history."
)


def mentions(value: object, *, needles: list[str], user_id: int) -> bool:
    if isinstance(value, int):
        return value == user_id
    if not isinstance(value, str):
        return False
    text = value.lower()
    digits = re.sub(r"\D", "", PHONE)
    return (
        any(needle.lower() in text for needle in needles)
        or re.search(rf"(?<!\d){user_id}(?!\d)", text) is not None
        or digits in re.sub(r"\D", "", text)
    )


def leftovers(database: str, user_id: int) -> list[str]:
    """Every (table, column) in the database still holding the person's id, name, username,
    email or phone: every table from sqlite_master, every column from its table_info."""
    # The full name: a first name alone ("Layla") also names other people.
    needles = [NAME, USERNAME, EMAIL]
    found = []
    with sqlite3.connect(database) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        assert {"users", "support_request_events", "broadcast_recipients"} <= set(tables)
        for table in tables:
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            for row in db.execute(f"SELECT * FROM {table}"):
                found += [
                    f"{table}.{column}={value!r}"
                    for column, value in zip(columns, row, strict=True)
                    if mentions(value, needles=needles, user_id=user_id)
                ]
    return found


async def count(database: str, table: str) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


async def fill_every_table(bot: Harness) -> int:
    """The person registers, files a request, asks, answers an event and gets a broadcast;
    staff write about them. Returns the support request's id."""
    services = bot.services
    bot.api.add_user(PERSON, "Layla", last_name="Haddad", username=USERNAME, language_code="en")
    await bot.say(PERSON, "/start")
    # Registration with an email, then an invite for the same city: approved, used_by set.
    registration = services.registration
    await registration.start(PERSON)
    await registration.answer_text(PERSON, NAME)
    await registration.choose_country(PERSON, "JO")
    await registration.choose_city(PERSON, COUNTRIES_BY_CODE["JO"].cities.index("Karak"))
    await registration.answer_text(PERSON, "Head of the youth unit")
    await registration.answer_text(PERSON, EMAIL)
    assert await registration.submit(PERSON) is not None
    invite = await registration.create_invite(country="JO", city="Karak", created_by=ADMIN)
    await bot.say(PERSON, f"/start {invite.code}")
    assert (await services.accounts.profile(PERSON)).is_verified_focal_point  # type: ignore[union-attr]
    # A support request with a phone number, a file, and a history that names them.
    await bot.say(ADMIN, "/start")
    await fill_request(bot, "en", attach=True, contact="Phone")
    await bot.press(PERSON, "✔ Submit")
    [request] = (await services.support.search(RequestFilter(), page=0, size=1)).requests
    await bot.press(ADMIN, "Assign to me")
    await bot.press(ADMIN, "Note")
    await bot.say(ADMIN, f"Called {NAME} on {PHONE}; Layla asked for 203 pages")
    await bot.press(ADMIN, "Ask the city")
    await bot.say(ADMIN, f"Can @{USERNAME} confirm the budget?")
    await bot.press(PERSON, "✍ Answer the Hub team")
    await bot.say(PERSON, f"Yes. Write to {EMAIL.upper()} or call 00212-600-123-456.")
    # Questions: one kept unanswered, one forwarded, copied to staff and answered.
    await bot.say(PERSON, "zxqv quarterly budget of the prefecture?")
    await bot.say(PERSON, "zxqv who chairs the Karak youth board?")
    # Not sure which youth entry it is about: the suggestions, and the team beside them.
    await bot.press(PERSON, label("en", "Ask the Hub team"))
    copy = bot.api.last_message(ADMIN)
    await bot.say(
        ADMIN, f"Dear {NAME}, the board chair is elected.", reply_to_message_id=copy.message_id
    )
    # An event answered (reminders planned), and an announcement delivered to them.
    event = await services.events.create(
        NewEvent(
            titles={"en": f"Workshop hosted by {NAME}"},
            descriptions={"en": "Two days on prevention."},
            starts_at=datetime(2026, 6, 16, 9, 0, tzinfo=UTC),
            ends_at=datetime(2026, 6, 16, 16, 0, tzinfo=UTC),
            time_zone="Asia/Amman",
            place="Karak City Hall",
            link=None,
            audience=(),
            reminder_offsets_s=(86_400,),
            created_by=ADMIN,
        )
    )
    assert event is not None
    await bot.press_data(PERSON, 1, EV_RSVP.data(event.id, "going"))
    await bot.say(ADMIN, "/broadcast")
    await bot.press(ADMIN, "English")
    await bot.say(ADMIN, f"Congratulations to {NAME} and Karak!")
    await bot.press(ADMIN, "Choose who gets it »")
    await bot.press(ADMIN, "All verified focal points")
    await bot.press(ADMIN, "✔ Send now")
    await bot.api.wait_for_message(
        PERSON, lambda m: "Congratulations" in (m.text or ""), timeout=20
    )
    # Staff for a while: a command in the bot and a console session, in the audit log by
    # their id; staff name them in theirs.
    await bot.say(ADMIN, f"/addstaff {PERSON}")
    await bot.say(PERSON, "/staff")
    opened = await services.console.open_with_link(await services.console.login_link_token(PERSON))
    assert opened is not None
    await services.console.login_link_token(PERSON)  # a link left unused
    await services.accounts.remove_staff(PERSON)
    # Forms left half-way: drafts.
    await bot.say(PERSON, "/request")
    await bot.press(PERSON, label("en", "Youth engagement"))
    return request.id


async def test_deleteme_leaves_nothing_that_names_the_person(bot: Harness) -> None:
    request_id = await fill_every_table(bot)
    database = str(bot.config.database_path)
    # Examples staff taught the knowledge base: one names the person, and one already reads
    # as a redacted text would (a UNIQUE column: redacting in place would collide).
    with sqlite3.connect(database) as db:
        db.executemany(
            "INSERT INTO learned_questions (slug, language, text, added_by, added_at)"
            " VALUES ('hub-overview', 'en', ?, ?, '2026-06-01T09:00:00+00:00')",
            [(f"who is {NAME}?", ADMIN), (f"who is {ERASED}?", ADMIN)],
        )
    before = leftovers(database, PERSON)
    for table in (
        "users",
        "focal_points",
        "invites",
        "drafts",
        "questions",
        "support_requests",
        "support_request_events",
        "event_rsvps",
        "event_notices",
        "broadcast_recipients",
        "broadcasts",
        "events",
        "learned_questions",
        "console_sessions",
        "console_login_links",
        "audit_log",
    ):
        assert any(item.startswith(f"{table}.") for item in before), (table, before)

    # Staff copies of their question hold only staff chat ids: they go with the question.
    assert await count(database, "question_copies") >= 1

    await bot.say(PERSON, "/deleteme")
    await bot.press(PERSON, label("en", "Yes, erase my data"))
    assert bot.last_text(PERSON) == expected(
        "en",
        "Your personal data has been erased. If you write to the bot again, it starts afresh.",
    )
    assert leftovers(database, PERSON) == []
    assert await count(database, "question_copies") == 0

    # The city's request stays, by a former focal point, with its history.
    details = await bot.services.support.details(request_id)
    assert details is not None
    assert details.request.filed_by is None and details.request.contact_detail is None
    assert details.request.country == "JO" and details.request.city == "Karak"
    card = str(staff_card(catalogs().translator("en"), details.request, 1, "UTC"))
    assert "Focal point: a former focal point" in card
    assert [event.kind for event in details.events][:4] == ["filed", "assigned", "note", "question"]
    note = details.events[2].text or ""
    assert note == f"Called {ERASED} on {ERASED}; Layla asked for {ERASED} pages"


@pytest.mark.parametrize(
    ("user_id", "language"), [(ARABIC_USER, "ar"), (FRENCH_USER, "fr"), (ENGLISH_USER, "en")]
)
async def test_privacy_says_what_deleteme_keeps(bot: Harness, user_id: int, language: str) -> None:
    [shown] = await bot.say(user_id, "/privacy")
    # Without the right-to-left mark an Arabic message starts with: this is its last paragraph.
    promise = expected(language, PRIVACY_PROMISE).replace("\u200f", "").strip()
    assert promise in (shown.text or "")


def test_the_redaction_policy_tells_the_person_apart() -> None:
    redact = redactor(
        PersonalDetails(
            user_id=203,
            names=("Sam", "Layla Haddad"),
            usernames=("layla_karak",),
            emails=("l.h@karak.example.org",),
            phones=("+962 7 9012 3456",),
        )
    )
    assert redact("Sam Samarra layla  HADDAD @Layla_Karak") == "Sam Samarra […] […]"
    assert redact("mail L.H@karak.example.org, call 00962-7-9012-3456 or 79012 3456") == (
        "mail […], call […] or 79012 3456"
    )
    assert redact("ticket 2203, user 203.") == "ticket 2203, user […]."
