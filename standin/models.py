"""The stand-in's data objects: people, chats, files, the bot's messages and refusals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

JsonDict = dict[str, Any]


class BotApiError(Exception):
    """A refusal, answered as ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def to_json(self) -> JsonDict:
        body: JsonDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


def bad(message: str) -> BotApiError:
    """A 400 "Bad Request: ..." refusal."""
    return BotApiError(400, f"Bad Request: {message}")


@dataclass
class Failure:
    """A refusal injected with :meth:`StandInBotApi.fail_next`."""

    error_code: int
    description: str
    retry_after: int | None
    times: int


@dataclass
class TgUser:
    """A simulated Telegram user."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False

    def to_dict(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


def member_status(status: str) -> JsonDict:
    """A ChatMember's fields for a status, as Telegram sends them (rights: everything)."""
    if status == "creator":
        return {"status": status, "is_anonymous": False}
    if status != "administrator":
        return {"status": status}
    rights = [
        "can_manage_chat",
        "can_delete_messages",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_promote_members",
        "can_change_info",
        "can_invite_users",
        "can_post_stories",
        "can_edit_stories",
        "can_delete_stories",
        "can_pin_messages",
    ]
    return {"status": status, "can_be_edited": False, "is_anonymous": False} | dict.fromkeys(
        rights, True
    )


@dataclass
class Chat:
    id: int
    type: str
    title: str | None = None
    user: TgUser | None = None
    privacy_mode: bool = True  # groups only: see StandInBotApi
    bot_is_member: bool = True
    # Groups only: members' statuses other than "member" (creator, administrator).
    statuses: dict[int, str] = field(default_factory=dict)
    migrated_to: int | None = None  # the supergroup this group was upgraded to

    def to_dict(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "type": self.type}
        if self.title is not None:
            data["title"] = self.title
        if self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
        return data


@dataclass(frozen=True)
class UploadedFile:
    """A file that arrived in a multipart request."""

    file_name: str
    content: bytes
    mime_type: str

    def to_dict(self) -> JsonDict:
        return {"file_name": self.file_name, "mime_type": self.mime_type, "size": len(self.content)}


@dataclass
class StoredFile:
    """A file the stand-in knows by file_id (uploaded by the bot or made for a user)."""

    file_id: str
    file_unique_id: str
    kind: str
    file_name: str
    content: bytes
    mime_type: str
    file_path: str

    def summary(self) -> JsonDict:
        """The dict exposed as SentMessage.document / .photo."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "content": self.content,
            "mime": self.mime_type,
        }


@dataclass
class SentMessage:
    """A message the bot sent, in its current state (edits applied, deletions flagged).

    ``text`` is the plain text with markup parsed away (None for media messages), ``caption`` the
    plain caption, and ``html`` the raw text or caption exactly as the bot sent it.  ``raw`` is the
    Message object the stand-in returned, as currently stored.
    """

    message_id: int
    chat_id: int
    text: str | None
    html: str | None
    parse_mode: str | None
    reply_markup: JsonDict | None
    caption: str | None = None
    document: JsonDict | None = None
    photo: JsonDict | None = None
    edited: bool = False
    deleted: bool = False
    entities: list[JsonDict] = field(default_factory=list)
    sent_by: str = "sendMessage"
    reply_to_message_id: int | None = None
    raw: JsonDict = field(default_factory=dict, repr=False)

    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Keyboard rows as (text, callback_data or url); reply-keyboard buttons give None."""
        markup = self.reply_markup or {}
        rows: list[list[tuple[str, str | None]]] = []
        if "inline_keyboard" in markup:
            for row in markup["inline_keyboard"]:
                rows.append(
                    [(b.get("text", ""), b.get("callback_data") or b.get("url")) for b in row]
                )
        elif "keyboard" in markup:
            for row in markup["keyboard"]:
                rows.append([(b, None) if isinstance(b, str) else (b["text"], None) for b in row])
        return rows

    def button_texts(self) -> list[str]:
        return [text for row in self.buttons() for text, _ in row]

    def callback_data_for(self, text: str) -> str:
        """The callback_data of the inline button labelled ``text``.

        Raises:
            AssertionError: no inline button with that label and callback_data.
        """
        for row in (self.reply_markup or {}).get("inline_keyboard", []):
            for button in row:
                if button.get("text") == text and "callback_data" in button:
                    return str(button["callback_data"])
        raise AssertionError(
            f"message {self.message_id} in chat {self.chat_id} has no callback button "
            f"{text!r}; buttons: {self.button_texts()!r}"
        )


class ClockLike(Protocol):
    def now(self) -> datetime: ...


Listener = Callable[[str, object], None]
"""Called as ``listener(event, payload)``; see :meth:`StandInBotApi.add_listener`."""
