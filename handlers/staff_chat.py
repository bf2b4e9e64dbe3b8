"""The staff group: /bind makes a group the staff chat; a supergroup upgrade moves it.

Runs before handlers.chat_scope (which leaves every group but the staff chat): a hub staff
member who adds the bot to a group, or sends /bind there, is answered instead of left, and
the two updates of a supergroup upgrade move the binding before the old id is forgotten.
"""

from __future__ import annotations

import logging

from telegram import Chat, Message, Update, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CommandHandler, TypeHandler

from bot.accounts import language_from_telegram
from bot.context import HubApplication, HubContext
from bot.i18n import Translator
from bot.services import Services
from bot.staff_chat import bind_refusal
from handlers.common import reply, send, staff_only
from handlers.staff_chat_views import bound_text, refusal_text

logger = logging.getLogger(__name__)

# Before handlers.chat_scope (-3): its verdict depends on which group is the staff chat.
STAFF_CHAT_GROUP = -4
BIND_COMMAND = "bind"


async def _translator_of(services: Services, user: User | None) -> Translator:
    """In a group not yet bound the sender may not have a profile: their chosen language,
    else the one Telegram reports."""
    if user is None:
        return services.staff_translator()
    profile = await services.accounts.profile(user.id)
    if profile is not None and profile.language:
        return services.translator_for(profile)
    return services.translator(language_from_telegram(user.language_code))


async def _member_status(chat: Chat, user_id: int) -> tuple[str, bool]:
    member = await chat.get_member(user_id)
    can_send = getattr(member, "can_send_messages", True) is not False
    return str(member.status), can_send


async def bind_group(update: Update, services: Services, t: Translator) -> None:
    """Check the group, the sender's and the bot's rights; bind it, and say so there."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None
    bot = message.get_bot()
    # An anonymous administrator writes as the group, not as a hub staff member: the staff
    # check before this refuses them, since the binding must be traceable to a person.
    sender_status: str | None = None
    bot_status, bot_can_send = "", False
    if chat.type != ChatType.PRIVATE:
        sender_status = (await _member_status(chat, user.id))[0] if user is not None else ""
        bot_status, bot_can_send = await _member_status(chat, bot.id)
    refusal = bind_refusal(
        chat_type=chat.type,
        sender_status=sender_status,
        bot_status=bot_status,
        bot_can_send=bot_can_send,
    )
    if refusal is not None:
        logger.info("/bind refused in chat %s: %s", chat.id, refusal.value)
        await send(bot, chat.id, refusal_text(t, refusal, bot.username), t)
        return
    await services.staff_chat.bind(chat.id, chat.title or "")
    staff_t = services.staff_translator()
    privacy_on = not bot.can_read_all_group_messages
    await send(bot, chat.id, bound_text(staff_t, privacy_on=privacy_on), staff_t)


def _upgrade(message: Message | None) -> tuple[int, int] | None:
    """(old id, new id) from either service message of a supergroup upgrade."""
    if message is None:
        return None
    if message.migrate_to_chat_id is not None:
        return message.chat.id, message.migrate_to_chat_id
    if message.migrate_from_chat_id is not None:
        return message.migrate_from_chat_id, message.chat.id
    return None


async def follow_upgrade(update: Update, context: HubContext, upgrade: tuple[int, int]) -> None:
    services = context.services
    old_id, new_id = upgrade
    if services.staff_chat.id not in upgrade:
        return  # a stranger's group: handlers.chat_scope leaves it
    if await services.staff_chat.follow_upgrade(old_id, new_id):
        t = services.staff_translator()
        await send(
            context.bot,
            new_id,
            t._(
                "This group became a supergroup (new id {new_id}). It is still the Hub's staff "
                "group; nothing needs doing.",
                new_id=str(new_id),
            ),
            t,
        )
    raise ApplicationHandlerStop


def _is_bind_command(message: Message | None) -> bool:
    text = (message.text or "") if message is not None else ""
    command = text.split(maxsplit=1)[0] if text.startswith("/") else ""
    return command.split("@", 1)[0] == f"/{BIND_COMMAND}"


async def screen_groups(update: Update, context: HubContext) -> None:
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    upgrade = _upgrade(update.effective_message)
    if upgrade is not None:
        await follow_upgrade(update, context, upgrade)
        return
    services = context.services
    user = update.effective_user
    if chat.id == services.staff_chat.id or user is None:
        return
    if not await services.accounts.is_staff(user.id):
        return  # a stranger's group: handlers.chat_scope leaves it
    membership = update.my_chat_member
    added = membership is not None and membership.new_chat_member.status in (
        ChatMemberStatus.MEMBER,
        ChatMemberStatus.ADMINISTRATOR,
    )
    binding = _is_bind_command(update.effective_message)
    if not added and not binding:
        return  # anything else in a group not bound: handlers.chat_scope leaves it
    t = await _translator_of(services, user)
    if added:
        await send(
            context.bot,
            chat.id,
            t._(
                "To make this group the Hub's staff group, make me an administrator here, then "
                "send /bind (a group administrator who is hub staff)."
            ),
            t,
        )
    else:
        try:
            await bind_group(update, services, t)
        except TelegramError as error:
            # Nobody is bound yet: the error handler would answer in a chat the bot leaves.
            logger.warning("could not check chat rights for /bind in %s: %s", chat.id, error)
    raise ApplicationHandlerStop


@staff_only
async def bind_command(update: Update, context: HubContext) -> None:
    """/bind again in the staff chat (its title refreshed), or in a private chat (explained)."""
    try:
        await bind_group(update, context.services, context.t)
    except TelegramError as error:
        logger.warning("could not check chat rights for /bind: %s", error)
        await reply(update, context, context.t._("Telegram did not answer; try /bind again."))


def register(application: HubApplication) -> None:
    application.add_handler(TypeHandler(Update, screen_groups), group=STAFF_CHAT_GROUP)
    application.add_handler(CommandHandler(BIND_COMMAND, bind_command))
