"""The stand-in Telegram Bot API that the tests and the console run the bot against.

It ships beside the product, not inside it: nothing in ``bot/``, ``handlers/`` or ``storage/``
imports it except the console.
"""

from standin.server import (
    BotApiError,
    HtmlParseError,
    SentMessage,
    StandInBotApi,
    StoredFile,
    TgUser,
    UploadedFile,
    parse_html,
    utf16_len,
)

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
