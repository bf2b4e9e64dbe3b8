"""`/console`: staff open the staff console, as a Mini App on the phone or with a one-time
link in a laptop's browser. The pages themselves are handlers/console_<area>.py."""

from __future__ import annotations

from markupsafe import Markup
from telegram import InlineKeyboardButton, Update, WebAppInfo
from telegram.constants import ChatType
from telegram.ext import CommandHandler

from bot.console.access import LOGIN_LINK_TTL
from bot.console.server import ConsoleServer
from bot.context import HubApplication, HubContext
from handlers.common import keyboard, reply, staff_only

CONSOLE_SERVER = "console_server"  # bot_data key of the running ConsoleServer


def console_server(context: HubContext) -> ConsoleServer | None:
    server: ConsoleServer | None = context.application.bot_data.get(CONSOLE_SERVER)
    return server


@staff_only
async def open_console(update: Update, context: HubContext) -> None:
    t = context.t
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        # A sign-in link in a group would be anyone's who reads it first.
        await reply(
            update,
            context,
            t._("Send /console to me in a private chat: the link is for you alone."),
        )
        return
    server = console_server(context)
    if server is None:
        await reply(
            update,
            context,
            t._(
                "The staff console is not set up on this bot: the operator sets {variable}"
                " (see the README).",
                variable="HUBBOT_CONSOLE_URL",
            ),
        )
        return
    token = await context.services.console.login_link_token(context.user_id)
    link = server.login_link(token)
    minutes = int(LOGIN_LINK_TTL.total_seconds() // 60)
    # The address goes on a line of its own, outside the translated sentence: in Arabic it
    # must not be wrapped in direction marks, which would break it.
    address = Markup('<a href="{0}">{0}</a>').format(link)
    if server.public_url.startswith("https://"):
        # Telegram opens Mini Apps from https addresses only.
        text = t.ngettext(
            "<b>Staff console</b>\nOn this phone: the button below opens it inside Telegram.\n"
            "On a laptop: open this link in a browser. It works once, within {count} minute.",
            "<b>Staff console</b>\nOn this phone: the button below opens it inside Telegram.\n"
            "On a laptop: open this link in a browser. It works once, within {count} minutes.",
            minutes,
        )
        markup = keyboard(
            [InlineKeyboardButton(t.label("Open the console"), web_app=WebAppInfo(server.home_url))]
        )
    else:
        text = t.ngettext(
            "<b>Staff console</b>\nOpen this link in a browser. It works once, within"
            " {count} minute.",
            "<b>Staff console</b>\nOpen this link in a browser. It works once, within"
            " {count} minutes.",
            minutes,
        )
        markup = None
    await reply(update, context, text + Markup("\n\n") + address, markup)


def register(application: HubApplication) -> None:
    application.add_handler(CommandHandler("console", open_console))
