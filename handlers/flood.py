"""First of all handlers: someone sending too fast gets one word to slow down, in their
language, and what they send above the limit is set aside before any work is done for it."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.accounts import language_from_telegram
from bot.context import HubApplication, HubContext
from bot.flood import Verdict
from bot.updates import arrived_at
from handlers.common import reply

logger = logging.getLogger(__name__)

FLOOD_GROUP = -2


async def guard(update: Update, context: HubContext) -> None:
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot or chat is None:
        return
    # Talk among staff in their group is not addressed to the bot; buttons pressed there are.
    if chat.type != ChatType.PRIVATE and update.callback_query is None:
        return
    services = context.services
    verdict = services.flood.check(user.id, arrived_at.get())
    if verdict is Verdict.HANDLE:
        return
    logger.info("update %s from user %s set aside: too fast", update.update_id, user.id)
    if verdict is Verdict.WARN:
        profile = await services.accounts.profile(user.id)
        if profile is not None:
            context.use_profile(profile)
        else:
            context.use_translator(services.translator(language_from_telegram(user.language_code)))
        await reply(
            update,
            context,
            context.t._(
                "You are sending messages faster than I can answer. I am skipping those; "
                "please wait a few seconds, then send your question again."
            ),
        )
    raise ApplicationHandlerStop


def register(application: HubApplication) -> None:
    application.add_handler(TypeHandler(Update, guard), group=FLOOD_GROUP)
