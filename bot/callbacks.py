"""Buttons as routes: a feature, an action word and typed, bounded arguments, within 64 bytes.

A route builds a button's callback data and the pattern python-telegram-bot matches it with,
so every handler receives its arguments already parsed and within bounds; anything else of the
feature (an old keyboard, forged data) meets the feature's one catch-all instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol

from telegram import Update
from telegram.ext import CallbackContext, CallbackQueryHandler

# Bumped whenever routes change shape, so buttons of an older version meet the catch-all.
CALLBACK_VERSION = "2"
CALLBACK_DATA_MAX_BYTES = 64
SEPARATOR = ":"
_FEATURE_OR_ACTION = re.compile(r"^[a-z][a-z_]{0,11}$")

RouteCallback = Callable[..., Coroutine[Any, Any, Any]]


class Argument(Protocol):
    """One typed part of a button's data: its pattern (ASCII only), how it reads and writes."""

    @property
    def pattern(self) -> str: ...

    @property
    def max_chars(self) -> int: ...

    def parse(self, text: str) -> Any: ...

    def encode(self, value: Any) -> str: ...


@dataclass(frozen=True)
class Number:
    """A whole number from 0 with at most ``digits`` digits: ids, pages, positions in a list.

    The bound is in the pattern, so 40 forged digits never reach int() or the database.
    """

    digits: int

    @property
    def pattern(self) -> str:
        return rf"0|[1-9][0-9]{{0,{self.digits - 1}}}"

    @property
    def max_chars(self) -> int:
        return self.digits

    def parse(self, text: str) -> int:
        return int(text)

    def encode(self, value: Any) -> str:
        if not isinstance(value, int) or not 0 <= value < 10**self.digits:
            raise ValueError(f"{value!r} is not a number of at most {self.digits} digits")
        return str(value)


@dataclass(frozen=True)
class Choice:
    """One word of a fixed set: an answer, a status, a language code."""

    options: tuple[str, ...]

    def __init__(self, *options: str) -> None:
        object.__setattr__(self, "options", tuple(options))

    @property
    def pattern(self) -> str:
        return "|".join(re.escape(option) for option in self.options)

    @property
    def max_chars(self) -> int:
        return max(len(option) for option in self.options)

    def parse(self, text: str) -> str:
        return text

    def encode(self, value: Any) -> str:
        if value not in self.options:
            raise ValueError(f"{value!r} is not one of {self.options}")
        return str(value)


@dataclass(frozen=True)
class Token:
    """A short ASCII word from a set only the handler knows: a slug, a key, a filter."""

    max_chars: int
    alphabet: str = "A-Za-z0-9_.*-"

    @property
    def pattern(self) -> str:
        return rf"[{self.alphabet}]{{1,{self.max_chars}}}"

    def parse(self, text: str) -> str:
        return text

    def encode(self, value: Any) -> str:
        text = str(value)
        if not re.fullmatch(self.pattern, text):
            raise ValueError(f"{text!r} is not a token of at most {self.max_chars} characters")
        return text


# Database rows and Telegram user ids stay below 10**18 (SQLite integers are 64-bit).
ID = Number(18)
PAGE = Number(3)
# A position in a list shown as buttons (cities, time zones).
INDEX = Number(3)


@dataclass(frozen=True)
class Route:
    """One button action of a feature: ``route.data(...)`` for the button, ``route.handler(fn)``
    to receive it as ``fn(update, context, *arguments)``."""

    feature: str
    action: str
    arguments: tuple[Argument, ...] = ()
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = [re.escape(CALLBACK_VERSION), re.escape(self.feature), re.escape(self.action)]
        parts += [f"({argument.pattern})" for argument in self.arguments]
        object.__setattr__(self, "_pattern", re.compile(f"^{SEPARATOR.join(parts)}$"))
        longest = len(SEPARATOR.join((CALLBACK_VERSION, self.feature, self.action))) + sum(
            len(SEPARATOR) + argument.max_chars for argument in self.arguments
        )
        if longest > CALLBACK_DATA_MAX_BYTES:
            raise ValueError(f"{self.feature}:{self.action} may exceed 64 bytes ({longest})")

    @property
    def pattern(self) -> re.Pattern[str]:
        return self._pattern

    def data(self, *values: Any) -> str:
        arguments = zip(self.arguments, values, strict=True)
        encoded = [argument.encode(value) for argument, value in arguments]
        return callback(self.feature, self.action, *encoded)

    def parse(self, data: str | None) -> tuple[Any, ...] | None:
        """The typed arguments of this route's data; None for anything else."""
        match = self._pattern.match(data or "")
        if match is None:
            return None
        return tuple(
            arg.parse(text) for arg, text in zip(self.arguments, match.groups(), strict=True)
        )

    def handler(self, callback: RouteCallback) -> CallbackQueryHandler[Any, Any]:
        route = self

        async def receive(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> Any:
            query = update.callback_query
            values = route.parse(query.data if query is not None else None)
            assert values is not None  # the handler's pattern matched
            return await callback(update, context, *values)

        receive.__name__ = getattr(callback, "__name__", receive.__name__)
        return CallbackQueryHandler(receive, pattern=self._pattern)


@dataclass(frozen=True)
class Feature:
    """A feature's buttons share a short name; its catch-all answers what no route takes."""

    name: str

    def __post_init__(self) -> None:
        if not _FEATURE_OR_ACTION.match(self.name):
            raise ValueError(f"feature names are short lower-case words: {self.name!r}")

    def route(self, action: str, *arguments: Argument) -> Route:
        if not _FEATURE_OR_ACTION.match(action):
            raise ValueError(f"actions are short lower-case words: {action!r}")
        return Route(self.name, action, arguments)

    @property
    def catch_all(self) -> re.Pattern[str]:
        """Any data of this feature, of any version: stale or forged buttons."""
        return re.compile(rf"^[^{SEPARATOR}]*{SEPARATOR}{re.escape(self.name)}(?:{SEPARATOR}|$)")


def callback(feature: str, *arguments: str | int) -> str:
    """Encode a button's data; raises if Telegram would refuse it (measured in UTF-8 bytes)."""
    data = SEPARATOR.join((CALLBACK_VERSION, feature, *map(str, arguments)))
    if len(data.encode("utf-8")) > CALLBACK_DATA_MAX_BYTES:
        raise ValueError(f"callback data over {CALLBACK_DATA_MAX_BYTES} bytes: {data!r}")
    return data
