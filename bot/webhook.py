"""The webhook receiver: Telegram's POSTs, authenticated by the secret token in constant time.

python-telegram-bot's own webhook server compares the secret with ``!=`` (time depends on
how much of a guess is right) and logs wrong guesses; this small aiohttp server compares
with ``hmac.compare_digest`` and otherwise does what it does: check, parse, queue.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import secrets
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.config import WEBHOOK_SECRET_PATTERN, Config, ConfigError
from bot.listening import listen
from bot.logs import hide_secret

if TYPE_CHECKING:
    from bot.context import HubApplication

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_FILE_NAME = "webhook-secret"
SECRET_BYTES = 32  # 43 URL-safe characters
# Telegram's updates are small; a larger body is not from Telegram.
MAX_UPDATE_BYTES = 1024 * 1024


def secret_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison, so response times reveal nothing about a guess."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def webhook_secret(config: Config) -> tuple[str, Path | None]:
    """The configured secret, or one generated once and kept beside the database.

    Returns the secret and the file it is kept in (None when it comes from the configuration).
    """
    if config.webhook_secret is not None:
        return config.webhook_secret, None
    path = config.database_path.parent / SECRET_FILE_NAME
    if path.exists():
        kept = path.read_text(encoding="utf-8").strip()
        if not WEBHOOK_SECRET_PATTERN.fullmatch(kept):
            raise ConfigError(f"{path} does not hold a valid webhook secret: delete it")
        return kept, path
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    # Created readable by the bot's user only, before anything is written into it.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secret + "\n")
    logger.warning("HUBBOT_WEBHOOK_SECRET is not set: generated one, kept in %s", path)
    return secret, path


class WebhookReceiver:
    """Serves ``path`` on ``listen:port`` and puts each authentic update on the bot's queue."""

    def __init__(
        self,
        application: HubApplication,
        *,
        secret: str,
        listen: str,
        port: int,
        path: str,
    ) -> None:
        self._application = application
        self._secret = secret
        self._listen = listen
        self._port = port
        self._path = path
        self._runner: web.AppRunner | None = None
        self.address: tuple[str, int] | None = None

    async def _receive(self, request: web.Request) -> web.Response:
        if not secret_matches(self._secret, request.headers.get(SECRET_HEADER)):
            logger.warning("webhook call without the right secret from %s", request.remote)
            return web.Response(status=HTTPStatus.FORBIDDEN)
        if request.content_type != "application/json":
            return web.Response(status=HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, self._application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            logger.warning("webhook call with a body that is not an update")
            return web.Response(status=HTTPStatus.BAD_REQUEST)
        await self._application.update_queue.put(update)
        return web.Response(status=HTTPStatus.OK)

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_post(self._path, self._receive)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        self.address = await listen(runner, self._listen, self._port)
        self._runner = runner
        logger.info("webhook listening on %s:%s%s", *self.address, self._path)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()


@asynccontextmanager
async def serving_webhook(
    application: HubApplication, config: Config
) -> AsyncIterator[WebhookReceiver]:
    """Run the bot on a webhook: register it with Telegram (with the secret), then serve."""
    assert config.webhook_url is not None
    secret, _ = webhook_secret(config)
    # setWebhook is logged with its parameters at DEBUG: the secret among them.
    hide_secret(secret)
    receiver = WebhookReceiver(
        application,
        secret=secret,
        listen=config.webhook_listen,
        port=config.webhook_port,
        path=urlsplit(config.webhook_url).path or "/",
    )
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await receiver.start()
    await application.bot.set_webhook(config.webhook_url, secret_token=secret)
    await application.start()
    try:
        yield receiver
    finally:
        await receiver.stop()
        await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def run_webhook(application: HubApplication, config: Config) -> None:
    """``hubbot run`` with a webhook: serve until SIGINT or SIGTERM."""

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            with suppress(NotImplementedError):
                loop.add_signal_handler(signal_number, stop.set)
        async with serving_webhook(application, config):
            await stop.wait()

    asyncio.run(serve())
