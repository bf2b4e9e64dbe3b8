"""The console's requests board with 5,000 requests: the board query; the board page as staff
open it (wall clock and the process's CPU time per page, since the machine is shared: the
load average is printed too), with each of the filters in turn; and the time from a status
change made on a Telegram card to an open board showing it (the event reaching the page's
stream, then the board fetched again, as the page does).

The bot runs as in the tests: the real Application long-polling the stand-in Bot API on
127.0.0.1, with its console; the "page" is an aiohttp client signed in as staff.

    python benchmarks/console_requests.py [--requests 5000] [--rounds 200] [--changes 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.request_board_data import FIRST_FOCAL_POINT, fill  # noqa: E402
from bot import heap  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.console.server import SESSION_COOKIE  # noqa: E402
from bot.services import Services  # noqa: E402
from handlers.routes import TRI_STATUS  # noqa: E402
from standin import StandInBotApi  # noqa: E402
from storage.support_requests import BoardFilter  # noqa: E402
from tests.console_harness import with_console  # noqa: E402
from tests.harness import ADMIN, Harness, make_config  # noqa: E402

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
# The same filters as the board page's query strings.
PAGE_QUERIES = (
    "",
    "?country=MA",
    "?topic=youth",
    "?assignee=103",
    "?assignee=0",
    "?age=30",
    "?q=council",
    "?q=TSR-2026-00042",
    "?country=EG&q=%D8%A7%D9%84%D8%B4%D8%A8%D8%A7%D8%A8",
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


async def run(requests: int, rounds: int, changes: int, pages: int) -> None:
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        config = Config(token=None, database_path=Path(folder) / "bench.sqlite3")
        services = await Services.open(config, ManualClock(NOW))
        await fill(services.db, requests=requests, now=NOW)
        for line in await services.support._requests.explain_board(BoardFilter(country="MA")):
            print(f"plan: {line}")
        query = await board_query(services, rounds)
        await services.close()
        live = await telegram_to_console(Path(folder) / "live", requests, changes, pages)
    figures = {
        "board_query": query,
        "board_page": live.page_wall,
        "board_page_cpu": live.page_cpu,
        "telegram_to_event": live.seen,
        "telegram_to_board": live.shown,
    }
    for name, times in figures.items():
        print(
            f"{name}: p50 {statistics.median(times) * 1000:.1f} ms, "
            f"p99 {percentile(times, 0.99) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms"
        )
    print(
        f"requests={requests} "
        + " ".join(
            f"{name}_p50_ms={statistics.median(times) * 1000:.1f} "
            f"{name}_p99_ms={percentile(times, 0.99) * 1000:.1f}"
            for name, times in figures.items()
        )
        + f" load_before={load_before:.1f} load_after={os.getloadavg()[0]:.1f}"
    )


@dataclass
class LiveFigures:
    page_wall: list[float] = field(default_factory=list)
    page_cpu: list[float] = field(default_factory=list)  # the whole process: bot, stand-in, page
    seen: list[float] = field(default_factory=list)
    shown: list[float] = field(default_factory=list)


async def board_pages(
    page: aiohttp.ClientSession, base: str, pages: int, figures: LiveFigures
) -> None:
    """The board page as a browser asks for it, with each filter in turn."""
    for number in range(pages):
        url = f"{base}/requests{PAGE_QUERIES[number % len(PAGE_QUERIES)]}"
        started, cpu = time.perf_counter(), time.process_time()
        async with page.get(url) as response:
            html = await response.text()
            assert response.status == 200, (url, response.status)
        figures.page_cpu.append(time.process_time() - cpu)
        figures.page_wall.append(time.perf_counter() - started)
        assert "request-card" in html


async def telegram_to_console(folder: Path, requests: int, changes: int, pages: int) -> LiveFigures:
    """The board pages, then staff press a status button on a Telegram card while the board
    is open elsewhere."""
    figures = LiveFigures()
    async with StandInBotApi() as api:
        api.add_user(ADMIN, "Hala", language_code="en")
        for user_id in range(FIRST_FOCAL_POINT, FIRST_FOCAL_POINT + 40):
            # The cities' focal points are told of each change, as they would be.
            api.add_user(user_id, f"Focal {user_id}", language_code="ar")
        bot = with_console(
            Harness(api=api, config=make_config(folder, api), clock=ManualClock(NOW))
        )
        bot.config = replace(bot.config, flood_burst=100_000)
        async with bot.running():
            ids = await fill(bot.services.db, requests=requests, now=NOW)
            await bot.say(ADMIN, "/start")
            heap.settle()  # as `hubbot run` does once started (bot/heap.py)
            card = api.last_message(ADMIN).message_id
            opened = await bot.services.console.open_with_link(
                await bot.services.console.login_link_token(ADMIN)
            )
            assert opened is not None and bot.config.console_url is not None
            base = bot.config.console_url
            async with (
                aiohttp.ClientSession(cookies={SESSION_COOKIE: opened.token}) as page,
                page.get(f"{base}/requests/stream", timeout=aiohttp.ClientTimeout()) as stream,
            ):
                await board_pages(page, base, pages, figures)
                for number in range(changes):
                    request_id = ids[number * 97 % len(ids)]
                    request = await bot.services.support.get(request_id)
                    assert request is not None
                    status = "accepted" if request.status != "accepted" else "in_progress"
                    started = time.perf_counter()
                    api.press_button(
                        ADMIN, card, TRI_STATUS.data(request_id, status, request.version)
                    )
                    await _event_for(stream, request_id)
                    figures.seen.append(time.perf_counter() - started)
                    async with page.get(f"{base}/requests/board") as board:
                        html = await board.text()
                    assert f'data-request="{request_id}"' in html or "more" in html
                    figures.shown.append(time.perf_counter() - started)
    return figures


async def _event_for(stream: aiohttp.ClientResponse, request_id: int) -> None:
    """Read the stream until the event about this request."""
    async for line in stream.content:
        text = line.decode().strip()
        if text.startswith("data: {") and json.loads(text[6:]).get("id") == request_id:
            return
    raise RuntimeError("the event stream ended")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--pages", type=int, default=450, help="board pages opened")
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.rounds, args.changes, args.pages))


if __name__ == "__main__":
    main()
