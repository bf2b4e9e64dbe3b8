"""Jinja2 templates rendered in the reader's language: autoescaped, compiled once at start."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.i18n import Translator

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
# Telegram's own script for Mini Apps: the one script the console loads from elsewhere.
TELEGRAM_WEB_APP_JS = "https://telegram.org/js/telegram-web-app.js"


def build_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        auto_reload=False,  # compiled once; a changed template needs a restart, like code
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment


def static_versions() -> dict[str, str]:
    """A digest of each static file, read once at start, for cache-busting URLs."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(STATIC_DIR.iterdir())
        if path.is_file()
    }


def translation_globals(t: Translator) -> Mapping[str, Any]:
    """gettext in templates is the bot's Translator: `{name}` placeholders, values escaped,
    and `make messages` extracts `_()`, `ngettext()` and `pgettext()` from the templates."""
    return {
        "t": t,
        "_": t.gettext,
        "gettext": t.gettext,
        "ngettext": t.ngettext,
        "pgettext": t.pgettext,
        "direction": "rtl" if t.is_rtl else "ltr",
    }
