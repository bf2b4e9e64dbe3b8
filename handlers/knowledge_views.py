"""Rendering of knowledge answers: entry buttons and the "is it one of these?" screen shown when
the bot is not sure which entry a question is about."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.knowledge.content import Entry
from handlers.common import button, keyboard
from handlers.routes import KB_ENTRY, KB_FORWARD, KB_TOPICS

# Telegram shows about this much of a button on a phone; longer titles are cut with "…".
BUTTON_LABEL_CHARS = 48


def short_label(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= BUTTON_LABEL_CHARS else text[: BUTTON_LABEL_CHARS - 1] + "…"


def entry_button(t: Translator, entry: Entry) -> InlineKeyboardButton:
    return button(short_label(entry.title.get(t.language)), KB_ENTRY, entry.slug)


def suggestion_text(t: Translator, *, kept_limit: int | None) -> Markup:
    """The bot is not sure which entry answers: say so. `kept_limit` when the person cannot
    leave more questions for the Hub team today."""
    if kept_limit is None:
        return t._(
            "I am not sure I understood your question. Is it one of these? Tap one to read "
            "it, or ask the Hub team: they will answer you here."
        )
    return t.ngettext(
        "I am not sure I understood your question. Is it one of these? Tap one to read it. "
        "You have already left {count} unanswered question in the last 24 hours, the most the "
        "bot keeps.",
        "I am not sure I understood your question. Is it one of these? Tap one to read it. "
        "You have already left {count} unanswered questions in the last 24 hours, the most the "
        "bot keeps.",
        kept_limit,
    )


def suggestion_keyboard(
    t: Translator,
    entries: Sequence[Entry],
    *,
    question_id: int | None,
    switch: InlineKeyboardButton | None,
) -> InlineKeyboardMarkup:
    """One button per suggested entry (one tap opens it), "Ask the Hub team" beside them."""
    ask_team = (
        [button(t.label("Ask the Hub team"), KB_FORWARD, question_id)]
        if question_id is not None
        else []
    )
    return keyboard(
        [switch] if switch else [],
        *([entry_button(t, entry)] for entry in entries),
        [*ask_team, button(t.label("Browse topics"), KB_TOPICS)],
    )
