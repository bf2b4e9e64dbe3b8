"""Replies while a staff member builds the full-year report, on the 100,000-question database.

The database is the one benchmarks/stats.py generates (same seed). The bot runs as its own
process (``python -m bot run``) against the stand-in Bot API over HTTP on 127.0.0.1, so the
stand-in's work (receiving each workbook) is not the bot's. Five people ask questions in
rounds; the same rounds run once with nothing else going on, then while a staff member asks
`/report` for a full year again and again (each waits for the workbook before asking for the
next).

The two phases alternate in blocks of a few rounds (without, with, without, ...), so the load
other work puts on a shared machine weighs on both alike rather than on whichever came last.

Prints the askers' reply latency (p50, p99) without and during the reports, measured in the
same run, how many reports were built meanwhile and how long each took, the CPU time the bot
spent on each question without and during the reports, the worker's CPU time per report, and
the load average. Goal: p99 during the reports within 1.5 times the p99 without. The last
line is key=value.
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
# Rounds in each block of one phase before the other phase's block.
BLOCK_ROUNDS = 5


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds(pid: int) -> float:
    """CPU time of a process's living children (the statistics worker)."""
    listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0.0
    for child in listed:
        try:
            total += cpu_seconds(int(child))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


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


async def measure(api: StandInBotApi, bot: subprocess.Popen[bytes], count: int) -> dict[str, float]:
    """Blocks of rounds without and with reports, alternating; their figures."""
    took: list[float] = []
    baseline: list[float] = []
    during: list[float] = []
    cpu = {"baseline": 0.0, "during": 0.0, "worker": 0.0}
    for _ in range(max(count // BLOCK_ROUNDS, 1)):
        started = cpu_seconds(bot.pid)
        baseline += await rounds(api, BLOCK_ROUNDS)
        cpu["baseline"] += cpu_seconds(bot.pid) - started
        stop = asyncio.Event()
        started, worker_started = cpu_seconds(bot.pid), children_cpu_seconds(bot.pid)
        reporting = asyncio.create_task(keep_reporting(api, stop, took))
        await asyncio.sleep(0.2)  # the first report has begun
        during += await rounds(api, BLOCK_ROUNDS)
        cpu["during"] += cpu_seconds(bot.pid) - started
        stop.set()
        await reporting  # the report under way ends before the next quiet block
        cpu["worker"] += children_cpu_seconds(bot.pid) - worker_started
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
        "bot_cpu_ms_per_question_baseline": round(cpu["baseline"] / len(baseline) * 1000, 1),
        "bot_cpu_ms_per_question_during": round(cpu["during"] / len(during) * 1000, 1),
        "worker_cpu_s_per_report": round(cpu["worker"] / len(took), 2) if took else 0.0,
        "load_1min": round(os.getloadavg()[0], 1),
        "goal_ok": int(ratio <= GOAL_RATIO),
    }


async def bench(count: int, repeats: int) -> list[dict[str, float]]:
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        path = directory / "bench.sqlite3"
        db = Database(path)
        await db.open()
        await generate(db, random.Random(14))
        await db.close()
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
        try:
            await ask_once(api, 0)  # warm up: the bot is up, users created, search loaded
            await report_once(api)  # the first report starts the statistics worker
            return [await measure(api, bot, count) for _ in range(repeats)]
        finally:
            bot.terminate()
            bot.wait()
            await api.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30, help="questions per asker and phase")
    parser.add_argument(
        "--repeat", type=int, default=1, help="measures one after the other, to see the spread"
    )
    args = parser.parse_args()
    measures = asyncio.run(bench(args.rounds, args.repeat))
    for figures in measures:
        print(
            f"{figures['questions']} questions from {ASKERS} people: reply p50/p99 "
            f"{figures['baseline_p50_ms']}/{figures['baseline_p99_ms']} ms without a report, "
            f"{figures['report_p50_ms']}/{figures['report_p99_ms']} ms while "
            f"{figures['reports']} full-year reports were built ({figures['report_mean_s']} s "
            f"each); p99 x{figures['p99_ratio']} (goal {GOAL_RATIO}); bot CPU a question "
            f"{figures['bot_cpu_ms_per_question_baseline']}/"
            f"{figures['bot_cpu_ms_per_question_during']} ms, worker CPU "
            f"{figures['worker_cpu_s_per_report']} s a report; load {figures['load_1min']}"
        )
    ratios = [figures["p99_ratio"] for figures in measures]
    line = {
        **measures[-1],
        "p99_ratio_min": min(ratios),
        "p99_ratio_max": max(ratios),
        "goal_ok_all": int(max(ratios) <= GOAL_RATIO),
    }
    print(" ".join(f"{key}={value}" for key, value in line.items()))


if __name__ == "__main__":
    main()
