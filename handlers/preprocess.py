"""Runs before every other handler: who is writing, in which language, in which form."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, TypeHandler, filters

from bot.context import HubContext
from bot.services import FlowTracker

PREPROCESS_GROUP = -1


async def load_sender(update: Update, context: HubContext) -> None:
    user = update.effective_user
    if user is None or user.is_bot:
        return
    services = context.services
    profile = await services.accounts.on_contact(
        user_id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        telegram_language=user.language_code,
    )
    context.use_profile(profile)
    draft = await services.drafts.active(user.id)
    services.flows.set(user.id, draft.flow if draft else None)


class InFlow(filters.UpdateFilter):
    """Passes updates from a user whose active multi-step form is ``flow``."""

    def __init__(self, tracker: FlowTracker, flow: str) -> None:
        super().__init__(name=f"InFlow({flow})")
        self._tracker = tracker
        self._flow = flow

    def filter(self, update: Update) -> bool:
        user = update.effective_user
        return user is not None and self._tracker.get(user.id) == self._flow


def in_flow(application: Application[Any, Any, Any, Any, Any, Any], flow: str) -> InFlow:
    tracker: FlowTracker = application.bot_data["flows"]
    return InFlow(tracker, flow)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(TypeHandler(Update, load_sender), group=PREPROCESS_GROUP)
