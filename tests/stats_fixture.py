"""A small known database for the statistics and report tests: every figure worked out by hand.

"Now" is 2026-06-15 12:00 UTC; the last 30 days start 2026-05-16 12:00.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from storage.bulk import insert_rows
from storage.db import Database

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)

# user id -> (country, city, status, created, reviewed, last seen)
FOCAL_POINTS: dict[int, tuple[str, str, str, str, str | None, str]] = {
    11: ("MA", "Rabat", "approved", "2026-05-20", "2026-05-21", "2026-06-10"),
    12: ("MA", "Rabat", "approved", "2026-05-20", "2026-05-21", "2026-06-10"),
    13: ("MA", "Fes", "approved", "2026-05-20", "2026-05-21", "2026-06-10"),
    14: ("MA", "Tangier", "approved", "2026-05-20", "2026-05-21", "2026-06-10"),
    15: ("MA", "Casablanca", "approved", "2026-05-20", "2026-05-21", "2026-01-05"),
    21: ("JO", "Karak", "approved", "2026-05-18", "2026-05-19", "2026-06-12"),
    22: ("JO", "Zarqa", "approved", "2026-05-18", "2026-05-19", "2026-06-12"),
    23: ("JO", "Irbid", "approved", "2026-05-18", "2026-05-19", "2026-06-12"),
    31: ("TN", "Tunis", "approved", "2026-02-01", "2026-02-02", "2026-06-14"),
    32: ("TN", "Sousse", "approved", "2026-02-01", "2026-02-02", "2026-06-14"),
    33: ("TN", "Sfax", "pending", "2026-06-01", None, "2026-06-01"),
    41: ("EG", "Cairo", "approved", "2025-03-01", "2025-03-02", "2025-12-01"),
}
STAFF = 100
# Broadcast recipients who are not focal points; the country is the recipients' column.
READERS = range(300, 320)


def at(text: str) -> str:
    """A stored UTC time from '2026-06-01' or '2026-06-01T10:00'."""
    moment = datetime.fromisoformat(text if "T" in text else f"{text}T09:00")
    return moment.replace(tzinfo=UTC).isoformat()


async def fill(db: Database) -> None:
    users = [STAFF, *FOCAL_POINTS, *READERS]
    seen = {user: FOCAL_POINTS[user][5] if user in FOCAL_POINTS else "2026-06-01" for user in users}
    await insert_rows(
        db,
        "users",
        [
            {
                "id": user,
                "first_name": f"Person {user}",
                "created_at": at("2025-01-01"),
                "last_seen_at": at(seen[user]),
            }
            for user in users
        ],
    )
    await insert_rows(
        db,
        "focal_points",
        [
            {
                "user_id": user,
                "full_name": f"Official {user}",
                "country": country,
                "city": city,
                "status": status,
                "created_at": at(created),
                "reviewed_at": at(reviewed) if reviewed else None,
            }
            for user, (country, city, status, created, reviewed, _) in FOCAL_POINTS.items()
        ],
    )
    await _questions(db)
    await _requests(db)
    await _events(db)
    await _broadcasts(db)


async def _questions(db: Database) -> None:
    asked: list[dict[str, Any]] = []

    def ask(language: str, topic: str | None, times: int, when: str = "2026-06-01") -> None:
        outcome = "declined" if topic is None else "answered"
        asked.extend(
            {
                "asked_at": at(when),
                "language": language,
                "country": "MA",
                "outcome": outcome,
                "topic": topic,
            }
            for _ in range(times)
        )

    ask("ar", "hub", 6)
    ask("ar", "themes", 4)
    ask("ar", None, 4)
    ask("fr", "themes", 6)
    ask("fr", None, 3)
    ask("en", "contact", 1)
    ask("en", None, 1)
    ask("en", "resources", 2, when="2026-01-10")  # before the window
    await insert_rows(db, "questions_asked", asked)

    def question(
        user: int,
        text: str,
        language: str,
        created: str,
        forwarded: str | None,
        answered: str | None,
    ) -> dict[str, Any]:
        return {
            "user_id": user,
            "text": text,
            "language": language,
            "status": "answered" if answered else "forwarded" if forwarded else "unanswered",
            "created_at": at(created),
            "forwarded_at": at(forwarded) if forwarded else None,
            "answered_at": at(answered) if answered else None,
        }

    await insert_rows(
        db,
        "questions",
        [
            question(
                11, "ما هو الصندوق؟", "ar", "2026-06-01", "2026-06-01T10:00", "2026-06-01T12:00"
            ),
            question(
                12, "ما هو الصندوق؟", "ar", "2026-06-02", "2026-06-02T10:00", "2026-06-02T14:00"
            ),
            question(13, "Budget template?", "ar", "2026-06-03", "2026-06-03T10:00", None),
            question(14, "budget template?", "ar", "2026-06-04", None, None),
            question(21, " Budget template? ", "fr", "2026-06-05", None, None),
            question(21, "old question", "fr", "2026-01-10", None, None),
        ],
    )


# reference -> (country, topic, kind, status, filed, [(kind, actor, status, at)])
REQUESTS: dict[str, tuple[str, str, str, str, str, list[tuple[str, int, str | None, str]]]] = {
    "TSR-2026-0001": ("MA", "crisis", "training", "new", "2026-01-10", []),
    "TSR-2026-0002": (
        "MA",
        "youth",
        "training",
        "completed",
        "2026-05-20T09:00",
        [
            ("status", STAFF, "in_review", "2026-05-20T15:00"),
            ("status", STAFF, "completed", "2026-05-25T09:00"),
        ],
    ),
    "TSR-2026-0003": (
        "MA",
        "youth",
        "advice",
        "waiting_city",
        "2026-06-01T09:00",
        [
            ("question", STAFF, None, "2026-06-01T11:00"),
            ("status", STAFF, "waiting_city", "2026-06-01T11:00"),
        ],
    ),
    "TSR-2026-0004": ("MA", "crisis", "training", "new", "2026-06-05T09:00", []),
    "TSR-2026-0005": (
        "TN",
        "youth",
        "training",
        "accepted",
        "2026-06-10T09:00",
        [
            # The city answering puts the request back in review: not a staff response.
            ("answer", 31, None, "2026-06-10T10:00"),
            ("status", 31, "in_review", "2026-06-10T10:00"),
            ("status", STAFF, "accepted", "2026-06-11T09:00"),
        ],
    ),
    "TSR-2026-0006": ("MA", "youth", "training", "new", "2026-06-12T09:00", []),
    "TSR-2026-0007": ("MA", "youth", "training", "new", "2026-06-13T09:00", []),
}


async def _requests(db: Database) -> None:
    requests = []
    events: list[dict[str, Any]] = []
    for number, (reference, (country, topic, kind, status, filed, history)) in enumerate(
        REQUESTS.items(), start=1
    ):
        filer = 31 if country == "TN" else 11
        requests.append(
            {
                "id": number,
                "reference": reference,
                "year": 2026,
                "number": number,
                "submission_key": reference,
                "filed_by": filer,
                "country": country,
                "city": "Tunis" if country == "TN" else "Rabat",
                "topic": topic,
                "support_kind": kind,
                # Read on the board in docs/screenshots.py.
                "title": f"Support for {'Tunis' if country == 'TN' else 'Rabat'}: {topic}",
                "description": "Filed for the statistics tests.",
                "time_frame": "soon",
                "contact": "telegram",
                "status": status,
                "created_at": at(filed),
                "updated_at": at(filed),
            }
        )
        steps = [("filed", filer, "new", filed), *history]
        events.extend(
            {
                "request_id": number,
                "kind": step,
                "actor": actor,
                "status": new_status,
                "at": at(when),
            }
            for step, actor, new_status, when in steps
        )
    await insert_rows(db, "support_requests", requests)
    await insert_rows(db, "support_request_events", events)


async def _events(db: Database) -> None:
    def event(event_id: int, starts: str) -> dict[str, Any]:
        return {
            "id": event_id,
            "titles": json.dumps({"en": f"Event {event_id}", "ar": "ورشة"}),
            "starts_at": at(starts),
            "ends_at": at(starts),
            "time_zone": "UTC",
            "reminder_offsets": "3600",
            "status": "scheduled",
            "created_at": at("2026-01-01"),
            "updated_at": at("2026-01-01"),
        }

    await insert_rows(db, "events", [event(1, "2026-06-05"), event(2, "2026-03-01")])
    invited = [11, 12, 13, 14, 15, 21, 22, 23]
    notices = [
        {
            "event_id": 1,
            "user_id": user,
            "kind": "invitation",
            "ref": 0,
            "due_at": at("2026-06-01"),
            "state": "sent",
            "updated_at": at("2026-06-01"),
        }
        for user in invited
    ]
    notices.append(
        {
            "event_id": 1,
            "user_id": 31,
            "kind": "invitation",
            "ref": 0,
            "due_at": at("2026-06-01"),
            "state": "skipped",
            "updated_at": at("2026-06-01"),
        }
    )
    notices.extend(
        {
            "event_id": 1,
            "user_id": user,
            "kind": "reminder",
            "ref": 3600,
            "due_at": at("2026-06-05"),
            "state": "sent",
            "updated_at": at("2026-06-05"),
        }
        for user in (11, 12, 13, 14, 15)
    )
    notices.append(
        {
            "event_id": 1,
            "user_id": 21,
            "kind": "reminder",
            "ref": 3600,
            "due_at": at("2026-06-05"),
            "state": "pending",
            "updated_at": at("2026-06-05"),
        }
    )
    # Event 2 is outside the window.
    notices.append(
        {
            "event_id": 2,
            "user_id": 11,
            "kind": "invitation",
            "ref": 0,
            "due_at": at("2026-02-01"),
            "state": "sent",
            "updated_at": at("2026-02-01"),
        }
    )
    await insert_rows(db, "event_notices", notices)
    # Casablanca's focal point answered before the last 30 days (and wrote last in January).
    rsvps = [
        {
            "event_id": 1,
            "user_id": user,
            "answer": "going",
            "answered_at": at("2026-05-10" if user == 15 else "2026-06-02"),
        }
        for user in (11, 12, 13, 14, 15)
    ]
    rsvps.extend(
        {"event_id": 1, "user_id": user, "answer": "maybe", "answered_at": at("2026-06-02")}
        for user in (21, 22, 23)
    )
    rsvps.append({"event_id": 2, "user_id": 11, "answer": "no", "answered_at": at("2026-02-02")})
    await insert_rows(db, "event_rsvps", rsvps)


async def _broadcasts(db: Database) -> None:
    def broadcast(broadcast_id: int, when: str) -> dict[str, Any]:
        return {
            "id": broadcast_id,
            "created_by": STAFF,
            "versions": json.dumps({"en": "Hello"}),
            "audience": json.dumps({"kind": "all", "values": []}),
            "status": "done",
            "scheduled_for": at(when),
            "created_at": at(when),
        }

    await insert_rows(db, "broadcasts", [broadcast(1, "2026-06-03"), broadcast(2, "2026-01-01")])
    readers = iter(READERS)
    recipients = []
    for country, language, state, count in (
        ("MA", "fr", "sent", 5),
        ("JO", "ar", "sent", 3),
        ("TN", "ar", "blocked", 3),
        ("LB", "en", "failed", 3),
    ):
        for _ in range(count):
            recipients.append(
                {
                    "broadcast_id": 1,
                    "user_id": next(readers),
                    "position": len(recipients),
                    "language": language,
                    "version": language,
                    "country": country,
                    "state": state,
                    "updated_at": at("2026-06-03"),
                }
            )
    recipients.append(
        {
            "broadcast_id": 2,
            "user_id": 300,
            "position": 0,
            "language": "en",
            "version": "en",
            "country": "MA",
            "state": "sent",
            "updated_at": at("2026-01-01"),
        }
    )
    await insert_rows(db, "broadcast_recipients", recipients)
