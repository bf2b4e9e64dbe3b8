"""Event reminders under load: 10,000 RSVPs x 3 reminders planned, restarted, then delivered.

Prints the time to record and plan the RSVPs, the start-up planning time of a restarted bot
(tracemalloc peak and RSS), and how late reminders fire (p50, p99) when the real bot, woken by
its JobQueue, sends them over HTTP to the stand-in Bot API. Reminder times are compressed
into a window of seconds (offsets of seconds, not days): by default 30,000 reminders in 240 s,
125 a second, six times what Telegram lets a bot send, so the run takes about five minutes;
the work per reminder is the same as in production. Ends with one key=value line.

    .venv/bin/python benchmarks/event_reminders.py [--rsvps 10000] [--events 100]
        [--window-s 240] [--sends-per-s 0]

Reminders take their turn on the delivery engine's limiter, shared with broadcasts; here its
rate is --sends-per-s (0: as fast as the machinery allows, the stand-in has no rate limit)
with no per-chat interval. In production that shared limit is Telegram's 30 a second
(bot.config.TELEGRAM_MESSAGES_PER_S), which bounds a burst instead.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build_application, running  # noqa: E402
from bot.config import TELEGRAM_MESSAGES_PER_S, Config  # noqa: E402
from bot.events.reminders import SendOutcome  # noqa: E402
from bot.services import Services  # noqa: E402
from standin import StandInBotApi  # noqa: E402
from storage.models import Event, EventNotice, NewEvent  # noqa: E402

TOKEN = "123456789:BENCH-token-for-the-stand-in-api"
FIRST_USER = 10_000_000
LEAD_S = 20  # the first reminder is due this long after the restarted bot starts
UNLIMITED_PER_S = 1_000_000.0


class ShiftedClock:
    """Real time, moved by a shift, so events planned during set-up come due after restart."""

    def __init__(self) -> None:
        self.shift = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.shift


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def set_up(
    config: Config, clock: ShiftedClock, base: datetime, args: argparse.Namespace
) -> tuple[float, float]:
    """Users, events and RSVPs through the services; returns (users_s, rsvps_s)."""
    services = await Services.open(config, clock)
    try:
        started = time.perf_counter()
        for index in range(args.rsvps):
            await services.accounts.on_contact(
                user_id=FIRST_USER + index,
                first_name=f"Focal point {index}",
                last_name=None,
                username=None,
                telegram_language=("ar", "fr", "en")[index % 3],
            )
        users_s = time.perf_counter() - started
        events: list[Event] = []
        window, count = args.window_s, args.events
        # Every event starts after the window; reminder k of event i is due at slot k*count+i,
        # so the 3 x count reminder moments spread evenly over the window.
        starts_at = base + timedelta(seconds=LEAD_S + window + 10)
        for index in range(count):
            slots = [k * count + index for k in range(3)]
            offsets = [round(window + 10 - slot * window / (3 * count)) for slot in slots]
            event = await services.events.create(
                NewEvent(
                    titles={"en": f"Workshop {index}", "fr": f"Atelier {index}"},
                    descriptions={},
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=2),
                    time_zone="Africa/Tunis",
                    place="City Hall",
                    link=None,
                    audience=(),
                    reminder_offsets_s=offsets,
                    created_by=None,
                )
            )
            assert event is not None
            events.append(event)
        started = time.perf_counter()
        for index in range(args.rsvps):
            profile = await services.accounts.profile(FIRST_USER + index)
            assert profile is not None
            event = events[index % len(events)]
            await services.events.answer(event.id, profile, ("going", "maybe")[index % 2])
        rsvps_s = time.perf_counter() - started
        return users_s, rsvps_s
    finally:
        await services.close()


async def measure_start_up(config: Config, clock: ShiftedClock) -> tuple[float, float]:
    """A restarted bot's planning from the database: (seconds, tracemalloc peak MB)."""
    services = await Services.open(config, clock)
    try:
        tracemalloc.start()
        started = time.perf_counter()
        await services.reminders.start()
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        due = await services.reminders.replan()
        assert due is not None
        return elapsed, peak / 1e6
    finally:
        await services.close()


async def deliver(
    config: Config, clock: ShiftedClock, timeout_s: float
) -> tuple[list[float], float, dict[str, int]]:
    """Run the real bot until no reminder is pending; lateness (s), start-up s, final states."""
    application = build_application(config, clock=clock)
    lateness: list[float] = []
    started = time.perf_counter()
    async with running(application, poll_timeout=1):
        start_up_s = time.perf_counter() - started
        services: Services = application.bot_data["services"]
        runner = services.reminders
        sender = runner._sender
        assert sender is not None

        async def timed(notice: EventNotice, event: Event, now: datetime) -> SendOutcome:
            lateness.append((clock.now() - notice.due_at).total_seconds())
            return await sender(notice, event, now)

        runner._sender = timed
        deadline = time.monotonic() + timeout_s
        # Polling is fine here: this is a benchmark watching the bot, not a test.
        outbox = runner._events
        while await outbox.next_due() is not None or runner.busy:
            if time.monotonic() > deadline:
                raise TimeoutError("reminders still pending at the deadline")
            await asyncio.sleep(0.5)
        states: dict[str, int] = {}
        event_id = 1
        while (event := await services.events.get(event_id)) is not None:
            for notice in await outbox.notices(event.id):
                key = notice.state if notice.detail is None else f"{notice.state} ({notice.detail})"
                states[key] = states.get(key, 0) + 1
            event_id += 1
    return lateness, start_up_s, states


async def main_async(args: argparse.Namespace) -> str:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as directory:
        async with StandInBotApi() as api:
            for index in range(args.rsvps):
                api.add_user(FIRST_USER + index, f"Focal point {index}", language_code="fr")
            config = Config(
                token=TOKEN,
                database_path=Path(directory) / "bench.sqlite3",
                api_base_url=api.base_url,
                api_file_url=api.base_file_url,
                broadcast_rate=args.sends_per_s or UNLIMITED_PER_S,
                broadcast_chat_interval_ms=0,
            )
            clock = ShiftedClock()
            base = datetime.now(UTC) + timedelta(days=1)
            users_s, rsvps_s = await set_up(config, clock, base, args)
            reminders = args.rsvps * 3
            print(f"set-up: {args.rsvps} users in {users_s:.1f} s")
            print(
                f"RSVPs recorded and planned: {args.rsvps} x 3 reminders in {rsvps_s:.1f} s "
                f"({args.rsvps / rsvps_s:.0f} RSVPs/s)"
            )
            # The bot "restarts" at `base`: the first reminder is due LEAD_S later.
            clock.shift = base - datetime.now(UTC)
            plan_s, peak_mb = await measure_start_up(config, clock)
            print(
                f"start-up planning with {reminders} pending reminders: {plan_s * 1000:.1f} ms, "
                f"tracemalloc peak {peak_mb:.2f} MB"
            )
            clock.shift = base - datetime.now(UTC)
            lateness, start_up_s, states = await deliver(
                config, clock, timeout_s=LEAD_S + args.window_s + 1800
            )
            rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            p50, p99 = percentile(lateness, 0.5), percentile(lateness, 0.99)
            sent = sum(len(api.messages(FIRST_USER + i)) for i in range(args.rsvps))
            print("final states: " + ", ".join(f"{k}: {v}" for k, v in sorted(states.items())))
            print(f"whole bot start (post_init included): {start_up_s * 1000:.0f} ms")
            print(
                f"delivered {sent}/{reminders} reminders over a {args.window_s} s window; "
                f"lateness p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
                f"max {max(lateness) * 1000:.0f} ms; mean {statistics.mean(lateness) * 1000:.0f} ms"
            )
            print(f"peak RSS {rss_mb:.0f} MB")
            paced = reminders / TELEGRAM_MESSAGES_PER_S
            print(
                f"at Telegram's {TELEGRAM_MESSAGES_PER_S:.0f}/s, {reminders} reminders "
                f"due at once would take {paced / 60:.0f} min to drain"
            )
            return (
                f"event_reminders rsvps={args.rsvps} reminders={reminders} sent={sent} "
                f"rsvp_plan_s={rsvps_s:.2f} startup_plan_ms={plan_s * 1000:.1f} "
                f"startup_peak_mb={peak_mb:.2f} rss_mb={rss_mb:.0f} "
                f"late_p50_ms={p50 * 1000:.0f} late_p99_ms={p99 * 1000:.0f} "
                f"sends_per_s={args.sends_per_s:g}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rsvps", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--window-s", type=int, default=240)
    parser.add_argument("--sends-per-s", type=float, default=0.0)
    args = parser.parse_args()
    print(asyncio.run(main_async(args)))


if __name__ == "__main__":
    main()
