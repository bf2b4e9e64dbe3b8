"""Updates of different chats handled side by side; those of one chat, or of one person, in
the order they came."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram._utils.types import JSONDict
from telegram.ext import BaseUpdateProcessor

from bot.delivery import replying_to
from bot.delivery.http import AiohttpRequest
from bot.flood import UNKNOWN, FloodGuard, Verdict, verdict_on_arrival

# Handlers running at once.  Waiting for an earlier update of the same chat does not take one
# of these, so a person sending hundreds of messages never holds up the others.
HANDLERS_AT_ONCE = 32
# Updates accepted (waiting for their turn or running) before the fetching of updates waits.
UPDATES_IN_PROCESS = 10_000


def ordering_keys(update: object) -> tuple[str, ...]:
    """What must stay in order: the chat, and the person (one person in two chats, say the
    staff group and their private chat, has one form in progress and one profile)."""
    if not isinstance(update, Update):
        return ()
    keys = []
    if update.effective_chat is not None:
        keys.append(f"chat:{update.effective_chat.id}")
    if update.effective_user is not None:
        keys.append(f"user:{update.effective_user.id}")
    return tuple(keys)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        now_s: Callable[[], float],
        flood: FloodGuard | None = None,
        handlers_at_once: int = HANDLERS_AT_ONCE,
        queued: int = UPDATES_IN_PROCESS,
    ) -> None:
        super().__init__(max_concurrent_updates=queued)
        self._now_s = now_s
        self._flood = flood
        self._running = asyncio.Semaphore(handlers_at_once)
        # For each key, the last update that holds it: the next one waits for it to finish.
        self._last: dict[str, asyncio.Future[None]] = {}
        # Verdicts given as the updates were fetched (see set_aside), by update id.
        self._verdicts: dict[int, Verdict | None] = {}

    def set_aside(self, updates: list[JSONDict]) -> list[JSONDict]:
        """Judge fetched updates as Telegram sent them: what comes too fast is dropped before
        python-telegram-bot builds its objects, which is most of what a flood costs.  The
        last update stays (python-telegram-bot confirms the batch by its id); dropped, it is
        dropped again in :meth:`do_process_update`."""
        if self._flood is None or not updates:
            return updates
        now_s = self._now_s()
        if len(self._verdicts) > UPDATES_IN_PROCESS:
            self._verdicts.clear()  # never asked for (the bot stopped with updates queued)
        kept = []
        for index, update in enumerate(updates):
            verdict = self._flood.screen_raw(update, now_s)
            if verdict is UNKNOWN:
                kept.append(update)
                continue
            if verdict is Verdict.SKIP and index < len(updates) - 1:
                continue
            self._verdicts[update["update_id"]] = verdict
            kept.append(update)
        return kept

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        # Updates reach this method in the order they were fetched (python-telegram-bot starts
        # one task per update, in order); everything up to the first await keeps that order.
        # A person's pace is judged by when they wrote, not by when their chat's turn comes;
        # what they send too fast is dropped here, before any work is done for it.
        verdict = self._verdict_on(update)
        if verdict is Verdict.SKIP and isinstance(coroutine, Coroutine):
            coroutine.close()
            return
        verdict_on_arrival.set(verdict)
        keys = ordering_keys(update)
        earlier = {self._last[key] for key in keys if key in self._last}
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        for key in keys:
            self._last[key] = done
        started = False
        try:
            for previous in earlier:
                await asyncio.shield(previous)
            async with self._running:
                chat = update.effective_chat if isinstance(update, Update) else None
                replying_to.set(chat.id if chat is not None else None)
                started = True
                await coroutine
        finally:
            if not started and isinstance(coroutine, Coroutine):
                coroutine.close()  # stopped before its turn
            done.set_result(None)
            for key in keys:
                if self._last.get(key) is done:
                    del self._last[key]

    def _verdict_on(self, update: object) -> Verdict | None:
        if self._flood is None:
            return None
        if isinstance(update, Update) and update.update_id in self._verdicts:
            return self._verdicts.pop(update.update_id)
        return self._flood.screen(update, self._now_s())  # a webhook's, or an unknown kind

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class ScreenedUpdatesRequest(AiohttpRequest):
    """The connection that fetches updates: each batch is screened for floods (see
    :meth:`PerChatUpdateProcessor.set_aside`) before python-telegram-bot reads it."""

    def __init__(self, processor: PerChatUpdateProcessor) -> None:
        super().__init__(1)
        self._processor = processor

    def parse_json_payload(self, payload: bytes) -> JSONDict:  # type: ignore[override]
        # This connection carries getUpdates only (python-telegram-bot sends nothing else on it).
        body = super().parse_json_payload(payload)
        if isinstance(body.get("result"), list):
            body["result"] = self._processor.set_aside(body["result"])
        return body
