"""The application's connection to Telegram: every message, edit and file a handler sends waits
for its slot in the one limiter, and a 429 is waited out here, per chat, not in the handler."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from telegram.error import BadRequest, NetworkError
from telegram.request import RequestData

from bot.delivery.http import AiohttpRequest
from bot.delivery.limiter import RateLimiter, priority_for

logger = logging.getLogger(__name__)

# Methods that count towards Telegram's message limits (edits included, to be safe).
SENDING_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendvideo",
        "sendaudio",
        "sendvoice",
        "sendanimation",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
    }
)
# Connections of the application's bot; replies to many chats at once each need one.
INTERACTIVE_POOL_SIZE = 256
# A message refused this many times in a row is given up (the caller sees Telegram's 429).
MAX_RETRY_AFTER_HITS = 10
# Messages whose shown content is remembered, so an edit to the same content is not sent.
REMEMBERED_MESSAGES = 10_000
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
NOT_MODIFIED_ANSWER = json.dumps(
    {"ok": False, "error_code": 400, "description": NOT_MODIFIED}
).encode()
_CONTENT_FIELDS = ("text", "parse_mode", "entities", "reply_markup", "link_preview_options")


def is_not_modified(error: BadRequest) -> bool:
    """Telegram's answer to an edit that changes nothing: the message already shows it."""
    return "not modified" in error.message.lower()


@dataclass
class SendCounts:
    sent: int = 0
    retry_after_hits: int = 0
    given_up: int = 0


@dataclass
class _EditChain:
    """Edits of one message, coalesced: the newest content asked for, sent by the first; the
    others wait for the last send's answer, so whoever records an edit as made (the staff
    outbox confirming a card) does so only once Telegram has it."""

    latest: RequestData | None
    answer: asyncio.Future[tuple[int, bytes]]


class PacedRequest(AiohttpRequest):
    """Until :meth:`pace_with` is called (the services open after the application is built)
    requests go straight out."""

    def __init__(self, connections: int) -> None:
        super().__init__(connections)
        self._limiter: RateLimiter | None = None
        self.counts = SendCounts()
        self._shown: OrderedDict[tuple[int, int], str] = OrderedDict()
        # Per message, the edit waiting for its slot (or in flight) and the newest content.
        self._edits: dict[tuple[int, int], _EditChain] = {}

    def pace_with(self, limiter: RateLimiter | None) -> None:
        self._limiter = limiter

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = AiohttpRequest.DEFAULT_NONE,
        write_timeout: object = AiohttpRequest.DEFAULT_NONE,
        connect_timeout: object = AiohttpRequest.DEFAULT_NONE,
        pool_timeout: object = AiohttpRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1].lower()
        parameters = request_data.parameters if request_data else {}
        chat = parameters.get("chat_id")
        chat_id = chat if isinstance(chat, int) else None
        timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        shown = self._content_key(name, chat_id, parameters)
        if shown is None:
            return await self._paced(url, method, name, chat_id, request_data, timeouts)
        key, digest = shown
        queued = self._edits.get(key)
        if queued is not None:
            # An edit of this message is already waiting for its slot or on its way: it carries
            # this newer content too (after its own, if already sent), so what the message
            # ends up showing is the last content asked for.
            queued.latest = request_data
            return await asyncio.shield(queued.answer)
        if self._shown.get(key) == digest:
            return 400, NOT_MODIFIED_ANSWER
        chain = self._edits[key] = _EditChain(
            request_data, asyncio.get_running_loop().create_future()
        )
        try:
            answer = await self._carry_edits(url, method, name, chat_id, key, chain, timeouts)
        except BaseException as error:
            # The edits it carried were not made either: their callers learn it (the outbox
            # keeps its card to refresh, as after any network error).
            chain.answer.set_exception(
                error
                if isinstance(error, Exception)
                else NetworkError("the edit carrying this one was stopped")
            )
            chain.answer.exception()  # retrieved: nobody else may be waiting
            raise
        else:
            chain.answer.set_result(answer)
            return answer
        finally:
            del self._edits[key]

    async def _carry_edits(
        self,
        url: str,
        method: str,
        name: str,
        chat_id: int | None,
        key: tuple[int, int],
        chain: _EditChain,
        timeouts: tuple[object, ...],
    ) -> tuple[int, bytes]:
        """Send the newest content asked for this message until nothing newer is waiting.

        The comparison with what the message shows is made when the slot is there, not when
        the edit was asked for: an older edit still queued would otherwise go out after it."""
        while True:
            carried = chain.latest
            if self._shown.get(key) == _digest(carried.parameters if carried else {}):
                status, payload = 400, NOT_MODIFIED_ANSWER
            else:
                status, payload = await self._paced(url, method, name, chat_id, carried, timeouts)
            if chain.latest is carried:
                return status, payload

    async def _paced(
        self,
        url: str,
        method: str,
        name: str,
        chat_id: int | None,
        request_data: RequestData | None,
        timeouts: tuple[object, ...],
    ) -> tuple[int, bytes]:
        limiter = self._limiter
        paced = limiter is not None and name in SENDING_METHODS
        parameters = request_data.parameters if request_data else {}
        read_timeout, write_timeout, connect_timeout, pool_timeout = timeouts
        hits = 0
        while True:
            if paced:
                assert limiter is not None
                await limiter.acquire(chat_id, priority_for(chat_id))
            status, payload = await super().do_request(
                url,
                method,
                request_data,
                read_timeout=read_timeout,  # type: ignore[arg-type]
                write_timeout=write_timeout,  # type: ignore[arg-type]
                connect_timeout=connect_timeout,  # type: ignore[arg-type]
                pool_timeout=pool_timeout,  # type: ignore[arg-type]
            )
            if status != 429 or limiter is None:
                if paced and status < 400:
                    self.counts.sent += 1
                    self._remember(name, chat_id, parameters, payload)
                return status, payload
            hits += 1
            self.counts.retry_after_hits += 1
            limiter.refused(chat_id, _retry_after_in(payload))
            if hits >= MAX_RETRY_AFTER_HITS:
                self.counts.given_up += 1
                logger.error("gave up a message to chat %s after %d refusals", chat_id, hits)
                return status, payload

    @staticmethod
    def _content_key(
        name: str, chat_id: int | None, parameters: Mapping[str, object]
    ) -> tuple[tuple[int, int], str] | None:
        message_id = parameters.get("message_id")
        if name != "editmessagetext" or chat_id is None or not isinstance(message_id, int):
            return None
        return (chat_id, message_id), _digest(parameters)

    def _remember(
        self, name: str, chat_id: int | None, parameters: Mapping[str, object], payload: bytes
    ) -> None:
        if chat_id is None or name not in (
            "sendmessage",
            "editmessagetext",
            "editmessagereplymarkup",
            "editmessagecaption",
        ):
            return
        message_id = parameters.get("message_id")
        if name == "sendmessage":
            try:
                message_id = json.loads(payload)["result"]["message_id"]
            except (ValueError, KeyError, TypeError):
                return
        if not isinstance(message_id, int):
            return
        key = (chat_id, message_id)
        if name in ("sendmessage", "editmessagetext"):
            self._shown[key] = _digest(parameters)
            self._shown.move_to_end(key)
            if len(self._shown) > REMEMBERED_MESSAGES:
                self._shown.popitem(last=False)
        else:
            self._shown.pop(key, None)  # the markup or caption changed on its own


def _digest(parameters: Mapping[str, object]) -> str:
    return json.dumps([str(parameters.get(field)) for field in _CONTENT_FIELDS])


def _retry_after_in(payload: bytes) -> float:
    try:
        body = json.loads(payload)
        return float(body["parameters"]["retry_after"])
    except (ValueError, KeyError, TypeError):
        return 1.0
