"""`hubbot doctor`: an operator's check-up, one line per check with ✓ or ✗ and what to do."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from bot.backups import backups
from bot.config import Config
from bot.geography import COUNTRIES
from bot.i18n import Translator
from bot.knowledge import load_directory
from bot.knowledge.synonyms import SYNONYMS_FILE_NAME, load_synonyms
from storage.backup_log import recorded_backups
from storage.health import inspect
from storage.staff_chat import read_binding

API_TIMEOUT_S = 15
CLOCK_TOLERANCE_S = 30
BACKUP_STALE_AFTER = timedelta(days=2)
MIN_FREE_DISK_BYTES = 500 * 1024 * 1024
PASS, FAIL = "✓", "✗"


@dataclass(frozen=True)
class Check:
    passed: bool
    text: str

    def line(self) -> str:
        return f"{PASS if self.passed else FAIL} {self.text}"


@dataclass(frozen=True)
class ApiAnswer:
    ok: bool
    result: Any
    description: str
    error_code: int | None
    date: datetime | None  # the server's clock, from the HTTP Date header


class BotApi:
    """The few Bot API calls the check-up needs, answered as they come (errors included)."""

    def __init__(self, client: httpx.AsyncClient, config: Config, token: str) -> None:
        self._client = client
        self._base = f"{config.api_base_url}{token}"

    async def call(self, method: str, **params: Any) -> ApiAnswer:
        response = await self._client.post(f"{self._base}/{method}", json=params)
        body = response.json()
        date_header = response.headers.get("date")
        return ApiAnswer(
            ok=bool(body.get("ok")),
            result=body.get("result"),
            description=str(body.get("description", "")),
            error_code=body.get("error_code"),
            date=parsedate_to_datetime(date_header) if date_header else None,
        )


def _size(t: Translator, size_bytes: float) -> str:
    return t.label("{size} MB", size=round(size_bytes / 1024 / 1024, 1))


async def run_checks(config: Config, t: Translator, now: Callable[[], datetime]) -> list[Check]:
    checks = await _telegram_checks(config, t, now)
    checks.extend(await asyncio.to_thread(_local_checks, config, t, now()))
    return checks


async def _telegram_checks(
    config: Config, t: Translator, now: Callable[[], datetime]
) -> list[Check]:
    if config.token is None:
        return [
            Check(False, t.label("HUBBOT_TOKEN is not set: get a token from @BotFather.")),
            Check(
                False,
                t.label(
                    "Not checked without a token: the token itself, the clock against "
                    "Telegram's, the staff chat and the bot's rights there, privacy mode, the "
                    "webhook or polling."
                ),
            ),
        ]
    async with httpx.AsyncClient(timeout=API_TIMEOUT_S) as client:
        api = BotApi(client, config, config.token)
        try:
            me = await api.call("getMe")
        except httpx.HTTPError as error:
            return [
                Check(
                    False,
                    t.label(
                        "Telegram cannot be reached ({error}): check the network and "
                        "HUBBOT_API_BASE_URL.",
                        error=type(error).__name__,
                    ),
                )
            ]
        if not me.ok:
            return [
                Check(
                    False,
                    t.label(
                        "Telegram refuses the token ({reason}): get a new one from @BotFather "
                        "and set HUBBOT_TOKEN.",
                        reason=me.description,
                    ),
                )
            ]
        checks = [
            Check(
                True,
                t.label("The token works: this is @{username}.", username=me.result["username"]),
            )
        ]
        checks.append(_clock(t, me.date, now()))
        checks.extend(await _staff_chat(api, config, t, me.result))
        checks.append(await _webhook(api, config, t))
    return checks


def _clock(t: Translator, telegram_time: datetime | None, local_time: datetime) -> Check:
    if telegram_time is None:
        return Check(True, t.label("The clock could not be compared with Telegram's."))
    skew_s = abs((local_time - telegram_time).total_seconds())
    if skew_s > CLOCK_TOLERANCE_S:
        return Check(
            False,
            t.label(
                "The clock is {seconds} s off Telegram's: turn on time synchronisation (NTP), "
                "or reminders go out at the wrong time.",
                seconds=round(skew_s),
            ),
        )
    return Check(True, t.label("The clock agrees with Telegram's."))


async def _staff_chat(
    api: BotApi, config: Config, t: Translator, me: dict[str, Any]
) -> list[Check]:
    privacy_on = not me.get("can_read_all_group_messages", False)
    privacy = Check(
        True,
        t.label(
            "Privacy mode is on: in the staff group the bot sees commands and replies to its own "
            "messages only, which is all it needs (staff answer by replying)."
        )
        if privacy_on
        else t.label(
            "Privacy mode is off: the bot reads every message of the staff group. Turn it on "
            "with @BotFather (/setprivacy) unless you need it off."
        ),
    )
    binding = read_binding(config.database_path)
    chat_id = binding.chat_id if binding is not None else config.staff_chat_id
    if chat_id is None:
        return [
            Check(
                True,
                t.label(
                    "No staff chat: staff are told of new requests and questions one by one in "
                    "private. To use a group, add the bot there, make it an administrator and "
                    "send /bind."
                ),
            ),
            privacy,
        ]
    chat = await api.call("getChat", chat_id=chat_id)
    if not chat.ok:
        return [
            Check(
                False,
                t.label(
                    "The staff chat {chat} bound with /bind was not found ({reason}): add the "
                    "bot to the staff group again and send /bind there.",
                    chat=str(chat_id),
                    reason=chat.description,
                )
                if binding is not None
                else t.label(
                    "The staff chat {chat} was not found ({reason}): add the bot to the staff "
                    "group and set HUBBOT_STAFF_CHAT_ID to that group's id.",
                    chat=str(chat_id),
                    reason=chat.description,
                ),
            ),
            privacy,
        ]
    member = await api.call("getChatMember", chat_id=chat_id, user_id=me["id"])
    status = member.result.get("status") if member.ok else None
    title = chat.result.get("title") or str(chat_id)
    if status in (None, "left", "kicked"):
        found = Check(
            False,
            t.label(
                "The bot is not a member of the staff chat «{title}»: add it to the group.",
                title=title,
            ),
        )
    elif status == "restricted" and not member.result.get("can_send_messages", False):
        found = Check(
            False,
            t.label(
                "The bot may not send messages in the staff chat «{title}»: allow it to send "
                "messages, photos and files.",
                title=title,
            ),
        )
    else:
        found = Check(
            True,
            t.label(
                "The staff chat «{title}» exists and the bot can write there.",
                title=title,
            ),
        )
    return [found, privacy]


async def _webhook(api: BotApi, config: Config, t: Translator) -> Check:
    answer = await api.call("getWebhookInfo")
    info = answer.result if answer.ok else {}
    registered = info.get("url", "")
    pending = int(info.get("pending_update_count", 0))
    last_error = info.get("last_error_message")
    if config.webhook_url is None:
        return Check(
            True,
            t.label(
                "Long polling; updates waiting: {pending}. A webhook left registered is removed "
                "when the bot starts.",
                pending=pending,
            ),
        )
    if last_error:
        return Check(
            False,
            t.label(
                "Telegram's last webhook delivery failed: {error}. Check the reverse proxy, "
                "TLS and HUBBOT_WEBHOOK_URL.",
                error=last_error,
            ),
        )
    if not registered:
        return Check(
            False,
            t.label(
                "No webhook is registered with Telegram yet: start the bot to register "
                "{configured}.",
                configured=config.webhook_url,
            ),
        )
    if registered != config.webhook_url:
        return Check(
            False,
            t.label(
                "Telegram has the webhook {registered}, not {configured}: start the bot to "
                "register it.",
                registered=registered,
                configured=config.webhook_url,
            ),
        )
    return Check(
        True,
        t.label(
            "Webhook {url} registered with a secret; updates waiting: {pending}.",
            url=registered,
            pending=pending,
        ),
    )


def _local_checks(config: Config, t: Translator, now: datetime) -> list[Check]:
    return [
        _database(config, t),
        _binding(config, t),
        _last_backup(config, t, now),
        _knowledge(config, t),
        _time_zones(t),
        _disk(config, t),
    ]


def _database(config: Config, t: Translator) -> Check:
    path = config.database_path
    try:
        health = inspect(path)
    except FileNotFoundError:
        return Check(
            False,
            t.label("The database {path} does not exist: run hubbot migrate.", path=str(path)),
        )
    except sqlite3.DatabaseError as error:
        return Check(
            False,
            t.label(
                "The database {path} cannot be read ({error}): restore a backup with hubbot "
                "restore.",
                path=str(path),
                error=str(error),
            ),
        )
    if health.integrity != "ok":
        return Check(
            False,
            t.label(
                "The database is damaged ({problem}): restore a backup with hubbot restore.",
                problem=health.integrity,
            ),
        )
    if health.missing_migrations:
        return Check(
            False,
            t.label(
                "The database lacks migrations {versions}: run hubbot migrate.",
                versions=", ".join(map(str, health.missing_migrations)),
            ),
        )
    return Check(
        True,
        t.label(
            "The database is sound (integrity checked, migrations applied), {size}.",
            size=_size(t, health.size_bytes),
        ),
    )


def _binding(config: Config, t: Translator) -> Check:
    """Where the staff chat comes from: the database's binding wins over the variable."""
    try:
        binding = read_binding(config.database_path)
    except sqlite3.DatabaseError:
        binding = None  # the database check says what is wrong with the file
    if binding is not None:
        return Check(
            True,
            t.label(
                "The staff chat is bound to «{title}» ({chat}) since {day}, with /bind or "
                "hubbot staff-chat; a supergroup upgrade moves it by itself.",
                title=binding.title or str(binding.chat_id),
                chat=str(binding.chat_id),
                day=f"{binding.bound_at:%Y-%m-%d}",
            ),
        )
    if config.staff_chat_id is not None:
        return Check(
            True,
            t.label(
                "The staff chat {chat} comes from HUBBOT_STAFF_CHAT_ID (not bound): /bind in "
                "the group, or hubbot staff-chat, keeps it in the database.",
                chat=str(config.staff_chat_id),
            ),
        )
    return Check(True, t.label("No staff chat is bound: send /bind in the staff group."))


def _last_backup(config: Config, t: Translator, now: datetime) -> Check:
    if config.backup_dir is None:
        return Check(
            False,
            t.label("No backups: set HUBBOT_BACKUP_DIR and the bot copies the database daily."),
        )
    try:
        recorded = recorded_backups(config.database_path)
    except sqlite3.DatabaseError:
        recorded = []
    by_age = {path.resolve(): path for path in [*backups(config.backup_dir), *recorded]}
    found = sorted(by_age.values(), key=lambda path: path.stat().st_mtime)
    if not found:
        return Check(
            False,
            t.label(
                "No backup in {directory} yet: the bot makes one daily at 02:30 UTC, or run "
                "hubbot backup {directory}.",
                directory=str(config.backup_dir),
            ),
        )
    newest = found[-1]
    made = datetime.fromtimestamp(newest.stat().st_mtime, UTC)
    if now - made > BACKUP_STALE_AFTER:
        return Check(
            False,
            t.label(
                "The last backup, {name}, is more than two days old: is the bot running?",
                name=newest.name,
            ),
        )
    return Check(
        True,
        t.label("Last backup: {name}; backups kept: {count}.", name=newest.name, count=len(found)),
    )


def _knowledge(config: Config, t: Translator) -> Check:
    """What `hubbot content check` calls errors: broken entries and a broken synonyms file."""
    loaded = load_directory(config.content_dir / "knowledge")
    _, synonym_problems = load_synonyms(config.content_dir / SYNONYMS_FILE_NAME)
    errors = [*loaded.errors, *(problem for problem in synonym_problems if problem.is_error)]
    if errors:
        return Check(
            False,
            t.ngettext(
                "The knowledge base has {count} broken file: run hubbot content check.",
                "The knowledge base has {count} broken files: run hubbot content check.",
                len(errors),
            ).unescape(),
        )
    return Check(
        True,
        t.ngettext(
            "The knowledge base loads: {count} entry.",
            "The knowledge base loads: {count} entries.",
            len(loaded.entries),
        ).unescape(),
    )


def _time_zones(t: Translator) -> Check:
    try:
        for place in COUNTRIES:
            ZoneInfo(place.time_zone)
    except ZoneInfoNotFoundError as error:
        return Check(
            False,
            t.label(
                "Time zone data is missing ({zone}): reinstall with make install.",
                zone=str(error),
            ),
        )
    try:
        release = version("tzdata")
    except PackageNotFoundError:
        release = "system"
    return Check(
        True, t.label("Time zone data {release} knows every country's zone.", release=release)
    )


def _disk(config: Config, t: Translator) -> Check:
    folder = config.database_path.resolve().parent
    while not folder.exists():
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    if free < MIN_FREE_DISK_BYTES:
        return Check(
            False,
            t.label(
                "Only {size} free on the database's disk: free some space.",
                size=_size(t, free),
            ),
        )
    return Check(True, t.label("{size} free on the database's disk.", size=_size(t, free)))
