"""What the log may hold: the bot token never, at any level; nor the staff console's login
links, session cookies or Mini App initData, each of which opens a staff session."""

from __future__ import annotations

import logging
import re

REDACTED = "<token>"
# python-telegram-bot puts the token in every API address it logs (and so does httpx at INFO).
TOKEN_LOGGERS = ("telegram", "httpx", "httpcore")
# The console's secrets as they would appear in a logged URL, header or request body: a login
# link's token, the session cookie, and initData's signature (with it, the whole initData).
CONSOLE_SECRETS = re.compile(
    r"(?P<keep>/login/|hubbot_console=)[A-Za-z0-9_-]{16,}"
    r"|(?P<keep2>\bhash(?:=|%3D))[0-9a-f]{64}"
)


def _hide_console_secrets(text: str) -> str:
    return CONSOLE_SECRETS.sub(
        lambda match: (match.group("keep") or match.group("keep2")) + REDACTED, text
    )


class TokenFilter(logging.Filter):
    """Replace the bot token and the console's secrets in a record's message and traceback
    before anyone formats it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def _clean(self, text: str) -> str:
        return _hide_console_secrets(text.replace(self._token, REDACTED))

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True


def hide_token(token: str) -> TokenFilter:
    """Filter the token out of the libraries' loggers and out of every root handler.

    A filter on a logger sees only records made on that very logger, so it goes on each
    library logger that exists (they are created at import) and on the handlers records reach.
    """
    token_filter = TokenFilter(token)
    names = [
        name
        for name in logging.root.manager.loggerDict
        if any(name == prefix or name.startswith(f"{prefix}.") for prefix in TOKEN_LOGGERS)
    ]
    loggers: list[logging.Filterer] = [logging.getLogger(name) for name in {*TOKEN_LOGGERS, *names}]
    for filterer in [*loggers, *logging.root.handlers]:
        # Built again (the tests build many applications): one filter, the latest token.
        for old in [f for f in filterer.filters if isinstance(f, TokenFilter)]:
            filterer.removeFilter(old)
        filterer.addFilter(token_filter)
    return token_filter
