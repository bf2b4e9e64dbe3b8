"""One person floods the bot while five others ask questions, against Telegram-like limits.

Each round, one person sends 200 messages as fast as they can and, in the midst of it, five
others ask one question each; the same rounds without the flood give the baseline.

Prints the others' reply latency (p50, p99) without the flood and under it, measured in the
same run; how many messages a second the flooder got, and any question left unanswered.  The
last line is key=value.  Real time, real HTTP on 127.0.0.1, the real Application.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build_application, running  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.services import Services  # noqa: E402
from standin import SentMessage, StandInBotApi  # noqa: E402

TOKEN = "123456789:BENCH-token-for-the-stand-in-api"
FLOODER = 500_000
FIRST_ASKER = 600_000
ASKERS = 5
QUESTIONS = ("how can I contact the hub team", "comment joindre l'equipe du hub")
# Each asker asks again this long after an answer: under one message a second to their chat.
ROUND_S = 1.2


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)] if ordered else 0.0


async def ask_once(api: StandInBotApi, number: int, timeout_s: float) -> tuple[list[float], int]:
    """Every asker asks one question, all at once; returns the latencies and the losses."""
    latencies: list[float] = []
    lost = 0

    async def ask(asker: int) -> None:
        nonlocal lost
        after = api.messages(asker)[-1].message_id if api.messages(asker) else 0
        sent_at = time.monotonic()
        api.send_text(asker, QUESTIONS[number % len(QUESTIONS)])
        try:
            await api.wait_for_message(asker, timeout=timeout_s, after=after)
        except TimeoutError:
            lost += 1
            return
        latencies.append(time.monotonic() - sent_at)

    await asyncio.gather(*(ask(FIRST_ASKER + i) for i in range(ASKERS)))
    return latencies, lost


async def flood(api: StandInBotApi, messages: int) -> None:
    """As fast as a client can: all of them at once, yielding now and then."""
    for number in range(messages):
        api.send_text(FLOODER, f"message {number}")
        if number % 10 == 9:
            await asyncio.sleep(0)


async def rounds(
    api: StandInBotApi, count: int, flood_messages: int
) -> tuple[list[float], int, float]:
    """``count`` times: (a flood and, in its midst,) one question from each asker."""
    latencies: list[float] = []
    lost = 0
    flooding_s = 0.0
    for number in range(count):
        started = time.monotonic()
        flooding = asyncio.create_task(flood(api, flood_messages)) if flood_messages else None
        await asyncio.sleep(0)  # the flood has begun
        answered, missed = await ask_once(api, number, timeout_s=60)
        if flooding is not None:
            await flooding
            flooding_s += time.monotonic() - started
        latencies += answered
        lost += missed
        await asyncio.sleep(ROUND_S)
    return latencies, lost, flooding_s


async def bench(messages: int, count: int) -> dict[str, float]:
    api = StandInBotApi(
        messages_per_s=30, chat_interval_s=1.0, chat_burst=3, group_interval_s=3.0, group_burst=3
    )
    await api.start()
    to_flooder: list[float] = []

    def on_event(event: str, payload: object) -> None:
        if event == "message" and isinstance(payload, SentMessage) and payload.chat_id == FLOODER:
            to_flooder.append(time.monotonic())

    api.add_listener(on_event)
    api.add_user(FLOODER, "Flooder", language_code="ar")
    for index in range(ASKERS):
        api.add_user(FIRST_ASKER + index, f"Asker {index}", language_code=("en", "fr")[index % 2])
    with tempfile.TemporaryDirectory() as directory:
        config = Config(
            token=TOKEN,
            database_path=Path(directory) / "bench.sqlite3",
            api_base_url=api.base_url,
            api_file_url=api.base_file_url,
        )
        application = build_application(config)
        async with running(application, poll_timeout=2):
            services: Services = application.bot_data["services"]
            await ask_once(api, 0, timeout_s=30)  # warm up: users created, search loaded
            baseline, lost_baseline, _ = await rounds(api, count, 0)
            under_flood, lost_under_flood, flood_s = await rounds(api, count, messages)
            # What the flooder is still owed arrives within a few seconds, not minutes.
            await asyncio.sleep(5)
            skipped = services.flood.skipped
            sent_429 = api.rate_limited
    await api.stop()
    handled = messages * count - skipped
    span = (to_flooder[-1] - to_flooder[0]) if len(to_flooder) > 1 else 0.0
    p99_baseline = percentile(baseline, 0.99)
    p99_flood = percentile(under_flood, 0.99)
    return {
        "flood_messages": messages * count,
        "flood_seconds": round(flood_s, 2),
        "answered_to_flooder": len(to_flooder),
        "flooder_messages_per_s": round(len(to_flooder) / span, 2) if span else 0.0,
        "flood_skipped": skipped,
        "flood_handled": handled,
        "questions": len(baseline) + len(under_flood),
        "baseline_p50_ms": round(statistics.median(baseline) * 1000, 1),
        "baseline_p99_ms": round(p99_baseline * 1000, 1),
        "flood_p50_ms": round(statistics.median(under_flood) * 1000, 1),
        "flood_p99_ms": round(p99_flood * 1000, 1),
        "p99_ratio": round(p99_flood / p99_baseline, 2) if p99_baseline else 0.0,
        "lost": lost_baseline + lost_under_flood,
        "http_429": sent_429,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=200, help="messages of each flood")
    parser.add_argument("--rounds", type=int, default=10, help="questions per asker and phase")
    args = parser.parse_args()
    figures = asyncio.run(bench(args.messages, args.rounds))
    print(
        f"{figures['questions']} questions from {ASKERS} people: reply p50/p99 "
        f"{figures['baseline_p50_ms']}/{figures['baseline_p99_ms']} ms without a flood, "
        f"{figures['flood_p50_ms']}/{figures['flood_p99_ms']} ms while one person sent "
        f"{figures['flood_messages']} messages in {figures['flood_seconds']} s of floods "
        f"(p99 x{figures['p99_ratio']})"
    )
    print(
        f"the flooder: {figures['flood_handled']} handled, {figures['flood_skipped']} set aside, "
        f"{figures['answered_to_flooder']} messages sent to them "
        f"({figures['flooder_messages_per_s']}/s); lost questions: {figures['lost']}; "
        f"429s: {figures['http_429']}"
    )
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
