"""Technical-support requests: filing, the history of every change, and staff card copies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Database, ReadOnlyConnection, Transaction
from storage.models import (
    BoardCard,
    RequestAttachment,
    RequestEvent,
    SupportRequest,
    to_db_time,
)
from storage.outbox import StaffNotice, queue_card_refreshes, queue_staff_notice

# Names are looked up rather than copied, so erasing a person (/deleteme) erases them here too.
_REQUEST_SELECT = """
SELECT r.*, fp.full_name AS filer_name,
       TRIM(COALESCE(a.first_name, '') || ' ' || COALESCE(a.last_name, '')) AS assignee_name
FROM support_requests r
LEFT JOIN focal_points fp ON fp.user_id = r.filed_by
LEFT JOIN users a ON a.id = r.assignee
"""
# A board card's columns: the filters and the order are read from the board's indexes
# (migration 22), and only the cards shown are looked up in the table.
_CARD_COLUMNS = (
    "r.id, r.reference, r.title, r.country, r.city, r.topic, r.time_frame, r.status,"
    " r.assignee, r.created_at, r.updated_at, r.version"
)
_EVENT_SELECT = """
SELECT e.*,
       TRIM(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, '')) AS actor_name,
       TRIM(COALESCE(a.first_name, '') || ' ' || COALESCE(a.last_name, '')) AS assignee_name
FROM support_request_events e
LEFT JOIN users u ON u.id = e.actor
LEFT JOIN users a ON a.id = e.assignee
"""


@dataclass(frozen=True)
class RequestFilter:
    """Staff list filters; None means any. ``assignee`` 0 means nobody."""

    status: str | None = None
    country: str | None = None
    topic: str | None = None
    assignee: int | None = None


@dataclass(frozen=True)
class RequestPage:
    requests: list[SupportRequest]
    total: int


@dataclass(frozen=True)
class BoardFilter:
    """The console board's filters; None means any. ``assignee`` 0 means nobody.

    ``filed_before`` keeps requests at least that old; ``search`` is words that must all
    appear in the reference, the title or the description; ``status`` keeps one column.
    """

    status: str | None = None
    country: str | None = None
    topic: str | None = None
    assignee: int | None = None
    filed_before: datetime | None = None
    search: str = ""


@dataclass(frozen=True)
class BoardColumn:
    status: str
    total: int
    requests: list[BoardCard]


class StaleRequest(Exception):
    """A change asked for on an older version of the request than the one stored."""

    def __init__(self, current: SupportRequest, changed_by: int | None, changed_by_name: str):
        super().__init__(f"{current.reference} is at version {current.version}")
        self.current = current
        self.changed_by = changed_by
        self.changed_by_name = changed_by_name


# Columns that close a request show the newest first; the open ones the longest waiting first.
CLOSED_STATUSES = ("completed", "declined")
# The board's columns, in the order staff move a request through them.
BOARD_ORDER = (
    "new",
    "in_review",
    "accepted",
    "in_progress",
    "waiting_city",
    "completed",
    "declined",
)
# More words than this in a search are ignored (each is one LIKE over three columns).
SEARCH_WORDS = 8
# The kinds of history that change a request's version (notes add to it without changing it).
VERSIONED_KINDS = ("filed", "status", "assigned", "question", "answer")


class SupportRequestRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def submit(
        self,
        *,
        submission_key: str,
        user_id: int,
        country: str,
        city: str,
        fields: dict[str, Any],
        attachments: Sequence[RequestAttachment],
        draft_flow: str,
        now: datetime,
        notice: StaffNotice | None = None,
    ) -> tuple[SupportRequest, bool]:
        """File a request once per form; returns it and whether this call created it.

        The reference number is taken and the draft deleted in the same transaction, so two
        submissions racing each other (a double tap, a retried update) give one request.
        ``notice`` (staff told of it, with the new ``request_id``) is queued with it.
        """
        async with self._db.transaction() as tx:
            existing = await tx.fetchone(
                "SELECT id FROM support_requests WHERE submission_key = :key",
                {"key": submission_key},
            )
            created = existing is None
            if existing is not None:
                request_id = int(existing["id"])
            else:
                request_id = await self._insert(
                    tx,
                    submission_key=submission_key,
                    user_id=user_id,
                    country=country,
                    city=city,
                    fields=fields,
                    attachments=attachments,
                    now=now,
                )
                await tx.execute(
                    "DELETE FROM drafts WHERE user_id = :user AND flow = :flow",
                    {"user": user_id, "flow": draft_flow},
                )
                if notice is not None:
                    await queue_staff_notice(tx, notice.with_values(request_id=request_id), now)
        request = await self.get(request_id)
        assert request is not None
        return request, created

    @staticmethod
    async def _insert(
        tx: Transaction,
        *,
        submission_key: str,
        user_id: int,
        country: str,
        city: str,
        fields: dict[str, Any],
        attachments: Sequence[RequestAttachment],
        now: datetime,
    ) -> int:
        row = await tx.fetchone(
            "SELECT COALESCE(MAX(number), 0) + 1 AS next FROM support_requests WHERE year = :year",
            {"year": now.year},
        )
        assert row is not None
        number = int(row["next"])
        stamp = to_db_time(now)
        request_id = await tx.insert(
            """
            INSERT INTO support_requests (reference, year, number, submission_key, filed_by,
                country, city, topic, support_kind, title, description, time_frame, contact,
                contact_detail, status, waiting_since, created_at, updated_at)
            VALUES (:reference, :year, :number, :key, :user, :country, :city, :topic, :kind,
                :title, :description, :time_frame, :contact, :contact_detail, 'new', :now,
                :now, :now)
            """,
            {
                "reference": f"TSR-{now.year}-{number:04d}",
                "year": now.year,
                "number": number,
                "key": submission_key,
                "user": user_id,
                "country": country,
                "city": city,
                "topic": fields["topic"],
                "kind": fields["kind"],
                "title": fields["title"],
                "description": fields["description"],
                "time_frame": fields["time_frame"],
                "contact": fields["contact"],
                "contact_detail": fields.get("contact_detail"),
                "now": stamp,
            },
        )
        await tx.executemany(
            "INSERT INTO support_request_files"
            " (request_id, position, kind, file_id, file_unique_id, file_name)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (request_id, position, a.kind, a.file_id, a.file_unique_id, a.file_name)
                for position, a in enumerate(attachments)
            ],
        )
        await _event(tx, request_id, "filed", actor=user_id, status="new", now=now)
        return request_id

    async def by_submission_key(self, submission_key: str) -> SupportRequest | None:
        row = await self._db.fetchone(
            f"{_REQUEST_SELECT} WHERE r.submission_key = :key", {"key": submission_key}
        )
        return SupportRequest.from_row(row) if row else None

    async def get(self, request_id: int) -> SupportRequest | None:
        row = await self._db.fetchone(f"{_REQUEST_SELECT} WHERE r.id = :id", {"id": request_id})
        return SupportRequest.from_row(row) if row else None

    async def by_reference(self, reference: str) -> SupportRequest | None:
        row = await self._db.fetchone(
            f"{_REQUEST_SELECT} WHERE r.reference = :reference", {"reference": reference}
        )
        return SupportRequest.from_row(row) if row else None

    async def attachments(self, request_id: int) -> list[RequestAttachment]:
        rows = await self._db.fetchall(
            "SELECT * FROM support_request_files WHERE request_id = :id ORDER BY position",
            {"id": request_id},
        )
        return [RequestAttachment.from_row(row) for row in rows]

    async def events(self, request_id: int) -> list[RequestEvent]:
        rows = await self._db.fetchall(
            f"{_EVENT_SELECT} WHERE e.request_id = :id ORDER BY e.id", {"id": request_id}
        )
        return [RequestEvent.from_row(row) for row in rows]

    async def search(self, where: RequestFilter, *, limit: int, offset: int) -> RequestPage:
        conditions = ["1 = 1"]
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if where.status is not None:
            conditions.append("r.status = :status")
            params["status"] = where.status
        _add_place_and_owner(where, conditions, params)
        return await self._page(" AND ".join(conditions), params)

    async def for_city(self, country: str, city: str, *, limit: int, offset: int) -> RequestPage:
        return await self._page(
            "r.country = :country AND r.city = :city",
            {"country": country, "city": city, "limit": limit, "offset": offset},
        )

    async def _page(self, condition: str, params: dict[str, Any]) -> RequestPage:
        total = await self._db.fetchone(
            f"SELECT COUNT(*) AS n FROM support_requests r WHERE {condition}", params
        )
        rows = await self._db.fetchall(
            f"{_REQUEST_SELECT} WHERE {condition} ORDER BY r.id DESC LIMIT :limit OFFSET :offset",
            params,
        )
        return RequestPage(
            [SupportRequest.from_row(row) for row in rows], int(total["n"]) if total else 0
        )

    def everything(self) -> list[tuple[SupportRequest, list[RequestEvent]]]:
        """Every request with its history, for the export: read in the calling (worker)
        thread on a read-only connection of its own, in one snapshot, so years of requests
        never queue a reply's read behind them."""
        connection = ReadOnlyConnection(self._db.path)
        try:
            connection.snapshot()
            requests = [
                SupportRequest.from_row(row)
                for row in connection.rows(f"{_REQUEST_SELECT} ORDER BY r.id")
            ]
            histories: dict[int, list[RequestEvent]] = {request.id: [] for request in requests}
            for row in connection.rows(f"{_EVENT_SELECT} ORDER BY e.id"):
                histories[row["request_id"]].append(RequestEvent.from_row(row))
        finally:
            connection.close()
        return [(request, histories[request.id]) for request in requests]

    async def board(self, where: BoardFilter, *, per_column: int) -> list[BoardColumn]:
        """The requests by status, at most ``per_column`` in each, with each column's total.

        Open columns list the longest-waiting first, closed ones the latest closed first.
        One query per column, each walking its own index (status, then the column's order)
        until it has enough: the board costs the same with 500 requests or 50,000. The
        indexes hold the filtered columns too, so neither the totals nor the walk read the
        table; only the cards shown are, and only what a card shows.
        """
        condition, params = _board_condition(where)
        params["per_column"] = per_column
        totals = {
            row["status"]: int(row["n"])
            for row in await self._db.fetchall(
                "SELECT r.status, COUNT(*) AS n FROM support_requests r"
                f" WHERE {condition} GROUP BY r.status",
                params,
            )
        }
        columns = [status for status in BOARD_ORDER if totals.get(status)]
        cards: dict[str, list[BoardCard]] = {status: [] for status in BOARD_ORDER}
        if columns:
            parts = []
            for index, status in enumerate(columns):
                params[f"status{index}"] = status
                order = "r.updated_at DESC" if status in CLOSED_STATUSES else "r.created_at"
                parts.append(
                    f"SELECT * FROM (SELECT {_CARD_COLUMNS} FROM support_requests r"
                    f" WHERE r.status = :status{index} AND {condition}"
                    f" ORDER BY {order}, r.id LIMIT :per_column)"
                )
            rows = await self._db.fetchall(
                "SELECT card.*, TRIM(COALESCE(a.first_name, '') || ' '"
                " || COALESCE(a.last_name, '')) AS assignee_name"
                f" FROM ({' UNION ALL '.join(parts)}) AS card"
                " LEFT JOIN users a ON a.id = card.assignee",
                params,
            )
            for row in rows:
                cards[row["status"]].append(BoardCard.from_row(row))
        for status, column in cards.items():
            if status in CLOSED_STATUSES:
                column.sort(key=lambda card: (card.updated_at, -card.id), reverse=True)
            else:
                column.sort(key=lambda card: (card.created_at, card.id))
        return [BoardColumn(status, totals.get(status, 0), cards[status]) for status in BOARD_ORDER]

    async def explain_board(self, where: BoardFilter) -> list[str]:
        """SQLite's plan for one column of the board (the benchmark prints it)."""
        condition, params = _board_condition(where)
        rows = await self._db.fetchall(
            f"EXPLAIN QUERY PLAN SELECT {_CARD_COLUMNS} FROM support_requests r"
            f" WHERE r.status = 'new' AND {condition} ORDER BY r.created_at, r.id LIMIT 40",
            params,
        )
        return [str(row["detail"]) for row in rows]

    async def all(self) -> list[SupportRequest]:
        rows = await self._db.fetchall(f"{_REQUEST_SELECT} ORDER BY r.id")
        return [SupportRequest.from_row(row) for row in rows]

    async def change_status(
        self,
        request_id: int,
        status: str,
        *,
        actor: int,
        reason: str | None,
        now: datetime,
        seen_version: int | None = None,
    ) -> SupportRequest | None:
        """Move to ``status``; None when the request is missing or already there.

        With ``seen_version``, raises StaleRequest if the request changed since that version.
        """
        async with self._db.transaction() as tx:
            if not await _is_current(tx, request_id, seen_version):
                changed = -1
            else:
                changed = await tx.execute(
                    """
                UPDATE support_requests SET status = :status, updated_at = :now,
                    waiting_since = NULL, version = version + 1,
                    decline_reason = CASE WHEN :status = 'declined' THEN :reason ELSE NULL END
                WHERE id = :id AND status != :status
                """,
                    {"status": status, "now": to_db_time(now), "reason": reason, "id": request_id},
                )
            if changed > 0:
                await _event(
                    tx, request_id, "status", actor=actor, status=status, text=reason, now=now
                )
                await queue_card_refreshes(tx, request_id, now)
        return await self._after_change(request_id, changed)

    async def assign(
        self,
        request_id: int,
        assignee: int | None,
        *,
        actor: int,
        now: datetime,
        seen_version: int | None = None,
    ) -> SupportRequest | None:
        """Give the request to a staff member (None: nobody); None when nothing changed.

        With ``seen_version``, raises StaleRequest if the request changed since that version.
        """
        async with self._db.transaction() as tx:
            if not await _is_current(tx, request_id, seen_version):
                changed = -1
            else:
                changed = await tx.execute(
                    "UPDATE support_requests SET assignee = :assignee, updated_at = :now,"
                    " version = version + 1 WHERE id = :id AND assignee IS NOT :assignee",
                    {"assignee": assignee, "now": to_db_time(now), "id": request_id},
                )
            if changed > 0:
                await _event(tx, request_id, "assigned", actor=actor, assignee=assignee, now=now)
                await queue_card_refreshes(tx, request_id, now)
        return await self._after_change(request_id, changed)

    async def _after_change(self, request_id: int, changed: int) -> SupportRequest | None:
        """The request as it now is; ``changed`` -1 means refused for a stale version."""
        if changed == 0:
            return None
        current = await self.get(request_id)
        if changed < 0 and current is not None:
            actor, name = await self.last_change_by(request_id)
            raise StaleRequest(current, actor, name)
        return current

    async def last_change_by(self, request_id: int) -> tuple[int | None, str]:
        """Who made the request's latest versioned change (id and name; "" once erased)."""
        marks = ", ".join(f"'{kind}'" for kind in VERSIONED_KINDS)
        row = await self._db.fetchone(
            f"{_EVENT_SELECT} WHERE e.request_id = :id AND e.kind IN ({marks})"
            " AND e.actor IS NOT NULL ORDER BY e.id DESC LIMIT 1",
            {"id": request_id},
        )
        if row is None:
            return None, ""
        return row["actor"], row["actor_name"] or ""

    async def add_note(self, request_id: int, *, actor: int, text: str, now: datetime) -> bool:
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE support_requests SET updated_at = :now WHERE id = :id",
                {"now": to_db_time(now), "id": request_id},
            )
            if changed == 0:
                return False
            await _event(tx, request_id, "note", actor=actor, text=text, now=now)
        return True

    async def ask_city(
        self,
        request_id: int,
        *,
        actor: int,
        question: str,
        now: datetime,
        seen_version: int | None = None,
    ) -> SupportRequest | None:
        """Record a staff question; the request then waits for the city.

        With ``seen_version``, raises StaleRequest if the request changed since that version.
        """
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT status, version FROM support_requests WHERE id = :id", {"id": request_id}
            )
            if row is None:
                return None
            if seen_version is not None and row["version"] != seen_version:
                stale = True
            else:
                stale = False
                await tx.execute(
                    "UPDATE support_requests SET status = 'waiting_city', waiting_since = NULL,"
                    " decline_reason = NULL, updated_at = :now, version = version + 1"
                    " WHERE id = :id",
                    {"now": to_db_time(now), "id": request_id},
                )
                await _event(tx, request_id, "question", actor=actor, text=question, now=now)
                if row["status"] != "waiting_city":
                    await _event(
                        tx, request_id, "status", actor=actor, status="waiting_city", now=now
                    )
                await queue_card_refreshes(tx, request_id, now)
        return await self._after_change(request_id, -1 if stale else 1)

    async def answer_from_city(
        self,
        request_id: int,
        *,
        actor: int,
        text: str,
        now: datetime,
        notice: StaffNotice | None = None,
    ) -> SupportRequest | None:
        """Attach the city's reply; a request waiting for it goes back to review."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT status FROM support_requests WHERE id = :id", {"id": request_id}
            )
            if row is None:
                return None
            back_to_review = row["status"] == "waiting_city"
            await tx.execute(
                "UPDATE support_requests SET updated_at = :now, version = version + 1,"
                " waiting_since = COALESCE(waiting_since, :now),"
                " status = CASE WHEN status = 'waiting_city' THEN 'in_review' ELSE status END"
                " WHERE id = :id",
                {"now": to_db_time(now), "id": request_id},
            )
            await _event(tx, request_id, "answer", actor=actor, text=text, now=now)
            if back_to_review:
                # Nobody set this status: the answer did (a status event without an actor).
                await _event(tx, request_id, "status", actor=None, status="in_review", now=now)
            await queue_card_refreshes(tx, request_id, now)
            if notice is not None:
                await queue_staff_notice(tx, notice.with_values(request_id=request_id), now)
        return await self.get(request_id)

    async def waiting_since_before(self, cutoff: datetime) -> list[SupportRequest]:
        """Open requests where the city spoke last, before ``cutoff``, oldest first."""
        rows = await self._db.fetchall(
            f"{_REQUEST_SELECT} WHERE r.waiting_since IS NOT NULL AND r.waiting_since <= :cutoff"
            " AND r.status NOT IN ('completed', 'declined') ORDER BY r.waiting_since",
            {"cutoff": to_db_time(cutoff)},
        )
        return [SupportRequest.from_row(row) for row in rows]

    async def city_focal_points(self, country: str, city: str) -> list[int]:
        """The approved focal points of a city: the one who filed and any alternate."""
        rows = await self._db.fetchall(
            "SELECT user_id FROM focal_points WHERE status = 'approved'"
            " AND country = :country AND city = :city ORDER BY user_id",
            {"country": country, "city": city},
        )
        return [int(row["user_id"]) for row in rows]

    async def add_copy(
        self,
        request_id: int,
        *,
        chat_id: int,
        message_id: int,
        shown_version: int | None,
        now: datetime,
    ) -> None:
        """Remember a copy of the card; if the request changed since the version it shows,
        the change found no copy to refresh: the refresh is queued now, in the same
        transaction, so no change slips between the two."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT OR IGNORE INTO support_request_copies (chat_id, message_id, request_id)"
                " VALUES (:chat, :message, :id)",
                {"chat": chat_id, "message": message_id, "id": request_id},
            )
            if shown_version is not None and not await _is_current(tx, request_id, shown_version):
                await queue_card_refreshes(tx, request_id, now, copy=(chat_id, message_id))

    async def copies(self, request_id: int) -> list[tuple[int, int]]:
        rows = await self._db.fetchall(
            "SELECT chat_id, message_id FROM support_request_copies WHERE request_id = :id",
            {"id": request_id},
        )
        return [(int(row["chat_id"]), int(row["message_id"])) for row in rows]


def _add_place_and_owner(
    where: RequestFilter | BoardFilter, conditions: list[str], params: dict[str, Any]
) -> None:
    """The filters the staff list and the board share: country, topic, assignee (0: nobody)."""
    if where.country is not None:
        conditions.append("r.country = :country")
        params["country"] = where.country
    if where.topic is not None:
        conditions.append("r.topic = :topic")
        params["topic"] = where.topic
    if where.assignee == 0:
        conditions.append("r.assignee IS NULL")
    elif where.assignee is not None:
        conditions.append("r.assignee = :assignee")
        params["assignee"] = where.assignee


def _board_condition(where: BoardFilter) -> tuple[str, dict[str, Any]]:
    conditions = ["1 = 1"]
    params: dict[str, Any] = {}
    if where.status is not None:
        conditions.append("r.status = :status")
        params["status"] = where.status
    _add_place_and_owner(where, conditions, params)
    if where.filed_before is not None:
        conditions.append("r.created_at <= :filed_before")
        params["filed_before"] = to_db_time(where.filed_before)
    for number, word in enumerate(where.search.split()[:SEARCH_WORDS]):
        # Every word somewhere in the reference, title or description; % and _ typed by
        # staff are searched for as themselves.
        key = f"word{number}"
        params[key] = "%" + _escape_like(word) + "%"
        conditions.append(
            f"(r.reference LIKE :{key} ESCAPE '\\' OR r.title LIKE :{key} ESCAPE '\\'"
            f" OR r.description LIKE :{key} ESCAPE '\\')"
        )
    return " AND ".join(conditions), params


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def _is_current(tx: Transaction, request_id: int, seen_version: int | None) -> bool:
    """Whether a change made on ``seen_version`` may go ahead (None: no version was seen)."""
    if seen_version is None:
        return True
    row = await tx.fetchone(
        "SELECT version FROM support_requests WHERE id = :id", {"id": request_id}
    )
    return row is None or int(row["version"]) == seen_version


async def _event(
    tx: Transaction,
    request_id: int,
    kind: str,
    *,
    actor: int | None,
    now: datetime,
    status: str | None = None,
    assignee: int | None = None,
    text: str | None = None,
) -> None:
    await tx.execute(
        "INSERT INTO support_request_events (request_id, kind, actor, status, assignee, text, at)"
        " VALUES (:id, :kind, :actor, :status, :assignee, :text, :at)",
        {
            "id": request_id,
            "kind": kind,
            "actor": actor,
            "status": status,
            "assignee": assignee,
            "text": text,
            "at": to_db_time(now),
        },
    )
