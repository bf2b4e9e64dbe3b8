"""The language choice: each language named in itself."""

from __future__ import annotations

from typing import Any

from bot.config import SUPPORTED_LANGUAGES
from handlers.common import button, keyboard
from handlers.routes import (
    CHOOSE_LANGUAGE,
)

LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}


def language_keyboard() -> Any:
    # Each language is named in itself, so anyone can find theirs.
    return keyboard(
        [button(LANGUAGE_NAMES[code], CHOOSE_LANGUAGE, code) for code in SUPPORTED_LANGUAGES]
    )
