"""Telegram's initData, checked as Telegram documents it; the log never holds a console token;
the console's settings."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.config import ConfigError, load_config
from bot.console.auth import InitDataError, sign_init_data, verify_init_data
from bot.logs import REDACTED, hide_token
from tests.harness import TOKEN

# Real initData signed by Telegram, with the bot token it was signed for, as published in the
# README of github.com/sanvew/telegram-init-data (and docs.telegram-mini-apps.com).
PUBLISHED_TOKEN = "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8"
PUBLISHED_INIT_DATA = (
    "query_id=AAHdF6IQAAAAAN0XohDhrOrc"
    "&user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%22%2C%22last_name%22"
    "%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22"
    "%2C%22is_premium%22%3Atrue%7D"
    "&auth_date=1662771648"
    "&hash=c501b71e775f74ce10e377dea85a7ea24ecd640b223ea86dfe453e0eaed2e2b2"
)
SIGNED_AT = datetime.fromtimestamp(1662771648, UTC)
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def fields(at: datetime = NOW, user_id: int = 100) -> dict[str, str]:
    return {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": f'{{"id":{user_id},"first_name":"Hala","language_code":"ar"}}',
        "auth_date": str(int(at.timestamp())),
    }


def test_telegrams_own_init_data_is_accepted() -> None:
    user = verify_init_data(PUBLISHED_INIT_DATA, PUBLISHED_TOKEN, SIGNED_AT + timedelta(hours=1))
    assert (user.id, user.first_name, user.last_name, user.username, user.language_code) == (
        279058397,
        "Vladislav",
        "Kibenko",
        "vdkfrost",
        "ru",
    )
    assert user.auth_date == SIGNED_AT


def test_our_signature_is_telegrams() -> None:
    """sign_init_data (used by the tests to act as Telegram) gives Telegram's own hash."""
    pairs = dict(parse_qsl(PUBLISHED_INIT_DATA))
    published_hash = pairs.pop("hash")
    assert dict(parse_qsl(sign_init_data(pairs, PUBLISHED_TOKEN)))["hash"] == published_hash


def test_a_day_old_init_data_is_still_accepted_a_second_later_not() -> None:
    signed = sign_init_data(fields(NOW - timedelta(days=1)), TOKEN)
    assert verify_init_data(signed, TOKEN, NOW).id == 100
    with pytest.raises(InitDataError, match="older than a day"):
        verify_init_data(signed, TOKEN, NOW + timedelta(seconds=1))


def altered(init_data: str, **changes: str) -> str:
    return urlencode({**dict(parse_qsl(init_data)), **changes})


@pytest.mark.parametrize(
    ("init_data", "reason"),
    [
        # Telegram's data, checked against another bot's token.
        (PUBLISHED_INIT_DATA, "hash does not match"),
        (sign_init_data(fields(), "987654321:ANOTHER-bot-token-entirely-xyz"), "hash does not"),
        # Signed, then the user id changed: someone claiming to be staff.
        (altered(sign_init_data(fields(user_id=201), TOKEN), user='{"id":100}'), "hash does not"),
        (altered(sign_init_data(fields(), TOKEN), hash="0" * 64), "hash does not match"),
        (urlencode(fields()), "hash does not match"),  # no hash at all
        (sign_init_data(fields(NOW - timedelta(days=2)), TOKEN), "older than a day"),
        (sign_init_data(fields(NOW + timedelta(hours=1)), TOKEN), "from the future"),
        (sign_init_data({"auth_date": str(int(NOW.timestamp()))}, TOKEN), "no user"),
        (sign_init_data({**fields(), "user": '{"id":"100"}'}, TOKEN), "no user id"),
        (sign_init_data(fields(), TOKEN) + "&auth_date=1", "a field given twice"),
        ("", "empty"),
        ("x" * 5000, "empty or too long"),
        ("%%%", "not a query string"),
    ],
)
def test_anything_else_is_refused(init_data: str, reason: str) -> None:
    with pytest.raises(InitDataError, match=reason):
        verify_init_data(init_data, TOKEN, NOW)


def test_the_log_never_holds_a_login_link_session_cookie_or_init_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hide_token(TOKEN)
    link_token = "Zq3-aB_" + "k" * 36
    signed = sign_init_data(fields(), TOKEN)
    digest = dict(parse_qsl(signed))["hash"]
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("telegram.ext").debug(
            "sendMessage text=https://hub.example.org/console/login/%s", link_token
        )
        logging.getLogger("aiohttp.access").warning("Cookie: hubbot_console=%s", link_token)
        logging.getLogger("bot.console").warning("initData %s", signed)
    text = caplog.text
    assert link_token not in text
    assert digest not in text
    assert text.count(REDACTED) >= 3


def test_console_settings_are_checked() -> None:
    base = {"HUBBOT_TOKEN": TOKEN}
    assert load_config(base).console_url is None  # no console unless asked for
    config = load_config(
        {
            **base,
            "HUBBOT_CONSOLE_URL": "https://hubbot.example.org/console/",
            "HUBBOT_CONSOLE_PORT": "9000",
            "HUBBOT_CONSOLE_LISTEN": "::1",
        }
    )
    assert (config.console_url, config.console_port, config.console_listen) == (
        "https://hubbot.example.org/console",
        9000,
        "::1",
    )
    defaults = load_config({**base, "HUBBOT_CONSOLE_URL": "http://127.0.0.1:8480/console"})
    assert (defaults.console_port, defaults.console_listen) == (8480, "127.0.0.1")
    for bad, named in (
        ({"HUBBOT_CONSOLE_URL": "hubbot.example.org/console"}, "HUBBOT_CONSOLE_URL"),
        ({"HUBBOT_CONSOLE_URL": "https://hub.example.org/console?x=1"}, "HUBBOT_CONSOLE_URL"),
        ({"HUBBOT_CONSOLE_PORT": "eighty"}, "HUBBOT_CONSOLE_PORT"),
        ({"HUBBOT_CONSOLE_LISTEN": "everywhere"}, "HUBBOT_CONSOLE_LISTEN"),
        (
            {
                "HUBBOT_CONSOLE_URL": "https://hub.example.org/console",
                "HUBBOT_WEBHOOK_URL": "https://hub.example.org/telegram",
                "HUBBOT_CONSOLE_PORT": "8443",
            },
            "HUBBOT_CONSOLE_PORT must differ",
        ),
    ):
        with pytest.raises(ConfigError, match=named):
            load_config({**base, **bad})
