"""What all handlers share: sending HTML safely in each language, buttons, staff checks."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any

from markupsafe import Markup
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import CallbackQueryHandler

from bot.audit import BOT
from bot.callbacks import SEPARATOR, Feature, Route, RouteCallback
from bot.context import HubApplication, HubContext
from bot.delivery.outbox import NoticeKind, NoticePart
from bot.delivery.request import is_not_modified
from bot.delivery.text import MAX_MESSAGE_UTF16, split_html, visible_length
from bot.i18n import Translator, right_to_left
from bot.knowledge.intents import Recognized
from bot.services import Services
from storage.outbox import StaffNotice

logger = logging.getLogger(__name__)


Handler = Callable[..., Coroutine[Any, Any, Any]]


def button(label: str, route: Route, *arguments: Any) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=route.data(*arguments))


async def stale_button(update: Update, context: HubContext) -> None:
    """A button from an old keyboard (an earlier version of the bot, a finished form) or forged."""
    await answer_callback(
        update,
        context.t.label("This button is no longer active. Use /help to start again."),
        alert=True,
    )


def register_routes(
    application: HubApplication,
    feature: Feature,
    routes: Mapping[Route, RouteCallback],
) -> None:
    """One handler per route of the feature, then its catch-all for anything else."""
    for route, callback in routes.items():
        if route.feature != feature.name:
            raise ValueError(f"{route.feature}:{route.action} is not a route of {feature.name}")
        application.add_handler(route.handler(callback))
    application.add_handler(CallbackQueryHandler(stale_button, pattern=feature.catch_all))


# What a feature does when a free-text message asks for it (bot.knowledge.intents): each
# feature's module registers its own, the knowledge handler runs it with the message.
IntentHandler = Callable[[Update, HubContext, Recognized, str], Awaitable[None]]
_INTENT_HANDLERS = "intent_handlers"


def register_intents(application: HubApplication, handlers: Mapping[str, IntentHandler]) -> None:
    known: dict[str, IntentHandler] = application.bot_data.setdefault(_INTENT_HANDLERS, {})
    for name in handlers:
        if name in known:
            raise ValueError(f"intent {name!r} is registered twice")
    known.update(handlers)


def intent_handler(context: HubContext, name: str) -> IntentHandler | None:
    handlers: dict[str, IntentHandler] = context.application.bot_data.get(_INTENT_HANDLERS, {})
    return handlers.get(name)


def keyboard(*rows: Sequence[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows if row])


def in_rows(
    buttons: Sequence[InlineKeyboardButton], width: int
) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[start : start + width]) for start in range(0, len(buttons), width)]


async def send(
    bot: Bot,
    chat_id: int,
    text: Markup,
    translator: Translator,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send HTML in the reader's language: right-to-left for Arabic, split if too long.

    Waiting for Telegram's limits (and a 429) happens in the one paced path the bot's
    requests go through, for this chat only."""
    # Lines are marked before the split, so their marks count towards the limit; one unit is
    # kept for the mark a part cut inside a line may need at its start.
    parts = split_html(_laid_out(str(text), translator), MAX_MESSAGE_UTF16 - 1)
    message: Message | None = None
    for index, part in enumerate(parts):
        message = await bot.send_message(
            chat_id,
            _laid_out(part, translator),
            parse_mode=ParseMode.HTML,
            reply_markup=reply_markup if index == len(parts) - 1 else None,
            disable_web_page_preview=True,
        )
    assert message is not None
    return message


def _laid_out(html: str, translator: Translator) -> str:
    return right_to_left(html) if translator.is_rtl else html


async def send_to_person(
    bot: Bot, chat_id: int, text: Markup, translator: Translator, reply_markup: Any = None
) -> Message | None:
    """A message nobody is waiting on: a person who blocked the bot is logged, not an error."""
    try:
        return await send(bot, chat_id, text, translator, reply_markup)
    except Forbidden:
        logger.info("chat %s blocked the bot; message not delivered", chat_id)
        return None


async def reply(
    update: Update,
    context: HubContext,
    text: Markup,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message:
    chat = update.effective_chat
    assert chat is not None
    return await send(context.bot, chat.id, text, context.t, reply_markup)


async def edit_or_reply(
    update: Update,
    context: HubContext,
    text: Markup,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> None:
    """After a button press, replace the pressed message; after a typed message, answer it."""
    query = update.callback_query
    body = _laid_out(str(text), context.t)
    if (
        query is not None
        and query.message is not None
        and visible_length(body) <= MAX_MESSAGE_UTF16
    ):
        try:
            await query.edit_message_text(
                body,
                parse_mode=ParseMode.HTML,
                reply_markup=reply_markup,
                disable_web_page_preview=True,
            )
            return
        except BadRequest as error:
            if is_not_modified(error):
                return  # it already shows this
            # Too old to edit: a fresh message serves the user just as well.
            logger.debug("edit failed (%s); sending a new message", error)
    await reply(update, context, text, reply_markup)


async def answer_callback(update: Update, text: str | None = None, alert: bool = False) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=alert)


def length_problem(t: Translator, *, too_short: bool, limit: int) -> Markup:
    if too_short:
        return t.ngettext(
            "That is too short: please use at least {count} character.",
            "That is too short: please use at least {count} characters.",
            limit,
        )
    return t.ngettext(
        "That is too long: please use at most {count} character.",
        "That is too long: please use at most {count} characters.",
        limit,
    )


def staff_only(handler: Handler) -> Handler:
    """Refuse a staff command or button to anyone else, in their language."""

    async def guarded(update: Update, context: HubContext, *arguments: Any) -> Any:
        if context.profile is not None and context.profile.is_staff:
            action, subject = staff_action(update, context, handler.__name__, arguments)
            await context.services.audit.record(
                actor_id=context.user_id, channel=BOT, action=action, subject=subject
            )
            return await handler(update, context, *arguments)
        refusal = context.t.label("This is for hub staff only.")
        if update.callback_query is not None:
            await answer_callback(update, refusal, alert=True)
        else:
            await reply(update, context, context.t._("This is for hub staff only."))
        return None

    guarded.__name__ = handler.__name__
    guarded.__doc__ = handler.__doc__
    return guarded


def staff_action(
    update: Update, context: HubContext, handler_name: str, arguments: Sequence[Any]
) -> tuple[str, str | None]:
    """What the audit log says a staff member did: the command, or the button's feature and
    action, and what it was about (its arguments)."""
    query = update.callback_query
    if query is not None and query.data:
        _version, feature, action, *_ = [*query.data.split(SEPARATOR), "", ""]
        subject = " ".join(str(argument) for argument in arguments)
        return f"button {feature}.{action}", subject or None
    message = update.effective_message
    text = message.text if message is not None and message.text else ""
    if text.startswith("/"):
        command = text.split()[0].split("@")[0]
        return command, " ".join(context.args or ()) or None
    return handler_name, None


NoticeRender = Callable[[Services, StaffNotice, Translator], Awaitable[list[NoticePart]]]
NoticeCopied = Callable[[Services, StaffNotice, int, int], Awaitable[None]]


def staff_notice(
    application: HubApplication,
    kind: str,
    render: NoticeRender,
    on_copy: NoticeCopied | None = None,
) -> None:
    """How the staff outbox (bot/delivery/outbox.py) renders notices of ``kind`` for each
    reader, and, for the message staff act on (a card, a question), what to remember of where
    it went.  The notices themselves are queued by the services with the change."""

    def services() -> Services:
        opened: Services = application.bot_data["services"]
        return opened

    async def rendered(notice: StaffNotice, reader: Translator) -> list[NoticePart]:
        return await render(services(), notice, reader)

    async def copied(notice: StaffNotice, chat_id: int, message_id: int) -> None:
        assert on_copy is not None
        await on_copy(services(), notice, chat_id, message_id)

    kinds = application.bot_data.setdefault("notice_kinds", {})
    kinds[kind] = NoticeKind(rendered, copied if on_copy is not None else None)


def staff_cards(
    application: HubApplication,
    render: Callable[[Services, int, int], Awaitable[NoticePart | None]],
) -> None:
    """How the staff outbox renders a card it refreshes: (request id, chat id) -> its text and
    buttons for that chat's reader, or None when the request is gone."""

    async def rendered(request_id: int, chat_id: int) -> NoticePart | None:
        services: Services = application.bot_data["services"]
        return await render(services, request_id, chat_id)

    application.bot_data["render_card"] = rendered


def message_parts(
    text: Markup,
    translator: Translator,
    reply_markup: InlineKeyboardMarkup | None = None,
    *,
    is_copy: bool = False,
    shows_version: int | None = None,
) -> list[NoticePart]:
    """A notice's text as :func:`send` would send it: laid out for the reader, split if too
    long, the buttons (and the copy staff act on) on the last part."""
    parts = split_html(_laid_out(str(text), translator), MAX_MESSAGE_UTF16 - 1)
    last = len(parts) - 1
    return [
        NoticePart(
            _laid_out(part, translator),
            reply_markup if index == last else None,
            is_copy=is_copy and index == last,
            shows_version=shows_version if index == last else None,
        )
        for index, part in enumerate(parts)
    ]
