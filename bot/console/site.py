"""What a console page is: a thin handler that receives a ConsoleContext (the staff member,
their translator, the services) and renders a template; each area registers its pages here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiDictProxy

from bot.accounts import Profile
from bot.audit import CONSOLE
from bot.console.access import StaffSession
from bot.i18n import Translator

if TYPE_CHECKING:
    from bot.console.server import Renderer
    from bot.services import Services

PageHandler = Callable[["ConsoleContext"], Awaitable[web.StreamResponse]]


class PageModule(Protocol):
    """A module of console pages (``handlers/console_<area>.py``)."""

    def register(self, site: ConsoleSite) -> None: ...


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # below the console's prefix, starting with "/"
    handler: PageHandler
    name: str  # what the audit log calls a state-changing request to it
    max_body_bytes: int | None = None  # a larger body than the console's default (uploads)


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str  # a msgid (N_), translated for each reader


@dataclass
class ConsoleSite:
    """The console's routes and navigation, in the order the area modules register them."""

    routes: list[Route] = field(default_factory=list)
    navigation: list[NavItem] = field(default_factory=list)

    def get(self, path: str, handler: PageHandler, *, name: str, nav: str | None = None) -> None:
        """A page. ``nav`` (an N_() label) puts it in the menu of every page."""
        self._add("GET", path, handler, name)
        if nav is not None:
            self.navigation.append(NavItem(path, nav))

    def post(
        self, path: str, handler: PageHandler, *, name: str, max_body_bytes: int | None = None
    ) -> None:
        """A state-changing request: CSRF-checked before the handler runs, and audited.
        ``max_body_bytes``: a page that takes a file accepts a body this large."""
        self._add("POST", path, handler, name, max_body_bytes)

    def _add(
        self,
        method: str,
        path: str,
        handler: PageHandler,
        name: str,
        max_body_bytes: int | None = None,
    ) -> None:
        if not path.startswith("/"):
            raise ValueError(f"console path {path!r} must start with /")
        if any(route.method == method and route.path == path for route in self.routes):
            raise ValueError(f"console route {method} {path} registered twice")
        self.routes.append(Route(method, path, handler, name, max_body_bytes))


class ConsoleContext:
    """Built for each request that passed the session and role checks (and CSRF for POST)."""

    def __init__(
        self,
        request: web.Request,
        *,
        services: Services,
        session: StaffSession,
        renderer: Renderer,
        route: Route,
    ) -> None:
        self.request = request
        self.services = services
        self.session = session
        self.route = route
        self._renderer = renderer
        self.t: Translator = services.translator_for(session.profile)
        self.audited = False

    @property
    def me(self) -> Profile:
        return self.session.profile

    @property
    def user_id(self) -> int:
        return self.session.profile.user.id

    @property
    def time_zone(self) -> str:
        """Where the staff member reads times: their own zone, else the staff's."""
        return self.me.user.time_zone or self.services.config.staff_time_zone

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token

    async def still_signed_in(self) -> bool:
        """For a response that lasts (a stream of server-sent events): check again, every
        so often, that the session is open and its owner still staff."""
        return await self.services.console.recheck(self.session) is not None

    def url(self, path: str, **query: Any) -> str:
        """A console URL; query values that are None are left out."""
        return self._renderer.url(path, **query)

    def render(self, template: str, *, status: int = 200, **values: Any) -> web.Response:
        """The template inside the console's layout, in the staff member's language."""
        html = self._renderer.render(
            template,
            self.t,
            me=self.me,
            csrf_token=self.csrf_token,
            current=self.route.path,
            **values,
        )
        return web.Response(text=html, status=status, content_type="text/html")

    async def form(self) -> MultiDictProxy[str | bytes | Any]:
        """The posted form (already read once for its CSRF token; aiohttp keeps it)."""
        return await self.request.post()

    async def audit(self, action: str, subject: str | None = None) -> None:
        """Record what this request did; without it a POST is recorded by its route name."""
        await self.services.audit.record(
            actor_id=self.user_id, channel=CONSOLE, action=action, subject=subject
        )
        self.audited = True

    def see_other(self, path: str, **query: Any) -> web.Response:
        """After a POST, the page to show next."""
        return web.Response(status=303, headers={"Location": self.url(path, **query)})


def query_string(query: Mapping[str, Any]) -> str:
    kept = {name: value for name, value in query.items() if value is not None and value != ""}
    return f"?{urlencode(kept)}" if kept else ""
