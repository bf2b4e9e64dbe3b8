"""The stand-in Telegram Bot API that the tests and the console run the bot against.

It ships beside the product, not inside it: nothing in ``bot/``, ``handlers/`` or ``storage/``
imports it except the console.

Where things are: ``server.py`` serves HTTP and maps each Bot API method to the module in
``methods/`` that answers it; ``html.py`` parses HTML parse mode (one table row per tag);
``limits.py`` holds Telegram's size limits and flood control; ``models.py`` the data objects;
``people.py`` the simulated users and groups; ``observe.py`` what the bot did.
"""

from standin.html import HtmlParseError, parse_html, utf16_len
from standin.models import BotApiError, SentMessage, StoredFile, TgUser, UploadedFile
from standin.server import StandInBotApi

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
