"""The console's first page: where to go, and the staff member's language."""

from __future__ import annotations

from aiohttp import web

from bot.config import SUPPORTED_LANGUAGES
from bot.console.site import ConsoleContext, ConsoleSite
from bot.i18n import N_


async def home(console: ConsoleContext) -> web.StreamResponse:
    t = console.t
    return console.render(
        "home.html",
        languages=[(code, t.language_name(code)) for code in SUPPORTED_LANGUAGES],
        session_ends=t.datetime(console.session.expires_at, console.time_zone),
    )


async def set_language(console: ConsoleContext) -> web.StreamResponse:
    """The same setting as /language in the bot: the console and the bot speak it."""
    language = (await console.form()).get("language")
    if isinstance(language, str) and language in SUPPORTED_LANGUAGES:
        await console.services.accounts.set_language(console.user_id, language)
        await console.audit("console.language", language)
    return console.see_other("/")


def register(site: ConsoleSite) -> None:
    site.get("/", home, name="home", nav=N_("Home"))
    site.post("/language", set_language, name="language")
