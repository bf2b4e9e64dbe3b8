"""Support requests from the city's side: the form, /myrequests, and answering staff questions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.context import HubApplication, HubContext
from bot.forms import StepOutcome
from bot.i18n import N_, Translator
from bot.knowledge.intents import MY_REQUESTS, SUPPORT_REQUEST, Recognized
from bot.support.desk import (
    CITY_ANSWER_FLOW,
    CITY_ANSWER_NOTICE,
    InputOutcome,
    InputProblem,
    RequestDetails,
)
from bot.support.form import (
    CHOICES,
    FLOW,
    MAX_ATTACHMENTS,
    NEW_REQUEST_NOTICE,
    OFFER_FLOW,
    Problem,
    RequestForm,
    Step,
    answers,
)
from bot.support.vocabulary import status_name
from handlers.common import (
    Handler,
    answer_callback,
    button,
    edit_or_reply,
    keyboard,
    length_problem,
    register_intents,
    register_routes,
    reply,
    staff_cards,
    staff_notice,
)
from handlers.forms import FormView, Resumable, Screen, resumable
from handlers.preprocess import in_flow
from handlers.routes import (
    KB_DISMISS,
    REQ_ANSWER,
    REQ_BACK,
    REQ_BEGIN,
    REQ_CANCEL,
    REQ_CHOOSE,
    REQ_CLEAR_FILES,
    REQ_FILES_DONE,
    REQ_FROM_MESSAGE,
    REQ_KEEP_DESCRIPTION,
    REQ_NO_ANSWER,
    REQ_PAGE,
    REQ_RESTART,
    REQ_RESUME,
    REQ_SUBMIT,
    REQ_VIEW,
    REQUESTS,
)
from handlers.support_notices import (
    card_now,
    city_answer_notice,
    new_request_notice,
    notify_city,
    remember_card,
)
from handlers.support_views import (
    city_view,
    paging_row,
    request_buttons,
    request_fields,
)
from storage.models import Draft, FocalPoint, RequestAttachment, SupportRequest

logger = logging.getLogger(__name__)

REQUESTS_PER_PAGE = 5


def _choices(t: Translator, step: Step) -> list[list[InlineKeyboardButton]]:
    # One a row: topic names are long, in Arabic and French even more than in English.
    return [[button(t.label(name), REQ_CHOOSE, step, key)] for key, name in CHOICES[step].items()]


def _ask_topic(t: Translator, draft: Draft) -> Screen:
    return t._("Support request (1/7). Which topic is it about?"), keyboard(
        *_choices(t, Step.TOPIC), FORM.navigation(t, back=False)
    )


def _ask_kind(t: Translator, draft: Draft) -> Screen:
    return t._("Support request (2/7). What kind of support would help?"), keyboard(
        *_choices(t, Step.KIND), FORM.navigation(t)
    )


def _ask_title(t: Translator, draft: Draft) -> Screen:
    return t._(
        "Support request (3/7). Give it a short title, for example: Youth council framework."
    ), keyboard(FORM.navigation(t))


def _ask_description(t: Translator, draft: Draft) -> Screen:
    drafted = answers(draft).get("drafted_description")
    if drafted and "description" not in draft.data:
        return t._(
            "Support request (4/7). Describe what you need: the situation, what you want to "
            "achieve and who is involved. Your message is the first draft:\n\n«{description}»"
            "\n\nKeep it, or type a fuller description.",
            description=drafted,
        ), keyboard(
            [button(t.label("Keep this description"), REQ_KEEP_DESCRIPTION)],
            FORM.navigation(t),
        )
    return t._(
        "Support request (4/7). Describe what you need: the situation, what you want to "
        "achieve and who is involved."
    ), keyboard(FORM.navigation(t))


def _ask_time_frame(t: Translator, draft: Draft) -> Screen:
    return t._("Support request (5/7). When do you need the support?"), keyboard(
        *_choices(t, Step.TIME_FRAME), FORM.navigation(t)
    )


def _ask_files(t: Translator, draft: Draft) -> Screen:
    files = len(answers(draft).get("attachments", []))
    if files:
        return t.ngettext(
            "Support request (6/7). {count} file received. Send more documents or photos, "
            "or press Done.",
            "Support request (6/7). {count} files received. Send more documents or photos, "
            "or press Done.",
            files,
        ), keyboard(
            [
                button(t.label("Done"), REQ_FILES_DONE),
                button(t.label("Remove the files"), REQ_CLEAR_FILES),
            ],
            FORM.navigation(t),
        )
    return t.ngettext(
        "Support request (6/7). You can send up to {count} document or photo that helps "
        "explain the request, or skip this step.",
        "Support request (6/7). You can send up to {count} documents or photos that help "
        "explain the request, or skip this step.",
        MAX_ATTACHMENTS,
    ), keyboard([button(t.label("Skip"), REQ_FILES_DONE)], FORM.navigation(t))


def _ask_contact(t: Translator, draft: Draft) -> Screen:
    return t._("Support request (7/7). How would you like the Hub team to contact you?"), keyboard(
        *_choices(t, Step.CONTACT), FORM.navigation(t)
    )


def _ask_contact_detail(t: Translator, draft: Draft) -> Screen:
    if answers(draft).get("contact") == "email":
        return t._("Support request (7/7). Type the email address to write to."), keyboard(
            FORM.navigation(t)
        )
    return t._(
        "Support request (7/7). Type the phone number, with the country code "
        "(for example +212 600 000 000)."
    ), keyboard(FORM.navigation(t))


def _confirm(t: Translator, draft: Draft) -> Screen:
    data = answers(draft)
    summary = t._(
        "Please check your support request:\n\n<b>{title}</b>\n{description}\n\n{fields}\n\n"
        "Send it to the Hub team?",
        title=data.get("title", ""),
        description=data.get("description", ""),
        fields=request_fields(t, draft.data, len(data.get("attachments", []))),
    )
    return summary, keyboard(
        [button(t.label("✔ Submit"), REQ_SUBMIT, data["key"])], FORM.navigation(t)
    )


SCREENS: dict[Step, Callable[[Translator, Draft], Screen]] = {
    Step.TOPIC: _ask_topic,
    Step.KIND: _ask_kind,
    Step.TITLE: _ask_title,
    Step.DESCRIPTION: _ask_description,
    Step.TIME_FRAME: _ask_time_frame,
    Step.ATTACHMENTS: _ask_files,
    Step.CONTACT: _ask_contact,
    Step.CONTACT_DETAIL: _ask_contact_detail,
    Step.CONFIRM: _confirm,
}


async def _screen(context: HubContext, draft: Draft) -> Screen:
    return SCREENS[Step(draft.step)](context.t, draft)


def _too_many_files(t: Translator, outcome: StepOutcome) -> Markup:
    return t.ngettext(
        "You can send at most {count} file with a request; this one was not added.",
        "You can send at most {count} files with a request; this one was not added.",
        outcome.limit or 0,
    )


CLOSED = N_("This support request form is closed. Use /request to start a new one.")
FORM = FormView(
    back=REQ_BACK,
    cancel=REQ_CANCEL,
    screen=_screen,
    service=lambda context: context.services.request_form,
    closed=CLOSED,
    cancelled=N_("Support request cancelled. Nothing was sent."),
    otherwise=N_("Please choose one of the buttons below."),
    # A button from an earlier step: show where the form really is.
    quiet_wrong_step=True,
    problems={
        Problem.BAD_EMAIL: N_(
            "That does not look like an email address (name@example.org). Try again."
        ),
        Problem.BAD_PHONE: N_(
            "That does not look like a phone number. Use digits, with the country code, "
            "for example +216 71 000 000."
        ),
        Problem.NEEDS_TEXT: N_("Please answer with a text message."),
        Problem.NEEDS_FILE: N_(
            "At this step, send a document or a photo, or use the buttons below."
        ),
        Problem.TOO_MANY_FILES: _too_many_files,
    },
)


async def refuse_unverified(update: Update, context: HubContext) -> bool:
    """Support requests are for verified focal points; anyone else is told what to do."""
    profile = context.me
    if profile.is_verified_focal_point:
        return False
    t = context.t
    focal_point = profile.focal_point
    if focal_point is not None and focal_point.status == "pending":
        text = t._(
            "Your registration is still waiting for the Hub team's review. You can file "
            "support requests once it is approved."
        )
    else:
        text = t._(
            "Support requests are for verified city focal points. Use /register to register "
            "as your city's focal point first."
        )
    if update.callback_query is not None:
        await answer_callback(update)
    await reply(update, context, text)
    return True


async def begin(update: Update, context: HubContext) -> None:
    # A refusal answers the button itself; answering twice is an error at Telegram.
    if await refuse_unverified(update, context):
        return
    await answer_callback(update)
    t = context.t
    form = context.services.request_form
    user_id = context.user_id
    draft = await form.draft(user_id)
    if draft is not None:
        await reply(
            update,
            context,
            t._(
                "You have a support request you have not sent yet (last changed {when}). "
                "Continue it, or start over?",
                when=t.datetime(draft.updated_at, context.me.time_zone),
            ),
            keyboard(
                [
                    button(t.label("Continue"), REQ_RESUME),
                    button(t.label("Start over"), REQ_RESTART),
                ],
                [button(t.label("✖ Cancel"), REQ_CANCEL)],
            ),
        )
        return
    await FORM.show(update, context, await form.start(user_id), edit=False)


async def on_text(update: Update, context: HubContext) -> None:
    assert update.message is not None and update.message.text is not None
    step = context.services.request_form.answer_text(context.user_id, update.message.text)
    await FORM.run(update, context, step, edit=False)


def attachment_of(message: Message) -> RequestAttachment | None:
    """Telegram's ids for a document or the largest size of a photo; nothing is downloaded."""
    if message.document is not None:
        document = message.document
        return RequestAttachment(
            "document", document.file_id, document.file_unique_id, document.file_name
        )
    if message.photo:
        largest = message.photo[-1]
        return RequestAttachment("photo", largest.file_id, largest.file_unique_id, None)
    return None


async def on_file(update: Update, context: HubContext) -> None:
    assert update.message is not None
    attachment = attachment_of(update.message)
    assert attachment is not None
    step = context.services.request_form.add_attachment(context.user_id, attachment)
    await FORM.run(update, context, step, edit=False)


async def on_other_message(update: Update, context: HubContext) -> None:
    form = context.services.request_form
    if await form.draft(context.user_id) is not None:
        await FORM.run(update, context, form.other_message(context.user_id), edit=False)


async def cancel_answer(update: Update, context: HubContext) -> None:
    await answer_callback(update)
    await context.services.support.cancel_city_answer(context.user_id)
    await edit_or_reply(update, context, context.t._("All right, nothing was sent."))


def for_focal_points(handler: Handler) -> Handler:
    """The form's buttons, like /request, are for verified focal points only."""

    async def guarded(update: Update, context: HubContext, *arguments: Any) -> None:
        if await refuse_unverified(update, context):
            return
        await handler(update, context, *arguments)

    guarded.__name__ = handler.__name__
    return guarded


@for_focal_points
async def restart(update: Update, context: HubContext) -> None:
    await answer_callback(update)
    draft = await context.services.request_form.start(context.user_id)
    await FORM.show(update, context, draft, edit=True)


@for_focal_points
async def submit(update: Update, context: HubContext, key: str) -> None:
    await answer_callback(update)
    profile = context.me
    focal_point = profile.focal_point
    assert focal_point is not None
    t = context.t
    submission = await context.services.request_form.submit(profile.user.id, key, focal_point)
    if submission is None:
        await edit_or_reply(update, context, t._(CLOSED))
        return
    request = submission.request
    if not submission.created:
        await edit_or_reply(
            update,
            context,
            t._(
                "This support request was already sent; its reference is {reference}.",
                reference=request.reference,
            ),
        )
        return
    await edit_or_reply(
        update,
        context,
        t._(
            "Thank you. Your support request was sent to the Hub team with the reference "
            "{reference}. Their answers and every change of status will reach you here; "
            "/myrequests shows where it stands.",
            reference=request.reference,
        ),
    )
    await announce_new_request(context, request, focal_point)


async def announce_new_request(
    context: HubContext, request: SupportRequest, focal_point: FocalPoint
) -> None:
    """The staff get the card with its buttons and the files (queued with the request); the
    city's other focal point learns that a request was filed for their city."""
    services = context.services
    services.outbox.wake()

    def tell_alternate(reader: Translator) -> tuple[Markup, None]:
        return reader._(
            "{name} sent a support request for {city}: {reference}, «{title}». "
            "Use /myrequests to follow it.",
            name=focal_point.full_name,
            city=reader.label(request.city),
            reference=request.reference,
            title=request.title,
        ), None

    await notify_city(context.bot, services, request, tell_alternate, skip=focal_point.user_id)


async def my_requests(update: Update, context: HubContext) -> None:
    if await refuse_unverified(update, context):
        return
    await list_requests(update, context, 0)


async def list_requests(update: Update, context: HubContext, page: int) -> None:
    profile = context.me
    if not profile.is_verified_focal_point or profile.focal_point is None:
        await refuse_unverified(update, context)
        return
    await answer_callback(update)
    t = context.t
    support = context.services.support
    found = await support.city_page(profile.focal_point, page=page, size=REQUESTS_PER_PAGE)
    if found.total == 0:
        await edit_or_reply(
            update,
            context,
            t._(
                "Your city has no support request yet. Use /request to ask the Hub for "
                "technical support."
            ),
        )
        return
    pages = max(1, -(-found.total // REQUESTS_PER_PAGE))
    if page >= pages:
        page = pages - 1
        found = await support.city_page(profile.focal_point, page=page, size=REQUESTS_PER_PAGE)
    lines = "\n".join(
        t.label(
            "{reference} · {status} · {title}",
            reference=request.reference,
            status=status_name(t, request.status),
            title=request.title,
        )
        for request in found.requests
    )
    text = t.ngettext(
        "<b>Support requests of {city}</b>: {count} request (page {page} of {pages}).\n\n{lines}",
        "<b>Support requests of {city}</b>: {count} requests (page {page} of {pages}).\n\n{lines}",
        found.total,
        city=t.label(profile.focal_point.city),
        page=page + 1,
        pages=pages,
        lines=lines,
    )
    rows = request_buttons(found.requests, REQ_VIEW)
    paging = paging_row(t, page, pages, REQ_PAGE)
    await edit_or_reply(update, context, text, keyboard(*rows, paging))


async def view_request(update: Update, context: HubContext, request_id: int) -> None:
    profile = context.me
    t = context.t
    details = (
        await context.services.support.for_city(profile.focal_point, request_id)
        if profile.focal_point is not None
        else None
    )
    if details is None:
        # The same answer for another city's request and for one that does not exist.
        await answer_callback(update, t.label("This request is not available to you."), alert=True)
        return
    await answer_callback(update)
    await _show_request(update, context, details)


async def _show_request(update: Update, context: HubContext, details: RequestDetails) -> None:
    profile = context.me
    t = context.t
    request = details.request
    rows = []
    if request.status == "waiting_city":
        rows.append([button(t.label("✍ Answer the Hub team"), REQ_ANSWER, request.id)])
    rows.append([button(t.label("« My requests"), REQ_PAGE, 0)])
    await reply(
        update,
        context,
        city_view(t, request, len(details.attachments), details.events, profile.time_zone),
        keyboard(*rows),
    )


async def requests_asked(
    update: Update, context: HubContext, recognized: Recognized, message: str
) -> None:
    """A message asking where a request stands: the one it names, or the city's list."""
    if recognized.reference is None:
        await my_requests(update, context)
        return
    if await refuse_unverified(update, context):
        return
    focal_point = context.me.focal_point
    assert focal_point is not None
    details = await context.services.support.for_city_by_reference(
        focal_point, recognized.reference
    )
    if details is None:
        # The same answer for another city's request and for one that does not exist.
        await reply(
            update,
            context,
            context.t._(
                "{reference} is not one of your city's support requests. Use /myrequests to "
                "see them.",
                reference=recognized.reference,
            ),
        )
        return
    await _show_request(update, context, details)


async def support_asked(
    update: Update, context: HubContext, recognized: Recognized, message: str
) -> None:
    """A message telling a need: offer to file it, the message drafting the description."""
    if await refuse_unverified(update, context):
        return
    form = context.services.request_form
    if await form.draft(context.user_id) is not None:
        await begin(update, context)
        return
    await form.keep_offer(context.user_id, message)
    t = context.t
    await reply(
        update,
        context,
        t._(
            "The Hub can support your city with advice, training and experts. Shall I start a "
            "support request? Your message will be the first draft of its description."
        ),
        keyboard(
            [button(t.label("File a support request"), REQ_FROM_MESSAGE)],
            [button(t.label("No, thanks"), KB_DISMISS)],
        ),
    )


@for_focal_points
async def start_from_message(update: Update, context: HubContext) -> None:
    await answer_callback(update)
    draft = await context.services.request_form.start_offered(context.user_id)
    await FORM.show(update, context, draft, edit=True)


async def start_answer(update: Update, context: HubContext, request_id: int) -> None:
    profile = context.me
    t = context.t
    draft = (
        await context.services.support.await_city_answer(profile.focal_point, request_id)
        if profile.focal_point is not None
        else None
    )
    if draft is None:
        await answer_callback(update, t.label("This request is not available to you."), alert=True)
        return
    await answer_callback(update)
    request = await context.services.support.get(request_id)
    assert request is not None
    await reply(
        update,
        context,
        t._(
            "Type your answer to the Hub team about {reference}. It is attached to the request.",
            reference=request.reference,
        ),
        keyboard([button(t.label("✖ Cancel"), REQ_NO_ANSWER)]),
    )


async def on_answer_text(update: Update, context: HubContext) -> None:
    assert update.message is not None and update.message.text is not None
    outcome = await context.services.support.city_answer(
        context.me.focal_point, update.message.text
    )
    t = context.t
    if await _input_problem(update, context, outcome):
        return
    request = outcome.request
    assert request is not None
    await reply(
        update,
        context,
        t._(
            "Thank you. Your answer was attached to {reference} and sent to the Hub team.",
            reference=request.reference,
        ),
    )
    await announce_answer(context, request, update.message.text.strip())


async def _input_problem(update: Update, context: HubContext, outcome: InputOutcome) -> bool:
    t = context.t
    if outcome.problem is InputProblem.GONE:
        await reply(update, context, t._("This request is not available to you."))
        return True
    if outcome.problem is not None:
        too_short = outcome.problem is InputProblem.TOO_SHORT
        await reply(
            update, context, length_problem(t, too_short=too_short, limit=outcome.limit or 0)
        )
        return True
    return False


async def announce_answer(context: HubContext, request: SupportRequest, answer: str) -> None:
    """The answer stays readable in the staff chat; Open brings the request's card. Every
    copy of the card shows the new status, and the city's other focal points hear of it."""
    name = context.me.focal_point.full_name if context.me.focal_point else ""
    context.services.outbox.wake()  # the answer to staff and the cards' refreshes, queued with it

    def tell_colleague(reader: Translator) -> tuple[Markup, InlineKeyboardMarkup]:
        return reader._(
            "{name} answered the Hub team about {reference}, «{title}»:\n\n{answer}\n\n"
            "Status: <b>{status}</b>",
            name=name,
            reference=request.reference,
            title=request.title,
            answer=answer,
            status=status_name(reader, request.status),
        ), keyboard([button(reader.label("Details"), REQ_VIEW, request.id)])

    await notify_city(context.bot, context.services, request, tell_colleague, skip=context.user_id)


async def on_answer_other(update: Update, context: HubContext) -> None:
    await reply(update, context, context.t._("Please answer with a text message."))


def register(application: HubApplication) -> None:
    filing = in_flow(application, FLOW)
    resumable(
        application,
        FLOW,
        Resumable(
            FORM,
            N_(
                "You left a support request unfinished (last changed {when}). Continue where "
                "you left off, or start over?"
            ),
            start_over=lambda context: context.services.request_form.start(context.user_id),
        ),
    )
    staff_notice(application, NEW_REQUEST_NOTICE, new_request_notice, remember_card)
    staff_notice(application, CITY_ANSWER_NOTICE, city_answer_notice)
    staff_cards(application, card_now)
    answering = in_flow(application, CITY_ANSWER_FLOW, one_answer=True)
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.TEXT & ~filters.UpdateType.EDITED & ~filters.StatusUpdate.ALL
    application.add_handler(CommandHandler("request", begin))
    application.add_handler(CommandHandler("myrequests", my_requests))
    register_routes(
        application,
        REQUESTS,
        {
            REQ_BEGIN: begin,
            REQ_RESUME: for_focal_points(FORM.action(RequestForm.resume)),
            REQ_RESTART: restart,
            REQ_BACK: for_focal_points(FORM.on_back),
            REQ_CANCEL: for_focal_points(FORM.on_cancel),
            REQ_CHOOSE: for_focal_points(FORM.action(RequestForm.choose)),
            REQ_FILES_DONE: for_focal_points(FORM.action(RequestForm.finish_attachments)),
            REQ_CLEAR_FILES: for_focal_points(FORM.action(RequestForm.clear_attachments)),
            REQ_SUBMIT: submit,
            REQ_VIEW: view_request,
            REQ_PAGE: list_requests,
            REQ_ANSWER: start_answer,
            REQ_NO_ANSWER: cancel_answer,
            REQ_FROM_MESSAGE: start_from_message,
            REQ_KEEP_DESCRIPTION: for_focal_points(FORM.action(RequestForm.keep_description)),
        },
    )
    # Any command, or a day, drops a support offer left unanswered.
    in_flow(application, OFFER_FLOW, one_answer=True)
    register_intents(application, {MY_REQUESTS: requests_asked, SUPPORT_REQUEST: support_asked})
    application.add_handler(MessageHandler(filing & text, on_text))
    application.add_handler(
        MessageHandler(filing & (filters.Document.ALL | filters.PHOTO) & other, on_file)
    )
    application.add_handler(MessageHandler(filing & other, on_other_message))
    application.add_handler(MessageHandler(answering & text, on_answer_text))
    application.add_handler(MessageHandler(answering & other, on_answer_other))
