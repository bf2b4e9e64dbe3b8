"""Telegram's limits: message sizes, and flood control answering 429 with retry_after."""

from __future__ import annotations

import math

from standin.models import BotApiError, JsonDict
from standin.state import BotApiState

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CALLBACK_ANSWER_LIMIT = 200
MAX_COMMANDS = 100
MAX_INLINE_BUTTONS = 100

# Methods the optional flood control counts as messages sent.
_RATE_LIMITED_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "copymessage",
        "forwardmessage",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
    }
)


class FloodControl(BotApiState):
    """Optional rate limits like Telegram's; configured by the constructor's rate arguments."""

    def _flood_control(self, method: str, params: JsonDict) -> BotApiError | None:
        """A 429 with retry_after, like Telegram, when a message exceeds the configured rates."""
        if method.lower() not in _RATE_LIMITED_METHODS:
            return None
        now = self.monotonic()
        chat_id = params.get("chat_id")
        wait = 0.0
        if self.messages_per_s is not None:
            while self._recent_sends and self._recent_sends[0] <= now - 1.0:
                self._recent_sends.popleft()
            if len(self._recent_sends) >= self.messages_per_s:
                wait = self._recent_sends[0] + 1.0 - now
        interval, burst = (
            (self.group_interval_s, self.group_burst)
            if isinstance(chat_id, int) and chat_id < 0
            else (self.chat_interval_s, self.chat_burst)
        )
        tokens = 0.0
        if interval is not None and isinstance(chat_id, int):
            held, at = self._chat_allowance.get(chat_id, (float(burst), now))
            tokens = min(held + (now - at) / interval, float(burst)) if interval > 0 else burst
            if tokens < 1:
                wait = max(wait, (1 - tokens) * interval)
        if wait > 0:
            self.rate_limited += 1
            if isinstance(chat_id, int):
                self.rate_limited_chats[chat_id] += 1
            retry_after = max(math.ceil(wait), 1)
            return BotApiError(
                429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
            )
        self._recent_sends.append(now)
        if interval is not None and isinstance(chat_id, int):
            self._chat_allowance[chat_id] = (tokens - 1, now)
        return None
