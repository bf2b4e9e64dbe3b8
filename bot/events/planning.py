"""Which reminders an event's attendees get: a function of values, no database."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta

from storage.models import PlannedReminder, ReminderState


def rearm(offset_s: int, old_due: datetime | None, new_due: datetime) -> bool:
    """Whether a reminder already sent should come again after its event moved."""
    return old_due is not None and new_due - old_due >= timedelta(seconds=offset_s)


def plan_reminders(
    *,
    starts_at: datetime,
    offsets_s: Collection[int],
    wanted: Mapping[int, bool],
    existing: Sequence[ReminderState],
    now: datetime,
    moved: bool,
) -> list[PlannedReminder]:
    """The reminder rows to add or change so the outbox matches the event and the answers.

    ``offsets_s``: the event's reminders (none once it is cancelled); ``wanted``: for each person
    whose answer is known, whether they want reminders (going or maybe, reminders on);
    ``existing``: the reminders already in the outbox for these people.

    A wanted reminder whose time is still ahead is pending; one whose time passed before the
    person answered is skipped, never sent late. A reminder already sent is sent again only
    when the event moved later by at least that reminder's lead time (a week's reminder after
    a move of a week or more): a smaller move is covered by the change notice, and two
    reminders a day apart would say the same thing twice. Rows are never deleted, so a
    reminder is never sent twice however often someone changes their answer.
    """
    offsets = set(offsets_s)
    known = {(row.user_id, row.offset_s): row for row in existing}
    planned: list[PlannedReminder] = []
    for person in sorted(set(wanted) | {row.user_id for row in existing}):
        refs = offsets | {row.offset_s for row in existing if row.user_id == person}
        for offset in sorted(refs, reverse=True):
            due = starts_at - timedelta(seconds=offset)
            change = _plan_one(
                known.get((person, offset)),
                person,
                offset,
                due,
                wants=wanted.get(person, False) and offset in offsets,
                ahead=due > now,
                moved=moved,
            )
            if change is not None:
                planned.append(change)
    return planned


def _plan_one(
    row: ReminderState | None,
    person: int,
    offset: int,
    due: datetime,
    *,
    wants: bool,
    ahead: bool,
    moved: bool,
) -> PlannedReminder | None:
    if row is None:
        if not wants:
            return None
        if ahead:
            return PlannedReminder(None, person, offset, due, "pending", None)
        return PlannedReminder(None, person, offset, due, "skipped", "too late when answered")
    if not wants:
        if row.state != "pending":
            return None
        return PlannedReminder(row.id, person, offset, due, "skipped", "withdrawn")
    if row.state == "pending":
        if row.due_at == due:
            return None
        return PlannedReminder(row.id, person, offset, due, "pending", None)
    if ahead and (
        row.state == "skipped" or (row.state == "sent" and moved and rearm(offset, row.due_at, due))
    ):
        return PlannedReminder(row.id, person, offset, due, "pending", None)
    return None
