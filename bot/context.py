"""The context every handler receives: the services, the sender's profile and translator."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.accounts import Profile
from bot.i18n import Translator
from bot.services import Services
from storage.models import Draft


class HubContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Filled once per update by handlers.preprocess, before any feature handler runs."""

    def __init__(
        self,
        application: HubApplication,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.profile: Profile | None = None
        self._translator: Translator | None = None
        # A form left untouched too long: this update is not its answer (handlers.forms asks).
        self.lapsed_draft: Draft | None = None

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services

    @property
    def t(self) -> Translator:
        """The sender's translator (English before anything about them is known)."""
        if self._translator is None:
            self._translator = self.services.translator("en")
        return self._translator

    def use_profile(self, profile: Profile) -> None:
        self.profile = profile
        self._translator = self.services.translator_for(profile)

    def use_translator(self, translator: Translator) -> None:
        """Answer in another language than the sender's (the staff chat's, for one)."""
        self._translator = translator

    @property
    def me(self) -> Profile:
        """The sender's profile; only handlers of updates with a user call this."""
        if self.profile is None:
            raise RuntimeError("no profile: the update has no user")
        return self.profile

    @property
    def user_id(self) -> int:
        """The sender's Telegram id; only handlers of updates with a user call this."""
        return self.me.user.id


# The application every handler module registers with.
HubApplication = Application[Any, HubContext, Any, Any, Any, Any]
