"""The staff console's request time (wall clock, and CPU time of the whole process: server,
database thread and client): every page passes the gate (session, staff role read
from the database, CSRF for POST) before its own work. Measures the home page (the gate and
a small template), the audit log on 10,000 records (a page of 50, filtered or not), the
sign-in page, and a POST through the CSRF check; real HTTP on 127.0.0.1, sequential requests
from an aiohttp client in the same process (so its own time is in the figures too).

Page owners add their pages to PAGES (with the data they need in ``fill``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.request_board_data import fill as fill_requests  # noqa: E402
from bot import heap  # noqa: E402
from bot.app import CONSOLE_PAGES  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.console.server import SESSION_COOKIE, ConsoleServer  # noqa: E402
from bot.services import Services  # noqa: E402

STAFF_ID = 100
AUDIT_RECORDS = 10_000
REQUESTS = 5_000
PAGES = {
    "home": "/",
    "audit": "/audit",
    "audit_person": f"/audit?person={STAFF_ID + 1}",
    "audit_kind": "/audit?kind=%2Frequests",
    # The requests board with 5,000 requests: all of them, then filtered and searched.
    "board": "/requests",
    "board_filtered": "/requests?country=MA&topic=youth&age=7",
    "board_search": "/requests?q=council",
    "request": "/requests/4242",
}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def fill(services: Services, clock: ManualClock) -> None:
    staff = [STAFF_ID + index for index in range(5)]
    for user_id in staff:
        await services.accounts.on_contact(
            user_id=user_id,
            first_name=f"Staff {user_id}",
            last_name=None,
            username=None,
            telegram_language="en",
        )
        await services.accounts.add_staff(user_id, added_by=None)
    commands = ("/requests", "/pending", "/stats", "/broadcast", "button support.assign")
    async with services.db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO audit_log (at, actor_id, channel, action, subject)"
            " VALUES (?, ?, 'bot', ?, ?)",
            [
                (
                    (clock.now() - timedelta(minutes=AUDIT_RECORDS - index)).isoformat(),
                    staff[index % len(staff)],
                    commands[index % len(commands)],
                    f"TSR-2026-{index:04d}",
                )
                for index in range(AUDIT_RECORDS)
            ],
        )


CPU_TIMES: dict[str, list[float]] = {}


async def timed_get(client: aiohttp.ClientSession, url: str, expected: int) -> float:
    started, cpu = time.perf_counter(), time.process_time()
    async with client.get(url, allow_redirects=False) as response:
        await response.read()
        assert response.status == expected, (url, response.status)
    CPU_TIMES.setdefault(url, []).append(time.process_time() - cpu)
    return time.perf_counter() - started


async def run(requests: int) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory() as folder:
        clock = ManualClock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
        port = free_port()
        config = Config(
            token="123456789:TEST-token-for-the-console-bench",
            database_path=Path(folder) / "bench.sqlite3",
            console_url=f"http://127.0.0.1:{port}/console",
            console_port=port,
        )
        services = await Services.open(config, clock)
        await fill(services, clock)
        await fill_requests(services.db, requests=REQUESTS, now=clock.now())
        server = ConsoleServer(services, pages=CONSOLE_PAGES, bot_username="MenaHubBot")
        await server.start()
        heap.settle()  # as `hubbot run` does once started (bot/heap.py)
        try:
            opened = await services.console.open_with_link(
                await services.console.login_link_token(STAFF_ID)
            )
            assert opened is not None
            base = config.console_url
            figures: dict[str, tuple[float, float]] = {}
            async with aiohttp.ClientSession(cookies={SESSION_COOKIE: opened.token}) as client:
                csrf = await _csrf(client, f"{base}/")
                for name, path in PAGES.items():
                    times = [await timed_get(client, base + path, 200) for _ in range(requests)]
                    figures[name] = _ms(times)
                    figures[f"{name}_cpu"] = _ms(CPU_TIMES[base + path])
                times = []
                for index in range(requests):
                    started = time.perf_counter()
                    async with client.post(
                        f"{base}/language",
                        data={"language": ("en", "fr")[index % 2], "csrf_token": csrf},
                        allow_redirects=False,
                    ) as response:
                        await response.read()
                        assert response.status == 303
                    times.append(time.perf_counter() - started)
                figures["post_language"] = _ms(times)
            async with aiohttp.ClientSession() as anonymous:
                times = [await timed_get(anonymous, f"{base}/", 401) for _ in range(requests)]
                figures["sign_in_page"] = _ms(times)
        finally:
            await server.stop()
            await services.close()
        return figures


async def _csrf(client: aiohttp.ClientSession, url: str) -> str:
    async with client.get(url) as response:
        html = await response.text()
    start = html.index('data-csrf="') + len('data-csrf="')
    return html[start : html.index('"', start)]


def _ms(times: list[float]) -> tuple[float, float]:
    return percentile(times, 0.5) * 1000, percentile(times, 0.99) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000, help="requests per page")
    args = parser.parse_args()
    started = time.process_time()
    load_before = os.getloadavg()[0]
    figures = asyncio.run(run(args.requests))
    for name, (p50, p99) in figures.items():
        print(f"{name:>14}: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    print(f"cpu {time.process_time() - started:.1f} s for {args.requests} requests per page")
    print(
        " ".join(
            f"{name}_p50_ms={p50:.2f} {name}_p99_ms={p99:.2f}"
            for name, (p50, p99) in figures.items()
        )
        + f" audit_records={AUDIT_RECORDS} support_requests={REQUESTS}"
        + f" load_before={load_before:.1f} load_after={os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
