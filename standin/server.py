"""An in-process stand-in for the Telegram Bot API, served over real HTTP on localhost.

The test suite and the terminal console both run the bot against this server instead of
``api.telegram.org``.  Because it speaks HTTP, python-telegram-bot's real request path
(``HTTPXRequest``, parameter serialisation, ``base_url``) is exercised end to end::

    api = StandInBotApi()
    await api.start()
    app = (
        ApplicationBuilder()
        .token("123456:" + "A" * 30)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    api.add_user(42, "Layla", language_code="ar")
    update_id = api.send_text(42, "/start")
    ...
    await api.wait_fetched(update_id)      # the Updater has queued it
    await app.update_queue.join()          # and the handlers have run
    assert api.last_message(42).text == "..."

Everything lives in memory and runs on the caller's event loop (no threads).  The server checks
what Telegram checks - HTML markup, text and caption lengths, inline keyboards, known chats,
blocked users, "message is not modified" - and refuses with Telegram's own error texts, so a
bot that passes here does not trip over those checks in production.

Deliberate differences from the real Bot API are listed in the docstring of
:class:`StandInBotApi`.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from standin.limits import FloodControl
from standin.methods.callbacks import CallbackMethods
from standin.methods.chats import ChatMethods
from standin.methods.commands import CommandMethods
from standin.methods.files import FileMethods
from standin.methods.messages import NOT_MODIFIED, MessageMethods
from standin.methods.updates import UpdateMethods
from standin.models import BotApiError, Failure, JsonDict
from standin.observe import BotObservation
from standin.params import Params, read_params
from standin.people import SimulatedPeople

__all__ = ["NOT_MODIFIED", "StandInBotApi"]

# Methods that put a message in a chat or change one (what refuse_chat refuses).
_REFUSABLE = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
        "editmessagetext",
        "editmessagereplymarkup",
        "editmessagecaption",
    }
)
TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]{20,}$")

# Bot API method -> the coroutine that answers it, found in the mixin it names.
_HANDLERS: dict[str, Callable[[Any, Params], Awaitable[object]]] = {
    name.lower(): handler
    for name, handler in {
        "getMe": UpdateMethods._get_me,
        "getUpdates": UpdateMethods._get_updates,
        "setWebhook": UpdateMethods._set_webhook,
        "deleteWebhook": UpdateMethods._delete_webhook,
        "getWebhookInfo": UpdateMethods._get_webhook_info,
        "setMyCommands": CommandMethods._set_my_commands,
        "getMyCommands": CommandMethods._get_my_commands,
        "deleteMyCommands": CommandMethods._delete_my_commands,
        "setMyDescription": CommandMethods._set_my_description,
        "getMyDescription": CommandMethods._get_my_description,
        "setMyShortDescription": CommandMethods._set_my_short_description,
        "getMyShortDescription": CommandMethods._get_my_short_description,
        "setChatMenuButton": CommandMethods._set_chat_menu_button,
        "getChatMenuButton": CommandMethods._get_chat_menu_button,
        "sendMessage": MessageMethods._send_message,
        "editMessageText": MessageMethods._edit_message_text,
        "editMessageCaption": MessageMethods._edit_message_caption,
        "editMessageReplyMarkup": MessageMethods._edit_message_reply_markup,
        "deleteMessage": MessageMethods._delete_message,
        "answerCallbackQuery": CallbackMethods._answer_callback_query,
        "sendDocument": FileMethods._send_document,
        "sendPhoto": FileMethods._send_photo,
        "sendChatAction": ChatMethods._send_chat_action,
        "copyMessage": MessageMethods._copy_message,
        "forwardMessage": MessageMethods._forward_message,
        "getChat": ChatMethods._get_chat,
        "leaveChat": ChatMethods._leave_chat,
        "getChatMember": ChatMethods._get_chat_member,
        "getFile": FileMethods._get_file,
        "close": UpdateMethods._true,
        "logOut": UpdateMethods._true,
    }.items()
}


class StandInBotApi(
    SimulatedPeople,
    BotObservation,
    FloodControl,
    UpdateMethods,
    CommandMethods,
    MessageMethods,
    FileMethods,
    CallbackMethods,
    ChatMethods,
):
    """A Bot API server for one bot and a handful of simulated people.

    Deliberate differences from the real Bot API:

    * A bare ``&`` in HTML is refused (Telegram tolerates it); pass ``strict_ampersand=False``
      to get Telegram's lenient behaviour.
    * Only ``parse_mode="HTML"`` is implemented; Markdown and MarkdownV2 are refused with a 400
      saying so.  Telegram's automatic detection of URLs, mentions and hashtags in bot messages
      is not done.
    * An inline button with more than one action field is refused (Telegram uses the first).
    * Chats exist as soon as :meth:`add_user` / :meth:`add_group` are called.  The only
      membership modelled is the bot's own: :meth:`add_bot_to_group` sends ``my_chat_member``
      and ``leaveChat`` takes the bot out (sends there then answer 403).  There are no
      admin rights.  Privacy mode is on in groups unless ``add_group(privacy_mode=False)``:
      as in Telegram, the bot then receives only commands, replies to its own messages and
      messages that mention it.
    * ``chat_id`` must be numeric (no ``@username``); messages in blocked chats can still be
      edited and deleted.
    * Unknown methods answer 404 "Not Found"; sticker/voice/location sends are not implemented.
    """

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Starts serving on ``host:port`` (port 0 picks a free one)."""
        if self._runner is not None:
            raise RuntimeError("StandInBotApi is already running")
        self._closing = False
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
        await web.SockSite(runner, sock).start()
        self._runner = runner
        self._host = host
        self._port = sock.getsockname()[1]

    async def stop(self) -> None:
        """Releases pending long polls and shuts the server down."""
        self._closing = True
        self._notify()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> StandInBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("StandInBotApi is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._host}:{self.port}/file/bot"

    # -- failure injection -----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Makes the next ``times`` calls of ``method`` fail (before any validation).

        E.g. ``fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)``
        surfaces in PTB as ``telegram.error.RetryAfter``.
        """
        self._failures.setdefault(method.lower(), []).append(
            Failure(error_code, description, retry_after, times)
        )

    def refuse_chat(self, chat_id: int, retry_after: int | None, *, after: int = 0) -> None:
        """Messages to the chat, after ``after`` more are accepted, answer 429 with
        ``retry_after`` (a chat Telegram keeps refusing); ``None`` accepts them again."""
        if retry_after is None:
            self._refused_chats.pop(chat_id, None)
        else:
            self._refused_chats[chat_id] = (retry_after, after)

    def _refusal(self, method: str, params: JsonDict) -> BotApiError | None:
        chat_id = params.get("chat_id")
        if method.lower() not in _REFUSABLE or chat_id not in self._refused_chats:
            return None
        assert isinstance(chat_id, int)
        retry_after, accepted_first = self._refused_chats[chat_id]
        if accepted_first > 0:
            self._refused_chats[chat_id] = (retry_after, accepted_first - 1)
            return None
        self.refused.append((method, dict(params)))
        return BotApiError(
            429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
        )

    # -- HTTP and dispatch -----------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        token_match = TOKEN_RE.match(request.match_info["token"])
        if token_match is None or self.accepted_token not in (None, request.match_info["token"]):
            return self._error(BotApiError(401, "Unauthorized"))
        self.bot_id = int(token_match.group(1))
        method = request.match_info["method"]
        try:
            params = await read_params(request)
        except BotApiError as exc:
            return self._error(exc)
        self.calls.append((method, params))
        self._notify()

        handler = _HANDLERS.get(method.lower())
        if handler is None:
            return self._error(BotApiError(404, "Not Found"))
        failures = self._failures.get(method.lower())
        if failures:
            failure = failures[0]
            failure.times -= 1
            if failure.times <= 0:
                failures.pop(0)
            return self._error(
                BotApiError(
                    failure.error_code, failure.description, retry_after=failure.retry_after
                )
            )
        flood = self._refusal(method, params) or self._flood_control(method, params)
        if flood is not None:
            return self._error(flood)
        try:
            result = await handler(self, Params(params))
        except BotApiError as exc:
            self.errors.append(exc.description)
            return self._error(exc)
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(exc: BotApiError) -> web.Response:
        return web.json_response(exc.to_json(), status=exc.error_code)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if TOKEN_RE.match(request.match_info["token"]) is None:
            return self._error(BotApiError(401, "Unauthorized"))
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.content, content_type=stored.mime_type)
        return self._error(BotApiError(404, "Not Found"))
