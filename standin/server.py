"""An in-process stand-in for the Telegram Bot API, served over real HTTP on localhost.

The test suite and the terminal console both run the bot against this server instead of
``api.telegram.org``.  Because it speaks HTTP, python-telegram-bot's real request path
(``HTTPXRequest``, parameter serialisation, ``base_url``) is exercised end to end::

    api = StandInBotApi()
    await api.start()
    app = (
        ApplicationBuilder()
        .token("123456:" + "A" * 30)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    api.add_user(42, "Layla", language_code="ar")
    update_id = api.send_text(42, "/start")
    ...
    await api.wait_fetched(update_id)      # the Updater has queued it
    await app.update_queue.join()          # and the handlers have run
    assert api.last_message(42).text == "..."

Everything lives in memory and runs on the caller's event loop (no threads).  The server checks
what Telegram checks - HTML markup, text and caption lengths, inline keyboards, known chats,
blocked users, "message is not modified" - and refuses with Telegram's own error texts, so a
bot that passes here does not trip over those checks in production.

Deliberate differences from the real Bot API are listed in the docstring of
:class:`StandInBotApi`.
"""

from __future__ import annotations

import asyncio
import collections
import copy
import json
import math
import mimetypes
import re
import socket
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from aiohttp import web

__all__ = [
    "BotApiError",
    "HtmlParseError",
    "SentMessage",
    "StandInBotApi",
    "StoredFile",
    "TgUser",
    "UploadedFile",
    "parse_html",
    "utf16_len",
]

JsonDict = dict[str, Any]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CALLBACK_ANSWER_LIMIT = 200
MAX_COMMANDS = 100
MAX_INLINE_BUTTONS = 100

TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]{20,}$")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_BOT_COMMAND_ENTITY_RE = re.compile(r"^/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_BUTTON_URL_RE = re.compile(r"^(?:https?://[^\s/?#]+|tg://[^\s]+)", re.IGNORECASE)
_LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
_TG_USER_LINK_RE = re.compile(r"^tg://user\?id=(\d+)$")

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"

# Methods the optional flood control counts as messages sent.
_RATE_LIMITED_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "copymessage",
        "forwardmessage",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
    }
)

# Update types that getUpdates leaves out unless they are asked for explicitly.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

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

_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

# Parameters that PTB JSON-encodes (objects and arrays) or sends as JSON numbers / booleans.
# Decoding them up front gives `calls` readable values and keeps the method handlers simple.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "scope",
        "commands",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "media",
        "results",
        "permissions",
        "reaction",
        "menu_button",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "user_id",
        "max_connections",
        "duration",
        "width",
        "height",
        "until_date",
        "video_start_timestamp",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
        "allow_paid_broadcast",
        "remove_caption",
    }
)


class BotApiError(Exception):
    """A refusal, answered as ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self, error_code: int, description: str, *, retry_after: int | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def to_json(self) -> JsonDict:
        body: JsonDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad(message: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {message}")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for limits and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------------------------------------
# HTML parse mode
# ---------------------------------------------------------------------------------------------


class HtmlParseError(ValueError):
    """Markup Telegram would refuse; the message is the part after "can't parse entities: "."""


_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_SIMPLE_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}
_HTML_SPACES = frozenset(" \t\n\r\f\v")
_NAMED_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _decode_html_entity(text: str, pos: int, *, strict: bool) -> tuple[str, int] | None:
    """Decodes the character reference starting at ``text[pos] == "&"``.

    Returns the character and the index after the reference, or None if there is none.  Like
    Telegram, the trailing ``;`` is optional unless ``strict``.
    """
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        is_hex = end < n and text[end] == "x"
        if is_hex:
            end += 1
        digits_start = end
        allowed = "0123456789abcdefABCDEF" if is_hex else "0123456789"
        while end < n and text[end] in allowed and end - pos < 10:
            end += 1
        if end == digits_start:
            return None
        code = int(text[digits_start:end], 16 if is_hex else 10)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        decoded = _NAMED_HTML_ENTITIES.get(text[pos + 1 : end])
        if decoded is None:
            return None
        char = decoded
    if end < n and text[end] == ";":
        end += 1
    elif strict:
        return None
    return char, end


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the plain text
    text_start: int  # index into the plain-text pieces, to recover the tag's inner text


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[JsonDict]]:
    """Parses Telegram's HTML parse mode into plain text and MessageEntity dicts.

    Follows tdlib's parser (the one behind the Bot API): the same tags, attributes and error
    texts, with byte offsets into the UTF-8 text.  Entity offsets and lengths are in UTF-16 code
    units.  With ``strict_ampersand`` (the default) a ``&`` that does not start ``&lt;``,
    ``&gt;``, ``&amp;``, ``&quot;``, ``&#NN;`` or ``&#xHH;`` is refused, as the Bot API
    documentation requires, although the real server lets it through as a literal ``&``.

    Raises:
        HtmlParseError: for markup Telegram would refuse.
    """
    pieces: list[str] = []
    offset = 0
    stack: list[_OpenTag] = []
    entities: list[JsonDict] = []
    i = 0
    n = len(text)

    def at(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    while i < n:
        char = text[i]
        if char == "&":
            decoded = _decode_html_entity(text, i, strict=strict_ampersand)
            if decoded is not None:
                pieces.append(decoded[0])
                offset += utf16_len(decoded[0])
                i = decoded[1]
                continue
            if strict_ampersand:
                raise HtmlParseError(
                    f'Unescaped "&" at byte offset {at(i)}: write it as "&amp;" (the stand-in '
                    "enforces the Bot API documentation here)"
                )
        if char != "<":
            pieces.append(char)
            offset += 2 if ord(char) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        i += 1
        if i >= n or text[i] != "/":
            # A start tag.
            while i < n and text[i] not in _HTML_SPACES and text[i] != ">":
                i += 1
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {at(begin)}")
            tag = text[begin + 1 : i].lower()
            if tag not in _HTML_TAGS:
                raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {at(begin)}')
            argument = ""
            while True:
                while i < n and text[i] in _HTML_SPACES:
                    i += 1
                if i >= n:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {at(begin)}")
                if text[i] == ">":
                    break
                name_start = i
                while i < n and text[i] not in _HTML_SPACES and text[i] not in "=>":
                    i += 1
                attribute = text[name_start:i].lower()
                if not attribute:
                    raise HtmlParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {at(begin)}'
                    )
                while i < n and text[i] in _HTML_SPACES:
                    i += 1
                if i >= n or text[i] != "=":
                    if tag == "blockquote" and attribute == "expandable":
                        argument = "1"
                    continue
                i += 1
                while i < n and text[i] in _HTML_SPACES:
                    i += 1
                if i >= n:
                    raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {at(begin)}')
                if text[i] not in "'\"":
                    token_start = i
                    while i < n and ((text[i].isascii() and text[i].isalnum()) or text[i] in ".-"):
                        i += 1
                    value = text[token_start:i].lower()
                    if i >= n or (text[i] not in _HTML_SPACES and text[i] != ">"):
                        raise HtmlParseError(
                            f"Unexpected end of name token at byte offset {at(token_start)}"
                        )
                else:
                    quote = text[i]
                    i += 1
                    value_chars: list[str] = []
                    while i < n and text[i] != quote:
                        if text[i] == "&":
                            decoded = _decode_html_entity(text, i, strict=False)
                            if decoded is not None:
                                value_chars.append(decoded[0])
                                i = decoded[1]
                                continue
                        value_chars.append(text[i])
                        i += 1
                    if i >= n:
                        raise HtmlParseError(f"Unclosed start tag at byte offset {at(begin)}")
                    i += 1
                    value = "".join(value_chars)
                if tag == "a" and attribute == "href":
                    argument = value
                elif tag == "code" and attribute == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attribute == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attribute == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attribute == "expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise HtmlParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {at(begin)}'
                )
            i += 1  # the '>'
            stack.append(_OpenTag(tag, argument, offset, len(pieces)))
            continue

        # An end tag.
        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {at(begin)}")
        i += 1
        name_start = i
        while i < n and text[i] not in _HTML_SPACES and text[i] != ">":
            i += 1
        end_name = text[name_start:i].lower()
        while i < n and text[i] in _HTML_SPACES:
            i += 1
        if i >= n or text[i] != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {at(begin)}")
        i += 1
        opened = stack.pop()
        if end_name and end_name != opened.name:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {at(begin)}, expected "</{opened.name}>", '
                f'found "</{end_name}>"'
            )
        length = offset - opened.offset
        if length <= 0:
            continue
        entity = _entity_for_tag(opened, length, "".join(pieces[opened.text_start :]), entities)
        if entity is not None:
            entities.append(entity)

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(pieces), entities


def _entity_for_tag(
    opened: _OpenTag, length: int, inner_text: str, entities: list[JsonDict]
) -> JsonDict | None:
    base: JsonDict = {"offset": opened.offset, "length": length}
    name = opened.name
    if name in _SIMPLE_TAG_ENTITY:
        return {"type": _SIMPLE_TAG_ENTITY[name], **base}
    if name == "a":
        url = opened.argument or inner_text
        mention = _TG_USER_LINK_RE.match(url)
        if mention:
            user = {"id": int(mention.group(1)), "is_bot": False, "first_name": inner_text}
            return {"type": "text_mention", **base, "user": user}
        if re.match(r"^(?:https?|tg|ton)://\S", url, re.IGNORECASE):
            return {"type": "text_link", **base, "url": url}
        if re.match(r"^[\w-]+(?:\.[\w-]+)+(?:[/?#]\S*)?$", url):
            return {"type": "text_link", **base, "url": f"http://{url}"}
        return None  # Telegram silently drops links it cannot use.
    if name == "code":
        entity = {"type": "code", **base}
        if opened.argument:
            entity["_language"] = opened.argument  # only kept if a <pre> wraps it exactly
        return entity
    if name == "pre":
        # <pre><code class="language-x">...</code></pre> becomes one pre entity with language.
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == opened.offset
            and last["length"] == length
        ):
            entities.pop()
            language = last.get("_language")
            return {"type": "pre", **base, **({"language": language} if language else {})}
        return {"type": "pre", **base}
    if name == "blockquote":
        kind = "expandable_blockquote" if opened.argument else "blockquote"
        return {"type": kind, **base}
    if name == "tg-emoji":
        return {"type": "custom_emoji", **base, "custom_emoji_id": opened.argument}
    return None


def _strip_private(entities: list[JsonDict]) -> list[JsonDict]:
    return [{k: v for k, v in e.items() if not k.startswith("_")} for e in entities]


def _trim(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Drops leading and trailing whitespace like Telegram does, shifting entities along."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


# ---------------------------------------------------------------------------------------------
# Data objects
# ---------------------------------------------------------------------------------------------


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


@dataclass
class _Chat:
    id: int
    type: str
    title: str | None = None
    user: TgUser | None = None
    privacy_mode: bool = True  # groups only: see StandInBotApi
    bot_is_member: bool = True

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


class _ClockLike(Protocol):
    def now(self) -> datetime: ...


Listener = Callable[[str, object], None]
"""Called as ``listener(event, payload)``; see :meth:`StandInBotApi.add_listener`."""


class _Params:
    """Decoded request parameters with Telegram-style coercion errors."""

    def __init__(self, values: Mapping[str, object]) -> None:
        self.values = values

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str, default: object = None) -> object:
        return self.values.get(name, default)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise _bad(f"invalid {name} specified")
        try:
            return int(value)
        except ValueError:
            raise _bad(f"invalid {name} specified") from None

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        raise _bad(f'field "{name}" must be of type String')

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def get_json(self, name: str) -> object:
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise _bad(f"can't parse {name} JSON object") from None
        return value


def _decode_value(name: str, value: object) -> object:
    if not isinstance(value, str):
        return value
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if name in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _BOOL_FIELDS and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    return value


@dataclass
class _Failure:
    error_code: int
    description: str
    retry_after: int | None
    times: int


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------


class StandInBotApi:
    """A Bot API server for one bot and a handful of simulated people.

    Deliberate differences from the real Bot API:

    * A bare ``&`` in HTML is refused (Telegram tolerates it); pass ``strict_ampersand=False``
      to get Telegram's lenient behaviour.
    * Only ``parse_mode="HTML"`` is implemented; Markdown and MarkdownV2 are refused with a 400
      saying so.  Telegram's automatic detection of URLs, mentions and hashtags in bot messages
      is not done.
    * An inline button with more than one action field is refused (Telegram uses the first).
    * Chats exist as soon as :meth:`add_user` / :meth:`add_group` are called.  The only
      membership modelled is the bot's own: :meth:`add_bot_to_group` sends ``my_chat_member``
      and ``leaveChat`` takes the bot out (sends there then answer 403).  There are no
      admin rights.  Privacy mode is on in groups unless ``add_group(privacy_mode=False)``:
      as in Telegram, the bot then receives only commands, replies to its own messages and
      messages that mention it.
    * ``chat_id`` must be numeric (no ``@username``); messages in blocked chats can still be
      edited and deleted.
    * Unknown methods answer 404 "Not Found"; sticker/voice/location sends are not implemented.
    """

    def __init__(
        self,
        *,
        bot_username: str = "MenaHubBot",
        bot_first_name: str | None = None,
        strict_ampersand: bool = True,
        clock: _ClockLike | None = None,
        messages_per_s: float | None = None,
        chat_interval_s: float | None = None,
        chat_burst: int = 1,
        group_interval_s: float | None = None,
        group_burst: int = 1,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name or bot_username
        self.strict_ampersand = strict_ampersand
        self.clock = clock
        self.bot_id = 0  # the number before ':' in the last token seen

        self.users: dict[int, TgUser] = {}
        self.blocked: set[int] = set()
        self.calls: list[tuple[str, JsonDict]] = []
        self.callback_answers: list[JsonDict] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.webhook_url = ""
        self.webhook_secret_token: str | None = None
        self.webhook_last_error: str | None = None  # what getWebhookInfo reports, if set
        self.files: dict[str, StoredFile] = {}
        # When set, any other token is refused with 401 as Telegram refuses a revoked one.
        self.accepted_token: str | None = None
        self.bot_status: dict[int, JsonDict] = {}  # the bot's membership per group (member)

        self._chats: dict[int, _Chat] = {}
        self._raw: dict[int, dict[int, JsonDict]] = {}  # chat -> message_id -> Message
        self._sent: dict[int, list[SentMessage]] = {}
        self._sent_index: dict[tuple[int, int], SentMessage] = {}
        self._last_message_id: dict[int, int] = {}
        self._updates: list[JsonDict] = []
        self._next_update_id = 1
        self._max_offset = 0  # highest getUpdates offset seen
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._open_callback_queries: set[str] = set()
        self.last_callback_query_id: str | None = None
        self._next_callback_id = 1
        self._failures: dict[str, list[_Failure]] = {}
        # Optional flood control like Telegram's (off by default): at most ``messages_per_s``
        # messages in any second overall; to one private chat ``chat_burst`` at once, then one
        # every ``chat_interval_s``; to a group ``group_burst``, then one every
        # ``group_interval_s`` (Telegram: about 1 a second, about 20 a minute).  ``monotonic``
        # is its time: tests share one with the bot's pacer where waiting takes no real time.
        self.messages_per_s = messages_per_s
        self.chat_interval_s = chat_interval_s
        self.chat_burst = chat_burst
        self.group_interval_s = group_interval_s
        self.group_burst = group_burst
        self.monotonic = monotonic
        self.rate_limited = 0  # 429s answered by that flood control
        self.errors: list[str] = []  # every error answered to the bot, as Telegram words it
        self.rate_limited_chats: collections.Counter[int] = collections.Counter()
        self._recent_sends: collections.deque[float] = collections.deque()
        self._chat_allowance: dict[int, tuple[float, float]] = {}  # chat -> (tokens, at)
        self._listeners: list[Listener] = []
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"
        self._methods: dict[str, Callable[[_Params], Awaitable[object]]] = {
            name.lower(): handler
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setMyDescription": self._set_my_description,
                "getMyDescription": self._get_my_description,
                "setMyShortDescription": self._set_my_short_description,
                "getMyShortDescription": self._get_my_short_description,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendDocument": self._send_document,
                "sendPhoto": self._send_photo,
                "sendChatAction": self._send_chat_action,
                "copyMessage": self._copy_message,
                "forwardMessage": self._forward_message,
                "getChat": self._get_chat,
                "leaveChat": self._leave_chat,
                "getChatMember": self._get_chat_member,
                "getFile": self._get_file,
                "close": self._true,
                "logOut": self._true,
            }.items()
        }

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Starts serving on ``host:port`` (port 0 picks a free one)."""
        if self._runner is not None:
            raise RuntimeError("StandInBotApi is already running")
        self._closing = False
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
        await web.SockSite(runner, sock).start()
        self._runner = runner
        self._host = host
        self._port = sock.getsockname()[1]

    async def stop(self) -> None:
        """Releases pending long polls and shuts the server down."""
        self._closing = True
        self._notify()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> StandInBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("StandInBotApi is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._host}:{self.port}/file/bot"

    # -- simulated people ------------------------------------------------------------------------

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
        self._chats[user_id] = _Chat(id=user_id, type="private", user=user)
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
        self._chats[chat_id] = _Chat(
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

    def _bot_receives(self, chat: _Chat, message: JsonDict) -> bool:
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

    # -- failure injection -----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Makes the next ``times`` calls of ``method`` fail (before any validation).

        E.g. ``fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)``
        surfaces in PTB as ``telegram.error.RetryAfter``.
        """
        self._failures.setdefault(method.lower(), []).append(
            _Failure(error_code, description, retry_after, times)
        )

    # -- what the bot did ------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in the chat, in order, in their current state (deleted included)."""
        return list(self._sent.get(chat_id, []))

    def last_message(self, chat_id: int) -> SentMessage:
        sent = self._sent.get(chat_id)
        if not sent:
            raise AssertionError(f"the bot has sent nothing to chat {chat_id}")
        return sent[-1]

    def user_message(self, chat_id: int, message_id: int) -> JsonDict:
        """The stored Message object (any sender) with that id, e.g. a simulated user's."""
        return self._raw[chat_id][message_id]

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Updates not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    def add_listener(self, listener: Listener) -> None:
        """Registers ``listener(event, payload)``, called synchronously on bot activity.

        Events: ``"message"``, ``"edited"``, ``"deleted"`` (payload: SentMessage),
        ``"callback_answer"`` (payload: dict), ``"chat_action"`` (payload: (chat_id, action)).
        Meant for the console, which prints bot output as it happens.
        """
        self._listeners.append(listener)

    async def wait_fetched(self, update_id: int, timeout: float = 10) -> None:  # noqa: ASYNC109
        """Returns once getUpdates was called with an offset above ``update_id``.

        PTB's Updater puts fetched updates into ``application.update_queue`` before it asks for
        the next batch with a higher offset, so after this returns, ``await
        application.update_queue.join()`` waits until the handlers have run.
        """
        await self._wait(
            lambda: self._max_offset > update_id,
            timeout,
            lambda: (
                f"update {update_id} was not fetched within {timeout}s (highest getUpdates "
                f"offset seen: {self._max_offset}; is the Updater polling this server?)"
            ),
        )

    async def wait_for_call(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 10,  # noqa: ASYNC109 - same convention as wait_fetched
    ) -> tuple[str, JsonDict]:
        """Waits until ``method`` (case-insensitive) has been called ``count`` times in all.

        Returns that call.  Useful to know a long poll is in flight, or that a fire-and-forget
        call (sendChatAction, answerCallbackQuery) has arrived.
        """
        wanted = method.lower()

        def matching() -> list[tuple[str, JsonDict]]:
            return [call for call in self.calls if call[0].lower() == wanted]

        await self._wait(
            lambda: len(matching()) >= count,
            timeout,
            lambda: f"{method} was called {len(matching())} time(s), expected {count}",
        )
        return matching()[count - 1]

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] = lambda m: True,
        timeout: float = 10,  # noqa: ASYNC109 - part of the agreed interface
        *,
        after: int | None = None,
    ) -> SentMessage:
        """Returns the first bot message in the chat, in order, that matches ``predicate``.

        Messages already there count, and so do edits (the predicate sees the current state)
        and deleted messages (check ``m.deleted`` to exclude them).  ``after`` restricts the
        search to message ids above it, e.g. ``after=api.last_message(chat).message_id``.
        """
        found: list[SentMessage] = []

        def check() -> bool:
            for message in self._sent.get(chat_id, []):
                if after is not None and message.message_id <= after:
                    continue
                if predicate(message):
                    found.append(message)
                    return True
            return False

        def describe() -> str:
            got = [
                (m.message_id, m.text if m.text is not None else m.caption)
                for m in self._sent.get(chat_id, [])
            ]
            return (
                f"no matching bot message in chat {chat_id} within {timeout}s; bot messages "
                f"there: {got!r}"
            )

        await self._wait(check, timeout, describe)
        return found[-1]

    # -- internals: state ----------------------------------------------------------------------

    def _notify(self) -> None:
        """Wakes every waiter; they re-check their condition.

        A fresh Event per change lets synchronous code (send_text, ...) signal without locks.
        """
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait(
        self, condition: Callable[[], bool], seconds: float, describe: Callable[[], str]
    ) -> None:
        try:
            async with asyncio.timeout(seconds):
                while not condition():
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(describe()) from None

    def _emit(self, event: str, payload: object) -> None:
        self._notify()
        for listener in list(self._listeners):
            listener(event, payload)

    def _now(self) -> int:
        if self.clock is not None:
            return int(self.clock.now().timestamp())
        return int(time.time())

    def _next_message_id(self, chat_id: int) -> int:
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        return message_id

    def _person_in_chat(self, user_id: int, chat_id: int | None) -> tuple[TgUser, _Chat]:
        user = self.users.get(user_id)
        if user is None:
            raise ValueError(f"unknown user {user_id}: call add_user() first")
        chat = self._chats.get(user_id if chat_id is None else chat_id)
        if chat is None:
            raise ValueError(f"unknown chat {chat_id}: call add_group() first")
        return user, chat

    def _replied(self, chat_id: int, message_id: int) -> JsonDict:
        message = self._raw.get(chat_id, {}).get(message_id)
        if message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id} to reply to")
        replied = copy.deepcopy(message)
        replied.pop("reply_to_message", None)  # Telegram nests only one level
        return replied

    def _bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _store_file(
        self, kind: str, file_name: str, content: bytes, mime_type: str | None
    ) -> StoredFile:
        number = len(self.files) + 1
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = StoredFile(
            file_id=f"{kind.upper()}-{number:06d}-standin",
            file_unique_id=f"U{number:06d}",
            kind=kind,
            file_name=file_name,
            content=content,
            mime_type=mime,
            file_path=f"{kind}s/file_{number}.{extension}",
        )
        self.files[stored.file_id] = stored
        return stored

    @staticmethod
    def _document_dict(stored: StoredFile) -> JsonDict:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": len(stored.content),
        }

    # -- internals: HTTP -------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        token_match = TOKEN_RE.match(request.match_info["token"])
        if token_match is None or self.accepted_token not in (None, request.match_info["token"]):
            return self._error(BotApiError(401, "Unauthorized"))
        self.bot_id = int(token_match.group(1))
        method = request.match_info["method"]
        try:
            params = await self._read_params(request)
        except BotApiError as exc:
            return self._error(exc)
        self.calls.append((method, params))
        self._notify()

        handler = self._methods.get(method.lower())
        if handler is None:
            return self._error(BotApiError(404, "Not Found"))
        failures = self._failures.get(method.lower())
        if failures:
            failure = failures[0]
            failure.times -= 1
            if failure.times <= 0:
                failures.pop(0)
            return self._error(
                BotApiError(
                    failure.error_code, failure.description, retry_after=failure.retry_after
                )
            )
        flood = self._flood_control(method, params)
        if flood is not None:
            return self._error(flood)
        try:
            result = await handler(_Params(params))
        except BotApiError as exc:
            self.errors.append(exc.description)
            return self._error(exc)
        return web.json_response({"ok": True, "result": result})

    def _flood_control(self, method: str, params: JsonDict) -> BotApiError | None:
        """A 429 with retry_after, like Telegram, when a message exceeds the configured rates."""
        if method.lower() not in _RATE_LIMITED_METHODS:
            return None
        now = self.monotonic()
        chat_id = params.get("chat_id")
        wait = 0.0
        if self.messages_per_s is not None:
            while self._recent_sends and self._recent_sends[0] <= now - 1.0:
                self._recent_sends.popleft()
            if len(self._recent_sends) >= self.messages_per_s:
                wait = self._recent_sends[0] + 1.0 - now
        interval, burst = (
            (self.group_interval_s, self.group_burst)
            if isinstance(chat_id, int) and chat_id < 0
            else (self.chat_interval_s, self.chat_burst)
        )
        tokens = 0.0
        if interval is not None and isinstance(chat_id, int):
            held, at = self._chat_allowance.get(chat_id, (float(burst), now))
            tokens = min(held + (now - at) / interval, float(burst)) if interval > 0 else burst
            if tokens < 1:
                wait = max(wait, (1 - tokens) * interval)
        if wait > 0:
            self.rate_limited += 1
            if isinstance(chat_id, int):
                self.rate_limited_chats[chat_id] += 1
            retry_after = max(math.ceil(wait), 1)
            return BotApiError(
                429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
            )
        self._recent_sends.append(now)
        if interval is not None and isinstance(chat_id, int):
            self._chat_allowance[chat_id] = (tokens - 1, now)
        return None

    @staticmethod
    def _error(exc: BotApiError) -> web.Response:
        return web.json_response(exc.to_json(), status=exc.error_code)

    @staticmethod
    async def _read_params(request: web.Request) -> JsonDict:
        raw: dict[str, object] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise _bad("can't parse JSON encoded request") from None
                if not isinstance(body, dict):
                    raise _bad("can't parse JSON encoded request")
                raw.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        raw[key] = UploadedFile(
                            file_name=value.filename,
                            content=value.file.read(),
                            mime_type=value.content_type,
                        )
                    else:
                        raw[key] = value
        return {key: _decode_value(key, value) for key, value in raw.items()}

    async def _handle_file(self, request: web.Request) -> web.Response:
        if TOKEN_RE.match(request.match_info["token"]) is None:
            return self._error(BotApiError(401, "Unauthorized"))
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.content, content_type=stored.mime_type)
        return self._error(BotApiError(404, "Not Found"))

    # -- internals: validation helpers ---------------------------------------------------------

    def _chat(self, params: _Params, *, name: str = "chat_id", sending: bool = True) -> _Chat:
        value = params.get(name)
        if value is None or value == "":
            raise _bad(f"{name} is empty")
        if not isinstance(value, int) or isinstance(value, bool):
            raise _bad("chat not found")
        chat = self._chats.get(value)
        if chat is None:
            raise _bad("chat not found")
        if sending and chat.id in self.blocked:
            raise BotApiError(403, BLOCKED)
        if sending and not chat.bot_is_member:
            raise BotApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        return chat

    def _formatted(
        self,
        params: _Params,
        *,
        text_name: str,
        entities_name: str,
        limit: int,
        caption: bool,
    ) -> tuple[str, list[JsonDict], str | None, str | None]:
        """Returns (plain text, entities, raw text, parse mode) after Telegram's checks."""
        raw = params.get_str(text_name)
        parse_mode = params.get_str("parse_mode") or None
        if raw is None:
            raw = ""
        explicit = params.get_json(entities_name)
        if explicit is not None:
            if not isinstance(explicit, list) or not all(isinstance(e, dict) for e in explicit):
                raise _bad(f"can't parse {entities_name} JSON object")
            plain, entities = raw, [dict(e) for e in explicit]
            size = utf16_len(plain)
            for entity in entities:
                offset, length = entity.get("offset"), entity.get("length")
                if (
                    not isinstance(offset, int)
                    or not isinstance(length, int)
                    or offset < 0
                    or length <= 0
                    or offset + length > size
                ):
                    raise _bad("can't parse entities: entity beyond the end of the text")
        elif parse_mode is not None and raw:
            mode = parse_mode.lower()
            if mode == "html":
                try:
                    plain, entities = parse_html(raw, strict_ampersand=self.strict_ampersand)
                except HtmlParseError as exc:
                    raise _bad(f"can't parse entities: {exc}") from None
            elif mode in ("markdown", "markdownv2"):
                raise _bad(
                    f"unsupported parse_mode {parse_mode!r} in the Telegram stand-in "
                    "(only HTML is implemented)"
                )
            else:
                raise _bad("unsupported parse_mode")
        else:
            if parse_mode is not None and parse_mode.lower() not in (
                "html",
                "markdown",
                "markdownv2",
            ):
                raise _bad("unsupported parse_mode")
            plain, entities = raw, []
        plain, entities = _trim(plain, _strip_private(entities))
        size = utf16_len(plain)
        if caption:
            if size > limit:
                raise _bad("message caption is too long")
        else:
            if size == 0:
                raise _bad("message text is empty")
            if size > limit:
                raise _bad("message is too long")
        return plain, entities, raw, parse_mode

    def _markup(self, params: _Params, *, inline_only: bool = False) -> JsonDict | None:
        markup = params.get_json("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            self._check_inline_keyboard(markup["inline_keyboard"])
            return markup
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
            for row in rows:
                for button in row:
                    text = (
                        button
                        if isinstance(button, str)
                        else (button.get("text") if isinstance(button, dict) else None)
                    )
                    if not isinstance(text, str):
                        raise _bad(
                            'can\'t parse keyboard button: Field "text" must be of type String'
                        )
            return markup
        if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
            return markup
        raise _bad("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_keyboard(rows: object) -> None:
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        if sum(len(r) for r in rows) > MAX_INLINE_BUTTONS:
            raise _bad("reply markup is too long")
        prefix = "can't parse inline keyboard button: "
        for row in rows:
            for button in row:
                if not isinstance(button, dict):
                    raise _bad(prefix + "InlineKeyboardButton must be an Object")
                if "text" not in button:
                    raise _bad(prefix + 'Can\'t find field "text"')
                text = button["text"]
                if not isinstance(text, str):
                    raise _bad(prefix + 'Field "text" must be of type String')
                if not text.strip():
                    raise _bad(prefix + "Text must be non-empty")
                actions = [
                    a
                    for a in _INLINE_ACTIONS
                    if button.get(a) is not None
                    and not (a in ("url", "callback_data") and button.get(a) == "")
                ]
                if not actions:
                    raise _bad(prefix + "Text buttons are unallowed in the inline keyboard")
                if len(actions) > 1:
                    raise _bad(prefix + f"exactly one action field must be used, got {actions!r}")
                if "callback_data" in actions:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode()) <= (
                        CALLBACK_DATA_LIMIT
                    ):
                        raise _bad("BUTTON_DATA_INVALID")
                if "url" in actions:
                    url = button["url"]
                    if not isinstance(url, str) or not _BUTTON_URL_RE.match(url):
                        raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")

    def _reply_target(self, params: _Params, chat: _Chat) -> JsonDict | None:
        reply = params.get_json("reply_parameters")
        message_id: int | None
        allow_missing = params.get_bool("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
            if reply.get("chat_id") not in (None, chat.id):
                raise _bad("replying to messages in other chats is not supported by the stand-in")
        else:
            message_id = params.get_int("reply_to_message_id")
        if message_id is None:
            return None
        if message_id in self._raw.get(chat.id, {}):
            replied = copy.deepcopy(self._raw[chat.id][message_id])
            replied.pop("reply_to_message", None)
            return replied
        if allow_missing:
            return None
        raise _bad("message to be replied not found")

    def _record_bot_message(
        self,
        chat: _Chat,
        *,
        sent_by: str,
        content: JsonDict,
        text: str | None,
        html: str | None,
        parse_mode: str | None,
        entities: list[JsonDict],
        reply_markup: JsonDict | None,
        reply_to: JsonDict | None,
        caption: str | None = None,
        document: JsonDict | None = None,
        photo: JsonDict | None = None,
    ) -> SentMessage:
        message_id = self._next_message_id(chat.id)
        raw: JsonDict = {
            "message_id": message_id,
            "from": self._bot_user(),
            "chat": chat.to_dict(),
            "date": self._now(),
            **content,
        }
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        if reply_markup is not None and "inline_keyboard" in reply_markup:
            raw["reply_markup"] = reply_markup
        self._raw.setdefault(chat.id, {})[message_id] = raw
        sent = SentMessage(
            message_id=message_id,
            chat_id=chat.id,
            text=text,
            html=html,
            parse_mode=parse_mode,
            reply_markup=reply_markup,
            caption=caption,
            document=document,
            photo=photo,
            entities=entities,
            sent_by=sent_by,
            reply_to_message_id=reply_to["message_id"] if reply_to else None,
            raw=raw,
        )
        self._sent.setdefault(chat.id, []).append(sent)
        self._sent_index[(chat.id, message_id)] = sent
        self._emit("message", sent)
        return sent

    def _editable(self, params: _Params) -> SentMessage:
        if params.get("inline_message_id") is not None:
            raise _bad("message to edit not found")
        chat = self._chat(params, sending=False)
        message_id = params.get_int("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        sent = self._sent_index.get((chat.id, message_id))
        if sent is None or sent.deleted:
            if message_id in self._raw.get(chat.id, {}):
                raise _bad("message can't be edited")
            raise _bad("message to edit not found")
        return sent

    def _input_file(self, params: _Params, name: str, kind: str) -> StoredFile:
        value = params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value[len("attach://") :])
        if isinstance(value, UploadedFile):
            return self._store_file(kind, value.file_name, value.content, value.mime_type)
        if isinstance(value, str) and value:
            if value in self.files:
                return self.files[value]
            if re.match(r"^https?://\S+$", value):
                file_name = value.rstrip("/").rsplit("/", 1)[-1] or f"{kind}.bin"
                return self._store_file(kind, file_name, b"", None)
            raise _bad("wrong file identifier/HTTP URL specified")
        raise _bad(f"there is no {name} in the request")

    # -- internals: methods ----------------------------------------------------------------------

    async def _true(self, params: _Params) -> bool:
        return True

    async def _get_me(self, params: _Params) -> JsonDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: _Params) -> list[JsonDict]:
        if self.webhook_url:
            raise BotApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = params.get_int("offset", 0) or 0
        limit = min(max(params.get_int("limit", 100) or 100, 1), 100)
        timeout = max(params.get_int("timeout", 0) or 0, 0)
        allowed = params.get_json("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed] or None
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._max_offset = max(self._max_offset, offset)
        elif offset < 0:
            self._updates = self._updates[offset:]
        # A newer getUpdates request terminates an older one still waiting, as in Telegram.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()

        def selected() -> list[JsonDict]:
            start = offset if offset > 0 else 0
            chosen = [
                u for u in self._updates if u["update_id"] >= start and self._update_allowed(u)
            ]
            return chosen[:limit]

        def done() -> bool:
            return self._closing or generation != self._poll_generation or bool(selected())

        if timeout > 0 and not done():
            try:
                async with asyncio.timeout(timeout):
                    while not done():
                        await self._changed.wait()
            except TimeoutError:
                pass
        if generation != self._poll_generation and not self._closing:
            raise BotApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running",
            )
        return selected()

    def _update_allowed(self, update: JsonDict) -> bool:
        kind = next((k for k in update if k != "update_id"), "")
        if self._allowed_updates is None:
            return kind not in _OPT_IN_UPDATES
        return kind in self._allowed_updates

    async def _set_webhook(self, params: _Params) -> bool:
        url = params.get_str("url") or ""
        if url and not re.match(r"^https://\S+$", url):
            raise _bad("bad webhook: HTTPS url must be provided for webhook")
        secret = params.get_str("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise _bad("secret token contains unallowed characters")
        self.webhook_url = url
        self.webhook_secret_token = secret
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: _Params) -> bool:
        self.webhook_url = ""
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: _Params) -> JsonDict:
        info: JsonDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_last_error:
            info["last_error_date"] = int(time.time())
            info["last_error_message"] = self.webhook_last_error
        return info

    def _commands_key(self, params: _Params) -> tuple[str, str]:
        scope = params.get_json("scope")
        if scope is None:
            scope_key = "default"
        else:
            if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
                raise _bad("can't parse BotCommandScope JSON object")
            kind = scope["type"]
            if kind in (
                "default",
                "all_private_chats",
                "all_group_chats",
                "all_chat_administrators",
            ):
                scope_key = kind
            elif kind in ("chat", "chat_administrators", "chat_member"):
                chat = self._chat(_Params(scope), sending=False)
                scope_key = f"{kind}:{chat.id}"
                if kind == "chat_member":
                    user_id = _Params(scope).get_int("user_id")
                    if user_id is None:
                        raise _bad("user_id is empty")
                    scope_key += f":{user_id}"
            else:
                raise _bad("wrong bot command scope type specified")
        language = params.get_str("language_code") or ""
        if language and not _LANGUAGE_RE.match(language):
            raise _bad("invalid language code specified")
        return scope_key, language

    async def _set_my_commands(self, params: _Params) -> bool:
        commands = params.get_json("commands")
        if commands is None:
            commands = []
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        cleaned: list[JsonDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand: BotCommand must be an Object")
            for name in ("command", "description"):
                if name not in command:
                    raise _bad(f"can't parse BotCommand: Can't find field \"{name}\"")
                if not isinstance(command[name], str):
                    raise _bad(f'can\'t parse BotCommand: Field "{name}" must be of type String')
            if not _COMMAND_RE.match(command["command"]):
                raise _bad("BOT_COMMAND_INVALID")
            description = command["description"]
            if not description.strip():
                raise _bad("command description must be non-empty")
            if len(description) > 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command["command"], "description": description})
        key = self._commands_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: _Params) -> list[JsonDict]:
        return list(self.commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: _Params) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _description_key(self, params: _Params, kind: str) -> tuple[str, str]:
        language = params.get_str("language_code") or ""
        if language and not _LANGUAGE_RE.match(language):
            raise _bad("invalid language code specified")
        return kind, language

    async def _set_my_description(self, params: _Params) -> bool:
        text = params.get_str("description") or ""
        if len(text) > 512:
            raise _bad("description is too long")
        self.descriptions[self._description_key(params, "description")] = text
        return True

    async def _get_my_description(self, params: _Params) -> JsonDict:
        key = self._description_key(params, "description")
        return {"description": self.descriptions.get(key, "")}

    async def _set_my_short_description(self, params: _Params) -> bool:
        text = params.get_str("short_description") or ""
        if len(text) > 120:
            raise _bad("short description is too long")
        self.descriptions[self._description_key(params, "short_description")] = text
        return True

    async def _get_my_short_description(self, params: _Params) -> JsonDict:
        key = self._description_key(params, "short_description")
        return {"short_description": self.descriptions.get(key, "")}

    async def _send_message(self, params: _Params) -> JsonDict:
        chat = self._chat(params)
        plain, entities, raw, parse_mode = self._formatted(
            params, text_name="text", entities_name="entities", limit=TEXT_LIMIT, caption=False
        )
        markup = self._markup(params)
        reply_to = self._reply_target(params, chat)
        content: JsonDict = {"text": plain}
        if entities:
            content["entities"] = entities
        sent = self._record_bot_message(
            chat,
            sent_by="sendMessage",
            content=content,
            text=plain,
            html=raw,
            parse_mode=parse_mode,
            entities=entities,
            reply_markup=markup,
            reply_to=reply_to,
        )
        return sent.raw

    async def _send_media(self, params: _Params, kind: str) -> JsonDict:
        chat = self._chat(params)
        caption, entities, raw, parse_mode = self._formatted(
            params,
            text_name="caption",
            entities_name="caption_entities",
            limit=CAPTION_LIMIT,
            caption=True,
        )
        stored = self._input_file(params, kind, kind)
        markup = self._markup(params)
        reply_to = self._reply_target(params, chat)
        content: JsonDict
        if kind == "photo":
            width, height = _image_size(stored.content)
            content = {
                "photo": [
                    {
                        "file_id": stored.file_id,
                        "file_unique_id": stored.file_unique_id,
                        "width": width,
                        "height": height,
                        "file_size": len(stored.content),
                    }
                ]
            }
        else:
            content = {"document": self._document_dict(stored)}
        if caption:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        sent = self._record_bot_message(
            chat,
            sent_by="sendPhoto" if kind == "photo" else "sendDocument",
            content=content,
            text=None,
            html=raw if params.get("caption") is not None else None,
            parse_mode=parse_mode,
            entities=entities,
            reply_markup=markup,
            reply_to=reply_to,
            caption=caption or None,
            document=stored.summary() if kind == "document" else None,
            photo=stored.summary() if kind == "photo" else None,
        )
        return sent.raw

    async def _send_document(self, params: _Params) -> JsonDict:
        return await self._send_media(params, "document")

    async def _send_photo(self, params: _Params) -> JsonDict:
        return await self._send_media(params, "photo")

    async def _edit_message_text(self, params: _Params) -> JsonDict:
        sent = self._editable(params)
        if "text" not in sent.raw:
            raise _bad("there is no text in the message to edit")
        plain, entities, raw, parse_mode = self._formatted(
            params, text_name="text", entities_name="entities", limit=TEXT_LIMIT, caption=False
        )
        markup = self._markup(params, inline_only=True)
        if (
            plain == sent.raw.get("text")
            and entities == sent.raw.get("entities", [])
            and markup == sent.raw.get("reply_markup")
        ):
            raise _bad(NOT_MODIFIED)
        sent.raw["text"] = plain
        _set_or_pop(sent.raw, "entities", entities or None)
        sent.text, sent.html, sent.parse_mode, sent.entities = plain, raw, parse_mode, entities
        return self._apply_edit(sent, markup)

    async def _edit_message_caption(self, params: _Params) -> JsonDict:
        sent = self._editable(params)
        if "text" in sent.raw:
            raise _bad("there is no caption in the message to edit")
        caption, entities, raw, parse_mode = self._formatted(
            params,
            text_name="caption",
            entities_name="caption_entities",
            limit=CAPTION_LIMIT,
            caption=True,
        )
        markup = self._markup(params, inline_only=True)
        if (
            caption == sent.raw.get("caption", "")
            and entities == sent.raw.get("caption_entities", [])
            and markup == sent.raw.get("reply_markup")
        ):
            raise _bad(NOT_MODIFIED)
        _set_or_pop(sent.raw, "caption", caption or None)
        _set_or_pop(sent.raw, "caption_entities", entities or None)
        sent.caption, sent.html, sent.parse_mode, sent.entities = (
            caption or None,
            raw if params.get("caption") is not None else None,
            parse_mode,
            entities,
        )
        return self._apply_edit(sent, markup)

    async def _edit_message_reply_markup(self, params: _Params) -> JsonDict:
        sent = self._editable(params)
        markup = self._markup(params, inline_only=True)
        if markup == sent.raw.get("reply_markup"):
            raise _bad(NOT_MODIFIED)
        return self._apply_edit(sent, markup)

    def _apply_edit(self, sent: SentMessage, markup: JsonDict | None) -> JsonDict:
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        _set_or_pop(sent.raw, "reply_markup", markup)
        sent.reply_markup = markup
        sent.raw["edit_date"] = self._now()
        sent.edited = True
        self._emit("edited", sent)
        return sent.raw

    async def _delete_message(self, params: _Params) -> bool:
        chat = self._chat(params, sending=False)
        message_id = params.get_int("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        if self._raw.get(chat.id, {}).pop(message_id, None) is None:
            raise _bad("message to delete not found")
        sent = self._sent_index.get((chat.id, message_id))
        if sent is not None:
            sent.deleted = True
            self._emit("deleted", sent)
        else:
            self._notify()
        return True

    async def _answer_callback_query(self, params: _Params) -> bool:
        query_id = params.get_str("callback_query_id")
        if not query_id:
            raise _bad("callback_query_id is empty")
        text = params.get_str("text")
        if text is not None and utf16_len(text) > CALLBACK_ANSWER_LIMIT:
            raise _bad("MESSAGE_TOO_LONG")
        if query_id not in self._open_callback_queries:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        self._open_callback_queries.discard(query_id)
        answer = {
            "callback_query_id": query_id,
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
            "cache_time": params.get_int("cache_time"),
        }
        self.callback_answers.append(answer)
        self._emit("callback_answer", answer)
        return True

    async def _send_chat_action(self, params: _Params) -> bool:
        chat = self._chat(params)
        action = params.get_str("action")
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self.chat_actions.append((chat.id, action))
        self._emit("chat_action", (chat.id, action))
        return True

    def _source_message(self, params: _Params, missing: str) -> JsonDict:
        from_chat = self._chat(params, name="from_chat_id", sending=False)
        message_id = params.get_int("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        source = self._raw.get(from_chat.id, {}).get(message_id)
        if source is None:
            raise _bad(missing)
        return source

    @staticmethod
    def _content_of(source: JsonDict) -> JsonDict:
        skip = {
            "message_id",
            "from",
            "chat",
            "date",
            "edit_date",
            "reply_markup",
            "reply_to_message",
            "forward_origin",
        }
        return {k: copy.deepcopy(v) for k, v in source.items() if k not in skip}

    def _sent_from_content(
        self,
        chat: _Chat,
        sent_by: str,
        content: JsonDict,
        markup: JsonDict | None,
        reply_to: JsonDict | None,
        parse_mode: str | None = None,
        html: str | None = None,
    ) -> SentMessage:
        document = photo = None
        if "document" in content and content["document"]["file_id"] in self.files:
            document = self.files[content["document"]["file_id"]].summary()
        if "photo" in content and content["photo"][-1]["file_id"] in self.files:
            photo = self.files[content["photo"][-1]["file_id"]].summary()
        text = content.get("text")
        caption = content.get("caption")
        return self._record_bot_message(
            chat,
            sent_by=sent_by,
            content=content,
            text=text,
            html=html if html is not None else (text if text is not None else caption),
            parse_mode=parse_mode,
            entities=list(content.get("entities", content.get("caption_entities", []))),
            reply_markup=markup,
            reply_to=reply_to,
            caption=caption,
            document=document,
            photo=photo,
        )

    async def _copy_message(self, params: _Params) -> JsonDict:
        chat = self._chat(params)
        source = self._source_message(params, "message to copy not found")
        content = self._content_of(source)
        parse_mode = html = None
        if params.get("caption") is not None or params.get("caption_entities") is not None:
            if "text" in content:
                raise _bad("there is no caption in the message")
            caption, entities, html, parse_mode = self._formatted(
                params,
                text_name="caption",
                entities_name="caption_entities",
                limit=CAPTION_LIMIT,
                caption=True,
            )
            _set_or_pop(content, "caption", caption or None)
            _set_or_pop(content, "caption_entities", entities or None)
        markup = self._markup(params)
        reply_to = self._reply_target(params, chat)
        sent = self._sent_from_content(
            chat, "copyMessage", content, markup, reply_to, parse_mode, html
        )
        return {"message_id": sent.message_id}

    async def _forward_message(self, params: _Params) -> JsonDict:
        chat = self._chat(params)
        source = self._source_message(params, "message to forward not found")
        content = self._content_of(source)
        sender = source.get("from")
        content["forward_origin"] = (
            {"type": "user", "sender_user": sender, "date": source["date"]}
            if sender is not None
            else {"type": "hidden_user", "sender_user_name": "Hidden", "date": source["date"]}
        )
        sent = self._sent_from_content(chat, "forwardMessage", content, None, None)
        return sent.raw

    async def _get_chat(self, params: _Params) -> JsonDict:
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

    async def _leave_chat(self, params: _Params) -> bool:
        chat = self._chat(params)
        if chat.type == "private":
            raise _bad("chat member status can't be changed in private chats")
        chat.bot_is_member = False
        self.bot_status[chat.id] = {"status": "left"}
        return True

    async def _get_chat_member(self, params: _Params) -> JsonDict:
        chat = self._chat(params, sending=False)
        user_id = params.get_int("user_id")
        if user_id == self.bot_id:
            status = self.bot_status.get(chat.id, {"status": "member"})
            return {**status, "user": self._bot_user()}
        person = self.users.get(user_id or 0)
        if person is None:
            raise _bad("user not found")
        return {"status": "member", "user": person.to_dict()}

    async def _get_file(self, params: _Params) -> JsonDict:
        file_id = params.get_str("file_id")
        if not file_id:
            raise _bad("file_id is empty")
        stored = self.files.get(file_id)
        if stored is None:
            raise _bad("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }


def _set_or_pop(target: JsonDict, key: str, value: object) -> None:
    if value is None:
        target.pop(key, None)
    else:
        target[key] = value


def _image_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG (read from its header); 1x1 for anything else."""
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    return 1, 1
