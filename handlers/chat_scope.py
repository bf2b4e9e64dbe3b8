"""Where the bot speaks: private chats and the staff chat; it leaves every other group."""

from __future__ import annotations

import logging
from collections import OrderedDict

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
# Chats left are remembered (their late updates ignored) up to this many.
REMEMBERED_LEFT_CHATS = 10_000


def is_allowed_chat(chat: Chat | None, staff_chat_id: int | None) -> bool:
    """Private chats and the configured staff chat; updates without a chat are not in one."""
    return chat is None or chat.type == ChatType.PRIVATE or chat.id == staff_chat_id


class ChatScope:
    """Leaves each stranger's group once.  Telegram sends several updates when someone adds
    the bot (the membership change, the service message, any command typed before the bot is
    gone): the first starts the leaving, beside the handler, and the rest are ignored.  A
    goodbye waits for the group's pace; the adder's own private chat, whose updates are kept
    in order with theirs in the group, must not wait behind it."""

    def __init__(self) -> None:
        self._left: OrderedDict[int, None] = OrderedDict()

    def leaving(self, chat_id: int) -> bool:
        """True the first time a chat is seen; afterwards it is being left or gone."""
        if chat_id in self._left:
            return False
        self._left[chat_id] = None
        if len(self._left) > REMEMBERED_LEFT_CHATS:
            self._left.popitem(last=False)
        return True

    async def keep_to_allowed_chats(self, update: Update, context: HubContext) -> None:
        chat = update.effective_chat
        if is_allowed_chat(chat, context.services.staff_chat.id):
            return
        assert chat is not None
        membership = update.my_chat_member
        removed = membership is not None and membership.new_chat_member.status in (
            ChatMemberStatus.LEFT,
            ChatMemberStatus.BANNED,
        )
        if not removed and self.leaving(chat.id):
            sender = update.effective_user
            context.services.background.start(
                _leave(context, chat, sender.language_code if sender else None),
                f"leaving chat {chat.id}",
            )
        raise ApplicationHandlerStop


async def _leave(context: HubContext, chat: Chat, language_code: str | None) -> None:
    # The person who added the bot (or wrote) is the one likely to read this line: their
    # language as Telegram reports it, since they may never have opened the bot.
    language = language_from_telegram(language_code)
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
    scope = ChatScope()
    application.add_handler(
        TypeHandler(Update, scope.keep_to_allowed_chats), group=CHAT_SCOPE_GROUP
    )
