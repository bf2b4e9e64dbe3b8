"""A broadcast to 5,000 people against the rate-limited stand-in, while 20 others ask questions
at Telegram's per-chat limit: sent from the bot (/broadcast's service), then the same sent from
the staff console (a signed-in session posting the composer over HTTP), then from the console
with a photo (uploaded once, then sent by file_id); then the bot's with the bot killed (SIGKILL)
in the middle.

The bot runs as its own process (``python -m bot run``), so its CPU time is its own and a kill
is a real one.  Prints, for each run, the share of the overall limit used (broadcast alone and
with the replies), the 429s, duplicates and misses, the reply latency (p50, p99) and the bot's
CPU time per message sent; the last line is key=value.  Real time, real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import aiohttp
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.clock import SystemClock  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.delivery import DeliverySettings  # noqa: E402
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
REPORT = "Report of broadcast"
# Each asker asks again once this long has passed since their last question: Telegram's
# one message a second to a chat, plus a little.
ASK_EVERY_S = 1.05
START_DELAY_S = 3.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)] if ordered else 0.0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def prepare(config: Config, recipients: int, *, from_console: bool) -> str | None:
    """People, and a broadcast to all of them due a moment after the bot starts; from the
    console, no broadcast yet but a one-time sign-in link's token for staff."""
    services = await Services.open(config, SystemClock())
    try:
        for index in range(recipients):
            await services.accounts.on_contact(
                user_id=FIRST_RECIPIENT + index,
                first_name=f"R{index}",
                last_name=None,
                username=None,
                telegram_language=("ar", "fr", "en")[index % 3],
            )
        await services.accounts.on_contact(
            user_id=STAFF, first_name="Staff", last_name=None, username=None, telegram_language="en"
        )
        if from_console:
            return await services.console.login_link_token(STAFF)
        broadcasts = services.broadcasts
        await broadcasts.start(STAFF)
        for language, text in (("en", MARKER), ("fr", f"{MARKER} (fr)")):
            await broadcasts.write_in(STAFF, language)
            await broadcasts.add_version(STAFF, text)
        await broadcasts.to_audience(STAFF)
        await broadcasts.choose_audience(STAFF, "all")
        due = SystemClock().now() + timedelta(seconds=START_DELAY_S)
        broadcast = await broadcasts.submit(STAFF, at=due)
        assert isinstance(broadcast, Broadcast), broadcast
    finally:
        await services.close()
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def poster() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


async def send_from_console(console_url: str, token: str, photo: bytes | None) -> float:
    """Sign in with the link, open the composer, and send to everyone as staff would (the
    same two versions as the bot's); returns how long the send took to answer, in seconds."""
    client = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with client:
        for _ in range(300):  # the bot's console starts listening once the bot is up
            try:
                async with client.post(
                    f"{console_url}/login/{token}", allow_redirects=False
                ) as response:
                    assert response.status == 303, response.status
                    break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
        async with client.get(f"{console_url}/announcements") as response:
            page = await response.text()
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert match is not None, "no CSRF token in the composer"
        form = aiohttp.FormData()
        for name, value in (
            ("csrf_token", match.group(1)),
            ("text_en", MARKER),
            ("text_fr", f"{MARKER} (fr)"),
            ("audience", "all"),
            ("action", "send"),
        ):
            form.add_field(name, value)
        if photo is not None:
            form.add_field("file", photo, filename="poster.png", content_type="image/png")
        started = time.monotonic()
        async with client.post(
            f"{console_url}/announcements", data=form, allow_redirects=False
        ) as response:
            assert response.status == 303, (response.status, await response.text())
        return time.monotonic() - started


def start_bot(
    config: Config, directory: Path, rate: int, profile: Path | None = None
) -> subprocess.Popen[bytes]:
    console = (
        {"HUBBOT_CONSOLE_URL": config.console_url, "HUBBOT_CONSOLE_PORT": str(config.console_port)}
        if config.console_url
        else {}
    )
    env = {
        **console,
        **os.environ,
        "HUBBOT_TOKEN": TOKEN,
        "HUBBOT_ADMIN_IDS": str(STAFF),
        "HUBBOT_DATABASE": str(config.database_path),
        "HUBBOT_API_BASE_URL": config.api_base_url,
        "HUBBOT_API_FILE_URL": config.api_file_url,
        "HUBBOT_BROADCAST_PAID": "1",
        "HUBBOT_BROADCAST_RATE": str(rate),
        "HUBBOT_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    # With --profile, the bot runs under cProfile (written when it stops).  Its clock is the
    # wall clock: timed by CPU (process_time, a system call) the profiler cost ten times more.
    profiling = ["-m", "cProfile", "-o", str(profile)] if profile else []
    return subprocess.Popen(
        [sys.executable, *profiling, "-m", "bot", "run"],
        cwd=directory,  # no .env of the developer's is read
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(directory / "bot.log", "ab"),
    )


async def ask_questions(api: StandInBotApi, asker: int, latencies: list[float]) -> None:
    number = 0
    while True:
        after = api.messages(asker)[-1].message_id if api.messages(asker) else 0
        sent_at = time.monotonic()
        api.send_text(asker, QUESTIONS[number % len(QUESTIONS)])
        await api.wait_for_message(asker, timeout=60, after=after)
        latencies.append(time.monotonic() - sent_at)
        number += 1
        await asyncio.sleep(max(sent_at + ASK_EVERY_S - time.monotonic(), 0))


async def run(
    recipients: int,
    rate: int,
    kill_after: int | None,
    *,
    from_console: bool = False,
    photo: bytes | None = None,
    profile: Path | None = None,
) -> dict[str, float]:
    api = StandInBotApi(messages_per_s=rate, chat_interval_s=1.0, chat_burst=3)
    await api.start()
    arrivals: dict[int, list[float]] = {}
    every_message: list[float] = []
    begun = asyncio.Event()
    halfway = asyncio.Event()

    def on_event(event: str, payload: object) -> None:
        if event in ("message", "edited"):
            every_message.append(time.monotonic())
        if (
            event == "message"
            and isinstance(payload, SentMessage)
            and MARKER in (payload.text or payload.caption or "")
        ):
            arrivals.setdefault(payload.chat_id, []).append(time.monotonic())
            begun.set()
            if kill_after is not None and len(arrivals) >= kill_after:
                halfway.set()

    api.add_listener(on_event)
    api.add_user(STAFF, "Staff")
    for index in range(recipients):
        api.add_user(
            FIRST_RECIPIENT + index, f"R{index}", language_code=("ar", "fr", "en")[index % 3]
        )
    for index in range(ASKERS):
        api.add_user(FIRST_ASKER + index, f"Asker {index}", language_code="en")
    latencies: list[float] = []
    send_s = 0.0
    # CPU seconds from the first broadcast message to the report, each process on its own:
    # the bot's start (imports, opening the database) is not a message's cost.
    bot_cpu_s = 0.0
    standin_cpu_s = 0.0
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        port = free_port()
        config = Config(
            token=TOKEN,
            admin_ids=frozenset({STAFF}),
            database_path=directory / "bench.sqlite3",
            api_base_url=api.base_url,
            api_file_url=api.base_file_url,
            console_url=f"http://127.0.0.1:{port}/console" if from_console else None,
            console_port=port,
        )
        login = await prepare(config, recipients, from_console=from_console)
        bot = start_bot(config, directory, rate, profile)
        if login is not None and config.console_url is not None:
            send_s = await send_from_console(config.console_url, login, photo)
        await begun.wait()  # the questions are asked while the broadcast goes out
        bot_cpu_s -= cpu_seconds(bot.pid)
        standin_cpu_s -= time.process_time()
        askers = [
            asyncio.create_task(ask_questions(api, FIRST_ASKER + i, latencies))
            for i in range(ASKERS)
        ]
        if kill_after is not None:
            await halfway.wait()
            bot_cpu_s += cpu_seconds(bot.pid)
            bot.send_signal(signal.SIGKILL)
            bot.wait()
            # Questions unanswered while no bot runs are not a measure of anything.
            for task in askers:
                task.cancel()
            bot = start_bot(config, directory, rate)
            bot_cpu_s -= cpu_seconds(bot.pid)
        started = time.monotonic()
        await api.wait_for_message(STAFF, lambda m: REPORT in (m.text or ""), timeout=900)
        elapsed = time.monotonic() - started
        bot_cpu_s += cpu_seconds(bot.pid)
        standin_cpu_s += time.process_time()
        bot.terminate()
        bot.wait()
        for task in askers:
            task.cancel()
        await asyncio.gather(*askers, return_exceptions=True)
    await api.stop()
    wanted = [FIRST_RECIPIENT + index for index in range(recipients)]
    counts = [len(arrivals.get(user_id, [])) for user_id in wanted]
    firsts = sorted(times[0] for times in arrivals.values())
    span = firsts[-1] - firsts[0] if len(firsts) > 1 else 0.0
    window = [moment for moment in every_message if firsts[0] <= moment <= firsts[-1]]
    sent_by_bot = len(every_message)
    return {
        "recipients": recipients,
        "seconds": round(elapsed, 2),
        "rate_per_s": round((len(firsts) - 1) / span, 1) if span else 0.0,
        "share_of_limit": round((len(firsts) - 1) / span / rate, 3) if span else 0.0,
        "all_share_of_limit": round((len(window) - 1) / span / rate, 3) if span else 0.0,
        "http_429": api.rate_limited,
        "duplicates": sum(max(count - 1, 0) for count in counts),
        "misses": sum(1 for count in counts if count == 0),
        # At most this many messages are on their way at once: the bound on duplicates.
        "max_in_flight": DeliverySettings.from_config(
            replace(config, broadcast_rate=rate)
        ).max_in_flight,
        "questions": len(latencies),
        "reply_p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else 0.0,
        "reply_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "bot_cpu_ms_per_message": round(bot_cpu_s / sent_by_bot * 1000, 3) if sent_by_bot else 0,
        # The stand-in, the askers and this script's bookkeeping: the other side of each call.
        "standin_cpu_ms_per_message": (
            round(standin_cpu_s / sent_by_bot * 1000, 3) if sent_by_bot else 0.0
        ),
        "load_1min": round(os.getloadavg()[0], 1),
        # The console's send answered in this long (the page posting the composer).
        "send_ms": round(send_s * 1000, 1),
        # Files Telegram (the stand-in) took as uploads: 1 with a photo, whatever the audience.
        "uploads": len(api.files),
    }


def print_run(title: str, rate: int, figures: dict[str, float]) -> None:
    print(
        f"{title}: {figures['recipients']} people at a limit of {rate}/s: "
        f"{figures['rate_per_s']}/s ({figures['share_of_limit']:.1%} of the limit; "
        f"{figures['all_share_of_limit']:.1%} with the replies) in {figures['seconds']} s; "
        f"429s {figures['http_429']}; duplicates {figures['duplicates']} "
        f"(at most {figures['max_in_flight']} in flight); misses {figures['misses']}; "
        f"{figures['questions']} questions, reply p50 {figures['reply_p50_ms']} ms, "
        f"p99 {figures['reply_p99_ms']} ms; CPU a message: bot "
        f"{figures['bot_cpu_ms_per_message']} ms, stand-in "
        f"{figures['standin_cpu_ms_per_message']} ms; files uploaded {figures['uploads']}; "
        f"load {figures['load_1min']}"
    )


def median_run(figures: list[dict[str, float]]) -> dict[str, float]:
    """The run whose share of the limit is the median of its kind."""
    return sorted(figures, key=lambda run: run["share_of_limit"])[len(figures) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=5_000)
    parser.add_argument("--rate", type=int, default=300, help="overall limit, messages a second")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="runs of bot, console and console-with-photo in turn; the median run of each is shown",
    )
    parser.add_argument(
        "--bot-only", action="store_true", help="only the bot's own run (no console, no SIGKILL)"
    )
    parser.add_argument(
        "--profile", type=Path, help="run the bot under cProfile, its figures written here"
    )
    args = parser.parse_args()
    if args.bot_only:
        alone = asyncio.run(run(args.recipients, args.rate, None, profile=args.profile))
        print_run("from the bot", args.rate, alone)
        print(" ".join(f"{key}={value}" for key, value in {"rate": args.rate, **alone}.items()))
        return
    runs: dict[str, list[dict[str, float]]] = {"bot": [], "console": [], "photo": []}
    for _ in range(args.rounds):
        # In turn, so a change in the machine's load falls on all three alike.
        runs["bot"].append(asyncio.run(run(args.recipients, args.rate, kill_after=None)))
        runs["console"].append(
            asyncio.run(run(args.recipients, args.rate, kill_after=None, from_console=True))
        )
        runs["photo"].append(
            asyncio.run(
                run(args.recipients, args.rate, kill_after=None, from_console=True, photo=poster())
            )
        )
    if args.rounds > 1:
        for name, figures in runs.items():
            print(f"{name}: shares of the limit {[f['share_of_limit'] for f in figures]}")
    plain, console, photo = (median_run(runs[name]) for name in ("bot", "console", "photo"))
    killed = asyncio.run(run(args.recipients, args.rate, kill_after=args.recipients // 2))
    for title, figures in (
        ("from the bot", plain),
        ("from the console", console),
        ("from the console, with a photo", photo),
        ("from the bot, killed (SIGKILL) halfway", killed),
    ):
        print_run(title, args.rate, figures)
    print(
        f"console/bot: share of the limit {console['share_of_limit'] / plain['share_of_limit']:.3f}"
        f" (with a photo {photo['share_of_limit'] / plain['share_of_limit']:.3f}); "
        f"reply p50 {console['reply_p50_ms']} vs {plain['reply_p50_ms']} ms, "
        f"p99 {console['reply_p99_ms']} vs {plain['reply_p99_ms']} ms; "
        f"the console's send answered in {console['send_ms']} ms"
    )
    skipped = ("recipients", "send_ms", "uploads")
    line = {
        "rate": args.rate,
        **{key: value for key, value in plain.items() if key not in skipped[1:]},
    }
    line.update({f"console_{key}": value for key, value in console.items() if key != "recipients"})
    line.update(
        {f"console_photo_{key}": value for key, value in photo.items() if key != "recipients"}
    )
    line.update({f"killed_{key}": value for key, value in killed.items() if key not in skipped})
    print(" ".join(f"{key}={value}" for key, value in line.items()))


if __name__ == "__main__":
    main()
