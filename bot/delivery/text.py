"""What Telegram accepts as a message: its length in UTF-16 units, and long HTML split into
parts that are each valid HTML (cut between lines or words, never inside a tag or entity)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

MAX_MESSAGE_UTF16 = 4096
MAX_CAPTION_UTF16 = 1024
# A part is cut at a line break when one is at least this far into it, else at a space.
MIN_FILL = 0.5

_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|[^<&]+|&")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts limits and offsets in."""
    return len(text.encode("utf-16-le")) // 2


def visible_length(html: str) -> int:
    """How long Telegram counts a message or caption: tags gone, entities decoded, UTF-16."""
    return sum(token.units for token in _tokens(html) if not token.is_tag)


@dataclass(frozen=True)
class _Token:
    raw: str
    units: int  # UTF-16 units it shows
    is_tag: bool = False
    closing: bool = False
    name: str = ""
    breaks_line: bool = False
    is_space: bool = False


def _tokens(html: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(html):
        raw = match.group()
        if raw.startswith("<"):
            name = _TAG_NAME.match(raw)
            tokens.append(
                _Token(
                    raw,
                    0,
                    is_tag=True,
                    closing=raw.startswith("</"),
                    name=name.group(1).lower() if name else "",
                )
            )
        elif raw.startswith("&"):
            tokens.append(_Token(raw, utf16_len(unescape(raw))))
        else:
            tokens.extend(
                _Token(char, utf16_len(char), breaks_line=char == "\n", is_space=char == " ")
                for char in raw
            )
    return tokens


def split_html(html: str, limit: int = MAX_MESSAGE_UTF16) -> list[str]:
    """Parts of at most ``limit`` visible UTF-16 units, each valid HTML on its own: a tag open
    at a cut is closed at the end of one part and opened again at the start of the next."""
    if utf16_len(html) <= limit:
        return [html]
    tokens = _tokens(html)
    parts: list[str] = []
    start = 0
    open_tags: list[_Token] = []
    while start < len(tokens):
        prefix = list(open_tags)
        end, size = start, 0
        cut = None  # (index after the cut, drop the separator)
        spaced = None
        while end < len(tokens) and size + tokens[end].units <= limit:
            token = tokens[end]
            if token.breaks_line and size >= limit * MIN_FILL:
                cut = end
            elif token.is_space:
                spaced = end
            size += token.units
            end += 1
        if end == len(tokens):
            stop, resume = end, end
        elif cut is not None:
            stop, resume = cut, cut + 1
        elif spaced is not None and spaced > start:
            stop, resume = spaced, spaced + 1
        else:
            stop, resume = end, end
        body = tokens[start:stop]
        open_tags = _still_open(prefix, body)
        closing = "".join(f"</{tag.name}>" for tag in reversed(open_tags))
        part = "".join(t.raw for t in prefix) + "".join(t.raw for t in body) + closing
        if any(t.units for t in body if not t.is_tag and not t.raw.isspace()):
            parts.append(part)
        start = resume
    return parts


def _still_open(prefix: list[_Token], body: list[_Token]) -> list[_Token]:
    stack = list(prefix)
    for token in body:
        if not token.is_tag:
            continue
        if not token.closing:
            stack.append(token)
        else:
            for index in range(len(stack) - 1, -1, -1):
                if stack[index].name == token.name:
                    del stack[index:]
                    break
    return stack
