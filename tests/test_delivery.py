"""The delivery engine on virtual time: pacing, per-chat intervals, 429 pauses, retries."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.config import ConfigError, load_config
from bot.delivery import (
    DeliveryEngine,
    DeliverySettings,
    Outcome,
    Part,
    Priority,
    RateLimiter,
)


class VirtualTimer:
    """Time that passes only when someone sleeps: pauses of minutes take no real time."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


class ScriptedBot:
    """Answers each send with the next scripted error, then succeeds (the engine posts
    through the bot's request object)."""

    base_url = "https://telegram.invalid/bot123"

    def __init__(self, timer: VirtualTimer, script: list[Exception]) -> None:
        self._timer = timer
        self._script = list(script)
        self.sent_at: list[float] = []
        self.request = self

    async def post(self, url: str, request_data: Any = None, **_: Any) -> dict[str, Any]:
        if self._script:
            raise self._script.pop(0)
        self.sent_at.append(self._timer.now)
        return {"message_id": len(self.sent_at)}


def engine_with(script: list[Exception], **settings: Any) -> tuple[DeliveryEngine, ScriptedBot]:
    timer = VirtualTimer()
    bot = ScriptedBot(timer, script)
    engine = DeliveryEngine(DeliverySettings(**settings), timer, bot=bot)  # type: ignore[arg-type]
    return engine, bot


async def test_overall_rate_is_paced_just_under_the_limit() -> None:
    timer = VirtualTimer()
    limiter = RateLimiter(DeliverySettings(messages_per_s=30), timer)
    moments = []
    for chat in range(1, 91):
        await limiter.acquire(chat)
        moments.append(timer.now)
    # 90 messages at 30/s less the headroom: never more than 30 in any second.
    for index in range(len(moments) - 30):
        assert moments[index + 30] - moments[index] >= 1.0
    assert moments[-1] == pytest.approx(89 / limiter.messages_per_s, rel=0.01)
    assert limiter.messages_per_s == 28  # Telegram's 30 less the headroom


async def test_paid_broadcasts_leave_two_percent_of_the_limit() -> None:
    """At 1,000 a second, 3% of headroom left the broadcast a twentieth of the limit short once
    the replies took theirs (0.92 of the rate measured from outside)."""
    for rate, cap in ((300, 294), (1000, 980)):
        limiter = RateLimiter(DeliverySettings(messages_per_s=rate, paid=True), VirtualTimer())
        assert limiter.messages_per_s == pytest.approx(cap)


async def test_a_late_wake_up_takes_every_bulk_slot_due_at_once_within_the_limit() -> None:
    """A broadcast taking its slots one at a time lost each late wake-up of the loop (555 a
    second at most against a limit of 1,000); all due slots are taken at once, never more than
    the limit in any second, and slots not used go back."""
    timer = VirtualTimer()
    limiter = RateLimiter(DeliverySettings(messages_per_s=1000, paid=True), timer)
    assert await limiter.acquire_bulk(50) == 1
    timer.now += 0.005  # the loop woke 5 ms late: about five slots are due
    assert await limiter.acquire_bulk(50) == 4
    assert await limiter.acquire_bulk(2) == 1  # at most what was asked for
    limiter.give_back(1)
    moments: list[float] = []
    while timer.now < 3.0:
        timer.now += 0.007
        moments += [timer.now] * await limiter.acquire_bulk(100)
    for index in range(len(moments) - 980):
        assert moments[index + 980] - moments[index] >= 1.0
    assert len(moments) / (moments[-1] - moments[0]) > 960
    # A recipient's chat is taken without waiting only when it is free (a short burst is).
    assert limiter.chat_free(7) and limiter.chat_free(7)
    assert not limiter.chat_free(7)
    timer.now += 1.1
    assert limiter.chat_free(7)


async def test_one_chat_gets_one_message_a_second_without_holding_up_others() -> None:
    timer = VirtualTimer()
    limiter = RateLimiter(DeliverySettings(messages_per_s=30), timer)
    await limiter.acquire(7)
    await limiter.acquire(7)  # a short burst is fine
    await limiter.acquire(8)  # another chat: only the overall pace applies
    assert timer.now < 0.2
    await limiter.acquire(7)
    assert timer.now >= 1.0
    # Groups: about 20 messages a minute.
    await limiter.acquire(-100)
    start = timer.now
    await limiter.acquire(-100)
    await limiter.acquire(-100)
    assert timer.now - start >= 3.0


async def test_a_429_pauses_everything_and_a_shorter_one_never_lifts_it_early() -> None:
    timer = VirtualTimer()
    limiter = RateLimiter(DeliverySettings(messages_per_s=30), timer)
    limiter.pause(5)
    limiter.pause(2)  # python-telegram-bot issue 5338: this must not shorten the pause
    await limiter.acquire(1)
    assert timer.now >= 5.0
    assert limiter.pauses == 1


async def test_a_reply_goes_before_bulk_that_waits_and_bulk_alone_waits_out_a_pause() -> None:
    timer = VirtualTimer()
    limiter = RateLimiter(DeliverySettings(messages_per_s=10), timer)
    order: list[str] = []

    async def send(name: str, chat: int, priority: Priority) -> None:
        await limiter.acquire(chat, priority)
        order.append(name)

    limiter.refused(500, 5)  # a chat never written to: the overall limit, bulk pauses
    assert limiter.pauses == 1
    bulk = [asyncio.create_task(send(f"bulk{n}", 600 + n, Priority.BULK)) for n in range(3)]
    await asyncio.sleep(0)
    await send("reply", 42, Priority.REPLY)
    assert order == ["reply"] and timer.now < 5
    await asyncio.gather(*bulk)
    assert order[1:] == ["bulk0", "bulk1", "bulk2"] and timer.now >= 5


async def test_a_429_for_a_busy_chat_delays_that_chat_only() -> None:
    timer = VirtualTimer()
    limiter = RateLimiter(DeliverySettings(messages_per_s=30), timer)
    await limiter.acquire(7, Priority.REPLY)
    await limiter.acquire(7, Priority.REPLY)
    limiter.refused(7, 20)
    assert (limiter.pauses, limiter.stats.chat_pauses) == (0, 1)
    await limiter.acquire(8, Priority.BULK)
    assert timer.now < 1
    await limiter.acquire(7, Priority.REPLY)
    assert timer.now >= 20


async def test_retry_after_is_obeyed_and_the_message_still_goes() -> None:
    engine, bot = engine_with([RetryAfter(3)])
    result = await engine.deliver(5, [Part("hello")])
    assert result.outcome is Outcome.SENT
    assert result.attempts == 1
    assert bot.sent_at[0] >= 3.0
    assert engine.stats.retry_after_hits == 1


async def test_network_errors_are_retried_with_backoff_then_reported_failed() -> None:
    engine, bot = engine_with([TimedOut(), NetworkError("Bad Gateway")])
    result = await engine.deliver(5, [Part("hello")])
    assert result.outcome is Outcome.SENT
    assert result.attempts == 3
    assert bot.sent_at[0] >= 0.5 + 1.0  # two backoffs, with jitter of at most half

    engine, bot = engine_with([TimedOut()] * 10, max_attempts=4)
    result = await engine.deliver(5, [Part("hello")])
    assert result.outcome is Outcome.FAILED
    assert result.attempts == 4
    assert bot.sent_at == []


async def test_blocked_and_bad_requests_are_not_retried() -> None:
    engine, _ = engine_with([Forbidden("Forbidden: bot was blocked by the user")])
    result = await engine.deliver(5, [Part("hello")])
    assert (result.outcome, result.attempts) == (Outcome.BLOCKED, 1)
    engine, _ = engine_with([BadRequest("Chat not found")])
    result = await engine.deliver(5, [Part("hello")])
    assert (result.outcome, result.attempts) == (Outcome.FAILED, 1)
    assert result.error == "Chat not found"


async def test_two_parts_to_one_chat_respect_the_chat_interval() -> None:
    engine, bot = engine_with([])
    result = await engine.deliver(5, [Part("note"), Part("long text"), Part("more")])
    assert result.outcome is Outcome.SENT
    assert bot.sent_at[2] - bot.sent_at[0] >= 1.0


def test_settings_from_the_environment() -> None:
    token = {"HUBBOT_TOKEN": "123456789:TEST-token-for-the-stand-in-api"}
    assert DeliverySettings.from_config(load_config(token)).messages_per_s == 30
    paid = DeliverySettings.from_config(
        load_config({**token, "HUBBOT_BROADCAST_RATE": "1000", "HUBBOT_BROADCAST_PAID": "1"})
    )
    assert (paid.messages_per_s, paid.paid) == (1000, True)
    with pytest.raises(ConfigError, match="HUBBOT_BROADCAST_PAID=1"):
        load_config({**token, "HUBBOT_BROADCAST_RATE": "100"})
    with pytest.raises(ConfigError, match="HUBBOT_BROADCAST_RATE"):
        load_config({**token, "HUBBOT_BROADCAST_RATE": "fast"})
    quiet = DeliverySettings.from_config(
        load_config({**token, "HUBBOT_BROADCAST_CHAT_INTERVAL_MS": "1500"})
    )
    assert quiet.private_chat_interval_s == 1.5
    group = load_config(
        {**token, "HUBBOT_GROUP_CHAT_INTERVAL_MS": "4000", "HUBBOT_FLOOD_BURST": "5"}
    )
    assert (DeliverySettings.from_config(group).group_chat_interval_s, group.flood_burst) == (4, 5)
