"""The one form view: a form's screens and problems as tables, Back and Cancel written once."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import TypeHandler

from bot.callbacks import Route, RouteCallback
from bot.context import HubApplication, HubContext
from bot.forms import Form, FormProblem, StepOutcome, WrongStep
from bot.i18n import Translator
from bot.services import FlowTracker
from handlers.common import (
    answer_callback,
    button,
    edit_or_reply,
    keyboard,
    length_problem,
    register_routes,
    reply,
)
from handlers.routes import FORM_CONTINUE, FORM_RESTART, FORMS
from storage.models import Draft

Screen = tuple[Markup, InlineKeyboardMarkup | None]
# A problem's message: an N_() message, or a small function for plurals and limits.
ProblemText = str | Callable[[Translator, StepOutcome], Markup]


def _too_short(t: Translator, outcome: StepOutcome) -> Markup:
    return length_problem(t, too_short=True, limit=outcome.limit or 0)


def _too_long(t: Translator, outcome: StepOutcome) -> Markup:
    return length_problem(t, too_short=False, limit=outcome.limit or 0)


COMMON_PROBLEMS: Mapping[enum.Enum, ProblemText] = {
    FormProblem.TOO_SHORT: _too_short,
    FormProblem.TOO_LONG: _too_long,
}


@dataclass(frozen=True)
class FormView:
    """How one form looks: its screen for the current step, its problems, its navigation.

    ``screen`` renders the step the draft is at.
    """

    back: Route
    cancel: Route
    screen: Callable[[HubContext, Draft], Awaitable[Screen]]
    # Where the form's service is found: each button's action gets it first.
    service: Callable[[HubContext], Any]
    closed: str
    cancelled: str
    # What any other problem, or a button of another step, gets.
    otherwise: str
    problems: Mapping[enum.Enum, ProblemText] = field(default_factory=dict)
    # Some forms answer a button of an earlier step by showing the current one, silently.
    quiet_wrong_step: bool = False
    # The form itself (back, cancel), when it is not the service.
    form: Callable[[HubContext], Form[Any]] | None = None
    # Steps shown as a new message even after a button (they follow messages of their own).
    new_message_steps: frozenset[str] = frozenset()

    def navigation(self, t: Translator, *, back: bool = True) -> list[InlineKeyboardButton]:
        row = [button(t.label("« Back"), self.back)] if back else []
        return [*row, button(t.label("✖ Cancel"), self.cancel)]

    def problem_text(self, t: Translator, outcome: StepOutcome) -> Markup:
        problem = outcome.problem
        assert problem is not None
        text = self.problems.get(problem) or COMMON_PROBLEMS.get(problem) or self.otherwise
        return t._(text) if isinstance(text, str) else text(t, outcome)

    async def show(self, update: Update, context: HubContext, draft: Draft, *, edit: bool) -> None:
        text, markup = await self.screen(context, draft)
        if edit and draft.step not in self.new_message_steps:
            await edit_or_reply(update, context, text, markup)
        else:
            await reply(update, context, text, markup)

    async def after(
        self, update: Update, context: HubContext, outcome: StepOutcome, *, edit: bool
    ) -> None:
        """Say the form is closed, or explain the problem and ask again, or ask the next
        question (in place of the pressed message when ``edit``)."""
        if outcome.draft is None:
            await edit_or_reply(update, context, context.t._(self.closed))
            return
        if outcome.problem is FormProblem.WRONG_STEP and self.quiet_wrong_step:
            await self.show(update, context, outcome.draft, edit=False)
            return
        if outcome.problem is not None:
            await reply(update, context, self.problem_text(context.t, outcome))
            await self.show(update, context, outcome.draft, edit=False)
            return
        await self.show(update, context, outcome.draft, edit=edit)

    async def run(
        self,
        update: Update,
        context: HubContext,
        step: Awaitable[StepOutcome],
        *,
        edit: bool,
    ) -> None:
        """Run one step of the form and show where it leads; a step of another time is refused."""
        try:
            outcome = await step
        except WrongStep as wrong:
            outcome = StepOutcome(wrong.draft, FormProblem.WRONG_STEP)
        await self.after(update, context, outcome, edit=edit)

    def action(self, act: Callable[..., Awaitable[StepOutcome]]) -> RouteCallback:
        """A button of the form: ``act(service, user_id, *arguments)``, then where it leads."""
        view = self

        async def press(update: Update, context: HubContext, *arguments: Any) -> None:
            await answer_callback(update)
            step = act(view.service(context), context.user_id, *arguments)
            await view.run(update, context, step, edit=True)

        press.__name__ = act.__name__
        return press

    def _form(self, context: HubContext) -> Form[Any]:
        return self.form(context) if self.form is not None else self.service(context)

    async def on_cancel(self, update: Update, context: HubContext) -> None:
        await answer_callback(update)
        await self._form(context).cancel(context.user_id)
        await edit_or_reply(update, context, context.t._(self.cancelled))

    async def on_back(self, update: Update, context: HubContext) -> None:
        await answer_callback(update)
        await self.run(update, context, self._form(context).back(context.user_id), edit=True)

    def navigation_routes(self) -> dict[Route, RouteCallback]:
        return {self.back: self.on_back, self.cancel: self.on_cancel}


# -- a form left untouched a while: continue where you left off, or start over -----------------

RESUMABLE_FORMS = "resumable_forms"
# After the main group has answered the message (as a question, most often).
AFTER_ANSWER_GROUP = 1


@dataclass(frozen=True)
class Resumable:
    """How a form offers itself again after a lapse (``HUBBOT_FORM_LAPSE_HOURS``)."""

    view: FormView
    # The whole question, with {when} (the draft's last change in the reader's time zone).
    unfinished: str
    # A blank draft of the form; None: the form cannot start over alone (Cancel is offered).
    start_over: Callable[[HubContext], Awaitable[Draft]] | None = None
    for_staff: bool = False


def resumable(application: HubApplication, flow: str, form: Resumable) -> None:
    """Declare a form resumable: left untouched a while, the next message is not its answer."""
    forms: dict[str, Resumable] = application.bot_data.setdefault(RESUMABLE_FORMS, {})
    forms[flow] = form
    tracker: FlowTracker = application.bot_data["flows"]
    tracker.resumable.add(flow)


def _resumable(context: HubContext, flow: str) -> Resumable:
    forms: dict[str, Resumable] = context.application.bot_data[RESUMABLE_FORMS]
    return forms[flow]


def _own_translator(update: Update, context: HubContext) -> Translator:
    """The person's language, even when the answer before came in the question's."""
    services = context.services
    chat = update.effective_chat
    if chat is not None and chat.id == services.config.staff_chat_id:
        return services.staff_translator()
    return services.translator_for(context.me)


async def offer_to_resume(update: Update, context: HubContext) -> None:
    """Once per lapsed draft: continue where you left off, or start over?"""
    draft = context.lapsed_draft
    if draft is None or update.message is None:
        return
    form = _resumable(context, draft.flow)
    if not context.services.flows.first_offer(context.user_id, draft.updated_at):
        return
    context.use_translator(_own_translator(update, context))
    t = context.t
    choices = [button(t.label("Continue"), FORM_CONTINUE, draft.flow)]
    if form.start_over is not None:
        choices.append(button(t.label("Start over"), FORM_RESTART, draft.flow))
    else:
        choices.append(button(t.label("✖ Cancel"), form.view.cancel))
    text = t._(form.unfinished, when=t.datetime(draft.updated_at, context.me.time_zone))
    await reply(update, context, text, keyboard(choices))


async def continue_form(update: Update, context: HubContext, flow: str) -> None:
    view = _resumable(context, flow).view
    await answer_callback(update)
    await view.run(update, context, view._form(context).resume(context.user_id), edit=True)


async def start_form_over(update: Update, context: HubContext, flow: str) -> None:
    form = _resumable(context, flow)
    await answer_callback(update)
    if form.start_over is None or (form.for_staff and not context.me.is_staff):
        await edit_or_reply(update, context, context.t._(form.view.closed))
        return
    await form.view.show(update, context, await form.start_over(context), edit=True)


def register(application: HubApplication) -> None:
    application.add_handler(TypeHandler(Update, offer_to_resume), group=AFTER_ANSWER_GROUP)
    register_routes(
        application, FORMS, {FORM_CONTINUE: continue_form, FORM_RESTART: start_form_over}
    )
