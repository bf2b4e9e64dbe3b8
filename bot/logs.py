"""What the log may hold: the bot token never, at any level."""

from __future__ import annotations

import logging
from pathlib import Path

REDACTED = "<token>"
# python-telegram-bot puts the token in every API address it logs (and so does httpx at INFO).
TOKEN_LOGGERS = ("telegram", "httpx", "httpcore")


class TokenFilter(logging.Filter):
    """Replace the bot token in a record's message and traceback before anyone formats it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg = message.replace(self._token, REDACTED)
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self._token in record.exc_text:
            record.exc_text = record.exc_text.replace(self._token, REDACTED)
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


def start_line(
    *,
    username: str,
    webhook_url: str | None,
    staff_chat_id: int | None,
    staff_chat_bound: bool,
    database: Path,
) -> str:
    """The one line that says what this start is: who, how updates come, where things go."""
    receiving = f"webhook at {webhook_url}" if webhook_url else "long polling"
    if staff_chat_id is None:
        staff = "no staff chat (staff are told privately; /bind in a group to set one)"
    elif staff_chat_bound:
        staff = f"staff chat {staff_chat_id} (bound with /bind)"
    else:
        staff = f"staff chat {staff_chat_id} (HUBBOT_STAFF_CHAT_ID, not bound)"
    return f"running as @{username}, {receiving}; {staff}; database {database}"
