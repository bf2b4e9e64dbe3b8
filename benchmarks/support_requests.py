"""Filing, listing, digest and CSV export times of support requests, on a synthetic database."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.clock import ManualClock  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.support.vocabulary import STATUSES, TOPICS  # noqa: E402
from storage.models import RequestAttachment  # noqa: E402
from storage.support_requests import RequestFilter  # noqa: E402

CITIES = (("MA", "Fes"), ("JO", "Karak"), ("IQ", "Mosul"), ("TN", "Sousse"), ("LB", "Saida"))
STAFF_ID = 100


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run(requests: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        clock = ManualClock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
        config = Config(token=None, database_path=Path(folder) / "bench.sqlite3")
        services = await Services.open(config, clock)
        db = services.db
        users = [1000 + index for index, _ in enumerate(CITIES)]
        async with db.transaction() as tx:
            for user_id, (country, city) in zip(users, CITIES, strict=True):
                await tx.execute(
                    "INSERT INTO users (id, first_name, created_at, last_seen_at)"
                    " VALUES (?, 'Focal', ?, ?)",
                    (user_id, clock.now().isoformat(), clock.now().isoformat()),
                )
                await tx.execute(
                    "INSERT INTO focal_points (user_id, full_name, country, city, status,"
                    " created_at) VALUES (?, 'Focal point', ?, ?, 'approved', ?)",
                    (user_id, country, city, clock.now().isoformat()),
                )
        form = services.request_form
        filing: list[float] = []
        topics = list(TOPICS)
        for index in range(requests):
            user_id = users[index % len(users)]
            profile = await services.accounts.profile(user_id)
            assert profile is not None and profile.focal_point is not None
            await form.start(user_id)
            await form.choose(user_id, "topic", topics[index % len(topics)])
            await form.choose(user_id, "kind", "advice")
            await form.answer_text(user_id, f"Request number {index}")
            await form.answer_text(user_id, "A description long enough to be accepted. " * 5)
            await form.choose(user_id, "time_frame", "soon")
            await form.add_attachment(
                user_id, RequestAttachment("document", f"file-{index}", f"u-{index}", "a.pdf")
            )
            await form.finish_attachments(user_id)
            await form.choose(user_id, "contact", "telegram")
            draft = await form.draft(user_id)
            assert draft is not None
            started = time.perf_counter()
            submission = await form.submit(user_id, draft.data["key"], profile.focal_point)
            filing.append(time.perf_counter() - started)
            assert submission is not None and submission.created
            request = submission.request
            status = STATUSES[index % len(STATUSES)]
            if status != "new":
                await services.support.change_status(request.id, status, staff_id=STAFF_ID)
            clock.advance(timedelta(minutes=30))
        listing: list[float] = []
        for status in STATUSES:
            for page in range(3):
                started = time.perf_counter()
                await services.support.search(RequestFilter(status=status), page=page, size=8)
                listing.append(time.perf_counter() - started)
        started = time.perf_counter()
        overdue = await services.support.overdue()
        digest_s = time.perf_counter() - started
        started = time.perf_counter()
        exported = await services.support.export_csv(services.translator("en"))
        export_s = time.perf_counter() - started
        await services.close()
        print(f"requests filed:             {requests}")
        print(
            f"submit median / p95:        {statistics.median(filing) * 1000:.2f} ms / "
            f"{percentile(filing, 0.95) * 1000:.2f} ms"
        )
        print(
            f"staff list page median/p95: {statistics.median(listing) * 1000:.2f} ms / "
            f"{percentile(listing, 0.95) * 1000:.2f} ms"
        )
        print(f"digest query:               {digest_s * 1000:.2f} ms ({len(overdue)} overdue)")
        print(
            f"CSV export:                 {export_s * 1000:.1f} ms, "
            f"{len(exported.encode('utf-8')) / 1024:.0f} KiB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(run(args.requests))


if __name__ == "__main__":
    main()
