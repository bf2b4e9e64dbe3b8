"""What every message the bot sends goes through: formatted text, keyboards, replies, recording.

Text and media messages, copies and forwards (``messages.py``, ``files.py``) all use these.
"""

from __future__ import annotations

import copy
import re

from standin.html import HtmlParseError, parse_html, strip_private, trim, utf16_len
from standin.limits import CALLBACK_DATA_LIMIT, CAPTION_LIMIT, MAX_INLINE_BUTTONS, TEXT_LIMIT
from standin.methods.commands import check_web_app
from standin.models import Chat, JsonDict, SentMessage, bad
from standin.params import Params
from standin.state import BotApiState

_BUTTON_URL_RE = re.compile(r"^(?:https?://[^\s/?#]+|tg://[^\s]+)", re.IGNORECASE)

_PARSE_MODES = ("html", "markdown", "markdownv2")

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


class OutgoingMessages(BotApiState):
    """Telegram's checks on a message's content, and storing what passes."""

    def _formatted(
        self, params: Params, *, caption: bool
    ) -> tuple[str, list[JsonDict], str | None, str | None]:
        """Returns (plain text, entities, raw text, parse mode) after Telegram's checks.

        ``caption`` reads ``caption``/``caption_entities`` instead of ``text``/``entities``.
        """
        text_name = "caption" if caption else "text"
        entities_name = "caption_entities" if caption else "entities"
        raw = params.get_str(text_name)
        parse_mode = params.get_str("parse_mode") or None
        if raw is None:
            raw = ""
        explicit = params.get_json(entities_name)
        if explicit is not None:
            plain, entities = raw, _explicit_entities(raw, explicit, entities_name)
        elif parse_mode is not None and raw:
            plain, entities = self._parsed(raw, parse_mode)
        else:
            if parse_mode is not None and parse_mode.lower() not in _PARSE_MODES:
                raise bad("unsupported parse_mode")
            plain, entities = raw, []
        plain, entities = trim(plain, strip_private(entities))
        size = utf16_len(plain)
        if caption:
            if size > CAPTION_LIMIT:
                raise bad("message caption is too long")
        else:
            if size == 0:
                raise bad("message text is empty")
            if size > TEXT_LIMIT:
                raise bad("message is too long")
        return plain, entities, raw, parse_mode

    def _parsed(self, raw: str, parse_mode: str) -> tuple[str, list[JsonDict]]:
        mode = parse_mode.lower()
        if mode == "html":
            try:
                return parse_html(raw, strict_ampersand=self.strict_ampersand)
            except HtmlParseError as exc:
                raise bad(f"can't parse entities: {exc}") from None
        if mode in _PARSE_MODES:
            raise bad(
                f"unsupported parse_mode {parse_mode!r} in the Telegram stand-in "
                "(only HTML is implemented)"
            )
        raise bad("unsupported parse_mode")

    def _markup(self, params: Params, *, inline_only: bool = False) -> JsonDict | None:
        markup = params.get_json("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            self._check_inline_keyboard(markup["inline_keyboard"])
            return markup
        if inline_only:
            raise bad("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
            for row in rows:
                for button in row:
                    text = (
                        button
                        if isinstance(button, str)
                        else (button.get("text") if isinstance(button, dict) else None)
                    )
                    if not isinstance(text, str):
                        raise bad(
                            'can\'t parse keyboard button: Field "text" must be of type String'
                        )
            return markup
        if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
            return markup
        raise bad("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_keyboard(rows: object) -> None:
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        if sum(len(r) for r in rows) > MAX_INLINE_BUTTONS:
            raise bad("reply markup is too long")
        for row in rows:
            for button in row:
                OutgoingMessages._check_inline_button(button)

    @staticmethod
    def _check_inline_button(button: object) -> None:
        prefix = "can't parse inline keyboard button: "
        if not isinstance(button, dict):
            raise bad(prefix + "InlineKeyboardButton must be an Object")
        if "text" not in button:
            raise bad(prefix + 'Can\'t find field "text"')
        text = button["text"]
        if not isinstance(text, str):
            raise bad(prefix + 'Field "text" must be of type String')
        if not text.strip():
            raise bad(prefix + "Text must be non-empty")
        actions = [
            a
            for a in _INLINE_ACTIONS
            if button.get(a) is not None
            and not (a in ("url", "callback_data") and button.get(a) == "")
        ]
        if not actions:
            raise bad(prefix + "Text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:
            raise bad(prefix + f"exactly one action field must be used, got {actions!r}")
        if "callback_data" in actions:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= (CALLBACK_DATA_LIMIT):
                raise bad("BUTTON_DATA_INVALID")
        if "web_app" in actions:
            check_web_app(button["web_app"])
        if "url" in actions:
            url = button["url"]
            if not isinstance(url, str) or not _BUTTON_URL_RE.match(url):
                raise bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")

    def _reply_target(self, params: Params, chat: Chat) -> JsonDict | None:
        reply = params.get_json("reply_parameters")
        message_id: int | None
        allow_missing = params.get_bool("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
            if reply.get("chat_id") not in (None, chat.id):
                raise bad("replying to messages in other chats is not supported by the stand-in")
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
        raise bad("message to be replied not found")

    def _record_bot_message(
        self,
        chat: Chat,
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


def _explicit_entities(text: str, explicit: object, entities_name: str) -> list[JsonDict]:
    """Entities the bot passed itself, checked to lie within the text."""
    if not isinstance(explicit, list) or not all(isinstance(e, dict) for e in explicit):
        raise bad(f"can't parse {entities_name} JSON object")
    entities = [dict(e) for e in explicit]
    size = utf16_len(text)
    for entity in entities:
        offset, length = entity.get("offset"), entity.get("length")
        if (
            not isinstance(offset, int)
            or not isinstance(length, int)
            or offset < 0
            or length <= 0
            or offset + length > size
        ):
            raise bad("can't parse entities: entity beyond the end of the text")
    return entities
