"""Simulated people: users and groups, and what they send the bot."""

from __future__ import annotations

import copy
import re

from standin.html import utf16_len
from standin.models import Chat, JsonDict, TgUser, member_status
from standin.state import BotApiState

_BOT_COMMAND_ENTITY_RE = re.compile(r"^/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


class SimulatedPeople(BotApiState):
    """The tests' side: people who write, press buttons and block the bot."""

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        language_code: str | None = "en",
        username: str | None = None,
        last_name: str | None = None,
    ) -> TgUser:
        """Registers a person and their private chat with the bot (chat id == user id)."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = TgUser(
            id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.users[user_id] = user
        self._chats[user_id] = Chat(id=user_id, type="private", user=user)
        return user

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        supergroup: bool | None = None,
        privacy_mode: bool = True,
    ) -> None:
        """Registers a group chat (negative id; ids starting -100 are supergroups by default)
        with the bot in it; ``privacy_mode`` is Telegram's default for bots."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        if supergroup is None:
            supergroup = str(chat_id).startswith("-100")
        self._chats[chat_id] = Chat(
            id=chat_id,
            type="supergroup" if supergroup else "group",
            title=title,
            privacy_mode=privacy_mode,
        )

    def add_bot_to_group(self, chat_id: int, by_user_id: int) -> int:
        """The user adds the bot to the group (created if unknown): queues ``my_chat_member``
        as Telegram does; returns its update_id."""
        if chat_id not in self._chats:
            self.add_group(chat_id, f"Group {chat_id}")
        user, chat = self._person_in_chat(by_user_id, chat_id)
        chat.bot_is_member = True
        bot = self._bot_user()
        return self.queue_update(
            {
                "my_chat_member": {
                    "chat": chat.to_dict(),
                    "from": user.to_dict(),
                    "date": self._now(),
                    "old_chat_member": {"status": "left", "user": bot},
                    "new_chat_member": {"status": "member", "user": bot},
                }
            }
        )

    def set_status(self, chat_id: int, user_id: int, status: str) -> None:
        """A member's status in a group: ``"creator"``, ``"administrator"`` or ``"member"``;
        ``user_id`` the bot's id (or 0 before the bot has called) sets the bot's own."""
        chat = self._chats[chat_id]
        if user_id in (0, self.bot_id):
            self.bot_status[chat_id] = member_status(status)
        elif status == "member":
            chat.statuses.pop(user_id, None)
        else:
            chat.statuses[user_id] = status

    def upgrade_to_supergroup(
        self, chat_id: int, new_chat_id: int, by_user_id: int, *, new_first: bool = False
    ) -> int:
        """Telegram turns the group into a supergroup with a new id: members, rights and
        privacy mode carry over, the old id refuses every call with ``migrate_to_chat_id``,
        and the bot gets two service messages, one in each chat (old first, as Telegram
        sends them; ``new_first`` for the other order). Returns the update_id of the second."""
        old = self._chats[chat_id]
        if old.type != "group" or not str(new_chat_id).startswith("-100"):
            raise ValueError("only a basic group becomes a supergroup, with a -100... id")
        self._chats[new_chat_id] = Chat(
            id=new_chat_id,
            type="supergroup",
            title=old.title,
            privacy_mode=old.privacy_mode,
            bot_is_member=old.bot_is_member,
            statuses=dict(old.statuses),
        )
        if chat_id in self.bot_status:
            self.bot_status[new_chat_id] = self.bot_status[chat_id]
        user, _ = self._person_in_chat(by_user_id, chat_id)
        old_update = {
            "message_id": self._next_message_id(chat_id),
            "from": user.to_dict(),
            "chat": old.to_dict(),
            "date": self._now(),
            "migrate_to_chat_id": new_chat_id,
        }
        new_update = {
            "message_id": self._next_message_id(new_chat_id),
            "from": {
                "id": 1087968824,
                "is_bot": True,
                "first_name": "Group",
                "username": "GroupAnonymousBot",
            },
            "sender_chat": self._chats[new_chat_id].to_dict(),
            "chat": self._chats[new_chat_id].to_dict(),
            "date": self._now(),
            "migrate_from_chat_id": chat_id,
        }
        old.migrated_to = new_chat_id
        first, second = (new_update, old_update) if new_first else (old_update, new_update)
        self.queue_update({"message": first})
        return self.queue_update({"message": second})

    def delete_group(self, chat_id: int) -> None:
        """The group is deleted: every call about it is refused with "chat not found"."""
        del self._chats[chat_id]

    def bot_is_member(self, chat_id: int) -> bool:
        return self._chats[chat_id].bot_is_member

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> int | None:
        """Queues a text message from the user; returns its update_id (None: not delivered).

        A leading ``/command`` (optionally ``@botname``) gets a bot_command entity, as in
        Telegram.  ``reply_to_message_id`` may point at any message in that chat; the replied
        message is embedded like Telegram does.
        """
        fields: dict[str, object] = {"text": text}
        match = _BOT_COMMAND_ENTITY_RE.match(text)
        if match:
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}
            ]
        return self.send_message(
            user_id, chat_id=chat_id, reply_to_message_id=reply_to_message_id, **fields
        )

    def send_message(
        self,
        user_id: int,
        *,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
        **fields: object,
    ) -> int | None:
        """Queues any message from the user, ``fields`` merged into the Message object.

        Use the ``make_*`` helpers for valid content, e.g.
        ``send_message(42, document=api.make_document(b"...", "cv.pdf"), caption="my CV")``,
        ``send_message(42, photo=api.make_photo())``,
        ``send_message(42, sticker=api.make_sticker())``,
        ``send_message(42, location=api.make_location(33.9, 35.5))``,
        ``send_message(42, voice=api.make_voice(3))``,
        ``send_message(42, contact=api.make_contact("+961...", "Layla", user_id=42))``.
        Returns the update_id, or None when Telegram would not deliver the message to the bot
        (it is not in the group, or privacy mode hides the message from it).
        """
        user, chat = self._person_in_chat(user_id, chat_id)
        message: JsonDict = {
            "message_id": self._next_message_id(chat.id),
            "from": user.to_dict(),
            "chat": chat.to_dict(),
            "date": self._now(),
        }
        if reply_to_message_id is not None:
            message["reply_to_message"] = self._replied(chat.id, reply_to_message_id)
        message.update(fields)
        self._raw.setdefault(chat.id, {})[message["message_id"]] = message
        if not self._bot_receives(chat, message):
            return None
        return self.queue_update({"message": copy.deepcopy(message)})

    def _bot_receives(self, chat: Chat, message: JsonDict) -> bool:
        if chat.type == "private":
            return True
        if not chat.bot_is_member:
            return False
        if not chat.privacy_mode:
            return True
        text = message.get("text") or message.get("caption") or ""
        replied = message.get("reply_to_message") or {}
        return (
            bool(_BOT_COMMAND_ENTITY_RE.match(text))
            or replied.get("from", {}).get("id") == self.bot_id
            or f"@{self.bot_username}".lower() in text.lower()
        )

    def edit_user_message(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> int:
        """Queues an edited_message update for one of the user's own text messages."""
        user, chat = self._person_in_chat(user_id, chat_id)
        message = self._raw.get(chat.id, {}).get(message_id)
        if message is None or message.get("from", {}).get("id") != user.id:
            raise ValueError(f"user {user_id} has no message {message_id} in chat {chat.id}")
        message["text"] = text
        message["edit_date"] = self._now()
        match = _BOT_COMMAND_ENTITY_RE.match(text)
        if match:
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}
            ]
        else:
            message.pop("entities", None)
        return self.queue_update({"edited_message": copy.deepcopy(message)})

    def press_button(
        self, user_id: int, message_id: int, callback_data: str, *, chat_id: int | None = None
    ) -> int:
        """Queues a callback_query as if the user pressed a button on a bot message.

        The button need not exist (tests may forge data).  A message that is gone is sent as an
        InaccessibleMessage (date 0), as Telegram does.  Returns the update_id; the query id is
        in ``last_callback_query_id``.
        """
        user, chat = self._person_in_chat(user_id, chat_id)
        message = self._raw.get(chat.id, {}).get(message_id)
        if message is None:
            message = {"chat": chat.to_dict(), "message_id": message_id, "date": 0}
        query_id = str(1_000_000 + self._next_callback_id)
        self._next_callback_id += 1
        self._open_callback_queries.add(query_id)
        self.last_callback_query_id = query_id
        return self.queue_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_dict(),
                    "chat_instance": str(abs(chat.id) * 7 + 11),
                    "message": copy.deepcopy(message),
                    "data": callback_data,
                }
            }
        )

    def block(self, user_id: int) -> None:
        """From now on, sends to this user answer 403 "Forbidden: bot was blocked by the user"."""
        self.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self.blocked.discard(user_id)

    def queue_update(self, update: JsonDict) -> int:
        """Queues a raw update (anything without update_id); returns the assigned update_id."""
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, **update})
        self._notify()
        return update_id

    # -- content helpers for simulated messages --------------------------------------------

    def make_document(
        self,
        content: bytes = b"%PDF-1.4\n",
        file_name: str = "file.pdf",
        mime_type: str | None = None,
    ) -> JsonDict:
        """A Document object for ``send_message(document=...)``; downloadable via getFile."""
        stored = self._store_file("document", file_name, content, mime_type)
        return self._document_dict(stored)

    def make_photo(
        self, content: bytes = b"", width: int = 640, height: int = 480
    ) -> list[JsonDict]:
        """A list of PhotoSize objects (small and full size) for ``send_message(photo=...)``."""
        stored = self._store_file("photo", "photo.jpg", content, "image/jpeg")
        small = self._store_file("photo", "photo_s.jpg", content, "image/jpeg")
        scale = max(width, height, 1) / 90
        return [
            {
                "file_id": small.file_id,
                "file_unique_id": small.file_unique_id,
                "width": max(int(width / scale), 1),
                "height": max(int(height / scale), 1),
                "file_size": len(content),
            },
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(content),
            },
        ]

    def make_sticker(self, emoji: str = "👍", *, set_name: str | None = None) -> JsonDict:
        stored = self._store_file("sticker", "sticker.webp", b"RIFF", "image/webp")
        sticker: JsonDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        if set_name:
            sticker["set_name"] = set_name
        return sticker

    def make_voice(self, duration: int = 2, content: bytes = b"OggS") -> JsonDict:
        stored = self._store_file("voice", "voice.ogg", content, "audio/ogg")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(content),
        }

    @staticmethod
    def make_location(latitude: float, longitude: float) -> JsonDict:
        return {"latitude": latitude, "longitude": longitude}

    @staticmethod
    def make_contact(phone_number: str, first_name: str, *, user_id: int | None = None) -> JsonDict:
        contact: JsonDict = {"phone_number": phone_number, "first_name": first_name}
        if user_id is not None:
            contact["user_id"] = user_id
        return contact
