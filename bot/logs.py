"""What the log may hold: no secret (the bot token, the webhook secret), at any level; nor the
staff console's login links, session cookies or Mini App initData, each of which opens a staff
session."""

from __future__ import annotations

import logging
import re

REDACTED = "<token>"
REDACTED_WEBHOOK_SECRET = "<webhook secret>"
# python-telegram-bot puts the token in every API address it logs (and so does httpx at INFO),
# and the webhook secret in the parameters of setWebhook it logs at DEBUG.
SECRET_LOGGERS = ("telegram", "httpx", "httpcore")
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


class SecretFilter(logging.Filter):
    """Replace every secret in a record's message and traceback before anyone formats it.

    A list, not one token: the bot token, the webhook secret (configured or generated), and
    whatever other secret a part of the bot holds are each registered with ``redact``.
    """

    def __init__(self) -> None:
        super().__init__()
        self._secrets: dict[str, str] = {}

    def redact(self, secret: str, shown_as: str) -> None:
        if secret:
            self._secrets[secret] = shown_as

    def _hidden(self, text: str) -> str:
        # Longest first, so a secret that contains another is replaced whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, self._secrets[secret])
        return _hide_console_secrets(text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = self._hidden(message)
        if hidden != message:
            record.msg = hidden
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._hidden(record.exc_text)
        return True


def _filterers() -> list[logging.Filterer]:
    """The library loggers that exist (they are created at import) and the root handlers.

    A filter on a logger sees only records made on that very logger, so it goes on each
    library logger and on the handlers records reach.
    """
    names = [
        name
        for name in logging.root.manager.loggerDict
        if any(name == prefix or name.startswith(f"{prefix}.") for prefix in SECRET_LOGGERS)
    ]
    loggers: list[logging.Filterer] = [
        logging.getLogger(name) for name in {*SECRET_LOGGERS, *names}
    ]
    return [*loggers, *logging.root.handlers]


def hide_token(token: str) -> SecretFilter:
    """Filter the token out of the libraries' loggers and out of every root handler.

    Built again for each application (the tests build many): one filter, with the latest
    token; secrets registered later (``hide_secret``) join it.
    """
    secret_filter = SecretFilter()
    secret_filter.redact(token, REDACTED)
    for filterer in _filterers():
        for old in [f for f in filterer.filters if isinstance(f, SecretFilter)]:
            filterer.removeFilter(old)
        filterer.addFilter(secret_filter)
    return secret_filter


def hide_secret(secret: str, shown_as: str = REDACTED_WEBHOOK_SECRET) -> None:
    """Add a secret to the filter ``hide_token`` installed (or to a new one without it)."""
    filterers = _filterers()
    installed = [
        f for filterer in filterers for f in filterer.filters if isinstance(f, SecretFilter)
    ]
    secret_filter = installed[0] if installed else SecretFilter()
    secret_filter.redact(secret, shown_as)
    for filterer in filterers:
        if secret_filter not in filterer.filters:
            filterer.addFilter(secret_filter)
