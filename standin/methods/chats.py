"""Chats and members: getChat, leaveChat, getChatMember, sendChatAction."""

from __future__ import annotations

from standin.models import JsonDict, bad, member_status
from standin.params import Params
from standin.state import BotApiState

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class ChatMethods(BotApiState):
    """What the bot may ask about chats and do in them."""

    async def _send_chat_action(self, params: Params) -> bool:
        chat = self._chat(params)
        action = params.get_str("action")
        if action not in _CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        self.chat_actions.append((chat.id, action))
        self._emit("chat_action", (chat.id, action))
        return True

    async def _get_chat(self, params: Params) -> JsonDict:
        chat = self._chat(params, sending=False)
        return {
            **chat.to_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _leave_chat(self, params: Params) -> bool:
        chat = self._chat(params)
        if chat.type == "private":
            raise bad("chat member status can't be changed in private chats")
        chat.bot_is_member = False
        self.bot_status[chat.id] = {"status": "left"}
        return True

    async def _get_chat_member(self, params: Params) -> JsonDict:
        chat = self._chat(params, sending=False)
        user_id = params.get_int("user_id")
        if user_id == self.bot_id:
            status = self.bot_status.get(chat.id, {"status": "member"})
            return {**status, "user": self._bot_user()}
        person = self.users.get(user_id or 0)
        if person is None:
            raise bad("user not found")
        return {**member_status(chat.statuses.get(person.id, "member")), "user": person.to_dict()}
