"""Replies while a staff member builds the full-year report, on the 100,000-question database.

The database is the one benchmarks/stats.py generates (same seed). The bot runs as its own
process (``python -m bot run``) against the stand-in Bot API over HTTP on 127.0.0.1, so the
stand-in's work (receiving each workbook) is not the bot's. Five people ask questions in
rounds; the same rounds run once with nothing else going on, then while a staff member asks
`/report` for a full year again and again (each waits for the workbook before asking for the
next).

Prints the askers' reply latency (p50, p99) without and during the reports, measured in the
same run, how many reports were built meanwhile and how long each took. Goal: p99 during the
reports within 1.5 times the p99 without. The last line is key=value.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.flood import percentile  # noqa: E402
from benchmarks.stats import generate  # noqa: E402
from standin import StandInBotApi  # noqa: E402
from storage.db import Database  # noqa: E402

TOKEN = "123456789:BENCH-token-for-the-stand-in-api"
STAFF = 9_000
FIRST_ASKER = 600_000
ASKERS = 5
QUESTIONS = (
    "how can I contact the hub team",
    "comment joindre l'equipe du hub",
    "كيف أطلب دعما فنيا؟",
)
# A full year of the generated data (it runs from 2025-01-01 to 2026-11-15).
REPORT = "/report 2025-11-15 2026-11-14"
# Each asker asks again this long after an answer: under one message a second to their chat.
ROUND_S = 1.2
GOAL_RATIO = 1.5


async def ask_once(api: StandInBotApi, number: int) -> list[float]:
    """Every asker asks one question, all at once; returns the latencies."""
    latencies: list[float] = []

    async def ask(asker: int) -> None:
        after = api.messages(asker)[-1].message_id if api.messages(asker) else 0
        sent_at = time.monotonic()
        api.send_text(asker, QUESTIONS[(number + asker) % len(QUESTIONS)])
        await api.wait_for_message(asker, timeout=120, after=after)
        latencies.append(time.monotonic() - sent_at)

    await asyncio.gather(*(ask(FIRST_ASKER + i) for i in range(ASKERS)))
    return latencies


async def rounds(api: StandInBotApi, count: int) -> list[float]:
    latencies: list[float] = []
    for number in range(count):
        latencies += await ask_once(api, number)
        await asyncio.sleep(ROUND_S)
    return latencies


async def report_once(api: StandInBotApi) -> float:
    """Seconds from `/report` to the workbook in the staff member's chat."""
    after = api.messages(STAFF)[-1].message_id if api.messages(STAFF) else 0
    started = time.monotonic()
    api.send_text(STAFF, REPORT)
    await api.wait_for_message(STAFF, lambda m: m.document is not None, timeout=300, after=after)
    return time.monotonic() - started


async def keep_reporting(api: StandInBotApi, stop: asyncio.Event, took: list[float]) -> None:
    """One full-year report after another until told to stop."""
    while not stop.is_set():
        took.append(await report_once(api))


def start_bot(path: Path, api: StandInBotApi, directory: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HUBBOT_TOKEN": TOKEN,
        "HUBBOT_ADMIN_IDS": str(STAFF),
        "HUBBOT_DATABASE": str(path),
        "HUBBOT_API_BASE_URL": api.base_url,
        "HUBBOT_API_FILE_URL": api.base_file_url,
        "HUBBOT_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=directory,  # no .env of the developer's is read
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(directory / "bot.log", "ab"),
    )


async def bench(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        path = directory / "bench.sqlite3"
        db = Database(path)
        await db.open()
        started = time.perf_counter()
        await generate(db, random.Random(14))
        await db.close()
        generate_s = time.perf_counter() - started
        api = StandInBotApi(
            messages_per_s=30,
            chat_interval_s=1.0,
            chat_burst=3,
            group_interval_s=3.0,
            group_burst=3,
        )
        await api.start()
        api.add_user(STAFF, "Hala", language_code="en")
        for index in range(ASKERS):
            api.add_user(FIRST_ASKER + index, f"Asker {index}", language_code="en")
        bot = start_bot(path, api, directory)
        took: list[float] = []
        try:
            await ask_once(api, 0)  # warm up: the bot is up, users created, search loaded
            await report_once(api)  # the first report starts the statistics worker
            baseline = await rounds(api, count)
            stop = asyncio.Event()
            reporting = asyncio.create_task(keep_reporting(api, stop, took))
            await asyncio.sleep(0.2)  # the first report has begun
            during = await rounds(api, count)
            stop.set()
            await reporting
        finally:
            bot.terminate()
            bot.wait()
            await api.stop()
    p99_baseline = percentile(baseline, 0.99)
    p99_during = percentile(during, 0.99)
    ratio = p99_during / p99_baseline if p99_baseline else 0.0
    return {
        "questions": len(baseline) + len(during),
        "reports": len(took),
        "report_mean_s": round(statistics.mean(took), 2) if took else 0.0,
        "baseline_p50_ms": round(statistics.median(baseline) * 1000, 1),
        "baseline_p99_ms": round(p99_baseline * 1000, 1),
        "report_p50_ms": round(statistics.median(during) * 1000, 1),
        "report_p99_ms": round(p99_during * 1000, 1),
        "p99_ratio": round(ratio, 2),
        "goal_ok": int(ratio <= GOAL_RATIO),
        "generate_s": round(generate_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30, help="questions per asker and phase")
    args = parser.parse_args()
    figures = asyncio.run(bench(args.rounds))
    print(
        f"{figures['questions']} questions from {ASKERS} people: reply p50/p99 "
        f"{figures['baseline_p50_ms']}/{figures['baseline_p99_ms']} ms without a report, "
        f"{figures['report_p50_ms']}/{figures['report_p99_ms']} ms while {figures['reports']} "
        f"full-year reports were built ({figures['report_mean_s']} s each); "
        f"p99 x{figures['p99_ratio']} (goal {GOAL_RATIO})"
    )
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
