"""Configuration read from the environment (and a ``.env`` file), validated once at start."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_PATH = Path("data") / "hubbot.sqlite3"
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_API_FILE_URL = "https://api.telegram.org/file/bot"
TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SUPPORTED_LANGUAGES = ("ar", "fr", "en")
TELEGRAM_MESSAGES_PER_S = 30
PAID_BROADCAST_MESSAGES_PER_S = 1000
# Telegram accepts 1-256 characters of [A-Za-z0-9_-]; a short secret can be guessed.
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,256}$")
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1"
DEFAULT_CONSOLE_PORT = 8480


class ConfigError(Exception):
    """A configuration value is missing or malformed; the message is one line for the operator."""


@dataclass(frozen=True)
class Config:
    token: str | None
    admin_ids: frozenset[int] = frozenset()
    staff_chat_id: int | None = None
    staff_language: str = "en"
    staff_time_zone: str = "UTC"  # of the times on staff cards and digests
    database_path: Path = DEFAULT_DATABASE_PATH
    content_dir: Path = PROJECT_ROOT / "content"
    log_level: str = "INFO"
    api_base_url: str = DEFAULT_API_BASE_URL
    api_file_url: str = DEFAULT_API_FILE_URL
    invite_ttl_hours: int = 168
    webhook_url: str | None = None
    webhook_port: int = 8443
    webhook_secret: str | None = None
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    broadcast_rate: float = TELEGRAM_MESSAGES_PER_S
    broadcast_chat_interval_ms: int = 1000
    group_chat_interval_ms: int = 3000
    broadcast_paid: bool = False
    # Flood control per person: this many updates at once, then this many a second.
    flood_burst: int = 10
    flood_per_s: float = 2.0
    backup_dir: Path | None = None  # a daily copy of the database goes here when set
    backup_keep: int = 7  # how many daily copies are kept
    # The staff console (bot/console/): served when its public URL is set, whose path is the
    # path the bot serves it under (the reverse proxy passes it through unchanged).
    console_url: str | None = None
    console_port: int = DEFAULT_CONSOLE_PORT
    console_listen: str = DEFAULT_WEBHOOK_LISTEN

    def require_token(self) -> str:
        if self.token is None:
            raise ConfigError("HUBBOT_TOKEN is not set: get a token from @BotFather (see README)")
        return self.token


def _int_list(name: str, raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"-?\d+", part):
            raise ConfigError(
                f"{name} must be comma-separated numeric Telegram user ids, got {part!r}"
            )
        ids.add(int(part))
    return frozenset(ids)


def _integer(name: str, raw: str, *, minimum: int | None = None) -> int:
    if not re.fullmatch(r"-?\d+", raw.strip()):
        raise ConfigError(f"{name} must be a whole number, got {raw!r}")
    value = int(raw)
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _https_url(name: str, raw: str) -> str:
    # Telegram delivers webhooks over HTTPS only.
    if not re.fullmatch(r"https://[^\s/]+(/\S*)?", raw):
        raise ConfigError(f"{name} must be an https:// URL, got {raw!r}")
    return raw


def _time_zone(name: str, raw: str) -> str:
    # Imported here: geography needs i18n, which needs this module.
    from bot.geography import valid_time_zone

    zone = valid_time_zone(raw)
    if zone is None:
        raise ConfigError(f"{name} must be an IANA time zone such as Africa/Tunis, got {raw!r}")
    return zone


def _url(name: str, raw: str) -> str:
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", raw):
        raise ConfigError(f"{name} must be an http(s) URL, got {raw!r}")
    return raw


def _webhook_secret(raw: str | None) -> str | None:
    if raw and not WEBHOOK_SECRET_PATTERN.fullmatch(raw):
        raise ConfigError(
            "HUBBOT_WEBHOOK_SECRET must be 32 to 256 characters of A-Z, a-z, 0-9, _ and -"
            " (leave it unset and the bot generates one)"
        )
    return raw or None


def _listen_address(raw: str, name: str = "HUBBOT_WEBHOOK_LISTEN") -> str:
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        raise ConfigError(f"{name} must be an IP address such as 127.0.0.1, got {raw!r}") from None


def _console_url(raw: str | None) -> str | None:
    """The console's public address, without a query or a trailing slash."""
    if not raw:
        return None
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", raw):
        raise ConfigError(
            f"HUBBOT_CONSOLE_URL must be an http(s) URL such as"
            f" https://hubbot.example.org/console, got {raw!r}"
        )
    return raw.rstrip("/")


def load_config(
    environ: Mapping[str, str] | None = None, *, dotenv_path: Path | None = None
) -> Config:
    """Read the configuration; a bad value raises ConfigError with a one-line explanation."""
    if environ is None:
        load_dotenv(dotenv_path or Path.cwd() / ".env", override=False)
        environ = os.environ
    env = {key: value.strip() for key, value in environ.items() if key.startswith("HUBBOT_")}

    token = env.get("HUBBOT_TOKEN") or None
    if token is not None and not TOKEN_PATTERN.fullmatch(token):
        raise ConfigError("HUBBOT_TOKEN does not look like a bot token (expected 123456:ABC...)")

    log_level = env.get("HUBBOT_LOG_LEVEL", "INFO").upper() or "INFO"
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"HUBBOT_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")

    staff_language = env.get("HUBBOT_STAFF_LANGUAGE", "en") or "en"
    if staff_language not in SUPPORTED_LANGUAGES:
        raise ConfigError("HUBBOT_STAFF_LANGUAGE must be one of ar, fr, en")

    api_base_url = _url(
        "HUBBOT_API_BASE_URL", env.get("HUBBOT_API_BASE_URL") or DEFAULT_API_BASE_URL
    )
    api_file_url = env.get("HUBBOT_API_FILE_URL") or (
        DEFAULT_API_FILE_URL
        if api_base_url == DEFAULT_API_BASE_URL
        else api_base_url.removesuffix("/bot") + "/file/bot"
    )
    paid_text = (env.get("HUBBOT_BROADCAST_PAID") or "0").lower()
    if paid_text not in ("0", "1", "true", "false", "yes", "no"):
        raise ConfigError("HUBBOT_BROADCAST_PAID must be 1 or 0")
    paid = paid_text in ("1", "true", "yes")
    ceiling = PAID_BROADCAST_MESSAGES_PER_S if paid else TELEGRAM_MESSAGES_PER_S
    rate_text = env.get("HUBBOT_BROADCAST_RATE") or str(TELEGRAM_MESSAGES_PER_S)
    if not re.fullmatch(r"\d+(\.\d+)?", rate_text) or not 0 < float(rate_text) <= ceiling:
        raise ConfigError(
            f"HUBBOT_BROADCAST_RATE must be between 1 and {ceiling} messages a second"
            + ("" if paid else " (up to 1000 with HUBBOT_BROADCAST_PAID=1)")
        )
    staff_chat = env.get("HUBBOT_STAFF_CHAT_ID")
    webhook_url = env.get("HUBBOT_WEBHOOK_URL") or None
    config = Config(
        token=token,
        admin_ids=_int_list("HUBBOT_ADMIN_IDS", env.get("HUBBOT_ADMIN_IDS", "")),
        staff_chat_id=_integer("HUBBOT_STAFF_CHAT_ID", staff_chat) if staff_chat else None,
        staff_language=staff_language,
        staff_time_zone=_time_zone(
            "HUBBOT_STAFF_TIME_ZONE", env.get("HUBBOT_STAFF_TIME_ZONE") or "UTC"
        ),
        database_path=Path(env.get("HUBBOT_DATABASE") or DEFAULT_DATABASE_PATH),
        content_dir=Path(env.get("HUBBOT_CONTENT_DIR") or PROJECT_ROOT / "content"),
        log_level=log_level,
        api_base_url=api_base_url,
        api_file_url=_url("HUBBOT_API_FILE_URL", api_file_url),
        invite_ttl_hours=_integer(
            "HUBBOT_INVITE_TTL_HOURS", env.get("HUBBOT_INVITE_TTL_HOURS") or "168", minimum=1
        ),
        webhook_url=_https_url("HUBBOT_WEBHOOK_URL", webhook_url) if webhook_url else None,
        webhook_port=_integer(
            "HUBBOT_WEBHOOK_PORT", env.get("HUBBOT_WEBHOOK_PORT") or "8443", minimum=1
        ),
        webhook_secret=_webhook_secret(env.get("HUBBOT_WEBHOOK_SECRET")),
        webhook_listen=_listen_address(env.get("HUBBOT_WEBHOOK_LISTEN") or DEFAULT_WEBHOOK_LISTEN),
        broadcast_rate=float(rate_text),
        broadcast_chat_interval_ms=_integer(
            "HUBBOT_BROADCAST_CHAT_INTERVAL_MS",
            env.get("HUBBOT_BROADCAST_CHAT_INTERVAL_MS") or "1000",
            minimum=0,
        ),
        group_chat_interval_ms=_integer(
            "HUBBOT_GROUP_CHAT_INTERVAL_MS",
            env.get("HUBBOT_GROUP_CHAT_INTERVAL_MS") or "3000",
            minimum=0,
        ),
        broadcast_paid=paid,
        flood_burst=_integer(
            "HUBBOT_FLOOD_BURST", env.get("HUBBOT_FLOOD_BURST") or "10", minimum=1
        ),
        flood_per_s=_integer("HUBBOT_FLOOD_PER_S", env.get("HUBBOT_FLOOD_PER_S") or "2", minimum=1),
        backup_dir=Path(env["HUBBOT_BACKUP_DIR"]) if env.get("HUBBOT_BACKUP_DIR") else None,
        backup_keep=_integer("HUBBOT_BACKUP_KEEP", env.get("HUBBOT_BACKUP_KEEP") or "7", minimum=1),
        console_url=_console_url(env.get("HUBBOT_CONSOLE_URL")),
        console_port=_integer(
            "HUBBOT_CONSOLE_PORT",
            env.get("HUBBOT_CONSOLE_PORT") or str(DEFAULT_CONSOLE_PORT),
            minimum=1,
        ),
        console_listen=_listen_address(
            env.get("HUBBOT_CONSOLE_LISTEN") or DEFAULT_WEBHOOK_LISTEN, "HUBBOT_CONSOLE_LISTEN"
        ),
    )
    if config.webhook_url and config.console_url and config.webhook_port == config.console_port:
        raise ConfigError("HUBBOT_CONSOLE_PORT must differ from HUBBOT_WEBHOOK_PORT")
    return config
