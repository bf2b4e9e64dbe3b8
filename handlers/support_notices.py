"""Telling staff and cities about a support request: where cards went, files, notices."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from markupsafe import Markup
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.context import HubContext
from bot.delivery.outbox import NoticePart
from bot.i18n import Translator, right_to_left
from bot.services import Services
from handlers.common import (
    keyboard,
    message_parts,
    send_to_person,
)
from handlers.support_views import (
    open_button,
    staff_card,
    triage_keyboard,
)
from storage.models import RequestAttachment, SupportRequest
from storage.outbox import StaffNotice

logger = logging.getLogger(__name__)


async def new_request_notice(
    services: Services, notice: StaffNotice, staff_t: Translator
) -> list[NoticePart]:
    """The card with its buttons, then the request's files, by Telegram file id."""
    details = await services.support.details(int(notice.payload["request_id"]))
    if details is None:
        return []
    request, count = details.request, len(details.attachments)
    text = staff_t._(
        "<b>New support request</b>\n\n{card}",
        card=staff_card(staff_t, request, count, services.config.staff_time_zone),
    )
    card = message_parts(
        text,
        staff_t,
        triage_keyboard(staff_t, request, count),
        is_copy=True,
        shows_version=request.version,
    )
    return card + [
        NoticePart(
            file_kind="photo" if attachment.kind == "photo" else "document",
            file_id=attachment.file_id,
            caption=request.reference,
        )
        for attachment in details.attachments
    ]


async def remember_card(
    services: Services, notice: StaffNotice, chat_id: int, message_id: int
) -> None:
    """Where the card was posted, so every copy shows the request's current state."""
    shown = notice.payload.get("shown_version")
    await services.support.add_copy(
        int(notice.payload["request_id"]),
        chat_id=chat_id,
        message_id=message_id,
        shown_version=int(shown) if shown is not None else None,
    )


async def city_answer_notice(
    services: Services, notice: StaffNotice, staff_t: Translator
) -> list[NoticePart]:
    """The answer stays readable in the staff chat; Open brings the request's card."""
    request = await services.support.get(int(notice.payload["request_id"]))
    if request is None:
        return []
    text = staff_t._(
        "<b>{reference}</b>: {name} ({city}) answered:\n\n{answer}",
        reference=request.reference,
        name=str(notice.payload.get("name") or ""),
        city=staff_t.label(request.city),
        answer=str(notice.payload["answer"]),
    )
    return message_parts(text, staff_t, keyboard([open_button(staff_t, request)]))


async def send_files(
    context: HubContext, chat_id: int, request: SupportRequest, files: Sequence[RequestAttachment]
) -> None:
    """Send the request's files by Telegram file id (they were never downloaded)."""
    for attachment in files:
        try:
            if attachment.kind == "photo":
                await context.bot.send_photo(chat_id, attachment.file_id, caption=request.reference)
            else:
                await context.bot.send_document(
                    chat_id, attachment.file_id, caption=request.reference
                )
        except TelegramError as error:
            logger.warning("could not send a file of %s: %s", request.reference, error)


async def notify_city(
    bot: Bot,
    services: Services,
    request: SupportRequest,
    render: Callable[[Translator], tuple[Markup, InlineKeyboardMarkup | None]],
    *,
    skip: int | None = None,
) -> int:
    """Tell every approved focal point of the request's city, each in their own language.

    Returns how many were reached; ``skip`` is someone already told (the one who acted).
    """
    reached = 0
    for user_id in await services.support.city_contacts(request):
        if user_id == skip:
            continue
        profile = await services.accounts.profile(user_id)
        if profile is None:
            continue
        reader = services.translator_for(profile)
        text, markup = render(reader)
        try:
            sent = await send_to_person(bot, user_id, text, reader, markup)
        except TelegramError as error:
            # One unreachable focal point must not keep the news from the other.
            logger.warning(
                "could not tell focal point %s about %s: %s", user_id, request.reference, error
            )
            continue
        reached += sent is not None
    return reached


def _reader_for(services: Services, chat_id: int, language: str | None) -> Translator:
    if chat_id == services.staff_chat.id:
        return services.staff_translator()
    return services.translator(language)


async def card_now(services: Services, request_id: int, chat_id: int) -> NoticePart | None:
    """A copy of the request's card as its chat's reader sees it now: how the staff outbox
    refreshes every copy after a change (bot/delivery/outbox.py), whether the change came from
    a Telegram card, a city's answer or the console."""
    details = await services.support.details(request_id)
    if details is None:
        return None
    profile = await services.accounts.profile(chat_id) if chat_id > 0 else None
    reader = _reader_for(services, chat_id, profile.language if profile else None)
    count = len(details.attachments)
    text = str(staff_card(reader, details.request, count, services.config.staff_time_zone))
    return NoticePart(
        right_to_left(text) if reader.is_rtl else text,
        triage_keyboard(reader, details.request, count),
    )
