"""Events, RSVPs and the outbox of event notices: each change and its notices in one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storage.db import Database, Transaction
from storage.models import (
    NOTIFIED_PARTS,
    Event,
    EventNotice,
    EventRevision,
    NewEvent,
    PlannedReminder,
    ReminderState,
    Rsvp,
    change_payload,
    from_db_time,
    to_db_time,
)

ATTENDING = ("going", "maybe")
# The detail of notices dropped because their audience changed; an invitation dropped so
# is queued again if the person is invited again.
NO_LONGER_INVITED = "no longer invited"


def _db(moment: datetime) -> str:
    """UTC, one format: the outbox compares due times as text, which needs one offset."""
    return to_db_time(moment.astimezone(UTC))


def _csv(values: Iterable[object]) -> str:
    return ",".join(str(value) for value in values)


class StaleEvent(Exception):
    """An edit made on an older revision of the event than the one stored."""

    def __init__(self, current: Event) -> None:
        super().__init__(f"event {current.id} is at revision {current.revision}")
        self.current = current


@dataclass(frozen=True)
class Revised:
    """A saved edit: the event now, which parts changed, how many people are told of it,
    how many answers the audience left out, and whether invitations had gone out."""

    event: Event
    changed: frozenset[str]
    told: int = 0
    withdrawn: int = 0
    announced: bool = False


# Plans reminders from the event, the answers and the outbox (bot.events.planning).
ReminderPlanner = Callable[..., list[PlannedReminder]]


class EventRepository:
    def __init__(self, db: Database, *, plan: ReminderPlanner) -> None:
        self._db = db
        self._plan_reminders = plan

    # -- events ------------------------------------------------------------------------------

    async def create(self, new: NewEvent, *, now: datetime) -> Event | None:
        """The new event; None when an event with this import key already exists."""
        async with self._db.transaction() as tx:
            if new.import_key is not None:
                existing = await tx.fetchone(
                    "SELECT id FROM events WHERE import_key = :key", {"key": new.import_key}
                )
                if existing is not None:
                    return None
            event_id = await tx.insert(
                """
                INSERT INTO events (titles, descriptions, starts_at, ends_at, time_zone, place,
                    link, audience, reminder_offsets, status, revision, import_key, created_by,
                    created_at, updated_at)
                VALUES (:titles, :descriptions, :starts_at, :ends_at, :time_zone, :place, :link,
                    :audience, :offsets, 'scheduled', 0, :import_key, :created_by, :now, :now)
                """,
                {
                    "titles": json.dumps(new.titles, ensure_ascii=False),
                    "descriptions": json.dumps(new.descriptions, ensure_ascii=False),
                    "starts_at": _db(new.starts_at),
                    "ends_at": _db(new.ends_at),
                    "time_zone": new.time_zone,
                    "place": new.place,
                    "link": new.link,
                    "audience": _csv(new.audience),
                    "offsets": _csv(sorted(set(new.reminder_offsets_s), reverse=True)),
                    "import_key": new.import_key,
                    "created_by": new.created_by,
                    "now": _db(now),
                },
            )
            row = await tx.fetchone("SELECT * FROM events WHERE id = :id", {"id": event_id})
        assert row is not None
        return Event.from_row(row)

    async def get(self, event_id: int) -> Event | None:
        row = await self._db.fetchone("SELECT * FROM events WHERE id = :id", {"id": event_id})
        return Event.from_row(row) if row else None

    async def upcoming(
        self, now: datetime, *, country: str | None, everything: bool, limit: int
    ) -> list[Event]:
        """Scheduled events not yet over, soonest first: all of them, or those for this country."""
        rows = await self._db.fetchall(
            """
            SELECT * FROM events
            WHERE status = 'scheduled' AND ends_at > :now
              AND (:everything OR audience = ''
                   OR instr(',' || audience || ',', ',' || :country || ',') > 0)
            ORDER BY starts_at, id LIMIT :limit
            """,
            {"now": _db(now), "country": country or "-", "everything": everything, "limit": limit},
        )
        return [Event.from_row(row) for row in rows]

    async def listing(
        self, now: datetime, *, past: bool, limit: int
    ) -> list[tuple[Event, dict[str, int]]]:
        """Coming events (soonest first) or past and cancelled ones (latest first), each with
        its count of answers by answer."""
        condition = (
            "status = 'cancelled' OR ends_at <= :now"
            if past
            else "status = 'scheduled' AND ends_at > :now"
        )
        order = "starts_at DESC, id DESC" if past else "starts_at, id"
        rows = await self._db.fetchall(
            f"SELECT * FROM events WHERE {condition} ORDER BY {order} LIMIT :limit",
            {"now": _db(now), "limit": limit},
        )
        events = [Event.from_row(row) for row in rows]
        counts: dict[int, dict[str, int]] = {event.id: {} for event in events}
        if events:
            marks = ", ".join(str(event.id) for event in events)
            for row in await self._db.fetchall(
                f"SELECT event_id, answer, COUNT(*) AS n FROM event_rsvps"
                f" WHERE event_id IN ({marks}) GROUP BY event_id, answer"
            ):
                counts[row["event_id"]][row["answer"]] = int(row["n"])
        return [(event, counts[event.id]) for event in events]

    async def cancel(self, event_id: int, *, now: datetime) -> Event | None:
        """Cancelled once; attendees are told, and their pending reminders are dropped."""
        async with self._db.transaction() as tx:
            before = await self._event(tx, event_id)
            if before is None or before.is_cancelled:
                return None
            after = await self._update(tx, event_id, "status = 'cancelled'", {}, now)
            await self._queue_changes(tx, after, {"cancelled": True}, now)
            await self._plan(tx, after, None, now, moved=False)
        return after

    async def revise(
        self,
        event_id: int,
        revision: EventRevision,
        *,
        by: int | None,
        now: datetime,
        seen_revision: int | None = None,
        left_out: Sequence[int] = (),
    ) -> Revised | None:
        """Save an edit of a coming event, with everything it causes, in one transaction.

        None for an event that is gone, cancelled or over. With ``seen_revision`` (the revision
        the staff member edited), an event changed since raises StaleEvent: nothing is written.
        ``left_out``: people the new audience no longer includes (``EventService`` decides who):
        their answers go, nothing pending is sent to them, and those who were coming are told
        once. A new time, place or title is told once to everyone invited who has not
        declined; reminders follow a new start.
        """
        async with self._db.transaction() as tx:
            before = await self._event(tx, event_id)
            if before is None or before.is_cancelled or before.ends_at <= now:
                return None
            if seen_revision is not None and before.revision != seen_revision:
                raise StaleEvent(before)
            changed = revision.changes_from(before)
            if not changed:
                return Revised(before, changed)
            after = await self._update(
                tx,
                event_id,
                "titles = :titles, descriptions = :descriptions, starts_at = :starts_at, "
                "ends_at = :ends_at, time_zone = :time_zone, place = :place, link = :link, "
                "audience = :audience, reminder_offsets = :offsets, updated_by = :by",
                {
                    "titles": json.dumps(revision.titles, ensure_ascii=False),
                    "descriptions": json.dumps(revision.descriptions, ensure_ascii=False),
                    "starts_at": _db(revision.starts_at),
                    "ends_at": _db(revision.ends_at),
                    "time_zone": revision.time_zone,
                    "place": revision.place,
                    "link": revision.link,
                    "audience": _csv(revision.audience),
                    "offsets": _csv(sorted(set(revision.reminder_offsets_s), reverse=True)),
                    "by": by,
                },
                now,
            )
            coming = set(await self._attending(tx, event_id)) & set(left_out)
            withdrawn = await self._withdraw(tx, event_id, left_out, now)
            told = 0
            if changed & NOTIFIED_PARTS:
                told = await self._queue_changes(
                    tx,
                    after,
                    change_payload(before, changed),
                    now,
                    invited_too=True,
                    excluded=left_out,
                )
            # Those who were coming and are no longer invited hear it once, in its place.
            await self._queue_notice_to(tx, after, sorted(coming), {"uninvited": True}, now)
            await self._plan(tx, after, None, now, moved="time" in changed)
            announced = await tx.fetchone(
                "SELECT 1 AS yes FROM event_notices WHERE event_id = :event "
                "AND kind = 'invitation' LIMIT 1",
                {"event": event_id},
            )
        return Revised(after, changed, told=told, withdrawn=withdrawn, announced=bool(announced))

    async def involved_ids(self, event_id: int) -> list[int]:
        """Everyone with an answer to the event or a notice about it still to come."""
        rows = await self._db.fetchall(
            """
            SELECT user_id FROM event_rsvps WHERE event_id = :event
            UNION
            SELECT user_id FROM event_notices WHERE event_id = :event AND state = 'pending'
            ORDER BY user_id
            """,
            {"event": event_id},
        )
        return [row["user_id"] for row in rows]

    async def withdraw(self, event_id: int, user_ids: Sequence[int], *, now: datetime) -> int:
        """People no longer invited: their answers go and nothing pending is sent to them.

        Notice rows stay (skipped), so the unique key still stops a second copy of anything
        already sent if they are invited again. Returns how many answers were withdrawn.
        """
        if not user_ids:
            return 0
        async with self._db.transaction() as tx:
            return await self._withdraw(tx, event_id, user_ids, now)

    async def _withdraw(
        self, tx: Transaction, event_id: int, user_ids: Sequence[int], now: datetime
    ) -> int:
        if not user_ids:
            return 0
        people = [{"event": event_id, "user": user, "now": _db(now)} for user in user_ids]
        before = await tx.fetchone(
            "SELECT count(*) AS n FROM event_rsvps WHERE event_id = :event", {"event": event_id}
        )
        await tx.executemany(
            "DELETE FROM event_rsvps WHERE event_id = :event AND user_id = :user", people
        )
        after = await tx.fetchone(
            "SELECT count(*) AS n FROM event_rsvps WHERE event_id = :event", {"event": event_id}
        )
        await tx.executemany(
            """
            UPDATE event_notices SET state = 'skipped', detail = :withdrawn, updated_at = :now
            WHERE event_id = :event AND user_id = :user AND state = 'pending'
            """,
            [{**person, "withdrawn": NO_LONGER_INVITED} for person in people],
        )
        assert before is not None and after is not None
        return int(before["n"]) - int(after["n"])

    async def _attending(self, tx: Transaction, event_id: int) -> list[int]:
        rows = await tx.fetchall(
            "SELECT user_id FROM event_rsvps WHERE event_id = :event "
            "AND answer IN ('going', 'maybe') ORDER BY user_id",
            {"event": event_id},
        )
        return [row["user_id"] for row in rows]

    async def _event(self, tx: Transaction, event_id: int) -> Event | None:
        row = await tx.fetchone("SELECT * FROM events WHERE id = :id", {"id": event_id})
        return Event.from_row(row) if row else None

    async def _update(
        self,
        tx: Transaction,
        event_id: int,
        assignments: str,
        values: dict[str, Any],
        now: datetime,
    ) -> Event:
        await tx.execute(
            f"UPDATE events SET {assignments}, revision = revision + 1, updated_at = :now "
            "WHERE id = :id",
            {**values, "id": event_id, "now": _db(now)},
        )
        event = await self._event(tx, event_id)
        assert event is not None
        return event

    async def _queue_changes(
        self,
        tx: Transaction,
        event: Event,
        payload: dict[str, Any],
        now: datetime,
        *,
        invited_too: bool = False,
        excluded: Sequence[int] = (),
    ) -> int:
        """One change notice per person told, due now, keyed by the revision it announces:
        those who answered going or maybe, and with ``invited_too`` those whose invitation
        went out and who have not answered (its details are out of date). Returns how many."""
        invited = (
            """
            UNION SELECT user_id FROM event_notices AS sent
            WHERE sent.event_id = :event AND sent.kind = 'invitation' AND sent.state = 'sent'
              AND NOT EXISTS (SELECT 1 FROM event_rsvps AS answered
                              WHERE answered.event_id = :event
                                AND answered.user_id = sent.user_id)
            """
            if invited_too
            else ""
        )
        rows = await tx.fetchall(
            "SELECT user_id FROM event_rsvps WHERE event_id = :event "
            f"AND answer IN ('going', 'maybe') {invited} ORDER BY user_id",
            {"event": event.id},
        )
        told = [row["user_id"] for row in rows if row["user_id"] not in excluded]
        return await self._queue_notice_to(tx, event, told, payload, now)

    async def _queue_notice_to(
        self,
        tx: Transaction,
        event: Event,
        user_ids: Sequence[int],
        payload: dict[str, Any],
        now: datetime,
    ) -> int:
        """A change notice of this revision to each person (at most one each); how many new."""
        queued = 0
        for user_id in user_ids:
            queued += await tx.execute(
                """
                INSERT OR IGNORE INTO event_notices
                    (event_id, user_id, kind, ref, due_at, state, payload, updated_at)
                VALUES (:event, :user, 'change', :revision, :now, 'pending', :payload, :now)
                """,
                {
                    "event": event.id,
                    "user": user_id,
                    "revision": event.revision,
                    "payload": json.dumps(payload, ensure_ascii=False),
                    "now": _db(now),
                },
            )
        return queued

    # -- answers -----------------------------------------------------------------------------

    async def answer(self, event_id: int, user_id: int, answer: str, *, now: datetime) -> Rsvp:
        async with self._db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO event_rsvps (event_id, user_id, answer, answered_at)
                VALUES (:event, :user, :answer, :now)
                ON CONFLICT (event_id, user_id) DO UPDATE SET
                    answer = excluded.answer, answered_at = excluded.answered_at
                """,
                {"event": event_id, "user": user_id, "answer": answer, "now": _db(now)},
            )
            event = await self._event(tx, event_id)
            assert event is not None
            await self._plan(tx, event, user_id, now, moved=False)
            rsvp = await self._rsvp(tx, event_id, user_id)
        assert rsvp is not None
        return rsvp

    async def set_reminders(
        self, event_id: int, user_id: int, *, on: bool, now: datetime
    ) -> Rsvp | None:
        """Turn one person's reminders for one event on or off; None without an answer."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE event_rsvps SET reminders_on = :on "
                "WHERE event_id = :event AND user_id = :user",
                {"on": on, "event": event_id, "user": user_id},
            )
            if not changed:
                return None
            event = await self._event(tx, event_id)
            assert event is not None
            await self._plan(tx, event, user_id, now, moved=False)
            return await self._rsvp(tx, event_id, user_id)

    async def _rsvp(self, tx: Transaction, event_id: int, user_id: int) -> Rsvp | None:
        row = await tx.fetchone(
            "SELECT * FROM event_rsvps WHERE event_id = :event AND user_id = :user",
            {"event": event_id, "user": user_id},
        )
        return Rsvp.from_row(row) if row else None

    async def rsvp(self, event_id: int, user_id: int) -> Rsvp | None:
        row = await self._db.fetchone(
            "SELECT * FROM event_rsvps WHERE event_id = :event AND user_id = :user",
            {"event": event_id, "user": user_id},
        )
        return Rsvp.from_row(row) if row else None

    async def rsvps(self, event_id: int) -> list[Rsvp]:
        rows = await self._db.fetchall(
            "SELECT * FROM event_rsvps WHERE event_id = :event ORDER BY answered_at, user_id",
            {"event": event_id},
        )
        return [Rsvp.from_row(row) for row in rows]

    async def answers_of(self, user_id: int, now: datetime) -> list[tuple[Event, Rsvp]]:
        """The person's answers to events not yet over, soonest first."""
        rows = await self._db.fetchall(
            """
            SELECT events.*, event_rsvps.user_id AS rsvp_user, event_rsvps.answer,
                   event_rsvps.reminders_on, event_rsvps.answered_at
            FROM event_rsvps JOIN events ON events.id = event_rsvps.event_id
            WHERE event_rsvps.user_id = :user AND events.ends_at > :now
            ORDER BY events.starts_at, events.id
            """,
            {"user": user_id, "now": _db(now)},
        )
        return [
            (
                Event.from_row(row),
                Rsvp(
                    event_id=row["id"],
                    user_id=row["rsvp_user"],
                    answer=row["answer"],
                    reminders_on=bool(row["reminders_on"]),
                    answered_at=datetime.fromisoformat(row["answered_at"]),
                ),
            )
            for row in rows
        ]

    async def attendee_ids(self, event_id: int) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT user_id FROM event_rsvps WHERE event_id = :event "
            "AND answer IN ('going', 'maybe') ORDER BY user_id",
            {"event": event_id},
        )
        return [row["user_id"] for row in rows]

    async def audience_ids(self, event: Event) -> list[int]:
        """Verified focal points, still reachable, in the event's countries (or everywhere)."""
        rows = await self._db.fetchall(
            """
            SELECT focal_points.user_id FROM focal_points
            JOIN users ON users.id = focal_points.user_id
            WHERE focal_points.status = 'approved' AND users.is_active = 1
              AND (:audience = ''
                   OR instr(',' || :audience || ',', ',' || focal_points.country || ',') > 0)
            ORDER BY focal_points.user_id
            """,
            {"audience": _csv(event.audience)},
        )
        return [row["user_id"] for row in rows]

    # -- reminder planning -------------------------------------------------------------------

    async def _plan(
        self, tx: Transaction, event: Event, user_id: int | None, now: datetime, *, moved: bool
    ) -> None:
        """Bring reminder rows in line with the event and the answers (of one person or all):
        the rules are the planner's; this loads what it needs and writes what it decides."""
        only_user = "" if user_id is None else " AND user_id = :user"
        params = {"event": event.id, "user": user_id}
        wanted = {
            row["user_id"]: row["answer"] in ATTENDING and bool(row["reminders_on"])
            for row in await tx.fetchall(
                f"SELECT * FROM event_rsvps WHERE event_id = :event{only_user}", params
            )
        }
        existing = [
            ReminderState(
                id=row["id"],
                user_id=row["user_id"],
                offset_s=row["ref"],
                state=row["state"],
                due_at=datetime.fromisoformat(row["due_at"]),
            )
            for row in await tx.fetchall(
                "SELECT id, user_id, ref, state, due_at FROM event_notices "
                f"WHERE event_id = :event AND kind = 'reminder'{only_user}",
                params,
            )
        ]
        planned = self._plan_reminders(
            starts_at=event.starts_at,
            offsets_s=() if event.is_cancelled else event.reminder_offsets_s,
            wanted=wanted,
            existing=existing,
            now=now,
            moved=moved,
        )
        stamp = _db(now)
        rows = [
            {
                "id": reminder.id,
                "event": event.id,
                "user": reminder.user_id,
                "ref": reminder.offset_s,
                "due": _db(reminder.due_at),
                "state": reminder.state,
                "detail": reminder.detail,
                "now": stamp,
            }
            for reminder in planned
        ]
        inserts = [row for row in rows if row["id"] is None]
        updates = [row for row in rows if row["id"] is not None]
        if inserts:
            await tx.executemany(
                """
                INSERT INTO event_notices
                    (event_id, user_id, kind, ref, due_at, state, detail, updated_at)
                VALUES (:event, :user, 'reminder', :ref, :due, :state, :detail, :now)
                """,
                inserts,
            )
        if updates:
            await tx.executemany(
                "UPDATE event_notices SET state = :state, due_at = :due, detail = :detail, "
                "updated_at = :now WHERE id = :id",
                updates,
            )

    async def queue_invitations(
        self, event_id: int, user_ids: Sequence[int], *, now: datetime
    ) -> int:
        """Invitation notices, due now, at most one per person and event; returns how many new."""
        async with self._db.transaction() as tx:
            before = await tx.fetchone(
                "SELECT count(*) AS n FROM event_notices WHERE event_id = :event "
                "AND kind = 'invitation'",
                {"event": event_id},
            )
            people = [{"event": event_id, "user": user, "now": _db(now)} for user in user_ids]
            await tx.executemany(
                """
                INSERT OR IGNORE INTO event_notices
                    (event_id, user_id, kind, ref, due_at, state, updated_at)
                VALUES (:event, :user, 'invitation', 0, :now, 'pending', :now)
                """,
                people,
            )
            after = await tx.fetchone(
                "SELECT count(*) AS n FROM event_notices WHERE event_id = :event "
                "AND kind = 'invitation'",
                {"event": event_id},
            )
            # Someone invited again after the audience left them out gets the invitation
            # that was never sent.
            revived = 0
            for person in people:
                revived += await tx.execute(
                    """
                    UPDATE event_notices SET state = 'pending', detail = NULL, due_at = :now,
                        updated_at = :now
                    WHERE event_id = :event AND user_id = :user AND kind = 'invitation'
                      AND state = 'skipped' AND detail = :withdrawn
                    """,
                    {**person, "withdrawn": NO_LONGER_INVITED},
                )
        assert before is not None and after is not None
        return int(after["n"]) - int(before["n"]) + revived

    # -- the outbox --------------------------------------------------------------------------

    async def next_due(self) -> datetime | None:
        row = await self._db.fetchone(
            "SELECT min(due_at) AS due FROM event_notices WHERE state = 'pending'"
        )
        return from_db_time(row["due"]) if row else None

    async def due(self, now: datetime, *, limit: int) -> list[EventNotice]:
        rows = await self._db.fetchall(
            "SELECT * FROM event_notices WHERE state = 'pending' AND due_at <= :now "
            "ORDER BY due_at, id LIMIT :limit",
            {"now": _db(now), "limit": limit},
        )
        return [EventNotice.from_row(row) for row in rows]

    async def claim(self, notice_id: int, *, now: datetime) -> bool:
        """Mark a notice 'sending' and commit, before the message goes out.

        False if another run took it, or if it is no longer due (its event moved since the
        batch was read).
        """
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE event_notices SET state = 'sending', attempts = attempts + 1, "
                "updated_at = :now WHERE id = :id AND state = 'pending' AND due_at <= :now",
                {"id": notice_id, "now": _db(now)},
            )
        return changed == 1

    async def finish(
        self, notice_id: int, *, state: str, detail: str | None, now: datetime
    ) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE event_notices SET state = :state, detail = :detail, updated_at = :now "
                "WHERE id = :id",
                {"id": notice_id, "state": state, "detail": detail, "now": _db(now)},
            )

    async def skip(self, notice_ids: Sequence[int], *, detail: str, now: datetime) -> None:
        """Skip notices still pending and due (a claimed one is left to its sender; one whose
        event moved since the batch was read waits for its new time)."""
        async with self._db.transaction() as tx:
            await tx.executemany(
                "UPDATE event_notices SET state = 'skipped', detail = :detail, updated_at = :now "
                "WHERE id = :id AND state = 'pending' AND due_at <= :now",
                [{"id": notice, "detail": detail, "now": _db(now)} for notice in notice_ids],
            )

    async def retry_later(self, notice_id: int, *, due_at: datetime, now: datetime) -> None:
        """The message certainly did not go out (no connection): pending again, later."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE event_notices SET state = 'pending', due_at = :due, updated_at = :now "
                "WHERE id = :id AND state = 'sending'",
                {"id": notice_id, "due": _db(due_at), "now": _db(now)},
            )

    async def release(self, notice_id: int, *, now: datetime) -> None:
        """Telegram refused to take the message (429): pending again, the attempt not counted."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE event_notices SET state = 'pending', attempts = attempts - 1, "
                "updated_at = :now WHERE id = :id AND state = 'sending'",
                {"id": notice_id, "now": _db(now)},
            )

    async def settle_interrupted(self, *, now: datetime) -> int:
        """Notices left 'sending' by a bot that stopped mid-send count as sent (unconfirmed)."""
        async with self._db.transaction() as tx:
            return await tx.execute(
                "UPDATE event_notices SET state = 'sent', detail = 'unconfirmed', "
                "updated_at = :now WHERE state = 'sending'",
                {"now": _db(now)},
            )

    async def notices(self, event_id: int) -> list[EventNotice]:
        rows = await self._db.fetchall(
            "SELECT * FROM event_notices WHERE event_id = :event ORDER BY id", {"event": event_id}
        )
        return [EventNotice.from_row(row) for row in rows]
