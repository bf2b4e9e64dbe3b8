"""Request parameters: decoding and Telegram-style coercion errors."""

from __future__ import annotations

import json
from collections.abc import Mapping

from aiohttp import web

from standin.models import JsonDict, UploadedFile, bad

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


class Params:
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
            raise bad(f"invalid {name} specified")
        try:
            return int(value)
        except ValueError:
            raise bad(f"invalid {name} specified") from None

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
        raise bad(f'field "{name}" must be of type String')

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
                raise bad(f"can't parse {name} JSON object") from None
        return value


def decode_value(name: str, value: object) -> object:
    """A form value as the JSON, number or boolean the Bot API reads it as."""
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


async def read_params(request: web.Request) -> JsonDict:
    """The parameters of a Bot API request: query string, JSON body or multipart form."""
    raw: dict[str, object] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad("can't parse JSON encoded request") from None
            if not isinstance(body, dict):
                raise bad("can't parse JSON encoded request")
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
    return {key: decode_value(key, value) for key, value in raw.items()}
