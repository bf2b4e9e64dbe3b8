"""Staff actions on a support request and what follows each: the one path for the Telegram
cards and the console, so the city gets the same messages and every card shows the change.

Each action calls the support desk (which records the change and feeds the console's live
board), then refreshes every copy of the request's card and tells whoever must hear of it in
their own language. A change made on a stale view raises ``ChangedMeanwhile`` before anything
is written or sent.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

from markupsafe import Markup
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.i18n import Translator
from bot.services import Services
from bot.support.desk import InputOutcome
from bot.support.vocabulary import status_name
from handlers.common import button, keyboard, send_to_person
from handlers.routes import REQ_ANSWER, REQ_VIEW
from handlers.support_notices import notify_city
from handlers.support_views import open_button, place
from storage.models import SupportRequest

logger = logging.getLogger(__name__)


class Outcome(enum.Enum):
    DONE = "done"
    UNCHANGED = "unchanged"  # already so: nothing recorded, nobody told
    GONE = "gone"  # no such request
    NOT_STAFF = "not_staff"  # only hub staff can be assigned


@dataclass(frozen=True)
class ActionResult:
    outcome: Outcome
    request: SupportRequest | None = None
    reached: int = 0  # focal points of the city who were told


@dataclass(frozen=True)
class Actor:
    """The staff member acting: their id and the name others read."""

    user_id: int
    name: str


async def assign(
    bot: Bot,
    services: Services,
    actor: Actor,
    request_id: int,
    assignee: int | None,
    *,
    seen_version: int | None,
) -> ActionResult:
    """Give the request to a staff member (None: nobody); they are told if it is not you."""
    if assignee is not None and not await services.accounts.is_staff(assignee):
        return ActionResult(Outcome.NOT_STAFF)
    updated = await services.support.assign(
        request_id, assignee, staff_id=actor.user_id, seen_version=seen_version
    )
    if updated is None:
        current = await services.support.get(request_id)
        return ActionResult(Outcome.UNCHANGED if current else Outcome.GONE, current)
    services.outbox.wake()  # every copy of the card is refreshed (queued with the change)
    if assignee is not None and assignee != actor.user_id:
        await _tell_assignee(bot, services, actor, updated, assignee)
    return ActionResult(Outcome.DONE, updated)


async def change_status(
    bot: Bot,
    services: Services,
    actor: Actor,
    request_id: int,
    status: str,
    *,
    seen_version: int | None,
) -> ActionResult:
    """Any status but "declined", which needs a reason (``record_text`` with "decline")."""
    updated = await services.support.change_status(
        request_id, status, staff_id=actor.user_id, seen_version=seen_version
    )
    if updated is None:
        current = await services.support.get(request_id)
        return ActionResult(Outcome.UNCHANGED if current else Outcome.GONE, current)
    services.outbox.wake()  # every copy of the card is refreshed (queued with the change)
    reached = await tell_city_status(bot, services, updated)
    return ActionResult(Outcome.DONE, updated, reached)


async def record_text(
    bot: Bot,
    services: Services,
    actor: Actor,
    request_id: int,
    action: str,
    text: str,
    *,
    seen_version: int | None,
) -> tuple[InputOutcome, int]:
    """A note, a question to the city or a decline reason typed in the console."""
    outcome = await services.support.record_staff_text(
        request_id, action, text, staff_id=actor.user_id, seen_version=seen_version
    )
    return outcome, await after_text(bot, services, outcome, text)


async def after_text(bot: Bot, services: Services, outcome: InputOutcome, text: str) -> int:
    """What follows a recorded note, question or decline; returns the focal points told."""
    request = outcome.request
    if outcome.problem is not None or request is None:
        return 0
    reached = 0
    if outcome.action == "question":
        reached = await tell_city_question(bot, services, request, text.strip())
    elif outcome.action == "decline" and outcome.changed:
        reached = await tell_city_status(bot, services, request)
    services.outbox.wake()  # every copy of the card is refreshed (queued with the change)
    return reached


async def tell_city_status(bot: Bot, services: Services, request: SupportRequest) -> int:
    def render(reader: Translator) -> tuple[Markup, InlineKeyboardMarkup]:
        if request.status == "declined":
            text = reader._(
                "The Hub team declined your support request {reference}, «{title}».\n"
                "Reason: {reason}",
                reference=request.reference,
                title=request.title,
                reason=request.decline_reason or "—",
            )
        else:
            text = reader._(
                "Your support request {reference}, «{title}», is now: <b>{status}</b>.",
                reference=request.reference,
                title=request.title,
                status=status_name(reader, request.status),
            )
        return text, keyboard([button(reader.label("Details"), REQ_VIEW, request.id)])

    return await notify_city(bot, services, request, render)


async def tell_city_question(
    bot: Bot, services: Services, request: SupportRequest, question: str
) -> int:
    def render(reader: Translator) -> tuple[Markup, InlineKeyboardMarkup]:
        return reader._(
            "<b>The Hub team has a question about your support request {reference}</b>, "
            "«{title}»:\n\n{question}",
            reference=request.reference,
            title=request.title,
            question=question,
        ), keyboard([button(reader.label("✍ Answer the Hub team"), REQ_ANSWER, request.id)])

    return await notify_city(bot, services, request, render)


async def _tell_assignee(
    bot: Bot, services: Services, actor: Actor, request: SupportRequest, assignee: int
) -> None:
    profile = await services.accounts.profile(assignee)
    reader = services.translator_for(profile)
    try:
        await send_to_person(
            bot,
            assignee,
            reader._(
                "{name} assigned the support request {reference} to you: «{title}» from {place}.",
                name=actor.name,
                reference=request.reference,
                title=request.title,
                place=place(reader, request),
            ),
            reader,
            keyboard([open_button(reader, request)]),
        )
    except TelegramError as error:
        # A staff member who never opened the bot cannot be written to first.
        logger.info("could not tell staff %s about an assignment: %s", assignee, error)
