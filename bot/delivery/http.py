"""The bot's connections to Telegram: aiohttp rather than python-telegram-bot's httpx.

At hundreds of messages a second the HTTP client is most of the bot's CPU: httpx and httpcore
spend about three times what aiohttp (C parser, one pool lookup) spends on each request.
Errors keep python-telegram-bot's types (TimedOut, NetworkError; RetryAfter and the others
come from the status, as with any request object), so retries work as before.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


class EncodedForm(RequestData):  # type: ignore[misc]  # final for typing only; see below
    """One chat's copy of a form encoded once for everyone: a broadcast sends the same text to
    thousands, and encoding it again for each (python-telegram-bot's RequestParameter, then
    urlencode) was the largest part of the bot's CPU per message.

    A RequestData (python-telegram-bot marks it final for type checkers only) because the
    request object's ``post`` takes one and raises Telegram's errors from the answer."""

    __slots__ = ("_chat_id", "_common", "_encoded")

    def __init__(self, chat_id: int, common: dict[str, str], encoded: str) -> None:
        super().__init__()
        self._chat_id = chat_id
        self._common = common
        self._encoded = encoded

    @classmethod
    def encode(cls, common: dict[str, str]) -> str:
        """The shared part of the body (JSON-encoded values, as RequestData sends them)."""
        return urlencode(common)

    @property
    def parameters(self) -> dict[str, Any]:
        return {"chat_id": self._chat_id, **self._common}

    @property
    def json_parameters(self) -> dict[str, str]:
        return {"chat_id": str(self._chat_id), **self._common}

    def url_encoded_parameters(self, encode_kwargs: dict[str, Any] | None = None) -> str:
        return f"chat_id={self._chat_id}&{self._encoded}"


class AiohttpRequest(BaseRequest):
    def __init__(
        self,
        connections: int,
        *,
        read_timeout: float = 15.0,
        write_timeout: float = 20.0,  # files are uploaded on it too
        connect_timeout: float = 10.0,
        pool_timeout: float = 30.0,
    ) -> None:
        self._connections = connections
        self._timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._timeouts[0]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        read_s, write_s, connect_s, pool_s = (
            default if isinstance(given, DefaultValue) else given
            for given, default in zip(
                (read_timeout, write_timeout, connect_timeout, pool_timeout),
                self._timeouts,
                strict=True,
            )
        )
        # aiohttp has no write timeout: the time allowed to write is added to each read's.
        timeout = aiohttp.ClientTimeout(
            connect=(pool_s or 0) + (connect_s or 0) or None,
            sock_connect=connect_s,
            sock_read=(read_s or 0) + (write_s or 0) or None,
        )
        data: aiohttp.FormData | str | None = None
        headers = None
        if request_data is not None:
            files = request_data.multipart_data
            if files:
                form = aiohttp.FormData(request_data.json_parameters)
                for name, (filename, content, mimetype) in files.items():
                    form.add_field(name, content, filename=filename, content_type=mimetype)
                data = form
            else:
                # Encoded here: aiohttp's FormData costs as much again for a plain form.
                data = request_data.url_encoded_parameters()
                headers = FORM_HEADERS
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as answer:
                return answer.status, await answer.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
