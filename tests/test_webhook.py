"""Webhook mode: a secret always, checked in constant time, on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import hmac
import logging
import stat
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from bot.app import build_application
from bot.config import ConfigError, load_config
from bot.webhook import SECRET_HEADER, serving_webhook, webhook_secret
from tests.harness import ADMIN, TOKEN, Harness

WEBHOOK_URL = "https://hub-bot.example.org/telegram/updates"
INTRUDER = 4242


def forged_addstaff(update_id: int) -> dict[str, object]:
    """What an attacker posts: an admin's id, a command that makes someone staff."""
    text = f"/addstaff {INTRUDER}"
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_780_000_000,
            "chat": {"id": ADMIN, "type": "private", "first_name": "Hala"},
            "from": {"id": ADMIN, "is_bot": False, "first_name": "Hala", "language_code": "en"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len("/addstaff")}],
        },
    }


async def test_forged_updates_need_the_secret(harness: Harness, monkeypatch) -> None:
    compared: list[bytes] = []
    real_compare = hmac.compare_digest

    def recording_compare(given: bytes, expected: bytes) -> bool:
        compared.append(given)
        return real_compare(given, expected)

    monkeypatch.setattr(hmac, "compare_digest", recording_compare)
    config = replace(harness.config, webhook_url=WEBHOOK_URL, webhook_port=0)
    application = build_application(config, clock=harness.clock)
    async with serving_webhook(application, config) as receiver:
        harness.application = application
        # Registered with Telegram, with a strong generated secret.
        secret = harness.api.webhook_secret_token
        assert harness.api.webhook_url == WEBHOOK_URL
        assert secret is not None and len(secret) >= 32
        assert receiver.address is not None and receiver.address[0] == "127.0.0.1"
        url = f"http://127.0.0.1:{receiver.address[1]}/telegram/updates"
        async with httpx.AsyncClient() as client:
            for update_id, headers in (
                (1, {}),
                (2, {SECRET_HEADER: ""}),
                (3, {SECRET_HEADER: "x" * 43}),
                (4, {SECRET_HEADER: secret[:-1]}),
            ):
                response = await client.post(url, json=forged_addstaff(update_id), headers=headers)
                assert response.status_code == 403
            await application.update_queue.join()
            assert not await harness.services.accounts.is_staff(INTRUDER)
            # Each secret sent was compared in constant time; a missing one needs no comparison.
            assert compared == [b"", b"x" * 43, secret[:-1].encode()]

            response = await client.post(
                url, json=forged_addstaff(5), headers={SECRET_HEADER: secret}
            )
            assert response.status_code == 200
            await application.update_queue.join()
            assert await harness.services.accounts.is_staff(INTRUDER)
            # Not a JSON update: refused without reaching the bot.
            response = await client.post(url, content=b"{", headers={SECRET_HEADER: secret})
            assert response.status_code in (400, 415)
    harness.application = None


def test_the_generated_secret_is_kept_private_and_reused(tmp_path: Path) -> None:
    config = replace(
        load_config({"HUBBOT_TOKEN": TOKEN, "HUBBOT_WEBHOOK_URL": WEBHOOK_URL}),
        database_path=tmp_path / "data" / "hub.sqlite3",
    )
    secret, kept_in = webhook_secret(config)
    assert kept_in == tmp_path / "data" / "webhook-secret"
    assert stat.S_IMODE(kept_in.stat().st_mode) == 0o600
    assert webhook_secret(config) == (secret, kept_in)
    chosen = "s" * 40
    assert webhook_secret(replace(config, webhook_secret=chosen)) == (chosen, None)


def test_webhook_settings_are_checked() -> None:
    base = {"HUBBOT_TOKEN": TOKEN, "HUBBOT_WEBHOOK_URL": WEBHOOK_URL}
    assert load_config(base).webhook_listen == "127.0.0.1"
    assert load_config({**base, "HUBBOT_WEBHOOK_LISTEN": "::"}).webhook_listen == "::"
    for bad, named in (
        ({"HUBBOT_WEBHOOK_SECRET": "short"}, "HUBBOT_WEBHOOK_SECRET"),
        ({"HUBBOT_WEBHOOK_SECRET": "ü" * 40}, "HUBBOT_WEBHOOK_SECRET"),
        ({"HUBBOT_WEBHOOK_LISTEN": "everywhere"}, "HUBBOT_WEBHOOK_LISTEN"),
        ({"HUBBOT_WEBHOOK_URL": "http://hub-bot.example.org/x"}, "HUBBOT_WEBHOOK_URL"),
    ):
        with pytest.raises(ConfigError, match=named):
            load_config({**base, **bad})


@pytest.mark.parametrize("configured", [True, False], ids=["configured", "generated"])
async def test_the_webhook_secret_is_never_logged(
    harness: Harness, caplog: pytest.LogCaptureFixture, configured: bool
) -> None:
    """At DEBUG python-telegram-bot logs setWebhook with its parameters, secret_token too."""
    chosen = "Configured-secret_" + "q" * 30 if configured else None
    config = replace(harness.config, webhook_url=WEBHOOK_URL, webhook_port=0, webhook_secret=chosen)
    caplog.set_level(logging.DEBUG)
    for name in ("telegram", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    application = build_application(config, clock=harness.clock)
    async with serving_webhook(application, config):
        harness.application = application
        secret = harness.api.webhook_secret_token
        assert secret is not None and (secret == chosen if configured else len(secret) >= 32)
    harness.application = None
    shown = "\n".join(caplog.handler.format(record) for record in caplog.records)
    # The call was logged, and its secret was not.
    assert "setWebhook" in shown and "<webhook secret>" in shown
    assert secret not in shown
    assert TOKEN not in shown
