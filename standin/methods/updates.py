"""getMe, getUpdates (long polling) and the webhook methods."""

from __future__ import annotations

import asyncio
import re
import time

from standin.models import BotApiError, JsonDict, bad
from standin.params import Params
from standin.state import BotApiState

# Update types that getUpdates leaves out unless they are asked for explicitly.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateMethods(BotApiState):
    """How the bot gets its updates, and who it is."""

    async def _true(self, params: Params) -> bool:
        """close and logOut: nothing to release in memory."""
        return True

    async def _get_me(self, params: Params) -> JsonDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: Params) -> list[JsonDict]:
        if self.webhook_url:
            raise BotApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = params.get_int("offset", 0) or 0
        limit = min(max(params.get_int("limit", 100) or 100, 1), 100)
        timeout = max(params.get_int("timeout", 0) or 0, 0)
        allowed = params.get_json("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed] or None
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._max_offset = max(self._max_offset, offset)
        elif offset < 0:
            self._updates = self._updates[offset:]
        # A newer getUpdates request terminates an older one still waiting, as in Telegram.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()

        def selected() -> list[JsonDict]:
            start = offset if offset > 0 else 0
            chosen = [
                u for u in self._updates if u["update_id"] >= start and self._update_allowed(u)
            ]
            return chosen[:limit]

        def done() -> bool:
            return self._closing or generation != self._poll_generation or bool(selected())

        if timeout > 0 and not done():
            try:
                async with asyncio.timeout(timeout):
                    while not done():
                        await self._changed.wait()
            except TimeoutError:
                pass
        if generation != self._poll_generation and not self._closing:
            raise BotApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running",
            )
        return selected()

    def _update_allowed(self, update: JsonDict) -> bool:
        kind = next((k for k in update if k != "update_id"), "")
        if self._allowed_updates is None:
            return kind not in _OPT_IN_UPDATES
        return kind in self._allowed_updates

    async def _set_webhook(self, params: Params) -> bool:
        url = params.get_str("url") or ""
        if url and not re.match(r"^https://\S+$", url):
            raise bad("bad webhook: HTTPS url must be provided for webhook")
        secret = params.get_str("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad("secret token contains unallowed characters")
        self.webhook_url = url
        self.webhook_secret_token = secret
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: Params) -> bool:
        self.webhook_url = ""
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: Params) -> JsonDict:
        info: JsonDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_last_error:
            info["last_error_date"] = int(time.time())
            info["last_error_message"] = self.webhook_last_error
        return info
