"""An announcement written all at once (the console's composer), checked with the rules of the
steps of /broadcast, then sent by the same service: the confirmed draft ``submit`` sends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.broadcasts.form import Problem, Step
from bot.broadcasts.service import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    AudienceKind,
    BroadcastService,
    version_for,
    visible_length,
)
from bot.config import SUPPORTED_LANGUAGES
from bot.delivery import Outcome
from bot.geography import COUNTRIES_BY_CODE


@dataclass(frozen=True)
class CompositionCheck:
    """What is wrong, by language (``versions``) and for the audience; empty when it may go."""

    versions: dict[str, tuple[Problem, int | None]]
    audience: Problem | None

    @property
    def ok(self) -> bool:
        return not self.versions and self.audience is None


def audience_problem(audience: dict[str, Any], *, has_events: bool) -> Problem | None:
    """The audience the steps of /broadcast would accept, or why not."""
    try:
        kind = AudienceKind(audience.get("kind"))
    except ValueError:
        return Problem.NOTHING_CHOSEN
    values = list(audience.get("values", []))
    if kind is AudienceKind.COUNTRIES:
        allowed: set[Any] = set(COUNTRIES_BY_CODE)
    elif kind is AudienceKind.LANGUAGES:
        allowed = set(SUPPORTED_LANGUAGES)
    elif kind is AudienceKind.EVENT:
        if not has_events or len(values) != 1 or not isinstance(values[0], int):
            return Problem.NOTHING_CHOSEN
        return None
    else:
        return None
    if not values or any(value not in allowed for value in values):
        return Problem.NOTHING_CHOSEN
    return None


async def compose(
    service: BroadcastService,
    user_id: int,
    versions: dict[str, str],
    audience: dict[str, Any],
    attachment: dict[str, Any] | None = None,
) -> CompositionCheck:
    """Check everything at once; when nothing is wrong it becomes the staff member's confirmed
    draft (replacing one begun in the bot), ready for ``service.submit``."""
    texts = {
        code: versions[code].strip()
        for code in SUPPORTED_LANGUAGES
        if versions.get(code, "").strip()
    }
    # With a file, a text longer than a caption goes as a second message after the file
    # (parts_for): the limit is a message's, and the preview shows the two.
    limit = TEXT_LIMIT
    problems: dict[str, tuple[Problem, int | None]] = {
        code: (Problem.TOO_LONG, limit)
        for code, text in texts.items()
        if visible_length(text) > limit
    }
    if not texts and not attachment:
        problems[SUPPORTED_LANGUAGES[0]] = (Problem.EMPTY, None)
    wrong = audience_problem(audience, has_events=service.has_events)
    if wrong is None and (await service.counts(audience)).total == 0:
        wrong = Problem.NO_RECIPIENTS
    check = CompositionCheck(problems, wrong)
    if check.ok:
        data = {"versions": texts, "attachment": attachment, "audience": audience}
        await service.form.save(user_id, Step.CONFIRM, data)
    return check


async def send_test(
    service: BroadcastService, user_id: int, language: str, data: dict[str, Any]
) -> bool:
    """The version a reader of ``language`` would get, to the staff member alone (nothing is
    recorded as a broadcast); False if Telegram refused it. A file uploaded in the console
    goes up with the first test, and its file_id is kept in ``data`` and for the broadcast."""
    written = [code for code in SUPPORTED_LANGUAGES if data.get("versions", {}).get(code)]
    if not written:
        return False
    attachment = data.get("attachment") or {}
    parts = service.parts_for(
        data["versions"],
        attachment.get("kind"),
        attachment.get("file_id"),
        language=language,
        version=version_for(language, None, written),
        country=None,
    )
    upload = await service.upload_for(attachment)
    result = await service.engine.deliver(user_id, upload.into(parts) if upload else parts)
    if upload is not None and (file_id := await service.uploaded(upload, result)):
        data["attachment"] = {**attachment, "file_id": file_id}
    return result.outcome is Outcome.SENT


def with_caption(text: str) -> bool:
    """Whether a text goes as the file's caption (else as a second message after it)."""
    return visible_length(text) <= CAPTION_LIMIT
