"""Who is asking: Telegram Mini App ``initData`` checked as Telegram documents it, and the
random tokens of login links and sessions (kept only as digests).

https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

INIT_DATA_MAX_AGE = timedelta(days=1)
# A phone's clock may run a little ahead of the server's.
INIT_DATA_CLOCK_SKEW = timedelta(minutes=5)
MAX_INIT_DATA_CHARS = 4096
TOKEN_BYTES = 32  # 43 URL-safe characters


class InitDataError(Exception):
    """Why initData was refused (for the log; the person only hears "refused")."""


@dataclass(frozen=True)
class WebAppUser:
    """The Telegram user a valid initData names."""

    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    auth_date: datetime


def _secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def _data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields))


def init_data_hash(fields: dict[str, str], bot_token: str) -> str:
    """HMAC-SHA256 of the sorted data-check-string, keyed with HMAC("WebAppData", token)."""
    return hmac.new(
        _secret_key(bot_token), _data_check_string(fields).encode(), hashlib.sha256
    ).hexdigest()


def verify_init_data(init_data: str, bot_token: str, now: datetime) -> WebAppUser:
    """The user named by initData that Telegram signed for this bot within the last day.

    Raises InitDataError for anything else: unsigned, signed with another token, altered,
    older than a day, from the future, or without a user.
    """
    if not init_data or len(init_data) > MAX_INIT_DATA_CHARS:
        raise InitDataError("empty or too long")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataError("not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataError("a field given twice")
    given = fields.pop("hash", "")
    expected = init_data_hash(fields, bot_token)
    # Constant time: a response's timing says nothing about how much of a forged hash is right.
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise InitDataError("hash does not match")
    try:
        auth_date = datetime.fromtimestamp(int(fields.get("auth_date", "")), UTC)
    except (ValueError, OverflowError, OSError):
        raise InitDataError("no auth_date") from None
    if now - auth_date > INIT_DATA_MAX_AGE:
        raise InitDataError("older than a day")
    if auth_date - now > INIT_DATA_CLOCK_SKEW:
        raise InitDataError("from the future")
    return _user(fields.get("user"), auth_date)


def _user(raw: str | None, auth_date: datetime) -> WebAppUser:
    try:
        user = json.loads(raw or "")
        user_id = user["id"]
    except (ValueError, TypeError, KeyError):
        raise InitDataError("no user") from None
    if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
        raise InitDataError("no user id")

    def text(name: str) -> str | None:
        value = user.get(name)
        return value if isinstance(value, str) and value else None

    return WebAppUser(
        id=user_id,
        first_name=text("first_name") or "",
        last_name=text("last_name"),
        username=text("username"),
        language_code=text("language_code"),
        auth_date=auth_date,
    )


def sign_init_data(fields: dict[str, str], bot_token: str) -> str:
    """initData as Telegram builds it (the tests and the screenshot script act as Telegram)."""
    return urlencode({**fields, "hash": init_data_hash(fields, bot_token)})


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What the database keeps of a token: enough to recognise it, not to use it.

    Tokens are 256 random bits, so a fast hash is as safe as a slow one."""
    return hashlib.sha256(token.encode()).hexdigest()
