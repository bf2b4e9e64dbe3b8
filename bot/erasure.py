"""What erasing a person removes from the text the Hub keeps: a pure policy, tested on strings."""

from __future__ import annotations

import re
from collections.abc import Callable

from storage.erasure import PersonalDetails

ERASED = "[…]"
# Shorter names ("Sam", "Ali") also name other people: only what tells the person apart.
MIN_NAME_CHARS = 5
MIN_PHONE_DIGITS = 6


def _word(text: str) -> str:
    """Matches ``text`` as a whole word, in any case, whatever the spacing inside it."""
    parts = [re.escape(part) for part in text.split()]
    return r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)"


def _phone(number: str) -> str | None:
    digits = re.sub(r"\D", "", number)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    # The same digits however they are grouped: +962 7 9012 3456, 0096279012..., (7) 9012-3456.
    return r"(?<![\d+])(?:\+|00)?[\s(]*" + r"[\s().-]*".join(digits) + r"(?!\d)"


def redactor(details: PersonalDetails) -> Callable[[str], str]:
    """A function that replaces every mention of the person in a text with ``ERASED``."""
    patterns = [rf"(?<!\d){details.user_id}(?!\d)"]
    patterns += [_word(name) for name in details.names if len(name.strip()) >= MIN_NAME_CHARS]
    patterns += [rf"(?<!\w)@?{re.escape(name)}(?!\w)" for name in details.usernames]
    patterns += [_word(email) for email in details.emails]
    patterns += [p for p in map(_phone, details.phones) if p is not None]
    # Longest first, so a full name goes before a part of it.
    combined = re.compile("|".join(sorted(patterns, key=len, reverse=True)), re.IGNORECASE)
    return lambda text: combined.sub(ERASED, text)
