"""What the ``hubbot`` command line accepts: each argument checked, each refusal one line."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import NoReturn

from bot.accounts import MAX_TELEGRAM_USER_ID
from bot.registration import LIMITS, Step

BAD_ARGUMENTS_EXIT = 2
BOT_USERNAME_PATTERN = re.compile(r"^@?[A-Za-z][A-Za-z0-9_]{4,31}$")


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a refusal is one line saying what is wrong (and exit status 2)."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message}", file=sys.stderr)
        sys.exit(BAD_ARGUMENTS_EXIT)


def telegram_user_id(raw: str) -> int:
    if not re.fullmatch(r"\d{1,16}", raw) or not 0 < int(raw) <= MAX_TELEGRAM_USER_ID:
        raise argparse.ArgumentTypeError(
            f"{raw!r} is not a Telegram user id (a positive whole number)"
        )
    return int(raw)


def city_name(raw: str) -> str:
    city = " ".join(raw.split())
    shortest, longest = LIMITS[Step.CITY]
    if not shortest <= len(city) <= longest:
        raise argparse.ArgumentTypeError(
            f"the city name must have {shortest} to {longest} characters, got {len(city)}"
        )
    return city


def bot_username(raw: str) -> str:
    if not BOT_USERNAME_PATTERN.fullmatch(raw):
        raise argparse.ArgumentTypeError(f"{raw!r} is not a Telegram username")
    return raw.lstrip("@")


def writable_file(raw: str) -> Path:
    """A file the command can create or overwrite; checked before any work is done."""
    path = Path(raw)
    if not raw or path.is_dir():
        raise argparse.ArgumentTypeError(f"{raw!r} is a directory, not a file")
    existing = next(
        parent for parent in (path.absolute(), *path.absolute().parents) if parent.exists()
    )
    if existing == path.absolute():
        writable = os.access(path, os.W_OK)
    else:
        writable = existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)
    if not writable:
        raise argparse.ArgumentTypeError(f"cannot write {raw}: permission denied")
    return path


def workbook_file(raw: str) -> Path:
    """The report is an Excel workbook: a name promising anything else is refused."""
    path = writable_file(raw)
    if path.suffix.lower() != ".xlsx":
        raise argparse.ArgumentTypeError(
            f"{raw!r} does not end in .xlsx: the report is an Excel workbook"
        )
    return path


def backup_target(raw: str) -> Path:
    """A folder to write a backup into (under a dated name), or a new file: a backup is never
    written over an existing file, which may be the only good copy."""
    path = Path(raw)
    if path.is_dir():
        if not os.access(path, os.W_OK | os.X_OK):
            raise argparse.ArgumentTypeError(f"cannot write into {raw}: permission denied")
        return path
    if path.exists():
        raise argparse.ArgumentTypeError(
            f"{raw} already exists: give another name, or a folder for a dated one"
        )
    return writable_file(raw)


def readable_file(raw: str) -> Path:
    path = Path(raw)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{raw!r} is not a file")
    if not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"cannot read {raw}: permission denied")
    return path
