"""Text messages: sendMessage, the edits, deleteMessage, copyMessage and forwardMessage."""

from __future__ import annotations

import copy

from standin.methods.outgoing import OutgoingMessages
from standin.models import Chat, JsonDict, SentMessage, bad
from standin.params import Params

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


class MessageMethods(OutgoingMessages):
    """Sending, editing, deleting, copying and forwarding messages."""

    async def _send_message(self, params: Params) -> JsonDict:
        chat = self._chat(params)
        plain, entities, raw, parse_mode = self._formatted(params, caption=False)
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

    async def _edit_message_text(self, params: Params) -> JsonDict:
        sent = self._editable(params)
        if "text" not in sent.raw:
            raise bad("there is no text in the message to edit")
        plain, entities, raw, parse_mode = self._formatted(params, caption=False)
        markup = self._markup(params, inline_only=True)
        if (
            plain == sent.raw.get("text")
            and entities == sent.raw.get("entities", [])
            and markup == sent.raw.get("reply_markup")
        ):
            raise bad(NOT_MODIFIED)
        sent.raw["text"] = plain
        _set_or_pop(sent.raw, "entities", entities or None)
        sent.text, sent.html, sent.parse_mode, sent.entities = plain, raw, parse_mode, entities
        return self._apply_edit(sent, markup)

    async def _edit_message_caption(self, params: Params) -> JsonDict:
        sent = self._editable(params)
        if "text" in sent.raw:
            raise bad("there is no caption in the message to edit")
        caption, entities, raw, parse_mode = self._formatted(params, caption=True)
        markup = self._markup(params, inline_only=True)
        if (
            caption == sent.raw.get("caption", "")
            and entities == sent.raw.get("caption_entities", [])
            and markup == sent.raw.get("reply_markup")
        ):
            raise bad(NOT_MODIFIED)
        _set_or_pop(sent.raw, "caption", caption or None)
        _set_or_pop(sent.raw, "caption_entities", entities or None)
        sent.caption, sent.html, sent.parse_mode, sent.entities = (
            caption or None,
            raw if params.get("caption") is not None else None,
            parse_mode,
            entities,
        )
        return self._apply_edit(sent, markup)

    async def _edit_message_reply_markup(self, params: Params) -> JsonDict:
        sent = self._editable(params)
        markup = self._markup(params, inline_only=True)
        if markup == sent.raw.get("reply_markup"):
            raise bad(NOT_MODIFIED)
        return self._apply_edit(sent, markup)

    def _apply_edit(self, sent: SentMessage, markup: JsonDict | None) -> JsonDict:
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        _set_or_pop(sent.raw, "reply_markup", markup)
        sent.reply_markup = markup
        sent.raw["edit_date"] = self._now()
        sent.edited = True
        self._emit("edited", sent)
        return sent.raw

    async def _delete_message(self, params: Params) -> bool:
        chat = self._chat(params, sending=False)
        message_id = params.get_int("message_id")
        if message_id is None:
            raise bad("message identifier is not specified")
        if self._raw.get(chat.id, {}).pop(message_id, None) is None:
            raise bad("message to delete not found")
        sent = self._sent_index.get((chat.id, message_id))
        if sent is not None:
            sent.deleted = True
            self._emit("deleted", sent)
        else:
            self._notify()
        return True

    def _editable(self, params: Params) -> SentMessage:
        if params.get("inline_message_id") is not None:
            raise bad("message to edit not found")
        chat = self._chat(params, sending=False)
        message_id = params.get_int("message_id")
        if message_id is None:
            raise bad("message identifier is not specified")
        sent = self._sent_index.get((chat.id, message_id))
        if sent is None or sent.deleted:
            if message_id in self._raw.get(chat.id, {}):
                raise bad("message can't be edited")
            raise bad("message to edit not found")
        return sent

    def _source_message(self, params: Params, missing: str) -> JsonDict:
        from_chat = self._chat(params, name="from_chat_id", sending=False)
        message_id = params.get_int("message_id")
        if message_id is None:
            raise bad("message identifier is not specified")
        source = self._raw.get(from_chat.id, {}).get(message_id)
        if source is None:
            raise bad(missing)
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
        chat: Chat,
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

    async def _copy_message(self, params: Params) -> JsonDict:
        chat = self._chat(params)
        source = self._source_message(params, "message to copy not found")
        content = self._content_of(source)
        parse_mode = html = None
        if params.get("caption") is not None or params.get("caption_entities") is not None:
            if "text" in content:
                raise bad("there is no caption in the message")
            caption, entities, html, parse_mode = self._formatted(params, caption=True)
            _set_or_pop(content, "caption", caption or None)
            _set_or_pop(content, "caption_entities", entities or None)
        markup = self._markup(params)
        reply_to = self._reply_target(params, chat)
        sent = self._sent_from_content(
            chat, "copyMessage", content, markup, reply_to, parse_mode, html
        )
        return {"message_id": sent.message_id}

    async def _forward_message(self, params: Params) -> JsonDict:
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


def _set_or_pop(target: JsonDict, key: str, value: object) -> None:
    if value is None:
        target.pop(key, None)
    else:
        target[key] = value
