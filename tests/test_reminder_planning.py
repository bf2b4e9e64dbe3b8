"""Reminder planning on plain values: which reminders to add, change or leave, and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.events.planning import plan_reminders
from storage.models import PlannedReminder, ReminderState

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
STARTS = NOW + timedelta(days=10)
WEEK_S, DAY_S, HOUR_S = 7 * 86_400, 86_400, 3_600
OFFSETS = (WEEK_S, DAY_S, HOUR_S)
ANNA = 301


def plan(
    *,
    starts_at: datetime = STARTS,
    offsets: tuple[int, ...] = OFFSETS,
    wanted: dict[int, bool] | None = None,
    existing: list[ReminderState] | None = None,
    moved: bool = False,
) -> list[PlannedReminder]:
    return plan_reminders(
        starts_at=starts_at,
        offsets_s=offsets,
        wanted={ANNA: True} if wanted is None else wanted,
        existing=existing or [],
        now=NOW,
        moved=moved,
    )


def sent(offset_s: int, due_at: datetime, state: str = "sent", row_id: int = 1) -> ReminderState:
    return ReminderState(row_id, ANNA, offset_s, state, due_at)


def test_a_new_answer_gets_every_reminder_still_ahead() -> None:
    planned = plan()
    assert [(p.offset_s, p.state, p.id) for p in planned] == [
        (WEEK_S, "pending", None),
        (DAY_S, "pending", None),
        (HOUR_S, "pending", None),
    ]
    assert planned[0].due_at == STARTS - timedelta(days=7)


def test_a_reminder_whose_time_passed_before_the_answer_is_skipped_never_sent_late() -> None:
    [week, *_] = plan(starts_at=NOW + timedelta(days=3))
    assert (week.state, week.detail) == ("skipped", "too late when answered")


def test_not_going_adds_nothing_and_withdraws_what_is_pending() -> None:
    assert plan(wanted={ANNA: False}) == []
    pending = sent(DAY_S, STARTS - timedelta(days=1), state="pending")
    [withdrawn] = plan(wanted={ANNA: False}, existing=[pending])
    assert (withdrawn.id, withdrawn.state, withdrawn.detail) == (1, "skipped", "withdrawn")


def test_a_reminder_already_sent_is_not_sent_again_for_a_small_move() -> None:
    week = sent(WEEK_S, NOW - timedelta(hours=1))
    later = STARTS + timedelta(days=1)
    planned = plan(starts_at=later, offsets=(WEEK_S,), existing=[week], moved=True)
    assert planned == []


def test_a_move_by_at_least_the_lead_time_sends_that_reminder_again() -> None:
    week = sent(WEEK_S, NOW - timedelta(hours=1))
    later = STARTS + timedelta(days=7)
    [again] = plan(starts_at=later, offsets=(WEEK_S,), existing=[week], moved=True)
    assert (again.id, again.state, again.due_at) == (1, "pending", later - timedelta(days=7))


def test_a_pending_reminder_follows_the_event_and_an_unchanged_one_is_left() -> None:
    pending = sent(DAY_S, STARTS - timedelta(days=1), state="pending")
    assert plan(offsets=(DAY_S,), existing=[pending]) == []
    [moved] = plan(starts_at=STARTS + timedelta(hours=2), offsets=(DAY_S,), existing=[pending])
    assert (moved.id, moved.due_at) == (1, STARTS + timedelta(hours=2) - timedelta(days=1))


def test_a_cancelled_event_withdraws_every_pending_reminder() -> None:
    pending = [
        sent(offset, STARTS - timedelta(seconds=offset), "pending", i)
        for i, offset in enumerate(OFFSETS, 1)
    ]
    planned = plan(offsets=(), existing=pending)
    assert {(p.id, p.state) for p in planned} == {(1, "skipped"), (2, "skipped"), (3, "skipped")}
