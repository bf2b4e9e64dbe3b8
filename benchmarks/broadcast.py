"""A broadcast to 5,000 people against the rate-limited stand-in, while others ask questions.

Prints the achieved rate as a share of the overall limit, the 429s received, duplicates and
misses, and the reply latency (p50, p99) of the questions asked meanwhile; the last line is
key=value.  Real time, real HTTP on 127.0.0.1, the real Application.
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
from storage.models import Broadcast  # noqa: E402

TOKEN = "123456789:BENCH-token-for-the-stand-in-api"
STAFF = 1
FIRST_RECIPIENT = 10_000
FIRST_ASKER = 900_000
ASKERS = 20
QUESTIONS = ("how can I contact the hub team", "comment joindre l'equipe du hub")
MARKER = "Benchmark announcement"


async def bench(recipients: int, rate: int, question_interval_s: float) -> dict[str, float]:
    api = StandInBotApi(messages_per_s=rate, chat_interval_s=1.0)
    await api.start()
    arrivals: dict[int, list[float]] = {}

    every_message: list[float] = []

    def on_event(event: str, payload: object) -> None:
        if event in ("message", "edited"):
            every_message.append(time.monotonic())
        if (
            event == "message"
            and isinstance(payload, SentMessage)
            and MARKER in (payload.text or "")
        ):
            arrivals.setdefault(payload.chat_id, []).append(time.monotonic())

    api.add_listener(on_event)
    api.add_user(STAFF, "Staff")
    with tempfile.TemporaryDirectory() as directory:
        config = Config(
            token=TOKEN,
            admin_ids=frozenset({STAFF}),
            database_path=Path(directory) / "bench.sqlite3",
            api_base_url=api.base_url,
            api_file_url=api.base_file_url,
            # The Config is built here, not read from the environment: the limits go in it.
            broadcast_paid=True,
            broadcast_rate=rate,
            broadcast_chat_interval_ms=1000,
        )
        application = build_application(config)
        async with running(application, poll_timeout=2):
            services: Services = application.bot_data["services"]
            for index in range(recipients):
                user_id = FIRST_RECIPIENT + index
                language = ("ar", "fr", "en")[index % 3]
                api.add_user(user_id, f"R{index}", language_code=language)
                await services.accounts.on_contact(
                    user_id=user_id,
                    first_name=f"R{index}",
                    last_name=None,
                    username=None,
                    telegram_language=language,
                )
            await services.accounts.on_contact(
                user_id=STAFF,
                first_name="Staff",
                last_name=None,
                username=None,
                telegram_language="en",
            )
            broadcasts = services.broadcasts
            await broadcasts.start(STAFF)
            for language, text in (("en", MARKER), ("fr", f"{MARKER} (fr)")):
                await broadcasts.write_in(STAFF, language)
                await broadcasts.add_version(STAFF, text)
            await broadcasts.to_audience(STAFF)
            await broadcasts.choose_audience(STAFF, "all")
            for index in range(ASKERS):
                api.add_user(FIRST_ASKER + index, f"Asker {index}", language_code="en")
            started = time.monotonic()
            broadcast = await broadcasts.submit(STAFF)
            assert isinstance(broadcast, Broadcast), broadcast
            latencies: list[float] = []
            asking = asyncio.create_task(
                ask_questions(api, broadcasts.is_running, latencies, question_interval_s)
            )
            await api.wait_for_message(
                STAFF, lambda m: "Report of broadcast" in (m.text or ""), timeout=600
            )
            elapsed = time.monotonic() - started
            asking.cancel()
            await asyncio.gather(asking, return_exceptions=True)
            summary = await broadcasts.summary(broadcast.id)
            planned = summary.total
            engine_429s = broadcasts.engine.stats.retry_after_hits
    await api.stop()
    wanted = [FIRST_RECIPIENT + index for index in range(recipients)] + [STAFF]
    counts = [len(arrivals.get(user_id, [])) for user_id in wanted]
    firsts = sorted(times[0] for times in arrivals.values())
    achieved = (len(firsts) - 1) / (firsts[-1] - firsts[0]) if len(firsts) > 1 else 0.0
    window = [moment for moment in every_message if firsts[0] <= moment <= firsts[-1]]
    overall = (len(window) - 1) / (firsts[-1] - firsts[0]) if len(window) > 1 else 0.0
    ordered = sorted(latencies)
    return {
        "recipients": planned,
        "delivered": sum(1 for count in counts if count),
        "seconds": round(elapsed, 2),
        "rate_per_s": round(achieved, 1),
        "limit_per_s": rate,
        "share_of_limit": round(achieved / rate, 3),
        "all_messages_per_s": round(overall, 1),
        "all_share_of_limit": round(overall / rate, 3),
        "http_429": api.rate_limited,
        "engine_429": engine_429s,
        "duplicates": sum(max(count - 1, 0) for count in counts),
        "misses": sum(1 for count in counts if count == 0),
        "questions": len(ordered),
        "reply_p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else 0.0,
        "reply_p99_ms": round(ordered[min(int(len(ordered) * 0.99), len(ordered) - 1)] * 1000, 1)
        if ordered
        else 0.0,
    }


async def ask_questions(
    api: StandInBotApi,
    broadcast_running: object,
    latencies: list[float],
    interval_s: float,
) -> None:
    """Other people ask questions all along; each latency is until the bot's first answer."""
    number = 0
    while True:
        asker = FIRST_ASKER + number % ASKERS
        after = api.messages(asker)[-1].message_id if api.messages(asker) else 0
        sent_at = time.monotonic()
        api.send_text(asker, QUESTIONS[number % len(QUESTIONS)])
        await api.wait_for_message(asker, timeout=30, after=after)
        latencies.append(time.monotonic() - sent_at)
        number += 1
        await asyncio.sleep(interval_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=5_000)
    parser.add_argument("--rate", type=int, default=300, help="overall limit, messages a second")
    parser.add_argument("--question-interval", type=float, default=0.1)
    args = parser.parse_args()
    figures = asyncio.run(bench(args.recipients, args.rate, args.question_interval))
    print(
        f"broadcast to {figures['recipients']} people at a limit of {figures['limit_per_s']}/s: "
        f"{figures['rate_per_s']}/s achieved ({figures['share_of_limit']:.1%} of the limit) "
        f"in {figures['seconds']} s; with the replies to questions, "
        f"{figures['all_messages_per_s']}/s ({figures['all_share_of_limit']:.1%})"
    )
    print(
        f"429s: {figures['http_429']} answered by the server, {figures['engine_429']} seen by "
        f"the engine; duplicates: {figures['duplicates']}; misses: {figures['misses']}"
    )
    print(
        f"{figures['questions']} questions meanwhile: reply p50 {figures['reply_p50_ms']} ms, "
        f"p99 {figures['reply_p99_ms']} ms"
    )
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
