"""Which group is the staff chat: bound with /bind (or `hubbot staff-chat`), kept in the
database, and followed when Telegram upgrades the group to a supergroup."""

from __future__ import annotations

import logging
from enum import Enum

from bot.clock import Clock
from storage.staff_chat import StaffChatBinding, StaffChatRepository

logger = logging.getLogger(__name__)

GROUP_TYPES = ("group", "supergroup")
ADMIN_STATUSES = ("creator", "administrator")


class BindRefusal(Enum):
    """Why a group cannot become the staff chat; each has a sentence in the handler."""

    NOT_A_GROUP = "not a group"
    SENDER_NOT_ADMIN = "sender not an administrator"
    BOT_NOT_ADMIN = "bot not an administrator"
    BOT_CANNOT_WRITE = "bot may not send messages"


def bind_refusal(
    *, chat_type: str, sender_status: str | None, bot_status: str, bot_can_send: bool
) -> BindRefusal | None:
    """Whether a group can be bound. ``sender_status`` None: the operator, from the shell.

    The bot must be an administrator: the group's restrictions on members (who may post, send
    files) then never stop a card or a file reaching staff. It must be allowed to post, since
    staff answer by replying to its messages."""
    if chat_type not in GROUP_TYPES:
        return BindRefusal.NOT_A_GROUP
    if sender_status is not None and sender_status not in ADMIN_STATUSES:
        return BindRefusal.SENDER_NOT_ADMIN
    if bot_status != "administrator":
        return BindRefusal.BOT_NOT_ADMIN
    if not bot_can_send:
        return BindRefusal.BOT_CANNOT_WRITE
    return None


class StaffChat:
    """The staff chat's id, read on every update: the binding if there is one, else the
    configured initial value (HUBBOT_STAFF_CHAT_ID)."""

    def __init__(
        self, repository: StaffChatRepository, configured: int | None, clock: Clock
    ) -> None:
        self._repository = repository
        self._clock = clock
        self.id: int | None = configured
        self.binding: StaffChatBinding | None = None

    async def load(self) -> None:
        self.binding = await self._repository.get()
        if self.binding is not None:
            self.id = self.binding.chat_id

    async def bind(self, chat_id: int, title: str) -> None:
        await self._repository.bind(chat_id, title, self._clock.now())
        await self.load()
        logger.info("staff chat bound to %s", chat_id)

    async def follow_upgrade(self, old_chat_id: int, new_chat_id: int) -> bool:
        """True when this moved the staff chat (the first of the two updates Telegram sends)."""
        if self.id != old_chat_id:
            return False
        if not await self._repository.move(old_chat_id, new_chat_id, self._clock.now()):
            return False
        await self.load()
        logger.info("staff group %s became supergroup %s: binding moved", old_chat_id, new_chat_id)
        return True
