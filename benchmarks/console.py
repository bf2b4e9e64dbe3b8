"""The staff console's knowledge pages and publishing, measured against the real bot.

1. Page time (p50/p99) of the entry list and an entry page, with the real base and with 10,000
   generated entries (the generator of benchmarks/knowledge_speed.py), over real HTTP.
2. Publish-to-live: from a staff member's publish until the bot answers with the new version
   (the index rebuilt off the event loop and swapped in), on the real base.
3. The bot's reply latency while staff publish every second for a minute, against the same
   replies with no publishing, in the same run.

Real time, real HTTP on 127.0.0.1, the real Application and the stand-in Bot API. The last line
is key=value.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from knowledge_speed import synthetic_entries, vocabulary  # noqa: E402

from bot.app import build_application, running  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.knowledge.content import Entry, Translated  # noqa: E402
from bot.knowledge.folder import summary_of  # noqa: E402
from bot.knowledge.records import entry_to_json  # noqa: E402
from bot.services import Services  # noqa: E402
from standin import StandInBotApi  # noqa: E402
from storage.knowledge import KnowledgeRepository, NewVersion  # noqa: E402

TOKEN = "123456789:BENCH-token-for-the-stand-in-api"
STAFF = 700_000
FIRST_ASKER = 600_000
ASKERS = 5
QUESTIONS = (
    "how can I contact the hub team",
    "comment joindre l'equipe du hub",
    "ما هو التعاون الوطني المحلي",
)
# Each asker asks again this long after an answer: under one message a second to their chat.
ROUND_S = 1.2
PUBLISHED_SLUG = "nlc"
GENERATED_ENTRIES = 10_000
SEED = 20261207


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)] if ordered else 0.0


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def with_mark(entry: Entry, mark: str) -> Entry:
    """The entry with a mark at the end of its three answers (one edit in every language)."""
    answers = [
        f"{entry.answer.get(lang).rsplit(chr(10) + chr(10) + '#', 1)[0]}\n\n#{mark}"
        for lang in ("ar", "fr", "en")
    ]
    return replace(entry, answer=Translated(*answers))


async def publish(services: Services, mark: str) -> float:
    """One staff publication of the entry with a new mark; returns its duration."""
    editor = services.knowledge_editor
    edited = await editor.open(PUBLISHED_SLUG)
    assert edited is not None
    started = time.monotonic()
    await editor.save(with_mark(edited.current, mark), author=STAFF)
    publication = await editor.publish(PUBLISHED_SLUG, author=STAFF)
    assert publication.published, [p.text for p in publication.problems]
    return time.monotonic() - started


async def publish_to_live(services: Services, api: StandInBotApi, count: int) -> list[float]:
    """From the publish until a person asking gets the new answer."""
    asker = FIRST_ASKER
    durations = []
    for number in range(count):
        mark = f"live{number}"
        started = time.monotonic()
        await publish(services, mark)
        while True:
            after = api.messages(asker)[-1].message_id if api.messages(asker) else 0
            api.send_text(asker, "What is national-local cooperation (NLC)?")
            reply = await api.wait_for_message(asker, timeout=30, after=after)
            if mark in (reply.text or ""):
                break
            await asyncio.sleep(1.0)  # Telegram's pace for one chat
        durations.append(time.monotonic() - started)
        await asyncio.sleep(1.0)
    return durations


async def ask_round(api: StandInBotApi, number: int) -> list[float]:
    latencies: list[float] = []

    async def ask(asker: int) -> None:
        after = api.messages(asker)[-1].message_id if api.messages(asker) else 0
        sent_at = time.monotonic()
        api.send_text(asker, QUESTIONS[(number + asker) % len(QUESTIONS)])
        await api.wait_for_message(asker, timeout=60, after=after)
        latencies.append(time.monotonic() - sent_at)

    await asyncio.gather(*(ask(FIRST_ASKER + 1 + i) for i in range(ASKERS)))
    return latencies


async def replies_for(api: StandInBotApi, seconds: float) -> list[float]:
    latencies: list[float] = []
    number = 0
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at:
        latencies += await ask_round(api, number)
        number += 1
        await asyncio.sleep(ROUND_S)
    return latencies


async def publishing_every_second(services: Services, seconds: float) -> int:
    count = 0
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at:
        started = time.monotonic()
        await publish(services, f"load{count}")
        count += 1
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    return count


async def with_generated_entries(services: Services, count: int) -> None:
    rng = random.Random(SEED)
    real = list(services.knowledge.live_entries().values())
    generated = synthetic_entries(count, vocabulary(real, rng), rng)
    await KnowledgeRepository(services.db).publish_new(
        (
            NewVersion(
                slug=entry.slug,
                entry=entry_to_json(entry),
                summary=summary_of(entry),
                kind="import",
                author=None,
            )
            for entry in generated
        ),
        now=services.clock.now(),
    )
    await services.knowledge.reload()


PageTimer = Callable[[Services, int], Awaitable[dict[str, float]]]


async def bench(seconds: float, publications: int, pages: PageTimer | None) -> dict[str, float]:
    api = StandInBotApi(chat_interval_s=1.0, chat_burst=3, group_interval_s=3.0, group_burst=3)
    await api.start()
    api.add_user(STAFF, "Staff", language_code="en")
    for index in range(ASKERS + 1):
        api.add_user(
            FIRST_ASKER + index, f"Asker {index}", language_code=("en", "fr", "ar")[index % 3]
        )
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as directory:
        config = Config(
            token=TOKEN,
            database_path=Path(directory) / "bench.sqlite3",
            api_base_url=api.base_url,
            api_file_url=api.base_file_url,
            admin_ids=frozenset({STAFF}),
        )
        application = build_application(config)
        async with running(application, poll_timeout=2):
            services: Services = application.bot_data["services"]
            await ask_round(api, 0)  # warm up: users created, search loaded
            if pages is not None:
                figures |= {f"real_{k}": v for k, v in (await pages(services, 0)).items()}
            live = await publish_to_live(services, api, publications)
            figures["publish_to_live_p50_ms"] = ms(statistics.median(live))
            figures["publish_to_live_max_ms"] = ms(max(live))
            calm = await replies_for(api, seconds)
            publishing = asyncio.create_task(publishing_every_second(services, seconds))
            busy = await replies_for(api, seconds)
            published = await publishing
            figures |= {
                "replies": len(calm) + len(busy),
                "publications": published,
                "calm_p50_ms": ms(statistics.median(calm)),
                "calm_p99_ms": ms(percentile(calm, 0.99)),
                "publishing_p50_ms": ms(statistics.median(busy)),
                "publishing_p99_ms": ms(percentile(busy, 0.99)),
            }
            figures["p99_ratio"] = round(figures["publishing_p99_ms"] / figures["calm_p99_ms"], 2)
            if pages is not None:
                await with_generated_entries(services, GENERATED_ENTRIES)
                figures |= {f"10k_{k}": v for k, v in (await pages(services, 0)).items()}
    await api.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60, help="each phase of replies")
    parser.add_argument("--publications", type=int, default=10, help="publish-to-live samples")
    args = parser.parse_args()
    figures = asyncio.run(bench(args.seconds, args.publications, None))
    print(
        f"publish to live: p50 {figures['publish_to_live_p50_ms']} ms, "
        f"max {figures['publish_to_live_max_ms']} ms"
    )
    print(
        f"{figures['replies']} replies to {ASKERS} people: p50/p99 "
        f"{figures['calm_p50_ms']}/{figures['calm_p99_ms']} ms without publishing, "
        f"{figures['publishing_p50_ms']}/{figures['publishing_p99_ms']} ms while staff "
        f"published {figures['publications']} times (p99 x{figures['p99_ratio']})"
    )
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
