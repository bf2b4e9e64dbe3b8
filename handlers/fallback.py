"""Last in line: anything no feature handled gets a short, helpful answer, never silence."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import HubApplication, HubContext
from handlers.common import reply, stale_button

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


def register(application: HubApplication) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    application.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, unsupported_message)
    )
    application.add_handler(CallbackQueryHandler(stale_button))
