"""Builds the Application: handlers in order, services opened and closed with it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.ext import ApplicationBuilder, ContextTypes

from bot import heap
from bot.backups import schedule_backups
from bot.clock import Clock, SystemClock
from bot.commands import set_default_menus, set_staff_menus
from bot.config import Config
from bot.console.server import ConsoleServer
from bot.context import HubApplication, HubContext
from bot.delivery import INTERACTIVE_POOL_SIZE, PacedRequest, RealTimer, Timer
from bot.flood import FloodGuard
from bot.i18n import Catalogs
from bot.logs import hide_token, start_line
from bot.services import FlowTracker, Services
from bot.updates import PerChatUpdateProcessor, ScreenedUpdatesRequest
from handlers import (
    broadcast,
    chat_scope,
    console,
    console_announcements,
    console_audit,
    console_events,
    console_figures,
    console_home,
    console_knowledge,
    console_requests,
    errors,
    event_staff,
    events,
    fallback,
    flood,
    forms,
    help_menu,
    knowledge,
    language,
    preprocess,
    privacy,
    registration,
    settings,
    staff,
    staff_chat,
    stats,
    support_requests,
    support_triage,
)

logger = logging.getLogger(__name__)

# Order matters: within a group the first matching handler wins, so features that own a
# form in progress come before the catch-all answers.
FEATURES = (
    staff_chat,
    chat_scope,
    flood,
    preprocess,
    language,
    registration,
    settings,
    privacy,
    help_menu,
    staff,
    console,
    stats,
    support_requests,
    support_triage,
    events,
    event_staff,
    broadcast,
    knowledge,
    forms,
    fallback,
    errors,
)

# The staff console's pages (handlers/console_<area>.py), in the order of its menu.
CONSOLE_PAGES = (
    console_home,
    console_requests,
    console_announcements,
    console_events,
    console_figures,
    console_knowledge,
    console_audit,
)


def build_application(
    config: Config,
    *,
    clock: Clock | None = None,
    timer: Timer | None = None,
    settle_heap: bool = False,
) -> HubApplication:
    """The bot, ready to start; catalogs are loaded now so a broken one stops the start.

    ``timer`` is what waits for Telegram's limits (tests pass one where waiting is instant).
    ``settle_heap`` (the real process, not tests that start many bots in one) freezes what
    the start loaded out of the garbage collector's walks (bot/heap.py)."""
    catalogs = Catalogs.load()
    hide_token(config.require_token())
    # The job scheduler logs each job it adds, starts and runs: bookkeeping, not news.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    flows = FlowTracker()
    flood = FloodGuard(config.flood_burst, config.flood_per_s)
    moment = clock or SystemClock()
    # Every message, edit and file the handlers send waits here for its slot.
    request = PacedRequest(INTERACTIVE_POOL_SIZE)
    updates = PerChatUpdateProcessor(lambda: moment.now().timestamp(), flood)

    async def post_init(application: HubApplication) -> None:
        services = await Services.open(
            config, moment, catalogs=catalogs, flows=flows, flood=flood, timer=timer or RealTimer()
        )
        application.bot_data["services"] = services
        services.telegram = application.bot
        request.pace_with(services.broadcasts.engine.limiter)
        await services.knowledge.reload()
        await set_default_menus(application.bot, catalogs)
        await set_staff_menus(application.bot, services)
        await events.on_start(application)
        await broadcast.start_delivery(application)
        services.outbox.start(
            application.bot,
            application.bot_data.get("notice_kinds", {}),
            application.bot_data.get("render_card"),
        )
        if config.console_url is not None:
            server = ConsoleServer(
                services, pages=CONSOLE_PAGES, bot_username=application.bot.username
            )
            await server.start()
            application.bot_data[console.CONSOLE_SERVER] = server
        if settle_heap:
            heap.settle()
        logger.info(
            start_line(
                username=application.bot.username,
                webhook_url=config.webhook_url,
                staff_chat_id=services.staff_chat.id,
                staff_chat_bound=services.staff_chat.binding is not None,
                database=config.database_path,
            )
        )

    async def post_shutdown(application: HubApplication) -> None:
        server: ConsoleServer | None = application.bot_data.pop(console.CONSOLE_SERVER, None)
        if server is not None:
            # Open event streams end first, or the server would wait for them to close.
            application.bot_data["services"].support.feed.close()
            await server.stop()
        services: Services | None = application.bot_data.pop("services", None)
        request.pace_with(None)
        if services is not None:
            await services.close()

    application: HubApplication = (
        ApplicationBuilder()
        .token(config.require_token())
        .base_url(config.api_base_url)
        .base_file_url(config.api_file_url)
        .context_types(ContextTypes(context=HubContext))
        .request(request)
        .get_updates_request(ScreenedUpdatesRequest(updates))
        .concurrent_updates(updates)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data["flows"] = flows
    for feature in FEATURES:
        feature.register(application)
    schedule_backups(application, config.backup_dir)
    return application


@asynccontextmanager
async def running(
    application: HubApplication, *, poll_timeout: int = 10
) -> AsyncIterator[HubApplication]:
    """Run with long polling inside an existing event loop (the console and the tests)."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=poll_timeout)
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
