"""Support requests from the staff side: the card's buttons, /requests, digests and exports."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import time
from typing import Any

from markupsafe import Markup
from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.audit import BOT
from bot.context import HubApplication, HubContext
from bot.delivery.outbox import NoticePart
from bot.geography import COUNTRIES, COUNTRIES_BY_CODE
from bot.i18n import Translator
from bot.services import Services
from bot.support.desk import (
    DIGEST_NOTICE,
    STAFF_INPUT_FLOW,
    ChangedMeanwhile,
    InputOutcome,
    InputProblem,
)
from bot.support.vocabulary import STATUSES, TOPICS, status_name
from handlers import support_actions as actions
from handlers.common import (
    answer_callback,
    button,
    edit_or_reply,
    in_rows,
    keyboard,
    length_problem,
    message_parts,
    register_routes,
    reply,
    staff_notice,
    staff_only,
)
from handlers.preprocess import in_flow
from handlers.routes import (
    TRI_ASK,
    TRI_ASSIGN,
    TRI_ASSIGNEES,
    TRI_CANCEL_INPUT,
    TRI_CARD,
    TRI_FILES,
    TRI_FILTER_BY,
    TRI_HISTORY,
    TRI_LIST,
    TRI_MINE,
    TRI_NOTE,
    TRI_OPEN,
    TRI_STATUS,
    TRI_STATUSES,
    TRIAGE,
)
from handlers.support_actions import Actor, Outcome
from handlers.support_notices import send_files
from handlers.support_views import (
    changed_meanwhile,
    paging_row,
    place,
    request_buttons,
    staff_card,
    staff_history,
    staff_time,
    triage_keyboard,
)
from storage.models import SupportRequest
from storage.outbox import StaffNotice
from storage.support_requests import RequestFilter

logger = logging.getLogger(__name__)

REQUESTS_PER_PAGE = 8
DIGEST_TIME_UTC = time(6, 0)
DIGEST_MAX_LISTED = 30
ANY = "*"


# -- the card and its buttons ----------------------------------------------------------------


async def show_card(
    update: Update, context: HubContext, request_id: int, *, edit: bool, answered: bool = False
) -> None:
    details = await context.services.support.details(request_id)
    t = context.t
    if details is None:
        if not answered:
            await answer_callback(update, t.label("This request no longer exists."), alert=True)
        return
    if not answered:
        await answer_callback(update)
    count = len(details.attachments)
    text = staff_card(t, details.request, count, context.services.config.staff_time_zone)
    markup = triage_keyboard(t, details.request, count)
    if edit:
        await edit_or_reply(update, context, text, markup)
        return
    sent = await reply(update, context, text, markup)
    await context.services.support.add_copy(
        request_id,
        chat_id=sent.chat_id,
        message_id=sent.message_id,
        shown_version=details.request.version,
    )
    context.services.outbox.wake()  # a change made while the card was sent refreshes it


# -- the buttons ---------------------------------------------------------------------------


@staff_only
async def open_card(update: Update, context: HubContext, request_id: int) -> None:
    await show_card(update, context, request_id, edit=False)


@staff_only
async def back_to_card(update: Update, context: HubContext, request_id: int) -> None:
    await show_card(update, context, request_id, edit=True)


@staff_only
async def assign_to_me(update: Update, context: HubContext, request_id: int, seen: int) -> None:
    await assign(update, context, request_id, context.user_id, seen)


@staff_only
async def assign_to(
    update: Update, context: HubContext, request_id: int, assignee: int, seen: int
) -> None:
    await assign(update, context, request_id, assignee, seen)


@staff_only
async def ask_for_note(update: Update, context: HubContext, request_id: int) -> None:
    await ask_for_input(update, context, request_id, "note")


@staff_only
async def ask_for_question(update: Update, context: HubContext, request_id: int, seen: int) -> None:
    await ask_for_input(update, context, request_id, "question", seen)


@staff_only
async def cancel_input(update: Update, context: HubContext) -> None:
    await answer_callback(update)
    await context.services.support.cancel_staff_input(context.user_id)
    await edit_or_reply(update, context, context.t._("All right, nothing was recorded."))


@staff_only
async def list_page(update: Update, context: HubContext, state: str, page: int) -> None:
    await answer_callback(update)
    await show_list(update, context, parse_filter(state), page, edit=True)


@staff_only
async def filter_by(update: Update, context: HubContext, dimension: str, state: str) -> None:
    await answer_callback(update)
    await show_filter_choices(update, context, dimension, parse_filter(state))


def acting(context: HubContext) -> Actor:
    return Actor(context.user_id, context.me.user.display_name)


async def assign(
    update: Update, context: HubContext, request_id: int, assignee: int | None, seen: int
) -> None:
    t = context.t
    try:
        done = await actions.assign(
            context.bot,
            context.services,
            acting(context),
            request_id,
            assignee or None,
            seen_version=seen,
        )
    except ChangedMeanwhile as stale:
        await refused_as_stale(update, context, stale)
        return
    if done.outcome is Outcome.NOT_STAFF:
        await answer_callback(update, t.label("Only hub staff can be assigned."), alert=True)
        return
    if done.outcome is Outcome.GONE:
        await answer_callback(update, t.label("This request no longer exists."), alert=True)
        return
    changed = done.outcome is Outcome.DONE
    await answer_callback(update, t.label("Assigned.") if changed else t.label("Nothing changed."))
    await show_card(update, context, request_id, edit=True, answered=True)


async def refused_as_stale(update: Update, context: HubContext, stale: ChangedMeanwhile) -> None:
    """The card was out of date: say who changed the request, and show it as it is now."""
    text = changed_meanwhile(context.t, stale.current, stale.changed_by_name)
    await answer_callback(update, text, alert=True)
    await show_card(update, context, stale.current.id, edit=True, answered=True)


@staff_only
async def show_assignees(update: Update, context: HubContext, request_id: int, seen: int) -> None:
    await answer_callback(update)
    t = context.t
    staff = await context.services.accounts.list_staff()
    choices = [
        button(
            listing.user.display_name if listing.user else str(listing.member.user_id),
            TRI_ASSIGN,
            request_id,
            listing.member.user_id,
            seen,
        )
        for listing in staff
    ]
    await edit_or_reply(
        update,
        context,
        t._("Who should handle this request?"),
        keyboard(
            *in_rows(choices, 2),
            [button(t.label("Nobody"), TRI_ASSIGN, request_id, 0, seen)],
            [button(t.label("« Back"), TRI_CARD, request_id)],
        ),
    )


@staff_only
async def show_statuses(update: Update, context: HubContext, request_id: int, seen: int) -> None:
    request = await context.services.support.get(request_id)
    t = context.t
    if request is None:
        await answer_callback(update, t.label("This request no longer exists."), alert=True)
        return
    await answer_callback(update)
    choices = [
        button(status_name(t, status), TRI_STATUS, request_id, status, seen)
        for status in STATUSES
        if status != request.status
    ]
    await edit_or_reply(
        update,
        context,
        t._(
            "{reference} is <b>{status}</b>. Choose its new status; the city is told.",
            reference=request.reference,
            status=status_name(t, request.status),
        ),
        keyboard(*in_rows(choices, 2), [button(t.label("« Back"), TRI_CARD, request_id)]),
    )


@staff_only
async def set_status(
    update: Update, context: HubContext, request_id: int, status: str, seen: int
) -> None:
    t = context.t
    if status == "declined":
        await ask_for_input(update, context, request_id, "decline", seen)
        return
    try:
        done = await actions.change_status(
            context.bot, context.services, acting(context), request_id, status, seen_version=seen
        )
    except ChangedMeanwhile as stale:
        await refused_as_stale(update, context, stale)
        return
    if done.outcome is Outcome.GONE:
        await answer_callback(update, t.label("This request no longer exists."), alert=True)
        return
    if done.outcome is Outcome.UNCHANGED:
        await answer_callback(update, t.label("The request already has this status."))
    else:
        await answer_callback(update, t.label("Status changed; the city was told."))
    await show_card(update, context, request_id, edit=True, answered=True)


async def ask_for_input(
    update: Update, context: HubContext, request_id: int, action: str, seen: int | None = None
) -> None:
    services = context.services
    t = context.t
    request = await services.support.get(request_id)
    if request is None:
        await answer_callback(update, t.label("This request no longer exists."), alert=True)
        return
    await answer_callback(update)
    await services.support.await_staff_input(context.user_id, action, request_id, seen_version=seen)
    if action == "note":
        text = t._(
            "Type an internal note for {reference}, replying to this message. "
            "The city does not see notes.",
            reference=request.reference,
        )
    elif action == "question":
        text = t._(
            "Type your question for {place} about {reference}, replying to this message. "
            "It reaches the city's focal points as you write it, with the reference.",
            place=place(t, request),
            reference=request.reference,
        )
    else:
        text = t._(
            "Type the reason for declining {reference}, replying to this message. "
            "The city receives it.",
            reference=request.reference,
        )
    await reply(update, context, text, keyboard([button(t.label("✖ Cancel"), TRI_CANCEL_INPUT)]))


async def on_input_text(update: Update, context: HubContext) -> None:
    """A note, question or decline reason typed after pressing its button."""
    message = update.message
    assert message is not None and message.text is not None
    services = context.services
    t = context.t
    if not context.me.is_staff:
        await services.support.cancel_staff_input(context.user_id)
        await reply(update, context, t._("This is for hub staff only."))
        return
    outcome = await services.support.staff_input(context.user_id, message.text)
    if await _input_problem(update, context, outcome, message.text):
        return
    request = outcome.request
    assert request is not None
    # The button that asked for this text is in the audit log; this is what it led to.
    await services.audit.record(
        actor_id=context.user_id,
        channel=BOT,
        action=f"support.{outcome.action}",
        subject=request.reference,
    )
    reached = await actions.after_text(context.bot, services, outcome, message.text)
    if outcome.action == "note":
        await reply(update, context, t._("Note added to {reference}.", reference=request.reference))
    elif outcome.changed:
        await reply(update, context, _delivery(t, request, reached))
    else:
        await reply(
            update, context, t._("{reference} was already declined.", reference=request.reference)
        )


def _delivery(t: Translator, request: SupportRequest, reached: int) -> Markup:
    if reached == 0:
        return t._(
            "Recorded for {reference}, but no focal point of {place} could be reached.",
            reference=request.reference,
            place=place(t, request),
        )
    return t.ngettext(
        "Recorded for {reference} and sent to {count} focal point of {place}.",
        "Recorded for {reference} and sent to {count} focal points of {place}.",
        reached,
        reference=request.reference,
        place=place(t, request),
    )


async def _input_problem(
    update: Update, context: HubContext, outcome: InputOutcome, text: str
) -> bool:
    t = context.t
    if outcome.problem is InputProblem.GONE:
        await reply(update, context, t._("This request no longer exists."))
        return True
    if outcome.problem is InputProblem.CHANGED_MEANWHILE and outcome.request is not None:
        # What they typed comes back to them, so nothing is lost.
        await reply(
            update,
            context,
            t._(
                "{refusal}\n\nWhat you typed was not sent:\n{text}",
                refusal=changed_meanwhile(t, outcome.request, outcome.changed_by_name),
                text=text.strip(),
            ),
        )
        return True
    if outcome.problem is None:
        return False
    too_short = outcome.problem is InputProblem.TOO_SHORT
    await reply(
        update,
        context,
        length_problem(t, too_short=too_short, limit=outcome.limit or 0),
        keyboard([button(t.label("✖ Cancel"), TRI_CANCEL_INPUT)]),
    )
    return True


async def on_input_other(update: Update, context: HubContext) -> None:
    await reply(update, context, context.t._("Please answer with a text message."))


@staff_only
async def show_history(update: Update, context: HubContext, request_id: int) -> None:
    details = await context.services.support.details(request_id)
    t = context.t
    if details is None:
        await answer_callback(update, t.label("This request no longer exists."), alert=True)
        return
    await answer_callback(update)
    await reply(update, context, staff_history(t, details.request, details.events))


@staff_only
async def resend_files(update: Update, context: HubContext, request_id: int) -> None:
    details = await context.services.support.details(request_id)
    if details is None:
        await answer_callback(update, context.t.label("This request no longer exists."), alert=True)
        return
    await answer_callback(update)
    chat = update.effective_chat
    assert chat is not None
    await send_files(context, chat.id, details.request, details.attachments)


# -- /requests: the list with its filters -------------------------------------------------


def parse_filter(state: str) -> RequestFilter:
    """``status.country.topic.assignee`` with ``*`` for any; anything unknown reads as any."""
    parts = [*state.split("."), ANY, ANY, ANY, ANY][:4]
    status, country, topic, assignee = parts
    return RequestFilter(
        status=status if status in STATUSES else None,
        country=country if country in COUNTRIES_BY_CODE else None,
        topic=topic if topic in TOPICS else None,
        assignee=int(assignee) if assignee.isdigit() else None,
    )


def encode_filter(where: RequestFilter) -> str:
    assignee = str(where.assignee) if where.assignee is not None else ANY
    return ".".join((where.status or ANY, where.country or ANY, where.topic or ANY, assignee))


@staff_only
async def list_command(update: Update, context: HubContext) -> None:
    await show_list(update, context, RequestFilter(), 0, edit=False)


async def show_list(
    update: Update, context: HubContext, where: RequestFilter, page: int, *, edit: bool
) -> None:
    t = context.t
    support = context.services.support
    found = await support.search(where, page=page, size=REQUESTS_PER_PAGE)
    pages = max(1, -(-found.total // REQUESTS_PER_PAGE))
    if page >= pages and found.total:
        page = pages - 1
        found = await support.search(where, page=page, size=REQUESTS_PER_PAGE)
    state = encode_filter(where)
    description = await _describe_filter(context, where)
    lines = "\n".join(
        t.label(
            "{reference} · {status} · {city} · {title}",
            reference=request.reference,
            status=status_name(t, request.status),
            city=t.label(request.city),
            title=request.title,
        )
        for request in found.requests
    )
    text = t.ngettext(
        "<b>Support requests</b> ({filters}): {count} found, page {page} of {pages}.\n\n{lines}",
        "<b>Support requests</b> ({filters}): {count} found, page {page} of {pages}.\n\n{lines}",
        found.total,
        filters=description,
        page=page + 1,
        pages=pages,
        lines=lines,
    )
    rows = request_buttons(found.requests, TRI_OPEN)
    rows.append(paging_row(t, page, pages, TRI_LIST, state))
    rows.append(
        [
            button(t.label("Status"), TRI_FILTER_BY, "status", state),
            button(t.label("Country"), TRI_FILTER_BY, "country", state),
            button(t.label("Topic"), TRI_FILTER_BY, "topic", state),
            button(t.label("Assignee"), TRI_FILTER_BY, "who", state),
        ]
    )
    if state != encode_filter(RequestFilter()):
        rows.append(
            [button(t.label("Clear the filters"), TRI_LIST, encode_filter(RequestFilter()), 0)]
        )
    if edit:
        await edit_or_reply(update, context, text, keyboard(*rows))
    else:
        await reply(update, context, text, keyboard(*rows))


async def _describe_filter(context: HubContext, where: RequestFilter) -> str:
    t = context.t
    anything = t.label("any")
    country = COUNTRIES_BY_CODE.get(where.country or "")
    if where.assignee is None:
        assignee = anything
    elif where.assignee == 0:
        assignee = t.label("nobody")
    else:
        profile = await context.services.accounts.profile(where.assignee)
        assignee = profile.user.display_name if profile else str(where.assignee)
    return t.label(
        "status: {status}; country: {country}; topic: {topic}; assigned to: {assignee}",
        status=status_name(t, where.status) if where.status else anything,
        country=t.label(country.name) if country else anything,
        topic=t.label(TOPICS[where.topic]) if where.topic else anything,
        assignee=assignee,
    )


async def show_filter_choices(
    update: Update, context: HubContext, dimension: str, where: RequestFilter
) -> None:
    t = context.t
    options: list[tuple[str, RequestFilter]] = []
    if dimension == "status":
        options = [(status_name(t, s), _with(where, status=s)) for s in STATUSES]
        options.insert(0, (t.label("Any status"), _with(where, status=None)))
    elif dimension == "country":
        options = [(t.label(c.name), _with(where, country=c.code)) for c in COUNTRIES]
        options.insert(0, (t.label("Any country"), _with(where, country=None)))
    elif dimension == "topic":
        options = [(t.label(name), _with(where, topic=key)) for key, name in TOPICS.items()]
        options.insert(0, (t.label("Any topic"), _with(where, topic=None)))
    else:
        staff = await context.services.accounts.list_staff()
        options = [
            (
                listing.user.display_name if listing.user else str(listing.member.user_id),
                _with(where, assignee=listing.member.user_id),
            )
            for listing in staff
        ]
        options[:0] = [
            (t.label("Anyone"), _with(where, assignee=None)),
            (t.label("Nobody"), _with(where, assignee=0)),
        ]
    buttons = [button(name, TRI_LIST, encode_filter(choice), 0) for name, choice in options]
    await edit_or_reply(
        update,
        context,
        t._("Show which requests?"),
        keyboard(
            *in_rows(buttons, 2),
            [button(t.label("« Back"), TRI_LIST, encode_filter(where), 0)],
        ),
    )


def _with(where: RequestFilter, **changes: Any) -> RequestFilter:
    return replace(where, **changes)


# -- the daily digest and the export ---------------------------------------------------------


async def post_digest(context: HubContext) -> int:
    """Tell staff which requests have waited more than three days; returns how many."""
    overdue = await context.services.support.overdue()
    if not overdue:
        return 0
    await context.services.outbox.queue(StaffNotice(DIGEST_NOTICE))
    return len(overdue)


async def digest_notice(services: Services, notice: StaffNotice, t: Translator) -> list[NoticePart]:
    """The requests waiting when the digest goes out (after a restart too)."""
    overdue = await services.support.overdue()
    if not overdue:
        return []
    listed = overdue[:DIGEST_MAX_LISTED]
    time_zone = services.config.staff_time_zone
    lines = "\n".join(
        t.label(
            "{reference} · {status} · {city} · since {since}",
            reference=request.reference,
            status=status_name(t, request.status),
            city=t.label(request.city),
            since=staff_time(t, request.waiting_since or request.updated_at, time_zone),
        )
        for request in listed
    )
    text = t.ngettext(
        "<b>{count} support request has waited more than 3 days for an answer</b>\n\n{lines}",
        "<b>{count} support requests have waited more than 3 days for an answer</b>\n\n{lines}",
        len(overdue),
        lines=lines,
    )
    return message_parts(text, t, keyboard(*request_buttons(listed, TRI_OPEN)))


async def daily_digest(context: HubContext) -> None:
    await post_digest(context)


@staff_only
async def export_command(update: Update, context: HubContext) -> None:
    services = context.services
    t = context.t
    # English for the donors' reports, whatever the language of the staff member.
    content = await services.support.export_csv(services.translator("en"))
    chat = update.effective_chat
    assert chat is not None
    day = services.clock.now().date().isoformat()
    rows = content.count("\r\n") - 1
    await context.bot.send_document(
        chat.id,
        # A byte-order mark, so spreadsheet programs read the Arabic as UTF-8.
        ("\ufeff" + content).encode("utf-8"),
        filename=f"support-requests-{day}.csv",
        caption=t.ngettext(
            "{count} support request with its history.",
            "{count} support requests with their history.",
            rows,
        ),
        parse_mode=ParseMode.HTML,
    )


class NotReplyingElsewhere(filters.MessageFilter):
    """A message that is not a reply to another of the bot's messages than the input prompt.

    Staff waiting to type a note or a question may still answer a user's forwarded question
    by replying to it; that reply belongs to the user, not to the request.
    """

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        if replied is None or replied.from_user is None or not replied.from_user.is_bot:
            return True
        # The prompt, and the messages asking to type again, carry this Cancel button.
        cancel = TRI_CANCEL_INPUT.data()
        markup = replied.reply_markup
        return markup is not None and any(
            key.callback_data == cancel for row in markup.inline_keyboard for key in row
        )


def register(application: HubApplication) -> None:
    staff_notice(application, DIGEST_NOTICE, digest_notice)
    typing = in_flow(application, STAFF_INPUT_FLOW, one_answer=True) & NotReplyingElsewhere()
    application.add_handler(CommandHandler("requests", list_command))
    application.add_handler(CommandHandler("exportrequests", export_command))
    register_routes(
        application,
        TRIAGE,
        {
            TRI_OPEN: open_card,
            TRI_CARD: back_to_card,
            TRI_MINE: assign_to_me,
            TRI_ASSIGNEES: show_assignees,
            TRI_ASSIGN: assign_to,
            TRI_STATUSES: show_statuses,
            TRI_STATUS: set_status,
            TRI_NOTE: ask_for_note,
            TRI_ASK: ask_for_question,
            TRI_HISTORY: show_history,
            TRI_FILES: resend_files,
            TRI_CANCEL_INPUT: cancel_input,
            TRI_LIST: list_page,
            TRI_FILTER_BY: filter_by,
        },
    )
    application.add_handler(MessageHandler(typing & filters.TEXT & ~filters.COMMAND, on_input_text))
    application.add_handler(
        MessageHandler(
            typing & ~filters.TEXT & ~filters.UpdateType.EDITED & ~filters.StatusUpdate.ALL,
            on_input_other,
        )
    )
    if application.job_queue is not None:
        application.job_queue.run_daily(daily_digest, DIGEST_TIME_UTC, name="support-digest")
