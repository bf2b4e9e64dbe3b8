"""The request board's query, the request versions and the feed of changes, on plain data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import Config
from bot.services import Services
from bot.support.desk import ChangedMeanwhile, InputProblem
from bot.support.feed import FeedClosed, RequestChange, RequestFeed
from storage.models import SupportRequest
from storage.support_requests import BoardFilter

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
STAFF = 100
OTHER_STAFF = 101
FOCAL_POINTS = {1001: ("MA", "Fes"), 1002: ("EG", "Alexandria"), 1003: ("IQ", "Mosul")}


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    config = Config(token=None, database_path=tmp_path / "board.sqlite3")
    opened = await Services.open(config, ManualClock(START))
    now = START.isoformat()
    async with opened.db.transaction() as tx:
        for user_id, first_name in ((STAFF, "Hala"), (OTHER_STAFF, "Omar")):
            await tx.execute(
                "INSERT INTO users (id, first_name, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
                (user_id, first_name, now, now),
            )
        for user_id, (country, city) in FOCAL_POINTS.items():
            await tx.execute(
                "INSERT INTO users (id, first_name, created_at, last_seen_at)"
                " VALUES (?, 'Focal', ?, ?)",
                (user_id, now, now),
            )
            await tx.execute(
                "INSERT INTO focal_points (user_id, full_name, country, city, status, created_at)"
                " VALUES (?, 'Focal point', ?, ?, 'approved', ?)",
                (user_id, country, city, now),
            )
    yield opened
    await opened.close()


async def file(
    services: Services, user_id: int, title: str, *, topic: str = "youth", description: str = ""
) -> SupportRequest:
    country, city = FOCAL_POINTS[user_id]
    clock = services.clock
    assert isinstance(clock, ManualClock)
    request, created = await services.support._requests.submit(
        submission_key=f"key-{title}",
        user_id=user_id,
        country=country,
        city=city,
        fields={
            "topic": topic,
            "kind": "advice",
            "title": title,
            "description": description or f"About {title}, long enough to be a description.",
            "time_frame": "soon",
            "contact": "telegram",
        },
        attachments=[],
        draft_flow="request",
        now=clock.now(),
    )
    assert created
    clock.advance(timedelta(days=1))
    return request


def references(columns: list, status: str) -> list[str]:  # type: ignore[type-arg]
    [column] = [column for column in columns if column.status == status]
    return [request.title for request in column.requests]


async def test_board_columns_filters_and_search(services: Services) -> None:
    support = services.support
    fes_youth = await file(services, 1001, "Youth council", description="مجلس الشباب في فاس")
    alex_crisis = await file(services, 1002, "Crisis plan", topic="crisis")
    mosul_youth = await file(services, 1003, "Youth centre 100% open")
    fes_old = await file(services, 1001, "Networks", topic="networks")
    await support.change_status(fes_old.id, "completed", staff_id=STAFF)
    await support.assign(alex_crisis.id, OTHER_STAFF, staff_id=STAFF)

    board = await support.board(BoardFilter(), per_column=10)
    assert [column.status for column in board] == [
        "new",
        "in_review",
        "accepted",
        "in_progress",
        "waiting_city",
        "completed",
        "declined",
    ]
    # Open columns: the longest waiting first.
    assert references(board, "new") == ["Youth council", "Crisis plan", "Youth centre 100% open"]
    assert references(board, "completed") == ["Networks"]
    [new_column] = [column for column in board if column.status == "new"]
    assert new_column.total == 3
    card = new_column.requests[1]
    assert card.assignee_name == "Omar" and card.city == "Alexandria"

    async def titles(where: BoardFilter) -> set[str]:
        columns = await support.board(where, per_column=10)
        return {request.title for column in columns for request in column.requests}

    assert await titles(BoardFilter(country="MA")) == {"Youth council", "Networks"}
    assert await titles(BoardFilter(topic="youth")) == {"Youth council", "Youth centre 100% open"}
    assert await titles(BoardFilter(assignee=OTHER_STAFF)) == {"Crisis plan"}
    assert await titles(BoardFilter(assignee=0)) == {
        "Youth council",
        "Youth centre 100% open",
        "Networks",
    }
    # At least three days old, on the 5th: filed on the 1st and the 2nd.
    old = services.clock.now() - timedelta(days=3)
    assert await titles(BoardFilter(filed_before=old)) == {"Youth council", "Crisis plan"}
    # Search: the reference, the title, the description (Arabic too); every word must match;
    # % and _ are letters, not patterns.
    assert await titles(BoardFilter(search=mosul_youth.reference)) == {"Youth centre 100% open"}
    assert await titles(BoardFilter(search="youth")) == {"Youth council", "Youth centre 100% open"}
    assert await titles(BoardFilter(search="الشباب فاس")) == {"Youth council"}
    assert await titles(BoardFilter(search="100%")) == {"Youth centre 100% open"}
    assert await titles(BoardFilter(search="1_0")) == set()
    assert await titles(BoardFilter(search="youth crisis")) == set()
    # A column keeps its total when it shows fewer cards.
    short = await support.board(BoardFilter(), per_column=1)
    assert references(short, "new") == ["Youth council"]
    assert [column.total for column in short if column.status == "new"] == [3]
    assert fes_youth.version == 1


async def test_a_change_on_a_stale_version_is_refused_and_says_who(services: Services) -> None:
    support = services.support
    request = await file(services, 1001, "Youth council")
    assert request.version == 1
    # Hala accepts it, having seen version 1; Omar, who also saw version 1, completes it.
    accepted = await support.change_status(request.id, "accepted", staff_id=STAFF, seen_version=1)
    assert accepted is not None and accepted.version == 2
    with pytest.raises(ChangedMeanwhile) as refused:
        await support.change_status(request.id, "completed", staff_id=OTHER_STAFF, seen_version=1)
    assert refused.value.changed_by_name == "Hala"
    assert refused.value.current.status == "accepted"
    with pytest.raises(ChangedMeanwhile):
        await support.assign(request.id, OTHER_STAFF, staff_id=OTHER_STAFF, seen_version=1)
    # A question or a decline on a stale view: refused, the text kept for the staff member.
    for action in ("question", "decline"):
        outcome = await support.record_staff_text(
            request.id, action, "When does the council meet?", staff_id=OTHER_STAFF, seen_version=1
        )
        assert outcome.problem is InputProblem.CHANGED_MEANWHILE
        assert outcome.changed_by_name == "Hala"
    # A note only adds to the history: kept whatever the version.
    note = await support.record_staff_text(
        request.id, "note", "Call them on Monday.", staff_id=OTHER_STAFF, seen_version=1
    )
    assert note.problem is None
    current = await support.get(request.id)
    assert current is not None and current.status == "accepted" and current.assignee is None
    assert current.version == 2
    details = await support.details(request.id)
    assert details is not None
    assert [event.kind for event in details.events] == ["filed", "status", "note"]
    # Omar, now on version 2, can act.
    assigned = await support.assign(request.id, OTHER_STAFF, staff_id=OTHER_STAFF, seen_version=2)
    assert assigned is not None and assigned.version == 3


async def test_every_change_reaches_the_feed_in_order(services: Services) -> None:
    support = services.support
    async with support.feed.listen() as listener:
        request = await file(services, 1001, "Youth council")
        await support.assign(request.id, STAFF, staff_id=STAFF)
        await support.record_staff_text(request.id, "note", "Internal.", staff_id=STAFF)
        await support.record_staff_text(request.id, "question", "How many?", staff_id=STAFF)
        changes = [await listener.next() for _ in range(3)]
        assert listener.pending() == 0
    # Filing through the repository directly is not the form: the form publishes "filed".
    assert [(c.kind, c.version) for c in changes if c] == [
        ("assigned", 2),
        ("note", 2),
        ("question", 3),
    ]
    assert support.feed.count == 0


async def test_a_listener_that_falls_behind_is_told_to_reload() -> None:
    feed = RequestFeed(backlog=3)
    change = RequestChange(1, "TSR-2026-0001", "status", "accepted", 2, STAFF, START)
    async with feed.listen() as slow, feed.listen() as quick:
        for _ in range(3):
            feed.publish(change)
            assert await quick.next() == change
        feed.publish(change)
        assert slow.pending() == 1
        assert await slow.next() is None
        feed.publish(change)
        assert await slow.next() == change


async def test_closing_the_feed_ends_its_listeners() -> None:
    feed = RequestFeed()
    async with feed.listen() as listener:
        feed.close()
        with pytest.raises(FeedClosed):
            await listener.next()
        with pytest.raises(FeedClosed):
            await listener.next()
    async with feed.listen() as late:
        with pytest.raises(FeedClosed):
            await late.next()
