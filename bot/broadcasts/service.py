"""Staff broadcasts: choosing the audience, scheduling, and running deliveries.

A broadcast's recipients and each one's delivery state live in the database and are written as
messages go out, so a broadcast interrupted by a crash or a restart resumes by itself: nobody
who got the message gets it again (except messages in flight at the moment of the kill) and
nobody is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from html import unescape
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_timedelta

from bot.accounts import AccountService, language_from_telegram
from bot.broadcasts.attachments import AttachmentStore, Upload
from bot.broadcasts.form import BroadcastForm, Problem, Step, answers
from bot.broadcasts.results import ResultWriter
from bot.broadcasts.working_hours import next_working_moment
from bot.clock import Clock
from bot.config import SUPPORTED_LANGUAGES
from bot.delivery import DeliveryEngine, DeliveryResult, Outcome, Part
from bot.forms import FormProblem, StepOutcome, StepRefused, WrongStep
from bot.geography import COUNTRIES_BY_CODE
from bot.i18n import Translator, right_to_left
from storage.broadcasts import (
    WAITING,
    AudienceMember,
    BroadcastRepository,
    PlannedRecipient,
    RecipientResult,
)
from storage.drafts import DraftRepository
from storage.models import Broadcast, BroadcastRecipient, BroadcastTally, Draft

logger = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
PROGRESS_INTERVAL_S = 3.0
SCHEDULE_POLL_S = 30.0
SHUTDOWN_GRACE_S = 5.0
RECENT_BROADCASTS = 10

# Which version a reader gets when theirs is missing.  Arabic readers in the Maghreb and
# Lebanon more often read French than English.
FALLBACK_ORDER = {"ar": ("en", "fr"), "fr": ("en", "ar"), "en": ("fr", "ar")}
FRENCH_FIRST_COUNTRIES = frozenset({"MA", "TN", "DZ", "LB"})


class AudienceKind(enum.Enum):
    FOCAL_POINTS = "fp"  # all verified focal points
    COUNTRIES = "cty"  # verified focal points of chosen countries
    LANGUAGES = "lng"  # verified focal points reading chosen languages
    EVENT = "evt"  # the attendees of an event
    EVERYONE = "all"  # everyone who ever started the bot


@dataclass(frozen=True)
class LanguageShare:
    """Recipients reading one language, and the version they will get."""

    language: str
    count: int
    version: str


@dataclass(frozen=True)
class AudiencePreview:
    total: int
    shares: tuple[LanguageShare, ...]


@dataclass(frozen=True)
class AudienceCounts:
    """Who an audience reaches: in all, by reading language and by country (None: none)."""

    total: int
    by_language: dict[str, int]
    by_country: dict[str | None, int]


@dataclass(frozen=True)
class DeliverySummary:
    """Where a broadcast stands: counts by state, and by state per language and per country."""

    total: int
    states: dict[str, int]
    by_language: dict[str, dict[str, int]]
    by_country: dict[str | None, dict[str, int]]

    @classmethod
    def of(cls, tallies: Sequence[BroadcastTally]) -> DeliverySummary:
        states: dict[str, int] = {}
        by_language: dict[str, dict[str, int]] = {}
        by_country: dict[str | None, dict[str, int]] = {}
        for tally in tallies:
            states[tally.state] = states.get(tally.state, 0) + tally.count
            language = by_language.setdefault(tally.language, {})
            language[tally.state] = language.get(tally.state, 0) + tally.count
            country = by_country.setdefault(tally.country, {})
            country[tally.state] = country.get(tally.state, 0) + tally.count
        return cls(sum(states.values()), states, by_language, by_country)

    def count(self, state: str) -> int:
        return self.states.get(state, 0)

    @property
    def remaining(self) -> int:
        """To be sent now, as fast as the pace allows (not those waiting for their morning)."""
        return self.count("pending") + self.count("sending")

    @property
    def waiting(self) -> int:
        """Waiting for their working morning (an announcement sent in working hours)."""
        return self.count(WAITING)

    @property
    def done(self) -> int:
        return self.count("sent") + self.count("failed") + self.count("blocked")


class ProgressReporter(Protocol):
    """Shows staff how a broadcast goes; implemented where messages and buttons are built."""

    async def progress(
        self,
        broadcast: Broadcast,
        summary: DeliverySummary,
        seconds_left: float | None,
        message: tuple[int, int] | None,
    ) -> tuple[int, int] | None:
        """Show or update the progress message; returns (chat_id, message_id) if one exists."""
        ...

    async def finished(
        self, broadcast: Broadcast, summary: DeliverySummary, message: tuple[int, int] | None
    ) -> None: ...


Attendees = Callable[[int], Awaitable[Sequence[int]]]
Translators = Callable[[str | None, str | None], Translator]


def version_for(language: str, country: str | None, versions: Sequence[str]) -> str:
    if language in versions:
        return language
    order = (
        ("fr", "en")
        if language == "ar" and country in FRENCH_FIRST_COUNTRIES
        else FALLBACK_ORDER.get(language, ("en", "fr", "ar"))
    )
    for candidate in (*order, *SUPPORTED_LANGUAGES):
        if candidate in versions:
            return candidate
    raise ValueError("a broadcast needs at least one version")


_TAG = re.compile(r"<[^>]*>")


def visible_length(html: str) -> int:
    """How long Telegram counts a message or caption: the text shown (tags gone, entities
    decoded), in UTF-16 code units, so an emoji counts twice and a link's address not at all."""
    return len(unescape(_TAG.sub("", html)).encode("utf-16-le")) // 2


# Typed dates: 2026-06-03 14:30, 03/06/2026 14:30 or 03.06.2026 14:30, in any digits.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ISO_TIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2})[:h.](\d{2})$")
_DAY_FIRST_TIME = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4}) (\d{1,2})[:h.](\d{2})$")


def parse_local_time(text: str, time_zone: str) -> datetime | None:
    """A typed local date and time in the reader's zone; None if it is not one."""
    value = " ".join(text.translate(_DIGITS).split())
    if match := _ISO_TIME.match(value):
        year, month, day, hour, minute = (int(part) for part in match.groups())
    elif match := _DAY_FIRST_TIME.match(value):
        day, month, year, hour, minute = (int(part) for part in match.groups())
    else:
        return None
    try:
        return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(time_zone))
    except ValueError:
        return None


@dataclass
class _Run:
    task: asyncio.Task[None]
    cancelled: bool = False
    in_flight: set[asyncio.Task[Any]] = field(default_factory=set)


class BroadcastService:
    def __init__(
        self,
        *,
        broadcasts: BroadcastRepository,
        drafts: DraftRepository,
        accounts: AccountService,
        engine: DeliveryEngine,
        translators: Translators,
        clock: Clock,
        attendees: Attendees | None = None,
        attachments: AttachmentStore | None = None,
    ) -> None:
        self._broadcasts = broadcasts
        self.attachments = attachments
        self.form = BroadcastForm(drafts=drafts, clock=clock)
        self._accounts = accounts
        self.engine = engine
        self._translators = translators
        self._clock = clock
        self._attendees = attendees
        self._reporter: ProgressReporter | None = None
        self._runs: dict[int, _Run] = {}
        self._wake = asyncio.Event()
        self._scheduler: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def has_events(self) -> bool:
        return self._attendees is not None

    # -- composing -----------------------------------------------------------------------------

    async def draft(self, user_id: int) -> Draft | None:
        return await self.form.draft(user_id)

    async def start(self, user_id: int) -> Draft:
        return await self.form.save(user_id, Step.LANGUAGE, {"versions": {}, "attachment": None})

    async def write_in(self, user_id: int, language: str) -> StepOutcome:
        """Staff chose the language of the next version they type."""
        draft = await self.form.at(user_id, Step.LANGUAGE, Step.VERSIONS)
        if language not in SUPPORTED_LANGUAGES:
            return StepOutcome(draft, FormProblem.UNKNOWN_CHOICE)
        data = {**draft.data, "writing": language}
        return StepOutcome(await self.form.save(user_id, Step.TEXT, data))

    async def add_version(
        self,
        user_id: int,
        html: str,
        *,
        attachment_kind: str | None = None,
        file_id: str | None = None,
    ) -> StepOutcome:
        """The message in the chosen language (Telegram HTML), with an optional photo or file."""
        draft = await self.form.at(user_id, Step.TEXT)
        text = html.strip()
        if not text and attachment_kind is None:
            return StepOutcome(draft, Problem.EMPTY)
        data: dict[str, Any] = dict(answers(draft))
        attachment = data.get("attachment")
        if attachment_kind is not None:
            attachment = {"kind": attachment_kind, "file_id": file_id}
        # The attachment goes with every version; a caption must fit Telegram's caption limit.
        limit = CAPTION_LIMIT if attachment and attachment_kind is not None else TEXT_LIMIT
        if visible_length(text) > limit:
            return StepOutcome(draft, Problem.TOO_LONG, limit)
        versions: dict[str, str] = {**data.get("versions", {}), data.pop("writing", "en"): text}
        data.update(versions=versions, attachment=attachment)
        return StepOutcome(await self.form.save(user_id, Step.VERSIONS, data))

    async def remove_attachment(self, user_id: int) -> StepOutcome:
        draft = await self.form.at(user_id, Step.VERSIONS)
        data = {**draft.data, "attachment": None}
        return StepOutcome(await self.form.save(user_id, Step.VERSIONS, data))

    async def to_audience(self, user_id: int) -> StepOutcome:
        draft = await self.form.at(
            user_id, Step.VERSIONS, Step.COUNTRIES, Step.LANGUAGES, Step.EVENT, Step.CONFIRM
        )
        if not answers(draft).get("versions"):
            return StepOutcome(draft, Problem.EMPTY)
        return StepOutcome(await self.form.save(user_id, Step.AUDIENCE, draft.data))

    async def choose_audience(self, user_id: int, kind: str) -> StepOutcome:
        draft = await self.form.at(user_id, Step.AUDIENCE)
        try:
            chosen = AudienceKind(kind)
        except ValueError:
            return StepOutcome(draft, FormProblem.UNKNOWN_CHOICE)
        if chosen is AudienceKind.EVENT and not self.has_events:
            return StepOutcome(draft, FormProblem.UNKNOWN_CHOICE)
        data = {**draft.data, "audience": {"kind": chosen.value, "values": []}}
        step = {
            AudienceKind.COUNTRIES: Step.COUNTRIES,
            AudienceKind.LANGUAGES: Step.LANGUAGES,
            AudienceKind.EVENT: Step.EVENT,
        }.get(chosen)
        if step is not None:
            return StepOutcome(await self.form.save(user_id, step, data))
        return await self._confirm(user_id, data)

    async def toggle(self, user_id: int, value: str) -> StepOutcome:
        """Add or remove a country or a language from the audience."""
        draft = await self.form.at(user_id, Step.COUNTRIES, Step.LANGUAGES)
        allowed = COUNTRIES_BY_CODE if draft.step == Step.COUNTRIES else SUPPORTED_LANGUAGES
        if value not in allowed:
            return StepOutcome(draft, FormProblem.UNKNOWN_CHOICE)
        audience: dict[str, Any] = dict(answers(draft)["audience"])
        values = list(audience.get("values", []))
        values = [v for v in values if v != value] if value in values else [*values, value]
        audience["values"] = values
        data = {**draft.data, "audience": audience}
        return StepOutcome(await self.form.save(user_id, self.form.step(draft), data))

    async def choose_event(self, user_id: int, event_id: int) -> StepOutcome:
        draft = await self.form.at(user_id, Step.EVENT)
        audience = {"kind": AudienceKind.EVENT.value, "values": [event_id]}
        return await self._confirm(user_id, {**draft.data, "audience": audience})

    async def chosen(self, user_id: int) -> StepOutcome:
        """Done choosing countries or languages."""
        draft = await self.form.at(user_id, Step.COUNTRIES, Step.LANGUAGES)
        if not answers(draft)["audience"].get("values"):
            return StepOutcome(draft, Problem.NOTHING_CHOSEN)
        return await self._confirm(user_id, draft.data)

    async def _confirm(self, user_id: int, data: dict[str, Any]) -> StepOutcome:
        preview = await self.preview(data)
        if preview.total == 0:
            draft = await self.form.save(user_id, Step.AUDIENCE, data)
            return StepOutcome(draft, Problem.NO_RECIPIENTS)
        return StepOutcome(await self.form.save(user_id, Step.CONFIRM, data))

    async def ask_time(self, user_id: int) -> StepOutcome:
        draft = await self.form.at(user_id, Step.CONFIRM)
        return StepOutcome(await self.form.save(user_id, Step.SCHEDULE, draft.data))

    # -- audiences -----------------------------------------------------------------------------

    async def _members(self, audience: dict[str, Any]) -> list[AudienceMember]:
        kind = AudienceKind(audience["kind"])
        values = list(audience.get("values", []))
        if kind is AudienceKind.EVERYONE:
            return await self._broadcasts.members(focal_points_only=False)
        if kind is AudienceKind.COUNTRIES:
            return await self._broadcasts.members(focal_points_only=True, countries=values)
        if kind is AudienceKind.EVENT:
            if self._attendees is None or not values:
                return []
            user_ids = list(await self._attendees(int(values[0])))
            if not user_ids:
                return []
            return await self._broadcasts.members(focal_points_only=False, user_ids=user_ids)
        members = await self._broadcasts.members(focal_points_only=True)
        if kind is AudienceKind.LANGUAGES:
            return [m for m in members if _language_of(m) in values]
        return members

    async def plan(
        self,
        audience: dict[str, Any],
        versions: Sequence[str],
        *,
        working_hours_from: datetime | None = None,
    ) -> list[PlannedRecipient]:
        """Who gets which version; with ``working_hours_from`` (now), each no earlier than
        their next working morning (bot/broadcasts/working_hours.py)."""
        planned = []
        for member in await self._members(audience):
            not_before = None
            if working_hours_from is not None:
                moment = next_working_moment(working_hours_from, member.time_zone, member.country)
                not_before = moment if moment > working_hours_from else None
            planned.append(
                PlannedRecipient(
                    user_id=member.user_id,
                    language=_language_of(member),
                    version=version_for(_language_of(member), member.country, versions),
                    country=member.country,
                    not_before=not_before,
                )
            )
        return planned

    async def preview(self, data: dict[str, Any]) -> AudiencePreview:
        """How many people will get it, per language, and which version each language gets."""
        versions = list(data.get("versions", {}))
        if not versions or not data.get("audience"):
            return AudiencePreview(0, ())
        counts: dict[tuple[str, str], int] = {}
        for recipient in await self.plan(data["audience"], versions):
            key = (recipient.language, recipient.version)
            counts[key] = counts.get(key, 0) + 1
        shares = tuple(
            LanguageShare(language, counts[language, version], version)
            for language in SUPPORTED_LANGUAGES
            for version in SUPPORTED_LANGUAGES
            if (language, version) in counts
        )
        return AudiencePreview(sum(counts.values()), shares)

    async def counts(self, audience: dict[str, Any]) -> AudienceCounts:
        """The live counts of the console's audience picker."""
        by_language: dict[str, int] = {}
        by_country: dict[str | None, int] = {}
        members = await self._members(audience)
        for member in members:
            language = _language_of(member)
            by_language[language] = by_language.get(language, 0) + 1
            by_country[member.country] = by_country.get(member.country, 0) + 1
        return AudienceCounts(len(members), by_language, by_country)

    # -- what recipients get -------------------------------------------------------------------

    def parts_for(
        self,
        versions: dict[str, str],
        attachment_kind: str | None,
        file_id: str | None,
        *,
        language: str,
        version: str,
        country: str | None,
    ) -> list[Part]:
        """The messages one reader gets: their version (or a fallback, with a note saying so)."""
        body = versions[version]
        text = body
        note = ""
        if version != language:
            t = self._translators(language, country)
            note = str(
                t._(
                    "<i>This announcement is not available in your language; here it is in "
                    "{language}.</i>",
                    language=t.language_name(version),
                )
            )
            note = right_to_left(note) if t.is_rtl else note
            text = f"{note}\n\n{body}" if body else note
        if attachment_kind is not None:
            if visible_length(text) <= CAPTION_LIMIT:
                return [Part(text or None, attachment_kind, file_id)]
            return [Part(note or None, attachment_kind, file_id), Part(body)]
        if visible_length(text) <= TEXT_LIMIT:
            return [Part(text)]
        return [Part(note), Part(body)]

    def _parts_of(self, broadcast: Broadcast, recipient: BroadcastRecipient) -> list[Part]:
        return self.parts_for(
            broadcast.versions,
            broadcast.attachment_kind,
            broadcast.attachment_file_id,
            language=recipient.language,
            version=recipient.version,
            country=recipient.country,
        )

    def preview_parts(self, data: dict[str, Any], version: str) -> list[Part]:
        attachment = data.get("attachment") or {}
        return self.parts_for(
            data["versions"],
            attachment.get("kind"),
            attachment.get("file_id"),
            language=version,
            version=version,
            country=None,
        )

    # -- sending, scheduling, cancelling ---------------------------------------------------------

    async def submit(
        self, user_id: int, *, at: datetime | None = None, working_hours: bool = False
    ) -> Broadcast:
        """Turn the confirmed draft into a broadcast, now or at ``at``; the draft goes.

        ``working_hours``: each recipient gets it in their working hours, from then on.
        Raises ``StepRefused`` when the form stays where it is."""
        try:
            draft = await self.form.at(user_id, Step.CONFIRM, Step.SCHEDULE)
        except WrongStep as wrong:
            # Sent already (a double tap) or gone: the form view says so.
            raise StepRefused(StepOutcome(wrong.draft, FormProblem.WRONG_STEP)) from None
        now = self._clock.now()
        if at is not None and at <= now:
            raise StepRefused(StepOutcome(draft, Problem.PAST_TIME))
        data = answers(draft)
        attachment = data.get("attachment") or {}
        broadcast = await self._broadcasts.create(
            created_by=user_id,
            versions=data["versions"],
            attachment_kind=attachment.get("kind"),
            attachment_file_id=attachment.get("file_id"),
            audience=dict(data["audience"]),
            scheduled_for=at or now,
            now=now,
            working_hours=working_hours,
        )
        if attachment.get("upload") and self.attachments is not None:
            await self.attachments.attach(str(attachment["upload"]), broadcast.id)
        await self.form.cancel(user_id)
        if at is None:
            self._launch(broadcast.id)
        else:
            self._wake.set()
        return broadcast

    async def schedule(self, user_id: int, typed: str, time_zone: str) -> Broadcast:
        """The typed time of a broadcast; raises ``StepRefused`` when it is not one."""
        draft = await self.form.at(user_id, Step.SCHEDULE)
        moment = parse_local_time(typed, time_zone)
        if moment is None:
            raise StepRefused(StepOutcome(draft, Problem.BAD_TIME))
        return await self.submit(user_id, at=moment)

    async def cancel(self, broadcast_id: int, *, by: int) -> Broadcast | None:
        """Cancel a scheduled or running broadcast; None if it had already ended."""
        cancelled = await self._broadcasts.cancel(broadcast_id, by=by, now=self._clock.now())
        run = self._runs.get(broadcast_id)
        if cancelled is not None and run is not None:
            run.cancelled = True
        elif cancelled is not None:
            await self._release_file(broadcast_id)  # a run would, at its end
        return cancelled

    # -- files uploaded in the console -------------------------------------------------------

    async def upload_for(self, attachment: dict[str, Any]) -> Upload | None:
        """The file of an attachment Telegram has no file_id for yet (None: it has one, or
        the attachment came from Telegram)."""
        token = attachment.get("upload")
        if not token or attachment.get("file_id") or self.attachments is None:
            return None
        file = await self.attachments.get(str(token))
        if file is None or file.file_id is not None:
            return None
        content = await self.attachments.content(file)
        return Upload(file, content) if content is not None else None

    async def uploaded(self, upload: Upload, result: DeliveryResult) -> str | None:
        """Keep the file_id Telegram gave the upload, so nobody gets it uploaded again."""
        if result.file_id is None or self.attachments is None:
            return None
        await self.attachments.uploaded(upload.file, result.file_id)
        return result.file_id

    async def _broadcast_upload(self, broadcast: Broadcast) -> tuple[Broadcast, Upload | None]:
        """A broadcast whose file was uploaded in the console: its file_id if Telegram has
        it (from a test, or before a restart), else the file to upload with the first send."""
        if broadcast.attachment_kind is None or broadcast.attachment_file_id is not None:
            return broadcast, None
        file = (
            None if self.attachments is None else await self.attachments.for_broadcast(broadcast.id)
        )
        if file is not None and file.file_id is not None:
            return replace(broadcast, attachment_file_id=file.file_id), None
        upload = await self.upload_for({"upload": file.token}) if file is not None else None
        if upload is None:
            logger.error("broadcast %d: its file is gone; it goes without it", broadcast.id)
            return replace(broadcast, attachment_kind=None), None
        return broadcast, upload

    async def _release_file(self, broadcast_id: int) -> None:
        if self.attachments is not None:
            await self.attachments.release(broadcast_id)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await self._broadcasts.get(broadcast_id)

    async def recent(self) -> list[tuple[Broadcast, DeliverySummary]]:
        broadcasts = await self._broadcasts.recent(RECENT_BROADCASTS)
        return [(b, await self.summary(b.id)) for b in broadcasts]

    async def summary(self, broadcast_id: int) -> DeliverySummary:
        return DeliverySummary.of(
            await self._broadcasts.tallies(broadcast_id, now=self._clock.now())
        )

    def is_running(self, broadcast_id: int) -> bool:
        return broadcast_id in self._runs

    # -- the background work ---------------------------------------------------------------------

    async def start_delivery(self, reporter: ProgressReporter) -> None:
        """At start: resume interrupted broadcasts, then wait for scheduled ones."""
        self._reporter = reporter
        self._stopping = False
        await self.engine.bot.initialize()
        for broadcast in await self._broadcasts.sending():
            logger.info("resuming broadcast %d", broadcast.id)
            self._launch(broadcast.id)
        self._scheduler = asyncio.create_task(self._schedule_loop(), name="broadcast-scheduler")

    async def look_now(self) -> None:
        """Start what is due at the clock's present moment (tests moving a ManualClock)."""
        await self._launch_due()

    async def idle(self) -> None:
        """Wait for the runs started so far to end (sent, or waiting for a working morning)."""
        await asyncio.gather(*(run.task for run in list(self._runs.values())))

    def wake(self) -> None:
        """Look at scheduled broadcasts now (after a schedule change, or a clock change)."""
        self._wake.set()

    async def stop(self, grace_s: float = SHUTDOWN_GRACE_S) -> None:
        """Stop sending: in-flight messages get ``grace_s`` to finish and be recorded; what is
        left resumes at the next start.  ``grace_s=0`` is as abrupt as a kill."""
        if self._stopping:
            return
        self._stopping = True
        self._wake.set()
        if self._scheduler is not None:
            self._scheduler.cancel()
            await asyncio.gather(self._scheduler, return_exceptions=True)
            self._scheduler = None
        runs = [run.task for run in self._runs.values()]
        if runs and grace_s > 0:
            await asyncio.wait(runs, timeout=grace_s)
        for task in runs:
            task.cancel()
        await asyncio.gather(*runs, return_exceptions=True)
        self._runs.clear()
        if self.engine.has_bot:
            await self.engine.bot.shutdown()

    async def _schedule_loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            timeout = SCHEDULE_POLL_S
            try:
                timeout = await self._launch_due()
            except Exception:
                # A failed look (the database busy past its retries, say) must not end
                # scheduling for good: log it and look again at the next poll.
                logger.exception("broadcast scheduler: looking for due broadcasts failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _launch_due(self) -> float:
        """Start what is due, and resume broadcasts a failed run left unfinished; returns how
        long to wait before the next look."""
        for broadcast in await self._broadcasts.due(self._clock.now()):
            self._launch(broadcast.id)
        for broadcast in await self._broadcasts.sending():
            self._launch(broadcast.id)
        moments = [await self._broadcasts.next_scheduled(), await self._broadcasts.next_waiting()]
        upcoming = min((moment for moment in moments if moment is not None), default=None)
        if upcoming is None:
            return SCHEDULE_POLL_S
        seconds = (upcoming - self._clock.now()).total_seconds()
        return min(max(seconds, 0.05), SCHEDULE_POLL_S)

    def _launch(self, broadcast_id: int) -> None:
        if broadcast_id in self._runs or self._stopping:
            return
        task = asyncio.create_task(self._run(broadcast_id), name=f"broadcast-{broadcast_id}")
        self._runs[broadcast_id] = _Run(task)
        task.add_done_callback(lambda _: self._runs.pop(broadcast_id, None))

    async def _run(self, broadcast_id: int) -> None:
        try:
            await self._deliver_broadcast(broadcast_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            # Logged and left as it is in the database: the scheduler resumes it at its next
            # look (at most SCHEDULE_POLL_S later), and so does the next start.
            logger.exception("broadcast %d stopped by an error", broadcast_id)

    async def _begin(self, broadcast_id: int) -> Broadcast | None:
        broadcast = await self._broadcasts.get(broadcast_id)
        if broadcast is None:
            return None
        if broadcast.status == "scheduled":
            now = self._clock.now()
            recipients = await self.plan(
                broadcast.audience,
                list(broadcast.versions),
                working_hours_from=now if broadcast.working_hours else None,
            )
            if not await self._broadcasts.start(broadcast_id, recipients, self._clock.now()):
                return None
            broadcast = await self._broadcasts.get(broadcast_id)
        elif broadcast.status == "sending":
            requeued = await self._broadcasts.requeue_in_flight(broadcast_id)
            if requeued:
                logger.info(
                    "broadcast %d: %d unconfirmed messages go again", broadcast_id, requeued
                )
        else:
            return None
        return broadcast

    async def _deliver_broadcast(self, broadcast_id: int) -> None:
        broadcast = await self._begin(broadcast_id)
        if broadcast is None:
            return
        broadcast, upload = await self._broadcast_upload(broadcast)
        run = self._runs[broadcast_id]
        message = (
            (broadcast.progress_chat_id, broadcast.progress_message_id)
            if broadcast.progress_chat_id is not None and broadcast.progress_message_id is not None
            else None
        )
        message = await self._show_progress(broadcast, message, None)
        writer = ResultWriter(self._record)
        progress = asyncio.create_task(self._progress_loop(broadcast, message))
        settings = self.engine.settings
        slots = asyncio.Semaphore(settings.max_in_flight)
        chunk = max(int(self.engine.limiter.messages_per_s), 10)
        graceful = False
        try:
            while not (run.cancelled or self._stopping):
                claimed = await self._broadcasts.claim(broadcast_id, chunk, self._clock.now())
                if not claimed:
                    break
                while upload is not None and claimed and not (run.cancelled or self._stopping):
                    # The file goes up once, with this message, before any other starts;
                    # everyone after gets it by the file_id Telegram answers with.
                    recipient, claimed = claimed[0], claimed[1:]
                    await slots.acquire()
                    await self.engine.limiter.acquire(recipient.user_id)
                    parts = self._parts_of(broadcast, recipient)
                    file_id = await self.uploaded(
                        upload,
                        await self._deliver_one(
                            broadcast_id, recipient.user_id, upload.into(parts), writer, slots, True
                        ),
                    )
                    if file_id is not None:
                        broadcast = replace(broadcast, attachment_file_id=file_id)
                        upload = None
                await self._dispatch(broadcast, claimed, run, writer, slots)
            await asyncio.gather(*run.in_flight)
            await writer.close()
            graceful = True
        finally:
            progress.cancel()
            if not graceful:
                # Killed: whatever was in flight stays unconfirmed and goes again on resume.
                for task in run.in_flight:
                    task.cancel()
                writer.kill()
        if self._stopping and not run.cancelled:
            return  # a restart resumes it
        if not run.cancelled and await self._broadcasts.unsent(broadcast_id):
            # Recipients waiting for their working morning: the scheduler wakes this run again
            # then (next_waiting), from the database, so a restart meanwhile changes nothing.
            await self._show_progress(broadcast, message, None)
            return
        now = self._clock.now()
        if run.cancelled:
            await self._broadcasts.close_unsent(broadcast_id, now)
            final = await self._broadcasts.get(broadcast_id)
        else:
            final = await self._broadcasts.finish(broadcast_id, now)
        await self._release_file(broadcast_id)
        if final is not None and self._reporter is not None:
            summary = await self.summary(broadcast_id)
            await self._reporter.finished(final, summary, message)

    async def _dispatch(
        self,
        broadcast: Broadcast,
        claimed: list[BroadcastRecipient],
        run: _Run,
        writer: ResultWriter,
        slots: asyncio.Semaphore,
    ) -> None:
        """Start one task per recipient, at the limiter's pace: every overall slot already due
        is taken at once (one wake-up of this loop starts several messages at a thousand a
        second).  A recipient whose chat is busy (a reminder just went to them) waits for it
        in their own task, never holding up the others."""
        limiter = self.engine.limiter
        granted = 0
        try:
            for index, recipient in enumerate(claimed):
                if run.cancelled or self._stopping:
                    break
                if granted and slots.locked():
                    # As many on their way as allowed: slots kept while waiting would go out
                    # later than the limiter counted them.
                    limiter.give_back(granted)
                    granted = 0
                await slots.acquire()
                if granted == 0:
                    granted = await limiter.acquire_bulk(len(claimed) - index)
                granted -= 1
                slot_taken = limiter.chat_free(recipient.user_id)
                if not slot_taken:
                    limiter.give_back(1)
                parts = self._parts_of(broadcast, recipient)
                task = asyncio.create_task(
                    self._deliver_one(
                        broadcast.id, recipient.user_id, parts, writer, slots, slot_taken
                    )
                )
                run.in_flight.add(task)
                task.add_done_callback(run.in_flight.discard)
        finally:
            limiter.give_back(granted)

    async def _deliver_one(
        self,
        broadcast_id: int,
        user_id: int,
        parts: list[Part],
        writer: ResultWriter,
        slots: asyncio.Semaphore,
        slot_taken: bool,
    ) -> DeliveryResult:
        try:
            result = await self.engine.deliver(user_id, parts, slot_taken=slot_taken)
            writer.add(
                RecipientResult(
                    broadcast_id=broadcast_id,
                    user_id=user_id,
                    state=result.outcome.value,
                    attempts=result.attempts,
                    error=result.error,
                )
            )
            return result
        finally:
            slots.release()

    async def _record(self, results: list[RecipientResult]) -> None:
        await self._broadcasts.record(results, self._clock.now())
        for result in results:
            if result.state == Outcome.BLOCKED.value:
                # Skipped by later broadcasts until they write to the bot again.
                await self._accounts.mark_unreachable(result.user_id)

    async def _show_progress(
        self, broadcast: Broadcast, message: tuple[int, int] | None, seconds_left: float | None
    ) -> tuple[int, int] | None:
        if self._reporter is None:
            return message
        summary = await self.summary(broadcast.id)
        shown = await self._reporter.progress(broadcast, summary, seconds_left, message)
        if shown is not None and shown != message:
            await self._broadcasts.set_progress_message(broadcast.id, *shown)
        return shown

    async def _progress_loop(self, broadcast: Broadcast, message: tuple[int, int] | None) -> None:
        # Real time: this is for people to read, whatever time the pacer runs on.
        started_at = time.monotonic()
        done_at_start = (await self.summary(broadcast.id)).done
        while True:
            await asyncio.sleep(PROGRESS_INTERVAL_S)
            summary = await self.summary(broadcast.id)
            elapsed = time.monotonic() - started_at
            pace = (summary.done - done_at_start) / elapsed if elapsed > 0 else 0.0
            pace = pace or self.engine.limiter.messages_per_s
            seconds_left = summary.remaining / pace + self.engine.limiter.paused_for
            message = await self._show_progress(broadcast, message, seconds_left)


def _language_of(member: AudienceMember) -> str:
    return member.language or language_from_telegram(member.telegram_language) or "en"


def describe_delay(t: Translator, seconds: float) -> str:
    """'about 2 minutes', in the reader's language."""
    return format_timedelta(
        timedelta(seconds=max(seconds, 1)), threshold=1.0, locale=t.locale, add_direction=False
    )
