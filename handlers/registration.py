"""Focal point registration: the form, and staff approving or rejecting it."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.context import HubApplication, HubContext
from bot.geography import COUNTRIES, COUNTRIES_BY_CODE, HUB_EMAIL
from bot.i18n import N_, Translator
from bot.registration import (
    FLOW,
    Problem,
    RegistrationService,
    Step,
    answers,
)
from handlers.common import (
    answer_callback,
    button,
    edit_or_reply,
    in_rows,
    keyboard,
    notify_staff,
    register_routes,
    reply,
    send_to_person,
    staff_only,
)
from handlers.forms import FormView, Resumable, Screen, resumable
from handlers.preprocess import in_flow
from handlers.registration_views import describe, move_offer, pending_page, redeemed_text
from handlers.routes import (
    REG_APPROVE,
    REG_BACK,
    REG_CANCEL,
    REG_CITY,
    REG_COUNTRY,
    REG_MOVE,
    REG_PAGE_APPROVE,
    REG_PAGE_REJECT,
    REG_PENDING,
    REG_REJECT,
    REG_SKIP_EMAIL,
    REG_START,
    REG_STAY,
    REG_SUBMIT,
    REGISTRATION,
)
from storage.models import Draft, FocalPoint, Invite


def _ask_name(t: Translator, draft: Draft) -> Screen:
    return t._("Registration (1/5). What is your full name?"), keyboard(
        FORM.navigation(t, back=False)
    )


def _ask_country(t: Translator, draft: Draft) -> Screen:
    countries = [button(t.label(c.name), REG_COUNTRY, c.code) for c in COUNTRIES]
    return t._("Registration (2/5). Which country is your city in?"), keyboard(
        *in_rows(countries, 2), FORM.navigation(t)
    )


def _ask_city(t: Translator, draft: Draft) -> Screen:
    country = COUNTRIES_BY_CODE[answers(draft)["country"]]
    cities = [button(t.label(name), REG_CITY, index) for index, name in enumerate(country.cities)]
    question = (
        t._("Registration (3/5). Choose your city or governorate, or type its name.")
        if cities
        else t._("Registration (3/5). Type the name of your city or governorate.")
    )
    return question, keyboard(*in_rows(cities, 2), FORM.navigation(t))


def _ask_position(t: Translator, draft: Draft) -> Screen:
    return t._("Registration (4/5). What is your position in the municipality?"), keyboard(
        FORM.navigation(t)
    )


def _ask_email(t: Translator, draft: Draft) -> Screen:
    return t._("Registration (5/5). Type your work email address, or skip this step."), keyboard(
        [button(t.label("Skip"), REG_SKIP_EMAIL)], FORM.navigation(t)
    )


def _confirm(t: Translator, draft: Draft) -> Screen:
    return t._(
        "Please check your registration:\n\n{summary}\n\nSend it to the Hub team?",
        summary=describe(t, answers(draft)),
    ), keyboard([button(t.label("✔ Submit"), REG_SUBMIT)], FORM.navigation(t))


SCREENS: dict[Step, Callable[[Translator, Draft], Screen]] = {
    Step.NAME: _ask_name,
    Step.COUNTRY: _ask_country,
    Step.CITY: _ask_city,
    Step.POSITION: _ask_position,
    Step.EMAIL: _ask_email,
    Step.CONFIRM: _confirm,
}


async def _screen(context: HubContext, draft: Draft) -> Screen:
    return SCREENS[Step(draft.step)](context.t, draft)


FORM = FormView(
    back=REG_BACK,
    cancel=REG_CANCEL,
    screen=_screen,
    service=lambda context: context.services.registration,
    closed=N_("This registration form is closed. Use /register to start again."),
    cancelled=N_("Registration cancelled. Nothing was sent."),
    otherwise=N_("Please use the buttons below, or type your answer."),
    problems={
        Problem.BAD_EMAIL: N_(
            "That does not look like an email address (name@example.org). Try again."
        ),
    },
)


async def begin(update: Update, context: HubContext) -> None:
    profile = context.me
    t = context.t
    await answer_callback(update)
    focal_point = profile.focal_point
    if focal_point is not None and focal_point.status == "approved":
        await reply(
            update,
            context,
            t._(
                "You are already registered as the focal point for {city}.",
                city=t.label(focal_point.city),
            ),
        )
        return
    if focal_point is not None and focal_point.status == "pending":
        await reply(update, context, t._("Your registration is waiting for the Hub team's review."))
        return
    draft = await context.services.registration.start(profile.user.id)
    await FORM.show(update, context, draft, edit=False)


async def on_text(update: Update, context: HubContext) -> None:
    assert update.message is not None and update.message.text is not None
    step = context.services.registration.answer_text(context.user_id, update.message.text)
    await FORM.run(update, context, step, edit=False)


async def on_other_message(update: Update, context: HubContext) -> None:
    draft = await context.services.registration.draft(context.user_id)
    if draft is None:
        return
    await reply(update, context, context.t._("Please answer with a text message."))
    await FORM.show(update, context, draft, edit=False)


async def submit(update: Update, context: HubContext) -> None:
    await answer_callback(update)
    focal_point = await context.services.registration.submit(context.user_id)
    t = context.t
    if focal_point is None:
        # Already submitted (a double tap) or the form was cancelled elsewhere.
        await edit_or_reply(
            update, context, t._("This registration form is closed. Use /register to start again.")
        )
        return
    await edit_or_reply(
        update,
        context,
        t._(
            "Thank you. Your registration was sent to the Hub team; you will get their answer here."
        ),
    )
    user = context.me.user

    def render(staff_t: Translator) -> tuple[Markup, InlineKeyboardMarkup]:
        text = staff_t._(
            "<b>New focal point registration</b> from {telegram_name} (id {user_id}):\n\n{details}",
            telegram_name=user.display_name,
            user_id=str(user.id),
            details=describe(staff_t, focal_point),
        )
        return text, review_keyboard(staff_t, user.id)

    await notify_staff(context, render)


async def offer_move(update: Update, context: HubContext, invite: Invite) -> None:
    """An approved focal point opened another city's invite: ask before moving them."""
    current = context.me.focal_point
    assert current is not None
    await reply(update, context, *move_offer(context.t, current, invite))


async def stay(update: Update, context: HubContext) -> None:
    await answer_callback(update)
    t = context.t
    current = context.me.focal_point
    if current is None or not current.is_verified:
        await edit_or_reply(update, context, t._("Nothing was changed."))
        return
    await edit_or_reply(
        update,
        context,
        t._(
            "Nothing was changed: you remain the focal point for {city}.",
            city=t.label(current.city),
        ),
    )


async def confirm_move(update: Update, context: HubContext, code: str) -> None:
    await answer_callback(update)
    services = context.services
    profile = context.me
    before = profile.focal_point
    outcome = await services.registration.redeem(
        code, user_id=profile.user.id, full_name=profile.user.display_name
    )
    await edit_or_reply(update, context, redeemed_text(context.t, outcome))
    moved = outcome.focal_point
    if moved is None:
        return
    user = profile.user

    def render(staff_t: Translator) -> tuple[Markup, None]:
        return staff_t._(
            "<b>Focal point moved</b>: {name} (id {user_id}) opened an invite and is now the "
            "focal point for {city}, no longer for {previous}.",
            name=user.display_name,
            user_id=str(user.id),
            city=staff_t.label(moved.city),
            previous=staff_t.label(before.city) if before else "—",
        ), None

    await notify_staff(context, render)


def review_keyboard(t: Translator, user_id: int) -> InlineKeyboardMarkup:
    return keyboard(
        [
            button(t.label("✔ Approve"), REG_APPROVE, user_id),
            button(t.label("✖ Reject"), REG_REJECT, user_id),
        ]
    )


@staff_only
async def approve(update: Update, context: HubContext, user_id: int) -> None:
    await review(update, context, user_id, approve=True)


@staff_only
async def reject(update: Update, context: HubContext, user_id: int) -> None:
    await review(update, context, user_id, approve=False)


async def review(update: Update, context: HubContext, user_id: int, *, approve: bool) -> None:
    decided = await decide(update, context, user_id, approve=approve)
    if decided is None:
        return
    t = context.t
    details = describe(t, decided)
    reviewer = context.me.user.display_name
    outcome = (
        t._("{details}\n\n<b>Approved</b> by {reviewer}.", details=details, reviewer=reviewer)
        if approve
        else t._("{details}\n\n<b>Rejected</b> by {reviewer}.", details=details, reviewer=reviewer)
    )
    await edit_or_reply(update, context, outcome)


async def decide(
    update: Update, context: HubContext, user_id: int, *, approve: bool
) -> FocalPoint | None:
    """Approve or reject, answer the button and tell the applicant; None if decided before."""
    services = context.services
    decided = await services.registration.review(user_id, approve=approve, reviewer=context.user_id)
    t = context.t
    if decided is None:
        await answer_callback(update, t.label("This registration was already decided."), alert=True)
        return None
    await answer_callback(
        update,
        t.label("Approved: {name}.", name=decided.full_name)
        if approve
        else t.label("Rejected: {name}.", name=decided.full_name),
    )
    applicant = await services.accounts.profile(decided.user_id)
    applicant_t = services.translator_for(applicant)
    message = (
        applicant_t._(
            "Good news: the Hub team approved your registration as the focal point for {city}.",
            city=applicant_t.label(decided.city),
        )
        if approve
        else applicant_t._(
            "The Hub team could not approve your registration. If you think this is a mistake, "
            "write to {email}.",
            email=HUB_EMAIL,
        )
    )
    await send_to_person(context.bot, decided.user_id, message, applicant_t)
    return decided


@staff_only
async def list_pending(update: Update, context: HubContext) -> None:
    pending = await context.services.registration.pending()
    await reply(update, context, *pending_page(context.t, pending, 0))


@staff_only
async def show_pending_page(update: Update, context: HubContext, page: int) -> None:
    await answer_callback(update)
    pending = await context.services.registration.pending()
    await edit_or_reply(update, context, *pending_page(context.t, pending, page))


@staff_only
async def approve_on_page(update: Update, context: HubContext, user_id: int, page: int) -> None:
    await decide(update, context, user_id, approve=True)
    pending = await context.services.registration.pending()
    await edit_or_reply(update, context, *pending_page(context.t, pending, page))


@staff_only
async def reject_on_page(update: Update, context: HubContext, user_id: int, page: int) -> None:
    await decide(update, context, user_id, approve=False)
    pending = await context.services.registration.pending()
    await edit_or_reply(update, context, *pending_page(context.t, pending, page))


def register(application: HubApplication) -> None:
    active = in_flow(application, FLOW)
    resumable(
        application,
        FLOW,
        Resumable(
            FORM,
            N_(
                "You left your registration unfinished (last changed {when}). Continue where "
                "you left off, or start over?"
            ),
            start_over=lambda context: context.services.registration.start(context.user_id),
        ),
    )
    application.add_handler(CommandHandler("register", begin))
    application.add_handler(CommandHandler("pending", list_pending))
    register_routes(
        application,
        REGISTRATION,
        {
            REG_START: begin,
            **FORM.navigation_routes(),
            REG_COUNTRY: FORM.action(RegistrationService.choose_country),
            REG_CITY: FORM.action(RegistrationService.choose_city),
            REG_SKIP_EMAIL: FORM.action(RegistrationService.skip_email),
            REG_SUBMIT: submit,
            REG_APPROVE: approve,
            REG_REJECT: reject,
            REG_PENDING: show_pending_page,
            REG_PAGE_APPROVE: approve_on_page,
            REG_PAGE_REJECT: reject_on_page,
            REG_MOVE: confirm_move,
            REG_STAY: stay,
        },
    )
    application.add_handler(MessageHandler(active & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(active & ~filters.TEXT, on_other_message))
