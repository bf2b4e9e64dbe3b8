"""The one outbound path: every message the bot sends is paced here (see limiter.py)."""

from bot.delivery.engine import (
    DeliveryEngine,
    DeliveryResult,
    EngineStats,
    Outcome,
    Part,
    bulk_bot,
    retry_after_seconds,
)
from bot.delivery.limiter import (
    HEADROOM,
    DeliverySettings,
    Priority,
    RateLimiter,
    RealTimer,
    Timer,
    priority_for,
    replying_to,
)
from bot.delivery.request import INTERACTIVE_POOL_SIZE, PacedRequest

__all__ = [
    "HEADROOM",
    "INTERACTIVE_POOL_SIZE",
    "DeliveryEngine",
    "DeliveryResult",
    "DeliverySettings",
    "EngineStats",
    "Outcome",
    "PacedRequest",
    "Part",
    "Priority",
    "RateLimiter",
    "RealTimer",
    "Timer",
    "bulk_bot",
    "priority_for",
    "replying_to",
    "retry_after_seconds",
]
