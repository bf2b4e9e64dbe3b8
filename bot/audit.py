"""The one way staff actions are recorded, from the bot's commands and from the console."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from storage.audit import AuditRecord, AuditRepository

BOT = "bot"
CONSOLE = "console"
# What a record says about its subject is short: ids, a reference, a command's arguments.
MAX_SUBJECT_CHARS = 200
PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditPage:
    records: list[AuditRecord]
    # The id to continue below, when there may be older records.
    older_than: int | None


class AuditLog:
    def __init__(self, *, records: AuditRepository, clock: Clock) -> None:
        self._records = records
        self._clock = clock

    async def record(
        self, *, actor_id: int, channel: str, action: str, subject: str | None = None
    ) -> None:
        if channel not in (BOT, CONSOLE):
            raise ValueError(f"unknown audit channel {channel!r}")
        if subject is not None:
            subject = subject.strip()[:MAX_SUBJECT_CHARS] or None
        await self._records.add(
            at=self._clock.now(), actor_id=actor_id, channel=channel, action=action, subject=subject
        )

    async def page(
        self,
        *,
        actor_id: int | None = None,
        action: str | None = None,
        older_than: int | None = None,
        size: int = PAGE_SIZE,
    ) -> AuditPage:
        records = await self._records.page(
            actor_id=actor_id, action=action, before_id=older_than, size=size + 1
        )
        more = len(records) > size
        records = records[:size]
        return AuditPage(records=records, older_than=records[-1].id if more else None)

    async def actions(self) -> list[str]:
        return await self._records.actions()

    async def actors(self) -> list[int]:
        return await self._records.actors()
