"""Telegram's HTML parse mode: markup to plain text and MessageEntity dicts.

Each supported tag is one row of ``_TAG_RULES``: which attributes give it an argument, what the
argument must be, and how the closed tag becomes an entity.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from standin.models import JsonDict

_HTML_SPACES = frozenset(" \t\n\r\f\v")
# Text up to the next tag or entity: taken in one piece (a broadcast's thousand messages a
# second were parsed a character at a time, the stand-in's largest cost).
_PLAIN_RUN = re.compile(r"[^<&]+")
_NAMED_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TG_USER_LINK_RE = re.compile(r"^tg://user\?id=(\d+)$")


class HtmlParseError(ValueError):
    """Markup Telegram would refuse; the message is the part after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for limits and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the plain text
    text_start: int  # index into the plain-text pieces, to recover the tag's inner text


# -- the tag table ----------------------------------------------------------------------------

# (attribute name, attribute value or None when the attribute has no "=value") -> the tag's
# argument, or None to leave the argument as it is.
ArgumentRule = Callable[[str, str | None], str | None]
# (entity offset and length, the open tag, its inner text, the entities closed so far) -> the
# entity, or None when Telegram drops the tag silently.
EntityBuilder = Callable[[JsonDict, _OpenTag, str, list[JsonDict]], JsonDict | None]


def _no_argument(attribute: str, value: str | None) -> str | None:
    return None


def _attribute_value(name: str, prefix: str = "") -> ArgumentRule:
    """The value of attribute ``name=...``, which must start with ``prefix`` (dropped)."""

    def rule(attribute: str, value: str | None) -> str | None:
        if attribute == name and value is not None and value.startswith(prefix):
            return value[len(prefix) :]
        return None

    return rule


def _flag(name: str) -> ArgumentRule:
    """Gives "1" when attribute ``name`` is present, with or without a value."""

    def rule(attribute: str, value: str | None) -> str | None:
        return "1" if attribute == name else None

    return rule


def _simple(kind: str) -> EntityBuilder:
    def build(
        base: JsonDict, opened: _OpenTag, inner_text: str, entities: list[JsonDict]
    ) -> JsonDict:
        return {"type": kind, **base}

    return build


def _link(
    base: JsonDict, opened: _OpenTag, inner_text: str, entities: list[JsonDict]
) -> JsonDict | None:
    url = opened.argument or inner_text
    mention = _TG_USER_LINK_RE.match(url)
    if mention:
        user = {"id": int(mention.group(1)), "is_bot": False, "first_name": inner_text}
        return {"type": "text_mention", **base, "user": user}
    if re.match(r"^(?:https?|tg|ton)://\S", url, re.IGNORECASE):
        return {"type": "text_link", **base, "url": url}
    if re.match(r"^[\w-]+(?:\.[\w-]+)+(?:[/?#]\S*)?$", url):
        return {"type": "text_link", **base, "url": f"http://{url}"}
    return None  # Telegram silently drops links it cannot use.


def _code(base: JsonDict, opened: _OpenTag, inner_text: str, entities: list[JsonDict]) -> JsonDict:
    entity = {"type": "code", **base}
    if opened.argument:
        entity["_language"] = opened.argument  # only kept if a <pre> wraps it exactly
    return entity


def _pre(base: JsonDict, opened: _OpenTag, inner_text: str, entities: list[JsonDict]) -> JsonDict:
    # <pre><code class="language-x">...</code></pre> becomes one pre entity with language.
    last = entities[-1] if entities else None
    if (
        last is not None
        and last["type"] == "code"
        and last["offset"] == base["offset"]
        and last["length"] == base["length"]
    ):
        entities.pop()
        language = last.get("_language")
        return {"type": "pre", **base, **({"language": language} if language else {})}
    return {"type": "pre", **base}


def _blockquote(
    base: JsonDict, opened: _OpenTag, inner_text: str, entities: list[JsonDict]
) -> JsonDict:
    kind = "expandable_blockquote" if opened.argument else "blockquote"
    return {"type": kind, **base}


def _custom_emoji(
    base: JsonDict, opened: _OpenTag, inner_text: str, entities: list[JsonDict]
) -> JsonDict:
    return {"type": "custom_emoji", **base, "custom_emoji_id": opened.argument}


@dataclass(frozen=True)
class _TagRule:
    entity: EntityBuilder
    argument: ArgumentRule = _no_argument
    # (the argument the tag must end up with, the requirement as Telegram words it)
    required: tuple[str, str] | None = None


_TAG_RULES: dict[str, _TagRule] = {
    "b": _TagRule(_simple("bold")),
    "strong": _TagRule(_simple("bold")),
    "i": _TagRule(_simple("italic")),
    "em": _TagRule(_simple("italic")),
    "u": _TagRule(_simple("underline")),
    "ins": _TagRule(_simple("underline")),
    "s": _TagRule(_simple("strikethrough")),
    "strike": _TagRule(_simple("strikethrough")),
    "del": _TagRule(_simple("strikethrough")),
    "span": _TagRule(
        _simple("spoiler"),
        _attribute_value("class", "tg-"),
        required=("spoiler", 'must have class "tg-spoiler"'),
    ),
    "tg-spoiler": _TagRule(_simple("spoiler")),
    "a": _TagRule(_link, _attribute_value("href")),
    "code": _TagRule(_code, _attribute_value("class", "language-")),
    "pre": _TagRule(_pre),
    "blockquote": _TagRule(_blockquote, _flag("expandable")),
    "tg-emoji": _TagRule(_custom_emoji, _attribute_value("emoji-id")),
}


# -- the parser -------------------------------------------------------------------------------


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[JsonDict]]:
    """Parses Telegram's HTML parse mode into plain text and MessageEntity dicts.

    Follows tdlib's parser (the one behind the Bot API): the same tags, attributes and error
    texts, with byte offsets into the UTF-8 text.  Entity offsets and lengths are in UTF-16 code
    units.  With ``strict_ampersand`` (the default) a ``&`` that does not start ``&lt;``,
    ``&gt;``, ``&amp;``, ``&quot;``, ``&#NN;`` or ``&#xHH;`` is refused, as the Bot API
    documentation requires, although the real server lets it through as a literal ``&``.

    Raises:
        HtmlParseError: for markup Telegram would refuse.
    """
    return _HtmlParser(text, strict_ampersand=strict_ampersand).parse()


class _HtmlParser:
    def __init__(self, text: str, *, strict_ampersand: bool) -> None:
        self.text = text
        self.n = len(text)
        self.i = 0
        self.strict_ampersand = strict_ampersand
        self.pieces: list[str] = []
        self.offset = 0  # UTF-16 length of the plain text so far
        self.stack: list[_OpenTag] = []
        self.entities: list[JsonDict] = []

    def parse(self) -> tuple[str, list[JsonDict]]:
        while self.i < self.n:
            if self.text[self.i] == "<":
                self._tag()
            else:
                self._character()
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.pieces), self.entities

    def _at(self, index: int) -> int:
        """The byte offset in the UTF-8 text, which Telegram's error texts give."""
        return len(self.text[:index].encode("utf-8"))

    def _append(self, piece: str, units: int) -> None:
        self.pieces.append(piece)
        self.offset += units

    def _character(self) -> None:
        char = self.text[self.i]
        if char == "&":
            decoded = _decode_html_entity(self.text, self.i, strict=self.strict_ampersand)
            if decoded is not None:
                self._append(decoded[0], utf16_len(decoded[0]))
                self.i = decoded[1]
                return
            if self.strict_ampersand:
                raise HtmlParseError(
                    f'Unescaped "&" at byte offset {self._at(self.i)}: write it as "&amp;" (the '
                    "stand-in enforces the Bot API documentation here)"
                )
        plain = _PLAIN_RUN.match(self.text, self.i + 1)
        end = plain.end() if plain is not None else self.i + 1
        piece = self.text[self.i : end]
        self._append(piece, utf16_len(piece))
        self.i = end

    def _tag(self) -> None:
        begin = self.i
        self.i += 1
        if self.i >= self.n or self.text[self.i] != "/":
            self._start_tag(begin)
        else:
            self._end_tag(begin)

    def _skip_spaces(self) -> None:
        while self.i < self.n and self.text[self.i] in _HTML_SPACES:
            self.i += 1

    def _skip_to(self, stops: str) -> str:
        """Advances to the next space or character in ``stops``; returns what it passed."""
        start = self.i
        while (
            self.i < self.n
            and self.text[self.i] not in _HTML_SPACES
            and self.text[self.i] not in stops
        ):
            self.i += 1
        return self.text[start : self.i]

    def _start_tag(self, begin: int) -> None:
        tag = self._skip_to(">").lower()
        if self.i >= self.n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {self._at(begin)}")
        rule = _TAG_RULES.get(tag)
        if rule is None:
            raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {self._at(begin)}')
        argument = ""
        while True:
            self._skip_spaces()
            if self.i >= self.n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {self._at(begin)}")
            if self.text[self.i] == ">":
                break
            attribute, value = self._attribute(tag, begin)
            chosen = rule.argument(attribute, value)
            if chosen is not None:
                argument = chosen
        if rule.required is not None and argument != rule.required[0]:
            raise HtmlParseError(f'Tag "{tag}" {rule.required[1]} at byte offset {self._at(begin)}')
        self.i += 1  # the '>'
        self.stack.append(_OpenTag(tag, argument, self.offset, len(self.pieces)))

    def _attribute(self, tag: str, begin: int) -> tuple[str, str | None]:
        """Reads ``name``, ``name=token`` or ``name="value"``; the value is None without ``=``."""
        attribute = self._skip_to("=>").lower()
        if not attribute:
            raise HtmlParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {self._at(begin)}'
            )
        self._skip_spaces()
        if self.i >= self.n or self.text[self.i] != "=":
            return attribute, None
        self.i += 1
        self._skip_spaces()
        if self.i >= self.n:
            raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {self._at(begin)}')
        if self.text[self.i] in "'\"":
            return attribute, self._quoted_value(begin)
        return attribute, self._token_value()

    def _token_value(self) -> str:
        text, start = self.text, self.i
        while self.i < self.n and (
            (text[self.i].isascii() and text[self.i].isalnum()) or text[self.i] in ".-"
        ):
            self.i += 1
        if self.i >= self.n or (text[self.i] not in _HTML_SPACES and text[self.i] != ">"):
            raise HtmlParseError(f"Unexpected end of name token at byte offset {self._at(start)}")
        return text[start : self.i].lower()

    def _quoted_value(self, begin: int) -> str:
        text = self.text
        quote = text[self.i]
        self.i += 1
        chars: list[str] = []
        while self.i < self.n and text[self.i] != quote:
            if text[self.i] == "&":
                decoded = _decode_html_entity(text, self.i, strict=False)
                if decoded is not None:
                    chars.append(decoded[0])
                    self.i = decoded[1]
                    continue
            chars.append(text[self.i])
            self.i += 1
        if self.i >= self.n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {self._at(begin)}")
        self.i += 1
        return "".join(chars)

    def _end_tag(self, begin: int) -> None:
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self._at(begin)}")
        self.i += 1  # the '/'
        end_name = self._skip_to(">").lower()
        self._skip_spaces()
        if self.i >= self.n or self.text[self.i] != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self._at(begin)}")
        self.i += 1
        opened = self.stack.pop()
        if end_name and end_name != opened.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self._at(begin)}, expected "
                f'"</{opened.name}>", found "</{end_name}>"'
            )
        length = self.offset - opened.offset
        if length <= 0:
            return
        base: JsonDict = {"offset": opened.offset, "length": length}
        inner_text = "".join(self.pieces[opened.text_start :])
        entity = _TAG_RULES[opened.name].entity(base, opened, inner_text, self.entities)
        if entity is not None:
            self.entities.append(entity)


def _decode_html_entity(text: str, pos: int, *, strict: bool) -> tuple[str, int] | None:
    """Decodes the character reference starting at ``text[pos] == "&"``.

    Returns the character and the index after the reference, or None if there is none.  Like
    Telegram, the trailing ``;`` is optional unless ``strict``.
    """
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        is_hex = end < n and text[end] == "x"
        if is_hex:
            end += 1
        digits_start = end
        allowed = "0123456789abcdefABCDEF" if is_hex else "0123456789"
        while end < n and text[end] in allowed and end - pos < 10:
            end += 1
        if end == digits_start:
            return None
        code = int(text[digits_start:end], 16 if is_hex else 10)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        decoded = _NAMED_HTML_ENTITIES.get(text[pos + 1 : end])
        if decoded is None:
            return None
        char = decoded
    if end < n and text[end] == ";":
        end += 1
    elif strict:
        return None
    return char, end


def strip_private(entities: list[JsonDict]) -> list[JsonDict]:
    """Drops the parser's own keys (``_language``) from the entities."""
    return [{k: v for k, v in e.items() if not k.startswith("_")} for e in entities]


def trim(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Drops leading and trailing whitespace like Telegram does, shifting entities along."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result
