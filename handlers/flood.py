"""First of all handlers: someone sending too fast gets one word to slow down, in their
language, and what they send above the limit is set aside before any work is done for it."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.accounts import language_from_telegram
from bot.context import HubApplication, HubContext
from bot.flood import Verdict, verdict_on_arrival
from handlers.common import reply

logger = logging.getLogger(__name__)

FLOOD_GROUP = -2


async def guard(update: Update, context: HubContext) -> None:
    """The update processor dropped what came too fast; the first of those it let through,
    so the person is told, once, in their language."""
    if verdict_on_arrival.get() is not Verdict.WARN:
        return
    user = update.effective_user
    assert user is not None
    logger.info("update %s from user %s set aside: too fast", update.update_id, user.id)
    services = context.services
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
