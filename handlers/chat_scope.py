"""Where the bot speaks: private chats and the staff chat; it leaves every other group."""

from __future__ import annotations

import logging

from telegram import Chat, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.accounts import language_from_telegram
from bot.context import HubApplication, HubContext
from handlers.common import send

logger = logging.getLogger(__name__)

# Before flood control (group -2) and handlers.preprocess (group -1): an update from a
# stranger's group must not count against anyone, create a user row, or reach a command.
# A group of its own: within one group only the first matching handler runs.
CHAT_SCOPE_GROUP = -3


def is_allowed_chat(chat: Chat | None, staff_chat_id: int | None) -> bool:
    """Private chats and the configured staff chat; updates without a chat are not in one."""
    return chat is None or chat.type == ChatType.PRIVATE or chat.id == staff_chat_id


async def keep_to_allowed_chats(update: Update, context: HubContext) -> None:
    chat = update.effective_chat
    if is_allowed_chat(chat, context.services.staff_chat.id):
        return
    assert chat is not None
    membership = update.my_chat_member
    removed = membership is not None and membership.new_chat_member.status in (
        ChatMemberStatus.LEFT,
        ChatMemberStatus.BANNED,
    )
    if not removed:
        await _leave(context, chat, update)
    raise ApplicationHandlerStop


async def _leave(context: HubContext, chat: Chat, update: Update) -> None:
    # The person who added the bot (or wrote) is the one likely to read this line: their
    # language as Telegram reports it, since they may never have opened the bot.
    sender = update.effective_user
    language = language_from_telegram(sender.language_code if sender else None)
    t = context.services.translator(language)
    logger.info("leaving chat %s (%s): not a private chat nor the staff chat", chat.id, chat.type)
    try:
        await send(
            context.bot,
            chat.id,
            t._(
                "I work only in private chats: write to me at @{bot}. I am leaving this group.",
                bot=context.bot.username,
            ),
            t,
        )
    except TelegramError as error:
        # A channel, or a group where the bot may not write: leaving is what matters.
        logger.info("could not say goodbye in chat %s: %s", chat.id, error)
    try:
        await context.bot.leave_chat(chat.id)
    except TelegramError as error:
        logger.warning("could not leave chat %s: %s", chat.id, error)


def register(application: HubApplication) -> None:
    application.add_handler(TypeHandler(Update, keep_to_allowed_chats), group=CHAT_SCOPE_GROUP)
