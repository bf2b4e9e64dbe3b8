"""Aggregates for staff statistics and the funder's report: counts and the rows behind them.

No query returns a person's name or Telegram id; the small-cell rule is applied above, in
bot/stats, where cells are shown.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from storage.db import Database, Params
from storage.models import from_db_time, to_db_time

OPEN_REQUEST_STATUSES = ("new", "in_review", "waiting_city", "accepted", "in_progress")

# A focal point "wrote to the bot" in the window: the last contact falls in it, or something
# they did is dated in it (the last contact alone says nothing about a window in the past).
_ACTIVE = """
    fp.status = 'approved' AND (
        (u.last_seen_at >= :start AND u.last_seen_at < :end)
        OR EXISTS (SELECT 1 FROM questions q WHERE q.user_id = fp.user_id
                   AND q.created_at >= :start AND q.created_at < :end)
        OR EXISTS (SELECT 1 FROM support_requests r WHERE r.filed_by = fp.user_id
                   AND r.created_at >= :start AND r.created_at < :end)
        OR EXISTS (SELECT 1 FROM event_rsvps v WHERE v.user_id = fp.user_id
                   AND v.answered_at >= :start AND v.answered_at < :end)
    )
"""


_OPEN_MARKS = ", ".join(f":s{index}" for index in range(len(OPEN_REQUEST_STATUSES)))

# Every query of the statistics, by the method that runs it (and `explain` shows its plan).
_TEMPLATES: dict[str, str] = {
    "focal_points": """
            SELECT fp.country AS country,
                   SUM(fp.created_at >= :start AND fp.created_at < :end) AS registered,
                   SUM(fp.status = 'approved' AND fp.reviewed_at >= :start
                       AND fp.reviewed_at < :end) AS approved,
                   SUM({active}) AS active,
                   SUM(fp.created_at < :end) AS registered_in_all,
                   SUM(fp.status = 'approved' AND fp.reviewed_at < :end) AS approved_in_all
            FROM focal_points fp JOIN users u ON u.id = fp.user_id
            WHERE :country IS NULL OR fp.country = :country
            GROUP BY fp.country ORDER BY fp.country
            """,
    "cities_reached": """
            SELECT DISTINCT fp.country AS country, fp.city AS city
            FROM focal_points fp JOIN users u ON u.id = fp.user_id
            WHERE (:country IS NULL OR fp.country = :country) AND {active}
            """,
    "questions_asked": """
            SELECT language, outcome, topic, COUNT(*) AS count FROM questions_asked
            WHERE asked_at >= :start AND asked_at < :end
              AND (:country IS NULL OR country = :country)
            GROUP BY language, outcome, topic ORDER BY language, outcome, topic
            """,
    "forwarded_questions": """
            SELECT q.language, q.forwarded_at, q.answered_at
            FROM questions q LEFT JOIN focal_points fp ON fp.user_id = q.user_id
            WHERE q.forwarded_at >= :start AND q.forwarded_at < :end
              AND (:country IS NULL OR fp.country = :country)
            ORDER BY q.forwarded_at
            """,
    "frequent_unanswered": """
            SELECT lower(trim(q.text)) AS text, COUNT(*) AS count
            FROM questions q LEFT JOIN focal_points fp ON fp.user_id = q.user_id
            WHERE q.created_at >= :start AND q.created_at < :end
              AND (:country IS NULL OR fp.country = :country)
            GROUP BY lower(trim(q.text))
            HAVING COUNT(DISTINCT q.user_id) >= :min_askers
            ORDER BY count DESC, text LIMIT :limit
            """,
    "requests": """
            SELECT r.reference, r.country, r.city, r.topic, r.support_kind, r.status,
                   r.created_at,
                   (SELECT MIN(e.at) FROM support_request_events e
                    WHERE e.request_id = r.id AND e.kind IN ('status', 'question')
                      AND e.actor IS NOT NULL
                      AND e.actor NOT IN (SELECT user_id FROM focal_points))
                       AS first_response_at,
                   (SELECT MIN(e.at) FROM support_request_events e
                    WHERE e.request_id = r.id AND e.kind = 'status'
                      AND e.status = 'completed') AS completed_at
            FROM support_requests r
            WHERE r.created_at >= :start AND r.created_at < :end
              AND (:country IS NULL OR r.country = :country)
            ORDER BY r.created_at, r.id
            """,
    "request_history": """
            SELECT r.reference, e.at, e.kind, e.status
            FROM support_requests r JOIN support_request_events e ON e.request_id = r.id
            WHERE r.created_at >= :start AND r.created_at < :end
              AND (:country IS NULL OR r.country = :country)
            ORDER BY r.created_at, r.id, e.at, e.id
            """,
    "waiting_longest": """
            SELECT r.reference, r.country, r.city, r.topic, r.support_kind, r.status,
                   r.created_at, NULL AS first_response_at, NULL AS completed_at
            FROM support_requests r
            WHERE r.status IN ({open_marks}) AND (:country IS NULL OR r.country = :country)
            ORDER BY r.created_at, r.id LIMIT :limit
            """,
    "event_attendance": """
            WITH chosen AS (
                SELECT id FROM events WHERE starts_at >= :start AND starts_at < :end
            ),
            people AS (
                SELECT v.event_id, v.user_id, 0 AS invited, v.answer = 'going' AS going,
                       v.answer = 'maybe' AS maybe, v.answer = 'no' AS not_going,
                       0 AS reminders
                FROM event_rsvps v WHERE v.event_id IN (SELECT id FROM chosen)
                UNION ALL
                SELECT n.event_id, n.user_id, n.kind = 'invitation', 0, 0, 0,
                       n.kind = 'reminder' AND n.state = 'sent'
                FROM event_notices n
                WHERE n.event_id IN (SELECT id FROM chosen)
                  AND n.kind IN ('invitation', 'reminder') AND n.state != 'skipped'
            )
            SELECT e.id AS event_id, e.titles, e.starts_at, e.status,
                   COALESCE(fp.country, '') AS country, SUM(p.invited) AS invited,
                   SUM(p.going) AS going, SUM(p.maybe) AS maybe,
                   SUM(p.not_going) AS not_going, SUM(p.reminders) AS reminders
            FROM people p JOIN events e ON e.id = p.event_id
            LEFT JOIN focal_points fp ON fp.user_id = p.user_id
            WHERE :country IS NULL OR fp.country = :country
            GROUP BY e.id, COALESCE(fp.country, '')
            ORDER BY e.starts_at, e.id, country
            """,
    "broadcast_reach": """
            SELECT b.id, b.scheduled_for, r.language, COALESCE(r.country, '') AS country,
                   COUNT(*) AS recipients, SUM(r.state = 'sent') AS delivered,
                   SUM(r.state = 'blocked') AS blocked, SUM(r.state = 'failed') AS failed
            FROM broadcasts b JOIN broadcast_recipients r ON r.broadcast_id = b.id
            WHERE b.scheduled_for >= :start AND b.scheduled_for < :end
              AND (:country IS NULL OR r.country = :country)
            GROUP BY b.id, r.language, r.country
            ORDER BY b.scheduled_for, b.id, r.language, country
            """,
}
QUERIES = {
    name: sql.replace("{active}", _ACTIVE).replace("{open_marks}", _OPEN_MARKS)
    for name, sql in _TEMPLATES.items()
}


@dataclass(frozen=True)
class Window:
    """Half-open [start, end) in UTC; the storage boundary speaks datetimes."""

    start: datetime
    end: datetime
    country: str | None = None  # only what concerns this country
    time_zone: str = "UTC"  # where its days are counted (the staff's): how its dates read
    # The /stats period it was made for (None: chosen days): it slides with the clock, and
    # figures kept for it are found by it (bot/stats/cache.py).
    period: str | None = None

    def params(self, **more: Any) -> dict[str, Any]:
        return {
            "start": to_db_time(self.start),
            "end": to_db_time(self.end),
            "country": self.country,
            **more,
        }


@dataclass(frozen=True)
class FocalPointCounts:
    country: str
    registered: int  # registrations filed in the window (any outcome)
    approved: int  # registrations approved in the window
    active: int  # approved focal points who wrote to the bot in the window
    registered_in_all: int  # registrations filed by the end of the window
    approved_in_all: int  # focal points approved by the end of the window (still approved)


@dataclass(frozen=True)
class AskedCount:
    language: str
    outcome: str  # answered | declined
    topic: str | None
    count: int


@dataclass(frozen=True)
class ForwardedQuestion:
    language: str
    forwarded_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class FrequentQuestion:
    text: str
    count: int


@dataclass(frozen=True)
class RequestRow:
    reference: str
    country: str
    city: str
    topic: str
    support_kind: str
    status: str
    created_at: datetime
    first_response_at: datetime | None  # the first status change or question by staff
    completed_at: datetime | None


@dataclass(frozen=True)
class RequestStep:
    reference: str
    at: datetime
    kind: str
    status: str | None


@dataclass(frozen=True)
class EventAttendance:
    event_id: int
    titles: dict[str, str]
    starts_at: datetime
    cancelled: bool
    country: str  # '' for people who are not focal points
    invited: int
    going: int
    maybe: int
    not_going: int
    reminders_sent: int


@dataclass(frozen=True)
class BroadcastReach:
    broadcast_id: int
    scheduled_for: datetime
    language: str
    country: str  # '' for recipients who are not focal points
    recipients: int
    delivered: int
    blocked: int
    failed: int


def _time(value: str) -> datetime:
    moment = from_db_time(value)
    assert moment is not None
    return moment


class Reads(Protocol):
    """Where the statistics are read from: the bot's reader, or a read-only connection."""

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]: ...


class StatsRepository:
    """The statistics' queries; ``reads`` is a read-only connection in the statistics worker
    (bot/stats/worker.py), the bot's reader otherwise."""

    def __init__(self, db: Database, reads: Reads | None = None) -> None:
        self._db = db  # writes (record_question)
        self._reads: Reads = reads or db

    async def data_version(self) -> int:
        """A number that changes with every change to what the statistics read, by the bot
        or another process (counted by triggers, migration 29): figures kept from an older
        version may be out of date. Other writes (sessions, the outbox, staff seen) leave it."""
        [row] = await self._reads.fetchall("SELECT version FROM statistics_version")
        return int(row["version"])

    async def explain(self, window: Window) -> dict[str, list[str]]:
        """SQLite's plan for every query, one line per step: where indexes are (not) used."""
        params = window.params(limit=10, min_askers=3, **_open_statuses())
        plans = {}
        for name, sql in QUERIES.items():
            rows = await self._reads.fetchall(f"EXPLAIN QUERY PLAN {sql}", params)
            plans[name] = [row["detail"] for row in rows]
        return plans

    async def record_question(
        self,
        *,
        language: str,
        country: str | None,
        topic: str | None,
        now: datetime,
    ) -> None:
        """One question put to the knowledge base: answered when it has a topic."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO questions_asked (asked_at, language, country, outcome, topic)"
                " VALUES (:now, :language, :country, :outcome, :topic)",
                {
                    "now": to_db_time(now),
                    "language": language,
                    "country": country,
                    "outcome": "declined" if topic is None else "answered",
                    "topic": topic,
                },
            )

    async def focal_points(self, window: Window) -> list[FocalPointCounts]:
        rows = await self._reads.fetchall(
            QUERIES["focal_points"],
            window.params(),
        )
        return [
            FocalPointCounts(
                row["country"],
                row["registered"],
                row["approved"],
                row["active"],
                row["registered_in_all"],
                row["approved_in_all"],
            )
            for row in rows
        ]

    async def cities_reached(self, window: Window) -> set[tuple[str, str]]:
        """(country, city) of the cities with a focal point who wrote in the window."""
        rows = await self._reads.fetchall(
            QUERIES["cities_reached"],
            window.params(),
        )
        return {(row["country"], row["city"]) for row in rows}

    async def questions_asked(self, window: Window) -> list[AskedCount]:
        rows = await self._reads.fetchall(
            QUERIES["questions_asked"],
            window.params(),
        )
        return [
            AskedCount(row["language"], row["outcome"], row["topic"], row["count"]) for row in rows
        ]

    async def forwarded_questions(self, window: Window) -> list[ForwardedQuestion]:
        rows = await self._reads.fetchall(
            QUERIES["forwarded_questions"],
            window.params(),
        )
        return [
            ForwardedQuestion(
                row["language"], _time(row["forwarded_at"]), from_db_time(row["answered_at"])
            )
            for row in rows
        ]

    async def frequent_unanswered(
        self, window: Window, *, limit: int, min_askers: int
    ) -> list[FrequentQuestion]:
        """The questions the knowledge base could not answer, most often asked first, among
        those that at least ``min_askers`` different people asked."""
        rows = await self._reads.fetchall(
            QUERIES["frequent_unanswered"],
            window.params(limit=limit, min_askers=min_askers),
        )
        return [FrequentQuestion(row["text"], row["count"]) for row in rows]

    async def requests(self, window: Window) -> list[RequestRow]:
        """Requests filed in the window, with when staff first answered and when completed."""
        rows = await self._reads.fetchall(
            QUERIES["requests"],
            window.params(),
        )
        return [_request_row(row) for row in rows]

    async def request_history(self, window: Window) -> list[RequestStep]:
        """What happened to each request filed in the window (kinds and dates, no words)."""
        rows = await self._reads.fetchall(
            QUERIES["request_history"],
            window.params(),
        )
        return [
            RequestStep(row["reference"], _time(row["at"]), row["kind"], row["status"])
            for row in rows
        ]

    async def waiting_longest(self, country: str | None, limit: int) -> list[RequestRow]:
        """Open requests, oldest first, whenever they were filed."""
        rows = await self._reads.fetchall(
            QUERIES["waiting_longest"],
            {
                "country": country,
                "limit": limit,
                **_open_statuses(),
            },
        )
        return [_request_row(row) for row in rows]

    async def event_attendance(self, window: Window) -> list[EventAttendance]:
        """Per event starting in the window and per country: invited, answers, reminders."""
        rows = await self._reads.fetchall(
            QUERIES["event_attendance"],
            window.params(),
        )
        return [
            EventAttendance(
                event_id=row["event_id"],
                titles=json.loads(row["titles"]),
                starts_at=_time(row["starts_at"]),
                cancelled=row["status"] == "cancelled",
                country=row["country"],
                invited=row["invited"],
                going=row["going"],
                maybe=row["maybe"],
                not_going=row["not_going"],
                reminders_sent=row["reminders"],
            )
            for row in rows
        ]

    async def broadcast_reach(self, window: Window) -> list[BroadcastReach]:
        """Per broadcast scheduled in the window, per language and country of the readers."""
        rows = await self._reads.fetchall(
            QUERIES["broadcast_reach"],
            window.params(),
        )
        return [
            BroadcastReach(
                broadcast_id=row["id"],
                scheduled_for=_time(row["scheduled_for"]),
                language=row["language"],
                country=row["country"],
                recipients=row["recipients"],
                delivered=row["delivered"],
                blocked=row["blocked"],
                failed=row["failed"],
            )
            for row in rows
        ]


def _open_statuses() -> dict[str, str]:
    return {f"s{index}": status for index, status in enumerate(OPEN_REQUEST_STATUSES)}


def _request_row(row: sqlite3.Row) -> RequestRow:
    return RequestRow(
        reference=row["reference"],
        country=row["country"],
        city=row["city"],
        topic=row["topic"],
        support_kind=row["support_kind"],
        status=row["status"],
        created_at=_time(row["created_at"]),
        first_response_at=from_db_time(row["first_response_at"]),
        completed_at=from_db_time(row["completed_at"]),
    )
