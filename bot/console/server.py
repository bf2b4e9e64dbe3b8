"""The staff console's web server: aiohttp in the bot's own event loop, beside the webhook.

Every page goes through one gate (``_guarded``): the session cookie, the staff role read
from the database on this very request, and for a state-changing request its origin and
CSRF token. Sign-in is by a one-time link (``/console`` in a private chat) or by the Mini
App's signed initData. See SECURITY.md for the threat model.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable, Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.config import SUPPORTED_LANGUAGES
from bot.console.access import SESSION_TTL, OpenedSession, StaffSession
from bot.console.rendering import (
    STATIC_DIR,
    TELEGRAM_WEB_APP_JS,
    build_environment,
    static_versions,
    translation_globals,
)
from bot.console.site import ConsoleContext, ConsoleSite, PageModule, Route, query_string
from bot.i18n import DEFAULT_LANGUAGE, Translator
from bot.listening import listen

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)

SESSION_COOKIE = "hubbot_console"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_BODY_BYTES = 1024 * 1024
SHUTDOWN_S = 2.0
TOKEN_PATTERN = "[A-Za-z0-9_-]{32,64}"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self' https://telegram.org; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'self' https://web.telegram.org"
)


def console_prefix(console_url: str) -> str:
    """The path the console lives under ("" at the root of its host)."""
    return urlsplit(console_url).path.rstrip("/")


def console_origin(console_url: str) -> str:
    parts = urlsplit(console_url)
    return f"{parts.scheme}://{parts.netloc}"


class Renderer:
    """Templates, URLs and static files' versions: everything worked out once at start."""

    def __init__(self, *, prefix: str, site: ConsoleSite, bot_username: str | None) -> None:
        self.prefix = prefix
        self._site = site
        self._environment = build_environment()
        self._versions = static_versions()
        self._bot_username = bot_username

    def url(self, path: str, **query: Any) -> str:
        return f"{self.prefix}{path}{query_string(query)}"

    def static(self, name: str) -> str:
        return f"{self.prefix}/static/{name}?v={self._versions[name]}"

    def render(self, template: str, t: Translator, **values: Any) -> str:
        return self._environment.get_template(template).render(
            **translation_globals(t),
            url=self.url,
            static=self.static,
            navigation=self._site.navigation,
            telegram_web_app_js=TELEGRAM_WEB_APP_JS,
            bot_username=self._bot_username,
            **values,
        )


def _accepted_language(request: web.Request) -> str:
    """Before sign-in: the first of ar, fr, en the browser asks for (else English)."""
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().split("-")[0].lower()
        if code in SUPPORTED_LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def _add_security_headers(request: web.Request, headers: Any) -> None:
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # A login link's token is in its URL: it must not travel to another site in a Referer
    # header. ("no-referrer" would also make the browser send "Origin: null" with forms.)
    headers.setdefault("Referrer-Policy", "same-origin")
    if "/static/" in request.path and request.query.get("v"):
        headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        headers.setdefault("Cache-Control", "no-store")


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Just before any response's headers go out: pages, errors, static files, streams."""
    _add_security_headers(request, response.headers)


def see_other(location: str) -> web.Response:
    return web.Response(status=HTTPStatus.SEE_OTHER, headers={"Location": location})


class ConsoleServer:
    def __init__(
        self, services: Services, *, pages: Iterable[PageModule], bot_username: str | None
    ) -> None:
        config = services.config
        assert config.console_url is not None, "the console needs HUBBOT_CONSOLE_URL"
        self._services = services
        self._listen = config.console_listen
        self._port = config.console_port
        self.public_url = config.console_url
        self.prefix = console_prefix(config.console_url)
        self._origin = console_origin(config.console_url)
        self._secure = config.console_url.startswith("https://")
        self.site = ConsoleSite()
        for module in pages:
            module.register(self.site)
        self.renderer = Renderer(prefix=self.prefix, site=self.site, bot_username=bot_username)
        self._runner: web.AppRunner | None = None
        self.address: tuple[str, int] | None = None

    def login_link(self, token: str) -> str:
        return f"{self.public_url}/login/{token}"

    @property
    def home_url(self) -> str:
        return f"{self.public_url}/"

    # -- the application ---------------------------------------------------------------------

    def build(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.on_response_prepare.append(_security_headers)
        prefix = self.prefix
        if prefix:
            app.router.add_get(prefix, self._to_home)
        app.router.add_post(f"{prefix}/login/webapp", self._sign_in_webapp)
        app.router.add_get(f"{prefix}/login/{{token:{TOKEN_PATTERN}}}", self._link_page)
        app.router.add_post(f"{prefix}/login/{{token:{TOKEN_PATTERN}}}", self._sign_in_link)
        app.router.add_post(
            f"{prefix}/logout", self._guarded(Route("POST", "/logout", _logout, "logout"))
        )
        app.router.add_static(f"{prefix}/static/", STATIC_DIR, show_index=False)
        for route in self.site.routes:
            app.router.add_route(route.method, f"{prefix}{route.path}", self._guarded(route))
        # Any other address under the console: the sign-in page, or "no such page" after it.
        app.router.add_get(
            f"{prefix}/{{anything:.*}}",
            self._guarded(Route("GET", "/{anything}", _not_found, "not_found")),
        )
        return app

    async def start(self) -> None:
        # Open streams (server-sent events) get this long to end when the bot stops.
        runner = web.AppRunner(
            self.build(), access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_S
        )
        await runner.setup()
        self.address = await listen(runner, self._listen, self._port)
        self._runner = runner
        logger.info("staff console listening on %s:%s%s/", *self.address, self.prefix)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    # -- sign-in -----------------------------------------------------------------------------

    async def _to_home(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently(f"{self.prefix}/")

    def _anonymous_page(
        self, request: web.Request, template: str, status: int, **values: Any
    ) -> web.Response:
        t = self._services.translator(_accepted_language(request))
        html = self.renderer.render(template, t, me=None, csrf_token=None, current=None, **values)
        return web.Response(text=html, status=status, content_type="text/html")

    async def _link_page(self, request: web.Request) -> web.StreamResponse:
        """Opening the link shows a button that signs in (a POST): a link previewer or a
        browser's prefetch, which only GET, cannot use up the one-time link."""
        return self._anonymous_page(request, "link.html", HTTPStatus.OK, action=request.path)

    def _allowed_to_try(self, request: web.Request) -> bool:
        return self._services.console.limiter.allow(request.remote or "unknown")

    async def _sign_in_link(self, request: web.Request) -> web.StreamResponse:
        if not self._same_origin(request):
            raise web.HTTPForbidden()
        if not self._allowed_to_try(request):
            return self._anonymous_page(
                request, "refused.html", HTTPStatus.TOO_MANY_REQUESTS, reason="slow"
            )
        opened = await self._services.console.open_with_link(request.match_info["token"])
        if opened is None:
            return self._anonymous_page(
                request, "refused.html", HTTPStatus.FORBIDDEN, reason="link"
            )
        response = see_other(f"{self.prefix}/")
        self._set_cookie(response, opened)
        return response

    async def _sign_in_webapp(self, request: web.Request) -> web.StreamResponse:
        if not self._same_origin(request):
            raise web.HTTPForbidden()
        if not self._allowed_to_try(request):
            return web.json_response({"ok": False}, status=HTTPStatus.TOO_MANY_REQUESTS)
        try:
            body = await request.json()
            init_data = body["init_data"]
        except (ValueError, KeyError, TypeError):
            return web.json_response({"ok": False}, status=HTTPStatus.BAD_REQUEST)
        if not isinstance(init_data, str):
            return web.json_response({"ok": False}, status=HTTPStatus.BAD_REQUEST)
        opened = await self._services.console.open_with_init_data(init_data)
        if opened is None:
            return web.json_response({"ok": False}, status=HTTPStatus.FORBIDDEN)
        response = web.json_response({"ok": True})
        self._set_cookie(response, opened)
        return response

    def _set_cookie(self, response: web.StreamResponse, opened: OpenedSession) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            opened.token,
            max_age=int(SESSION_TTL.total_seconds()),
            path=self.prefix or "/",
            httponly=True,
            samesite="Strict",
            secure=self._secure,
        )

    # -- the gate every page goes through ----------------------------------------------------

    def _same_origin(self, request: web.Request) -> bool:
        """A state-changing request must come from the console's own pages."""
        if request.headers.get("Sec-Fetch-Site") == "cross-site":
            return False
        origin = request.headers.get("Origin")
        return origin is None or origin == self._origin

    async def _session(self, request: web.Request) -> StaffSession | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token or len(token) > 128:
            return None
        return await self._services.console.session(token)

    def _guarded(self, route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def guarded(request: web.Request) -> web.StreamResponse:
            session = await self._session(request)
            if session is None:
                if request.method in SAFE_METHODS:
                    # The sign-in page: inside Telegram it signs in with initData and reloads.
                    return self._anonymous_page(request, "sign_in.html", HTTPStatus.UNAUTHORIZED)
                raise web.HTTPUnauthorized()
            if route.max_body_bytes is not None:
                # Only a signed-in staff member's request to a page that takes a file may be
                # larger than MAX_BODY_BYTES; nothing was read of the body before this point.
                request = request.clone(client_max_size=route.max_body_bytes)
            context = ConsoleContext(
                request,
                services=self._services,
                session=session,
                renderer=self.renderer,
                route=route,
            )
            try:
                refused = request.method not in SAFE_METHODS and (
                    not self._same_origin(request) or not await _csrf_matches(request, session)
                )
            except web.HTTPRequestEntityTooLarge:
                limit = route.max_body_bytes or MAX_BODY_BYTES
                return context.render(
                    "problem.html",
                    status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    reason="too_large",
                    limit_mb=max(1, limit // (1024 * 1024)),
                )
            if refused:
                logger.warning(
                    "console: %s %s refused: CSRF token or origin", request.method, route.path
                )
                return context.render("problem.html", status=HTTPStatus.FORBIDDEN, reason="csrf")
            try:
                response = await route.handler(context)
            except web.HTTPException:
                raise
            except Exception:
                # Logged with its traceback; the staff member gets a page in their language.
                logger.exception("console: %s %s failed", request.method, route.path)
                return context.render(
                    "problem.html", status=HTTPStatus.INTERNAL_SERVER_ERROR, reason="error"
                )
            if request.method not in SAFE_METHODS and not context.audited:
                subject = " ".join(f"{key}={value}" for key, value in request.match_info.items())
                await context.audit(f"console.{route.name}", subject or None)
            return response

        return guarded


async def _csrf_matches(request: web.Request, session: StaffSession) -> bool:
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        value = (await request.post()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    return given is not None and hmac.compare_digest(given.encode(), session.csrf_token.encode())


async def _not_found(console: ConsoleContext) -> web.StreamResponse:
    return console.render("problem.html", status=HTTPStatus.NOT_FOUND, reason="not_found")


async def _logout(console: ConsoleContext) -> web.StreamResponse:
    await console.services.console.close(console.session)
    console.audited = True  # close() recorded it
    response = see_other(console.url("/"))
    response.del_cookie(SESSION_COOKIE, path=console.url("") or "/")
    return response
