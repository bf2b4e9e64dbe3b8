"""Runs before every other handler: who is writing, in which language, in which form."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import (
    ApplicationHandlerStop,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import HubApplication, HubContext
from bot.forms import has_lapsed
from bot.services import FlowTracker, Services
from storage.models import Draft

logger = logging.getLogger(__name__)

PREPROCESS_GROUP = -1
# Someone who left a one-answer prompt (a time zone, an answer to staff) unanswered this long
# has moved on: what they write next is not that answer.
ONE_ANSWER_PROMPT_KEPT = timedelta(days=1)


async def load_sender(update: Update, context: HubContext) -> None:
    user = update.effective_user
    if user is None or user.is_bot:
        return
    services = context.services
    membership = update.my_chat_member
    if membership is not None and membership.chat.type == ChatType.PRIVATE:
        # Blocking the bot is not writing to it: follow what the person did, and stop here.
        blocked = membership.new_chat_member.status == ChatMemberStatus.BANNED
        await services.accounts.set_reachable(user.id, reachable=not blocked)
        raise ApplicationHandlerStop
    profile = await services.accounts.on_contact(
        user_id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        telegram_language=user.language_code,
    )
    context.use_profile(profile)
    chat = update.effective_chat
    if chat is not None and chat.id == services.config.staff_chat_id:
        # Everyone in the staff chat reads what the bot says there: its language, not the
        # language of whoever pressed or typed.
        context.use_translator(services.staff_translator())
    draft = await services.drafts.active(user.id)
    message = update.message
    if (
        draft is not None
        and draft.flow in services.flows.abandoned_by_commands
        and message is not None
        and (
            (message.text or "").startswith("/")
            or services.clock.now() - draft.updated_at > ONE_ANSWER_PROMPT_KEPT
        )
    ):
        await services.drafts.delete(user.id, draft.flow)
        draft = await services.drafts.active(user.id)
    if draft is not None and await answers_a_forwarded_question(update, context):
        # Goes to whoever asked: a form left open elsewhere must not take it as its input.
        draft = None
    if draft is not None and message is not None and lapsed(services, draft, message.text):
        # A question typed half a day later is a question; handlers.forms then asks whether
        # to continue the form or start over, and keeps the draft until the person chooses.
        context.lapsed_draft = draft
        draft = None
    services.flows.set(user.id, draft.flow if draft else None)


def lapsed(services: Services, draft: Draft, text: str | None) -> bool:
    """A message (not a command: those do what they say) to a form left untouched too long."""
    return (
        draft.flow in services.flows.resumable
        and not (text or "").startswith("/")
        and has_lapsed(
            draft, services.clock.now(), timedelta(hours=services.config.form_lapse_hours)
        )
    )


async def answers_a_forwarded_question(update: Update, context: HubContext) -> bool:
    """A staff member's reply to the copy of a question a person sent to staff."""
    message = update.message
    if message is None or message.reply_to_message is None or not context.me.is_staff:
        return False
    question = await context.services.knowledge.question_behind(
        message.chat_id, message.reply_to_message.message_id
    )
    return question is not None


class InFlow(filters.UpdateFilter):
    """Passes updates from a user whose active multi-step form is ``flow``."""

    def __init__(self, tracker: FlowTracker, flow: str) -> None:
        super().__init__(name=f"InFlow({flow})")
        self._tracker = tracker
        self._flow = flow

    def filter(self, update: Update) -> bool:
        user = update.effective_user
        return user is not None and self._tracker.get(user.id) == self._flow


def in_flow(application: HubApplication, flow: str, *, one_answer: bool = False) -> InFlow:
    """Updates of users in this form; a ``one_answer`` prompt is dropped by any command, or
    when left unanswered for a day."""
    tracker: FlowTracker = application.bot_data["flows"]
    if one_answer:
        tracker.abandoned_by_commands.add(flow)
    return InFlow(tracker, flow)


async def ignore_edit(update: Update, context: HubContext) -> None:
    """Answering an edit would answer the same message twice; the user can send it anew."""
    logger.debug("ignoring an edited message from %s", update.effective_user)


def register(application: HubApplication) -> None:
    application.add_handler(TypeHandler(Update, load_sender), group=PREPROCESS_GROUP)
    # First in the main group, so no command or form handler sees edits.
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, ignore_edit))
