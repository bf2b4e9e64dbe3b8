"""The one error handler: log which update failed (not what people wrote), tell the user."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.context import HubApplication, HubContext
from handlers.common import reply

logger = logging.getLogger(__name__)


def update_kind(update: Update) -> str:
    """The kind of update ("message", "callback_query", ...), never its content."""
    for kind in Update.ALL_TYPES:
        if getattr(update, kind, None) is not None:
            return kind
    return "unknown"


async def on_error(update: object, context: HubContext) -> None:
    error = context.error
    if not isinstance(update, Update):
        # Errors from jobs and from polling itself have no user to tell.
        logger.error("error outside an update: %s", error, exc_info=error)
        return
    user = update.effective_user
    # Names, questions and phone numbers stay out of the log unless someone is debugging.
    logger.error(
        "error while handling update %s (%s) from user %s",
        update.update_id,
        update_kind(update),
        user.id if user is not None else "-",
        exc_info=error,
    )
    logger.debug("the update that failed: %s", update.to_dict())
    if update.effective_chat is None or isinstance(error, Forbidden):
        return
    services = context.services
    if user is not None and context.profile is None:
        profile = await services.accounts.profile(user.id)
        if profile is not None:
            context.use_profile(profile)
    if update.effective_chat.id == services.staff_chat.id:
        # Everyone in the staff chat reads it (as load_sender decides for every other answer).
        context.use_translator(services.staff_translator())
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


def register(application: HubApplication) -> None:
    application.add_error_handler(on_error)
