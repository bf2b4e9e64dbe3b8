"""The console's figures page on the statistics benchmark's generated Hub (2,000 focal points,
100,000 questions, 5,000 requests, 300 events, 200 broadcasts; benchmarks/stats.py): the page's
time as a browser sees it, p50 and p99 for each period, and one workbook download.

The real bot runs against the stand-in Bot API with its console on 127.0.0.1; the page reads
its figures in the statistics worker, as in production. Requests are sent one after another
by a signed-in staff member, for each period cycling through all countries and three of them.
The page shows all five /stats areas, so it costs what the five /stats answers' queries cost
together (benchmarks/stats.py times them one by one).
"""

from __future__ import annotations

import asyncio
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

PAGES_PER_PERIOD = 20
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
        # The worker's first start is not a page's cost.
        async with http.get(console_url(bot, "/figures")) as response:
            page = await response.text()
            assert response.status == 200, response.status
        found = re.search(r'data-csrf="([^"]+)"', page)
        assert found is not None
        times: dict[str, list[float]] = {}
        for period in PERIODS:
            times[period] = []
            for index in range(PAGES_PER_PERIOD):
                query = f"/figures?period={period}&country={COUNTRIES[index % len(COUNTRIES)]}"
                started = time.perf_counter()
                async with http.get(console_url(bot, query)) as response:
                    await response.read()
                    assert response.status == 200
                times[period].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        async with http.post(
            console_url(bot, "/figures/workbook"),
            data={"period": "y", "country": "all", "csrf_token": found.group(1)},
        ) as response:
            content = await response.read()
            assert response.status == 200 and content.startswith(b"PK")
        workbook_ms = (time.perf_counter() - started) * 1000
    return times, workbook_ms, len(content)


async def run() -> None:
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
            f"figures_{period}_p50_ms={statistics.median(values):.0f}"
            f" figures_{period}_p99_ms={percentile(values, 0.99):.0f}"
            for period, values in times.items()
        )
        + f" pages={sum(len(values) for values in times.values())}"
        f" workbook_year_download_ms={workbook_ms:.0f} workbook_kib={workbook_bytes / 1024:.0f}"
    )


if __name__ == "__main__":
    asyncio.run(run())
