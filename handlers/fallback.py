"""Last in line: anything no feature handled gets a short, helpful answer, never silence."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.context import HubContext
from handlers.common import answer_callback, reply

logger = logging.getLogger(__name__)


async def unknown_command(update: Update, context: HubContext) -> None:
    await reply(
        update, context, context.t._("I do not know that command. Use /help to see what I can do.")
    )


async def unsupported_message(update: Update, context: HubContext) -> None:
    await reply(
        update,
        context,
        context.t._("I can only read text. Type your question, or use /help to see what I can do."),
    )


async def stale_button(update: Update, context: HubContext) -> None:
    """A button from an old keyboard (an earlier version of the bot, or a finished form)."""
    await answer_callback(
        update,
        context.t.label("This button is no longer active. Use /help to start again."),
        alert=True,
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    application.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, unsupported_message)
    )
    application.add_handler(CallbackQueryHandler(stale_button))
