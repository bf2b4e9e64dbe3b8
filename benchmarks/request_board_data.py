"""A Hub-sized support desk for the board's benchmark: focal points, staff and requests with
histories, written straight into a fresh database (deterministic, from a seed)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from bot.geography import COUNTRIES, OTHER_COUNTRY
from bot.support.vocabulary import STATUSES, SUPPORT_KINDS, TIME_FRAMES, TOPICS
from storage.db import Database

STAFF_IDS = tuple(range(100, 108))
FIRST_FOCAL_POINT = 10_000
WORDS = [
    "youth",
    "council",
    "framework",
    "municipal",
    "plan",
    "prevention",
    "network",
    "training",
    "social",
    "cohesion",
    "migration",
    "crisis",
    "response",
    "online",
    "hate",
    "monitoring",
    "gender",
    "inclusion",
    "peer",
    "exchange",
    "rehabilitation",
    "reintegration",
    "dialogue",
    "schools",
    "sport",
    "culture",
    "media",
    "volunteers",
]
ARABIC_WORDS = [
    "مجلس",
    "الشباب",
    "خطة",
    "بلدية",
    "الوقاية",
    "شبكة",
    "تدريب",
    "التماسك",
    "الاجتماعي",
    "الأزمات",
]


def _text(rng: random.Random, words: int, arabic: bool) -> str:
    pool = ARABIC_WORDS if arabic else WORDS
    return " ".join(rng.choice(pool) for _ in range(words)).capitalize()


async def fill(db: Database, *, requests: int, now: datetime, seed: int = 20) -> list[int]:
    """``requests`` requests filed over the last year; returns their ids.

    They come after whatever the database already holds (the screenshots put them beside the
    statistics tests' requests): ids and numbers after the highest request's, focal points
    after the highest user id (from FIRST_FOCAL_POINT in an empty database).
    """
    rng = random.Random(seed)
    stamp = now.isoformat()
    # The cities' focal points were registered before anything they filed.
    registered = (now - timedelta(days=400)).isoformat()
    highest = await db.fetchone(
        "SELECT (SELECT COALESCE(MAX(MAX(id), MAX(number)), 0) FROM support_requests) AS request,"
        " (SELECT COALESCE(MAX(id), 0) FROM users) AS user"
    )
    assert highest is not None
    first_request = int(highest["request"]) + 1
    first_focal_point = max(FIRST_FOCAL_POINT, int(highest["user"]) + 1)
    cities = [
        (country.code, city)
        for country in COUNTRIES
        if country.code != OTHER_COUNTRY
        for city in country.cities
    ]
    async with db.transaction() as tx:
        for staff_id in STAFF_IDS:
            await tx.execute(
                "INSERT OR IGNORE INTO users (id, first_name, created_at, last_seen_at)"
                " VALUES (?, ?, ?, ?)",
                (staff_id, f"Staff {staff_id}", stamp, stamp),
            )
            await tx.execute(
                "INSERT OR IGNORE INTO staff (user_id, added_at) VALUES (?, ?)", (staff_id, stamp)
            )
        for index, (country, city) in enumerate(cities):
            user_id = first_focal_point + index
            await tx.execute(
                "INSERT INTO users (id, first_name, created_at, last_seen_at)"
                " VALUES (?, 'Focal', ?, ?)",
                (user_id, registered, registered),
            )
            await tx.execute(
                "INSERT INTO focal_points (user_id, full_name, country, city, status,"
                " reviewed_at, created_at) VALUES (?, ?, ?, ?, 'approved', ?, ?)",
                (user_id, f"Focal point {index}", country, city, registered, registered),
            )
        rows = []
        events = []
        for number in range(first_request, first_request + requests):
            filed = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
            place = rng.randrange(len(cities))
            country, city = cities[place]
            status = rng.choice(STATUSES)
            arabic = rng.random() < 0.5  # cities write in Arabic or in English
            assignee = rng.choice((None, *STAFF_IDS))
            rows.append(
                (
                    number,
                    f"TSR-{filed.year}-{number:05d}",
                    filed.year,
                    number,
                    f"bench-{number}",
                    first_focal_point + place,
                    country,
                    city,
                    rng.choice(list(TOPICS)),
                    rng.choice(list(SUPPORT_KINDS)),
                    _text(rng, 5, arabic),
                    _text(rng, 40, arabic),
                    rng.choice(list(TIME_FRAMES)),
                    status,
                    assignee,
                    filed.isoformat(),
                    (filed + timedelta(days=1)).isoformat(),
                    1 + (status != "new") + (assignee is not None),
                )
            )
            events.append((number, "filed", first_focal_point + place, "new", None, filed))
            if status != "new":
                events.append((number, "status", rng.choice(STAFF_IDS), status, None, filed))
            if assignee is not None:
                events.append((number, "assigned", assignee, None, assignee, filed))
        await tx.executemany(
            """
            INSERT INTO support_requests (id, reference, year, number, submission_key, filed_by,
                country, city, topic, support_kind, title, description, time_frame, contact,
                status, assignee, created_at, updated_at, version)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'telegram', ?, ?, ?, ?, ?)
            """,
            rows,
        )
        await tx.executemany(
            "INSERT INTO support_request_events (request_id, kind, actor, status, assignee, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(*event[:5], event[5].isoformat()) for event in events],
        )
    return [row[0] for row in rows]
