"""Files: sendDocument, sendPhoto and getFile."""

from __future__ import annotations

import re

from standin.methods.outgoing import OutgoingMessages
from standin.models import JsonDict, StoredFile, UploadedFile, bad
from standin.params import Params


class FileMethods(OutgoingMessages):
    """Files the bot sends, and the files it downloads."""

    async def _send_media(self, params: Params, kind: str) -> JsonDict:
        chat = self._chat(params)
        caption, entities, raw, parse_mode = self._formatted(params, caption=True)
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

    async def _send_document(self, params: Params) -> JsonDict:
        return await self._send_media(params, "document")

    async def _send_photo(self, params: Params) -> JsonDict:
        return await self._send_media(params, "photo")

    async def _get_file(self, params: Params) -> JsonDict:
        file_id = params.get_str("file_id")
        if not file_id:
            raise bad("file_id is empty")
        stored = self.files.get(file_id)
        if stored is None:
            raise bad("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _input_file(self, params: Params, name: str, kind: str) -> StoredFile:
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
            raise bad("wrong file identifier/HTTP URL specified")
        raise bad(f"there is no {name} in the request")


def _image_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG (read from its header); 1x1 for anything else."""
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    return 1, 1
