"""The console's requests board with 5,000 requests: the board query, and (with the console)
the board page's time and the time from a Telegram status change to an open board showing it.

    python benchmarks/console_requests.py [--requests 5000] [--rounds 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.request_board_data import fill  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.services import Services  # noqa: E402
from storage.support_requests import BoardFilter  # noqa: E402

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
PER_COLUMN = 40
# What staff filter by, in turn: nothing, a country, a topic, an assignee, nobody, an age,
# a word of a title, a reference, and two filters at once.
FILTERS = (
    BoardFilter(),
    BoardFilter(country="MA"),
    BoardFilter(topic="youth"),
    BoardFilter(assignee=103),
    BoardFilter(assignee=0),
    BoardFilter(filed_before=NOW - timedelta(days=30)),
    BoardFilter(search="council"),
    BoardFilter(search="TSR-2026-00042"),
    BoardFilter(country="EG", search="الشباب"),
)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def board_query(services: Services, rounds: int) -> list[float]:
    timings = []
    for round_number in range(rounds):
        where = FILTERS[round_number % len(FILTERS)]
        started = time.perf_counter()
        await services.support.board(where, per_column=PER_COLUMN)
        timings.append(time.perf_counter() - started)
    return timings


async def run(requests: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = Config(token=None, database_path=Path(folder) / "bench.sqlite3")
        services = await Services.open(config, ManualClock(NOW))
        await fill(services.db, requests=requests, now=NOW)
        for line in await services.support._requests.explain_board(BoardFilter(country="MA")):
            print(f"plan: {line}")
        query = await board_query(services, rounds)
        await services.close()
    print(
        f"board query ({requests} requests, {len(FILTERS)} filters in turn): "
        f"p50 {statistics.median(query) * 1000:.1f} ms, p99 {percentile(query, 0.99) * 1000:.1f} ms"
    )
    print(
        f"requests={requests} board_query_p50_ms={statistics.median(query) * 1000:.1f} "
        f"board_query_p99_ms={percentile(query, 0.99) * 1000:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.rounds))


if __name__ == "__main__":
    main()
