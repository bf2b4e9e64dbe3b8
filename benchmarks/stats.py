"""Staff statistics on a generated Hub: each /stats chart, the full-year workbook, peak memory,
and the query plans (no full scan of the big tables).

The database: 2,000 focal points, 100,000 questions asked (20,000 of them kept unanswered),
5,000 support requests with their history, 300 events with 20,000 answers (and their
invitations and reminders), 200 broadcasts with 400,000 deliveries. Generated with executemany
in large transactions (storage/bulk.py), from a fixed seed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.clock import ManualClock  # noqa: E402
from bot.geography import COUNTRIES, OTHER_COUNTRY  # noqa: E402
from bot.i18n import Catalogs  # noqa: E402
from bot.knowledge.content import TOPICS as KNOWLEDGE_TOPICS  # noqa: E402
from bot.stats import charts, labels  # noqa: E402
from bot.stats.areas import AREAS  # noqa: E402
from bot.stats.periods import Period  # noqa: E402
from bot.stats.service import StatsService  # noqa: E402
from bot.stats.workbook import build_workbook  # noqa: E402
from bot.support.vocabulary import SUPPORT_KINDS, TOPICS  # noqa: E402
from storage.bulk import insert_rows  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.stats import StatsRepository  # noqa: E402

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
FIRST_DAY = datetime(2025, 1, 1, tzinfo=UTC)
FOCAL_POINTS = 2_000
QUESTIONS = 100_000
UNANSWERED_SHARE = 0.2
REQUESTS = 5_000
EVENTS = 300
ANSWERS = 20_000
BROADCASTS = 200
DELIVERIES = 400_000
CHUNK_ROWS = 50_000
AREA_NAMES = {
    "fp": "focal_points",
    "q": "questions",
    "r": "requests",
    "e": "events",
    "b": "broadcasts",
}
STAFF = 9_000
CHART_GOAL_S = 1.0
WORKBOOK_GOAL_S = 10.0
PLACES = [
    (place.code, city)
    for place in COUNTRIES
    if place.code != OTHER_COUNTRY
    for city in place.cities
]
BIG_TABLES = {
    "questions_asked",
    "questions",
    "support_request_events",
    "event_rsvps",
    "event_notices",
    "broadcast_recipients",
}
# The aliases each query gives the tables, to name what a plan's SCAN line reads.
ALIASES = {
    "focal_points": {"q": "questions", "r": "support_requests", "v": "event_rsvps"},
    "cities_reached": {"q": "questions", "r": "support_requests", "v": "event_rsvps"},
    "forwarded_questions": {"q": "questions"},
    "frequent_unanswered": {"q": "questions"},
    "requests": {"r": "support_requests", "e": "support_request_events"},
    "request_history": {"r": "support_requests", "e": "support_request_events"},
    "waiting_longest": {"r": "support_requests"},
    "event_attendance": {"v": "event_rsvps", "n": "event_notices", "e": "events"},
    "broadcast_reach": {"b": "broadcasts", "r": "broadcast_recipients"},
}


def moment(rng: random.Random, after: datetime = FIRST_DAY) -> datetime:
    return after + (NOW - after) * rng.random()


def stamp(value: datetime) -> str:
    return value.isoformat()


def chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


async def insert(db: Database, table: str, rows: Iterator[dict[str, Any]]) -> None:
    for batch in chunks(rows):
        await insert_rows(db, table, batch)


async def generate(db: Database, rng: random.Random) -> None:
    people = list(range(1, FOCAL_POINTS + 1))
    homes = {person: rng.choice(PLACES) for person in people}
    languages = {person: rng.choices(("ar", "fr", "en"), (5, 3, 2))[0] for person in people}
    joined = {person: moment(rng) for person in people}
    await insert(
        db,
        "users",
        (
            {
                "id": person,
                "first_name": "Focal",
                "language": languages.get(person, "en"),
                "created_at": stamp(joined.get(person, FIRST_DAY)),
                "last_seen_at": stamp(moment(rng, joined.get(person, FIRST_DAY))),
            }
            for person in [*people, STAFF]
        ),
    )
    await insert(
        db,
        "focal_points",
        (
            {
                "user_id": person,
                "full_name": "Official",
                "country": homes[person][0],
                "city": homes[person][1],
                "status": rng.choices(("approved", "pending", "rejected"), (18, 1, 1))[0],
                "created_at": stamp(joined[person]),
                "reviewed_at": stamp(joined[person] + timedelta(days=1)),
            }
            for person in people
        ),
    )
    await insert(
        db,
        "questions_asked",
        (
            {
                "asked_at": stamp(moment(rng)),
                "language": languages[asker],
                "country": homes[asker][0],
                "outcome": "declined" if declined else "answered",
                "topic": None if declined else rng.choice(KNOWLEDGE_TOPICS),
            }
            for asker, declined in (
                (rng.choice(people), rng.random() < UNANSWERED_SHARE) for _ in range(QUESTIONS)
            )
        ),
    )
    await insert(
        db,
        "questions",
        (_question(rng, people, languages) for _ in range(int(QUESTIONS * UNANSWERED_SHARE))),
    )
    await _requests(db, rng, people, homes)
    await _events(db, rng, people)
    await _broadcasts(db, rng, people, homes, languages)


def _question(rng: random.Random, people: list[int], languages: dict[int, str]) -> dict[str, Any]:
    asker = rng.choice(people)
    created = moment(rng)
    forwarded = created + timedelta(minutes=2) if rng.random() < 0.3 else None
    answered = (
        forwarded + timedelta(hours=rng.uniform(1, 72))
        if forwarded and rng.random() < 0.8
        else None
    )
    return {
        "user_id": asker,
        "text": f"question number {rng.randrange(500)}",
        "language": languages[asker],
        "status": "answered" if answered else "forwarded" if forwarded else "unanswered",
        "created_at": stamp(created),
        "forwarded_at": stamp(forwarded) if forwarded else None,
        "answered_at": stamp(answered) if answered else None,
    }


async def _requests(
    db: Database, rng: random.Random, people: list[int], homes: dict[int, tuple[str, str]]
) -> None:
    requests, history = [], []
    for number in range(1, REQUESTS + 1):
        filer = rng.choice(people)
        filed = moment(rng)
        steps = [("filed", filer, "new", filed)]
        at = filed + timedelta(hours=rng.uniform(1, 96))
        for status in ("in_review", "accepted", "in_progress"):
            if at > NOW or rng.random() < 0.15:
                break
            steps.append(("status", STAFF, status, at))
            at += timedelta(days=rng.uniform(1, 20))
        else:
            if at < NOW:
                steps.append(("status", STAFF, rng.choice(("completed", "declined")), at))
        requests.append(
            {
                "id": number,
                "reference": f"TSR-{filed.year}-{number:05d}",
                "year": filed.year,
                "number": number,
                "submission_key": f"key-{number}",
                "filed_by": filer,
                "country": homes[filer][0],
                "city": homes[filer][1],
                "topic": rng.choice(list(TOPICS)),
                "support_kind": rng.choice(list(SUPPORT_KINDS)),
                "title": "Request",
                "description": "Description",
                "time_frame": "soon",
                "contact": "telegram",
                "status": steps[-1][2],
                "created_at": stamp(filed),
                "updated_at": stamp(steps[-1][3]),
            }
        )
        history.extend(
            {
                "request_id": number,
                "kind": kind,
                "actor": actor,
                "status": status,
                "at": stamp(when),
            }
            for kind, actor, status, when in steps
        )
    await insert(db, "support_requests", iter(requests))
    await insert(db, "support_request_events", iter(history))


async def _events(db: Database, rng: random.Random, people: list[int]) -> None:
    starts = {event: moment(rng) for event in range(1, EVENTS + 1)}
    await insert(
        db,
        "events",
        (
            {
                "id": event,
                "titles": json.dumps({"en": f"Workshop {event}"}),
                "starts_at": stamp(start),
                "ends_at": stamp(start + timedelta(hours=2)),
                "time_zone": "UTC",
                "reminder_offsets": "86400,3600",
                "status": "scheduled",
                "created_at": stamp(start - timedelta(days=20)),
                "updated_at": stamp(start - timedelta(days=20)),
            }
            for event, start in starts.items()
        ),
    )
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < ANSWERS:
        pairs.add((rng.randrange(1, EVENTS + 1), rng.choice(people)))
    answers = {pair: rng.choices(("going", "maybe", "no"), (5, 2, 3))[0] for pair in pairs}
    await insert(
        db,
        "event_rsvps",
        (
            {
                "event_id": event,
                "user_id": person,
                "answer": answer,
                "answered_at": stamp(starts[event] - timedelta(days=3)),
            }
            for (event, person), answer in answers.items()
        ),
    )
    notices = [
        {
            "event_id": event,
            "user_id": person,
            "kind": "invitation",
            "ref": 0,
            "due_at": stamp(starts[event] - timedelta(days=14)),
            "state": "sent",
            "updated_at": stamp(starts[event] - timedelta(days=14)),
        }
        for event, person in pairs
    ]
    notices.extend(
        {
            "event_id": event,
            "user_id": person,
            "kind": "reminder",
            "ref": offset,
            "due_at": stamp(starts[event] - timedelta(seconds=offset)),
            "state": "sent",
            "updated_at": stamp(starts[event] - timedelta(seconds=offset)),
        }
        for (event, person), answer in answers.items()
        if answer == "going"
        for offset in (86400, 3600)
    )
    await insert(db, "event_notices", iter(notices))


async def _broadcasts(
    db: Database,
    rng: random.Random,
    people: list[int],
    homes: dict[int, tuple[str, str]],
    languages: dict[int, str],
) -> None:
    scheduled = {broadcast: moment(rng) for broadcast in range(1, BROADCASTS + 1)}
    await insert(
        db,
        "broadcasts",
        (
            {
                "id": broadcast,
                "created_by": STAFF,
                "versions": json.dumps({"en": "News"}),
                "audience": json.dumps({"kind": "all", "values": []}),
                "status": "done",
                "scheduled_for": stamp(when),
                "created_at": stamp(when),
            }
            for broadcast, when in scheduled.items()
        ),
    )
    per_broadcast = DELIVERIES // BROADCASTS
    await insert(
        db,
        "broadcast_recipients",
        (
            {
                "broadcast_id": broadcast,
                "user_id": person,
                "position": position,
                "language": languages[person],
                "version": languages[person],
                "country": homes[person][0],
                "state": rng.choices(("sent", "blocked", "failed"), (95, 4, 1))[0],
                "updated_at": stamp(scheduled[broadcast]),
            }
            for broadcast in scheduled
            for position, person in enumerate(people[:per_broadcast])
        ),
    )


async def chart_times(stats: StatsService, catalogs: Catalogs) -> dict[str, tuple[float, float]]:
    """Seconds per /stats answer (queries and drawing, as the handler does them): wall and CPU
    time, the slowest of this year and all time. CPU time is what one core spends; the wall
    time also counts waiting for a busy machine."""
    t = catalogs.translator("ar")  # Arabic: shaping and mirroring are the most work
    slowest: dict[str, tuple[float, float]] = {}
    for period in (Period.YEAR, Period.ALL_TIME):
        window = stats.window(period)
        scope = labels.period_label(t, period, window)
        for area, load in AREAS.items():
            wall, cpu = time.perf_counter(), time.process_time()
            draw = await load(t, scope, stats, window)
            charts.draw_alone(draw)
            measured = (time.perf_counter() - wall, time.process_time() - cpu)
            name = AREA_NAMES[area]
            slowest[name] = max(slowest.get(name, (0.0, 0.0)), measured, key=lambda m: m[1])
    return slowest


async def workbook_time(stats: StatsService, catalogs: Catalogs) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    report = await stats.report(stats.window(Period.YEAR))
    content = build_workbook(catalogs.translator("en"), report)
    return time.perf_counter() - wall, time.process_time() - cpu, len(content)


def full_scans(plans: dict[str, list[str]]) -> list[str]:
    found = []
    for query, lines in plans.items():
        for line in lines:
            words = line.split()
            if words[:1] != ["SCAN"] or "INDEX" in line:
                continue
            table = ALIASES.get(query, {}).get(words[1], words[1])
            if table in BIG_TABLES:
                found.append(f"{query}: {line}")
    return found


async def run(keep: Path | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = keep or Path(folder) / "stats.sqlite3"
        path.unlink(missing_ok=True)
        db = Database(path)
        await db.open()
        started = time.perf_counter()
        await generate(db, random.Random(14))
        generate_s = time.perf_counter() - started
        print(f"generated in {generate_s:.1f} s ({path.stat().st_size / 2**20:.0f} MiB)")
        stats = StatsService(stats=StatsRepository(db), clock=ManualClock(NOW))
        catalogs = Catalogs.load()
        charts.focal_points_chart(  # matplotlib's first figure loads fonts: not a chart's cost
            catalogs.translator("en"), "", await stats.focal_points(stats.window(Period.YEAR))
        )
        per_chart = await chart_times(stats, catalogs)
        for name, (wall_s, cpu_s) in per_chart.items():
            print(f"/stats {name:<13} cpu {cpu_s * 1000:5.0f} ms, wall {wall_s * 1000:5.0f} ms")
        workbook_s, workbook_cpu_s, workbook_bytes = await workbook_time(stats, catalogs)
        print(
            f"full-year workbook  cpu {workbook_cpu_s * 1000:5.0f} ms,"
            f" wall {workbook_s * 1000:5.0f} ms, {workbook_bytes / 1024:.0f} KiB"
        )
        tracemalloc.start()
        await workbook_time(stats, catalogs)
        await chart_times(stats, catalogs)
        _, peak_bytes = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        plans = await StatsRepository(db).explain(stats.window(Period.ALL_TIME))
        for query, lines in plans.items():
            print(f"EXPLAIN QUERY PLAN {query}:")
            for line in lines:
                print(f"    {line}")
        scans = full_scans(plans)
        for scan in scans:
            print(f"FULL SCAN of a big table: {scan}")
        await db.close()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    slowest_cpu = max(cpu for _, cpu in per_chart.values())
    print(
        f"chart_max_cpu_ms={slowest_cpu * 1000:.0f}"
        f" chart_max_wall_ms={max(wall for wall, _ in per_chart.values()) * 1000:.0f} "
        + " ".join(f"{name}_cpu_ms={cpu * 1000:.0f}" for name, (_, cpu) in per_chart.items())
        + f" workbook_year_cpu_ms={workbook_cpu_s * 1000:.0f}"
        f" workbook_year_wall_ms={workbook_s * 1000:.0f}"
        f" peak_traced_mib={peak_bytes / 2**20:.1f} max_rss_mib={rss_mib:.0f}"
        f" generate_s={generate_s:.1f} full_scans={len(scans)}"
        f" charts_ok={int(slowest_cpu <= CHART_GOAL_S)}"
        f" workbook_ok={int(workbook_cpu_s <= WORKBOOK_GOAL_S)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", type=Path, help="write the generated database here")
    args = parser.parse_args()
    asyncio.run(run(args.keep))


if __name__ == "__main__":
    main()
