"""Callback data: a short versioned prefix, a feature and its arguments, within 64 bytes."""

from __future__ import annotations

import re

CALLBACK_VERSION = "1"
CALLBACK_DATA_MAX_BYTES = 64
SEPARATOR = ":"


def callback(feature: str, *arguments: str | int) -> str:
    """Encode a button's data; raises if Telegram would refuse it (measured in UTF-8 bytes)."""
    data = SEPARATOR.join((CALLBACK_VERSION, feature, *map(str, arguments)))
    if len(data.encode("utf-8")) > CALLBACK_DATA_MAX_BYTES:
        raise ValueError(f"callback data over {CALLBACK_DATA_MAX_BYTES} bytes: {data!r}")
    return data


def pattern(feature: str) -> re.Pattern[str]:
    """What a CallbackQueryHandler of this feature matches: current version only."""
    return re.compile(rf"^{CALLBACK_VERSION}{SEPARATOR}{re.escape(feature)}(?:{SEPARATOR}|$)")


def arguments(data: str | None) -> list[str]:
    """The arguments after the version and feature; [] for data of another shape.

    Everything the bot puts in buttons is ASCII; anything else is forged, and refusing it
    here spares every handler from digits such as '²' that pass str.isdigit() but not int().
    """
    if data is None or not data.isascii():
        return []
    parts = data.split(SEPARATOR)
    return parts[2:] if len(parts) >= 2 and parts[0] == CALLBACK_VERSION else []
