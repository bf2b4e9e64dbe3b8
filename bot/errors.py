"""The one error handler: log with the update that caused it, tell the user in their language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.context import HubContext
from handlers.common import reply

logger = logging.getLogger(__name__)


async def on_error(update: object, context: HubContext) -> None:
    error = context.error
    if not isinstance(update, Update):
        # Errors from jobs and from polling itself have no user to tell.
        logger.error("error outside an update: %s", error, exc_info=error)
        return
    logger.error("error while handling update %s", update.to_dict(), exc_info=error)
    if update.effective_chat is None or isinstance(error, Forbidden):
        return
    user = update.effective_user
    if user is not None and context.profile is None:
        profile = await context.services.accounts.profile(user.id)
        if profile is not None:
            context.use_profile(profile)
    query = update.callback_query
    if query is not None:
        try:
            # The handler may have answered it already; a second answer fails, and must not
            # keep the apology from the user.
            await query.answer()
        except TelegramError as answer_error:
            logger.debug("callback query already answered: %s", answer_error)
    try:
        await reply(
            update,
            context,
            context.t._("Sorry, something went wrong on our side. Please try again in a moment."),
        )
    except TelegramError as notify_error:
        logger.warning("could not tell the user about the error: %s", notify_error)
