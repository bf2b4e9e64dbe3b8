"""answerCallbackQuery; the queries come from ``SimulatedPeople.press_button``."""

from __future__ import annotations

from standin.html import utf16_len
from standin.limits import CALLBACK_ANSWER_LIMIT
from standin.models import bad
from standin.params import Params
from standin.state import BotApiState


class CallbackMethods(BotApiState):
    """Answers to button presses."""

    async def _answer_callback_query(self, params: Params) -> bool:
        query_id = params.get_str("callback_query_id")
        if not query_id:
            raise bad("callback_query_id is empty")
        text = params.get_str("text")
        if text is not None and utf16_len(text) > CALLBACK_ANSWER_LIMIT:
            raise bad("MESSAGE_TOO_LONG")
        if query_id not in self._open_callback_queries:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        self._open_callback_queries.discard(query_id)
        answer = {
            "callback_query_id": query_id,
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
            "cache_time": params.get_int("cache_time"),
        }
        self.callback_answers.append(answer)
        self._emit("callback_answer", answer)
        return True
