"""The console's figures page on the statistics benchmark's generated Hub (2,000 focal points,
100,000 questions, 5,000 requests, 300 events, 200 broadcasts; benchmarks/stats.py): the page's
time as a browser sees it for each period: made (the first visit of a period and country: the
statistics worker reads them) and kept (the same again: bot/stats/cache.py); one workbook
download; and the last 30 days' page for a country not opened yet while that year-long workbook
is being built (two worker lanes: it does not wait for the workbook).

The real bot runs against the stand-in Bot API with its console on 127.0.0.1; the page reads
its figures in the statistics worker, as in production. Requests are sent one after another
by a signed-in staff member, for each period all countries and three of them, each five times.
The page shows all five /stats areas, so it costs what the five /stats answers' queries cost
together (benchmarks/stats.py times them one by one).
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from random import Random

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from stats import NOW, STAFF, generate  # noqa: E402

from bot.clock import ManualClock  # noqa: E402
from standin import StandInBotApi  # noqa: E402
from storage.db import Database  # noqa: E402
from tests.console_harness import console_url, with_console  # noqa: E402
from tests.harness import Harness, make_config  # noqa: E402

WORKBOOK_HEAD_START_S = 0.3
VISITS = 5  # of each period and country: the first is made, the others kept
PERIODS = ("d30", "q", "y", "all")
COUNTRIES = ("all", "MA", "EG", "JO")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(bot: Harness) -> tuple[dict[str, list[float]], float, int]:
    console = bot.services.console
    opened = await console.open_with_link(await console.login_link_token(STAFF))
    assert opened is not None
    cookies = {"hubbot_console": opened.token}
    async with aiohttp.ClientSession(cookies=cookies) as http:
        # The workers' first start is not a page's cost (a country measured nowhere else).
        await _page(bot, http, "/figures?period=y&country=LB")
        async with http.get(console_url(bot, "/figures?country=LB")) as response:
            page = await response.text()
            assert response.status == 200, response.status
        found = re.search(r'data-csrf="([^"]+)"', page)
        assert found is not None
        times: dict[str, list[float]] = {}
        for period in PERIODS:
            times[f"{period}_made"], times[f"{period}_kept"] = [], []
            for country in COUNTRIES:
                for visit in range(VISITS):
                    took = await _page(bot, http, f"/figures?period={period}&country={country}")
                    times[f"{period}_{'kept' if visit else 'made'}"].append(took)
        workbook = asyncio.ensure_future(_workbook(bot, http, found.group(1)))
        # The workbook's job reaches the worker first (it takes seconds; this is a head start).
        await asyncio.sleep(WORKBOOK_HEAD_START_S)
        # While the year's workbook is built in the long lane: a 30-day page not yet kept.
        times["d30_beside_workbook"] = [await _page(bot, http, "/figures?period=d30&country=TN")]
        workbook_ms, content = await workbook
    return times, workbook_ms, len(content)


async def _page(bot: Harness, http: aiohttp.ClientSession, query: str) -> float:
    started = time.perf_counter()
    async with http.get(console_url(bot, query)) as response:
        await response.read()
        assert response.status == 200
    return (time.perf_counter() - started) * 1000


async def _workbook(bot: Harness, http: aiohttp.ClientSession, csrf: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    async with http.post(
        console_url(bot, "/figures/workbook"),
        data={"period": "y", "country": "all", "csrf_token": csrf},
    ) as response:
        content = await response.read()
        assert response.status == 200 and content.startswith(b"PK")
    return (time.perf_counter() - started) * 1000, content


async def run() -> None:
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        async with StandInBotApi() as api:
            api.add_user(STAFF, "Hala", language_code="en")
            config = replace(make_config(Path(folder), api), admin_ids=frozenset({STAFF}))
            db = Database(config.database_path)
            await db.open()
            started = time.perf_counter()
            await generate(db, Random(14))
            await db.close()
            print(f"generated in {time.perf_counter() - started:.1f} s")
            bot = with_console(Harness(api=api, config=config, clock=ManualClock(NOW)))
            async with bot.running():
                times, workbook_ms, workbook_bytes = await measure(bot)
    print(
        " ".join(
            f"figures_{name}_p50_ms={statistics.median(values):.0f}"
            f" figures_{name}_max_ms={max(values):.0f}"
            for name, values in times.items()
        )
        + f" pages={sum(len(values) for values in times.values())}"
        f" load_before={load_before:.1f} load_after={os.getloadavg()[0]:.1f}"
        f" workbook_year_download_ms={workbook_ms:.0f} workbook_kib={workbook_bytes / 1024:.0f}"
    )


if __name__ == "__main__":
    asyncio.run(run())
