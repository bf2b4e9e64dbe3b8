"""What the bot did: its messages, and waiting for them."""

from __future__ import annotations

from collections.abc import Callable

from standin.models import JsonDict, Listener, SentMessage
from standin.state import BotApiState


class BotObservation(BotApiState):
    """The bot's messages as sent and edited, for assertions and for the console."""

    def messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in the chat, in order, in their current state (deleted included)."""
        return list(self._sent.get(chat_id, []))

    def last_message(self, chat_id: int) -> SentMessage:
        sent = self._sent.get(chat_id)
        if not sent:
            raise AssertionError(f"the bot has sent nothing to chat {chat_id}")
        return sent[-1]

    def user_message(self, chat_id: int, message_id: int) -> JsonDict:
        """The stored Message object (any sender) with that id, e.g. a simulated user's."""
        return self._raw[chat_id][message_id]

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Updates not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    def add_listener(self, listener: Listener) -> None:
        """Registers ``listener(event, payload)``, called synchronously on bot activity.

        Events: ``"message"``, ``"edited"``, ``"deleted"`` (payload: SentMessage),
        ``"callback_answer"`` (payload: dict), ``"chat_action"`` (payload: (chat_id, action)).
        Meant for the console, which prints bot output as it happens.
        """
        self._listeners.append(listener)

    async def wait_fetched(self, update_id: int, timeout: float = 10) -> None:  # noqa: ASYNC109
        """Returns once getUpdates was called with an offset above ``update_id``.

        PTB's Updater puts fetched updates into ``application.update_queue`` before it asks for
        the next batch with a higher offset, so after this returns, ``await
        application.update_queue.join()`` waits until the handlers have run.
        """
        await self._wait(
            lambda: self._max_offset > update_id,
            timeout,
            lambda: (
                f"update {update_id} was not fetched within {timeout}s (highest getUpdates "
                f"offset seen: {self._max_offset}; is the Updater polling this server?)"
            ),
        )

    async def wait_until(
        self,
        condition: Callable[[], bool],
        what: str,
        timeout: float = 30,  # noqa: ASYNC109 - same convention as wait_fetched
    ) -> None:
        """Waits until ``condition()`` holds, checked whenever the bot calls or a person acts
        (for a bot in another process, whose queues the test cannot join)."""
        await self._wait(condition, timeout, lambda: f"not within {timeout}s: {what}")

    async def wait_for_call(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 10,  # noqa: ASYNC109 - same convention as wait_fetched
    ) -> tuple[str, JsonDict]:
        """Waits until ``method`` (case-insensitive) has been called ``count`` times in all.

        Returns that call.  Useful to know a long poll is in flight, or that a fire-and-forget
        call (sendChatAction, answerCallbackQuery) has arrived.
        """
        wanted = method.lower()

        def matching() -> list[tuple[str, JsonDict]]:
            return [call for call in self.calls if call[0].lower() == wanted]

        await self._wait(
            lambda: len(matching()) >= count,
            timeout,
            lambda: f"{method} was called {len(matching())} time(s), expected {count}",
        )
        return matching()[count - 1]

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] = lambda m: True,
        timeout: float = 10,  # noqa: ASYNC109 - part of the agreed interface
        *,
        after: int | None = None,
    ) -> SentMessage:
        """Returns the first bot message in the chat, in order, that matches ``predicate``.

        Messages already there count, and so do edits (the predicate sees the current state)
        and deleted messages (check ``m.deleted`` to exclude them).  ``after`` restricts the
        search to message ids above it, e.g. ``after=api.last_message(chat).message_id``.
        """
        found: list[SentMessage] = []

        def check() -> bool:
            for message in self._sent.get(chat_id, []):
                if after is not None and message.message_id <= after:
                    continue
                if predicate(message):
                    found.append(message)
                    return True
            return False

        def describe() -> str:
            got = [
                (m.message_id, m.text if m.text is not None else m.caption)
                for m in self._sent.get(chat_id, [])
            ]
            return (
                f"no matching bot message in chat {chat_id} within {timeout}s; bot messages "
                f"there: {got!r}"
            )

        await self._wait(check, timeout, describe)
        return found[-1]
