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
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from knowledge_speed import synthetic_entries, vocabulary  # noqa: E402

from bot.app import build_application, running  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.knowledge.building import IndexBuilder  # noqa: E402
from bot.knowledge.content import Entry, Translated  # noqa: E402
from bot.knowledge.folder import summary_of  # noqa: E402
from bot.knowledge.records import entry_to_json  # noqa: E402
from bot.knowledge.search import KnowledgeIndex  # noqa: E402
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
# Replies are measured in windows of this length, without and with publishing in turn.
WINDOW_S = 5.0
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


async def publishing_every_second(services: Services, seconds: float, window: int) -> int:
    count = 0
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at:
        started = time.monotonic()
        await publish(services, f"load{window}x{count}")
        count += 1
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    return count


LAG_PROBE_S = 0.002
LAG_BUILDS = 6


async def loop_lag_while(build: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """How late the event loop wakes (p50, p99 in ms) while `build` runs LAG_BUILDS times: what
    every reply in progress would wait, at each of its steps."""
    stop = asyncio.Event()

    async def probe() -> list[float]:
        lags = []
        while not stop.is_set():
            started = time.perf_counter()
            await asyncio.sleep(LAG_PROBE_S)
            lags.append(time.perf_counter() - started - LAG_PROBE_S)
        return lags

    probing = asyncio.create_task(probe())
    for _ in range(LAG_BUILDS):
        await build()
    stop.set()
    lags = await probing
    return round(statistics.median(lags) * 1000, 2), ms(percentile(lags, 0.99))


async def rebuild_lag(services: Services) -> dict[str, float]:
    """The index rebuilt in a thread of the bot's process, and in the worker process (as
    publishing does), taking turns; and with no rebuild at all."""
    knowledge = services.knowledge
    entries = dict(knowledge.index.entries)
    synonyms = knowledge.synonyms
    builder = IndexBuilder()
    await builder.build(entries, synonyms)  # the worker started
    figures: dict[str, list[tuple[float, float]]] = {"idle": [], "thread": [], "worker": []}
    for _ in range(3):
        figures["idle"].append(await loop_lag_while(lambda: asyncio.sleep(0.2)))
        figures["thread"].append(
            await loop_lag_while(
                lambda: asyncio.to_thread(KnowledgeIndex.build, entries, synonyms=synonyms)
            )
        )
        figures["worker"].append(await loop_lag_while(lambda: builder.build(entries, synonyms)))
    builder.close()
    out: dict[str, float] = {}
    for name, runs in figures.items():
        out[f"lag_{name}_p50_ms"] = statistics.median(run[0] for run in runs)
        out[f"lag_{name}_p99_ms"] = statistics.median(run[1] for run in runs)
    return out


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


PAGE_REQUESTS = 200


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def signed_in_client(services: Services, console_url: str) -> aiohttp.ClientSession:
    """A browser-like client with a staff session, from a one-time link."""
    token = await services.console.login_link_token(STAFF)
    # The console is on 127.0.0.1: aiohttp keeps cookies of an IP address only when asked.
    client = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with client.post(f"{console_url}/login/{token}", allow_redirects=False) as response:
        assert response.status == 303, response.status
    return client


async def page_times(client: aiohttp.ClientSession, url: str) -> tuple[float, float]:
    """p50 and p99 of a page's time, from the request to its last byte, in ms."""
    times = []
    for _ in range(PAGE_REQUESTS):
        started = time.monotonic()
        async with client.get(url) as response:
            assert response.status == 200, (url, response.status)
            await response.read()
        times.append(time.monotonic() - started)
    return ms(statistics.median(times)), ms(percentile(times, 0.99))


async def console_pages(services: Services, console_url: str, slug: str) -> dict[str, float]:
    """The entry list (the first page of the largest topic) and one entry's page."""
    counts = await services.knowledge_editor.topic_counts()
    topic = max(counts, key=lambda name: counts[name])
    client = await signed_in_client(services, console_url)
    async with client:
        list_p50, list_p99 = await page_times(client, f"{console_url}/knowledge?topic={topic}")
        entry_p50, entry_p99 = await page_times(client, f"{console_url}/knowledge/entry/{slug}")
    return {
        "list_p50_ms": list_p50,
        "list_p99_ms": list_p99,
        "entry_p50_ms": entry_p50,
        "entry_p99_ms": entry_p99,
    }


async def bench(seconds: float, publications: int) -> dict[str, float]:
    api = StandInBotApi(chat_interval_s=1.0, chat_burst=3, group_interval_s=3.0, group_burst=3)
    await api.start()
    api.add_user(STAFF, "Staff", language_code="en")
    for index in range(ASKERS + 1):
        api.add_user(
            FIRST_ASKER + index, f"Asker {index}", language_code=("en", "fr", "ar")[index % 3]
        )
    figures: dict[str, float] = {}
    port = free_port()
    console_url = f"http://127.0.0.1:{port}/console"
    with tempfile.TemporaryDirectory() as directory:
        config = Config(
            token=TOKEN,
            database_path=Path(directory) / "bench.sqlite3",
            api_base_url=api.base_url,
            api_file_url=api.base_file_url,
            admin_ids=frozenset({STAFF}),
            console_url=console_url,
            console_port=port,
        )
        application = build_application(config)
        async with running(application, poll_timeout=2):
            services: Services = application.bot_data["services"]
            await ask_round(api, 0)  # warm up: users created, search loaded
            api.send_text(STAFF, "/start")
            await api.wait_for_message(STAFF, timeout=30)
            figures |= await rebuild_lag(services)
            real = await console_pages(services, console_url, PUBLISHED_SLUG)
            figures |= {f"real_{key}": value for key, value in real.items()}
            live = await publish_to_live(services, api, publications)
            figures["publish_to_live_p50_ms"] = ms(statistics.median(live))
            figures["publish_to_live_max_ms"] = ms(max(live))
            # Calm and publishing alternate in short windows, so that whatever else the
            # machine is doing weighs on both alike.
            calm: list[float] = []
            busy: list[float] = []
            published = 0
            for window in range(max(1, round(seconds / WINDOW_S))):
                calm += await replies_for(api, WINDOW_S)
                publishing = asyncio.create_task(
                    publishing_every_second(services, WINDOW_S, window)
                )
                busy += await replies_for(api, WINDOW_S)
                published += await publishing
            figures |= {
                "replies": len(calm) + len(busy),
                "publications": published,
                "calm_p50_ms": ms(statistics.median(calm)),
                "calm_p99_ms": ms(percentile(calm, 0.99)),
                "publishing_p50_ms": ms(statistics.median(busy)),
                "publishing_p99_ms": ms(percentile(busy, 0.99)),
            }
            figures["p99_ratio"] = round(figures["publishing_p99_ms"] / figures["calm_p99_ms"], 2)
            started = time.monotonic()
            await with_generated_entries(services, GENERATED_ENTRIES)
            figures["import_10k_s"] = round(time.monotonic() - started, 1)
            generated = await console_pages(services, console_url, "synthetic-05000")
            figures |= {f"10k_{key}": value for key, value in generated.items()}
    await api.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--seconds", type=float, default=60, help="replies with publishing (and as long without)"
    )
    parser.add_argument("--publications", type=int, default=10, help="publish-to-live samples")
    args = parser.parse_args()
    figures = asyncio.run(bench(args.seconds, args.publications))
    for base in ("real", "10k"):
        print(
            f"{base} base: entry list p50/p99 {figures[f'{base}_list_p50_ms']}/"
            f"{figures[f'{base}_list_p99_ms']} ms, entry page p50/p99 "
            f"{figures[f'{base}_entry_p50_ms']}/{figures[f'{base}_entry_p99_ms']} ms"
        )
    print(
        f"event loop lag p50/p99 while the index is rebuilt: none "
        f"{figures['lag_idle_p50_ms']}/{figures['lag_idle_p99_ms']} ms, in a thread "
        f"{figures['lag_thread_p50_ms']}/{figures['lag_thread_p99_ms']} ms, in the worker "
        f"process {figures['lag_worker_p50_ms']}/{figures['lag_worker_p99_ms']} ms"
    )
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
