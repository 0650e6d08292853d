"""Telegram's HTML parse mode, as the Bot API applies it: text and entities (UTF-16 offsets), or the error."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

JSONDict = dict[str, Any]



class HTMLParseError(ValueError):
    """Raised by :func:`parse_html`; the message reads like Telegram's "can't parse entities"."""


_SPACES = " \t\r\n\v\f"  #: separate tag parts; trimmed off both ends of a message
_SPECIAL_RE = re.compile(r"[<&]")
_HTML_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|(lt|gt|amp|quot));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_NAME_TOKEN_RE = re.compile(r"[A-Za-z0-9.\-]*")
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_SUPPORTED_TAGS = frozenset(_SIMPLE_TAGS) | {"a", "span", "blockquote", "tg-emoji"}


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram entity offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass(slots=True)
class _OpenTag:
    name: str
    entity: JSONDict | None
    language: str | None = None
    #: a ``<code class="language-x">`` that starts where this ``<pre>`` starts
    code_child: tuple[JSONDict, str] | None = None


class _HTMLParser:
    """Telegram's HTML parse mode (modelled on TDLib's ``parse_html``)."""

    def __init__(self, html: str) -> None:
        self.html = html
        self.parts: list[str] = []
        self.pos16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JSONDict] = []

    def parse(self) -> tuple[str, list[JSONDict]]:
        html, i, n = self.html, 0, len(self.html)
        while i < n:
            match = _SPECIAL_RE.search(html, i)
            stop = match.start() if match else n
            if stop > i:
                self._append(html[i:stop])
                i = stop
            elif html[i] == "&":
                char, i = self._entity(i)
                self._append(char)
            elif html.startswith("</", i):
                i = self._end_tag(i)
            else:
                i = self._start_tag(i)
        if self.stack:
            raise HTMLParseError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        return "".join(self.parts), [e for e in self.entities if e["length"] > 0]

    def _append(self, text: str) -> None:
        self.parts.append(text)
        self.pos16 += utf16_len(text)

    def _byte_offset(self, i: int) -> int:
        return len(self.html[:i].encode("utf-8", "surrogatepass"))

    def _entity(self, i: int) -> tuple[str, int]:
        match = _HTML_ENTITY_RE.match(self.html, i)
        if match is None:
            raise self._tag_error('Unescaped "&" (write it as "&amp;")', i)
        dec, hexa, name = match.groups()
        if name is not None:
            return _NAMED_ENTITIES[name], match.end()
        code = int(dec) if dec is not None else int(hexa, 16)
        if 0xD800 <= code <= 0xDFFF:
            raise HTMLParseError(
                "Text contains invalid Unicode characters after decoding HTML entities,"
                " check for unmatched surrogate code units"
            )
        if not 0 < code <= 0x10FFFF:
            raise self._tag_error("Invalid character reference", i)
        return chr(code), match.end()

    def _skip_spaces(self, i: int) -> int:
        html, n = self.html, len(self.html)
        while i < n and html[i] in _SPACES:
            i += 1
        return i

    def _start_tag(self, begin: int) -> int:
        html, n = self.html, len(self.html)
        i = begin + 1
        while i < n and html[i] not in _SPACES and html[i] != ">":
            i += 1
        if i >= n:
            raise HTMLParseError(f"Unclosed start tag at byte offset {self._byte_offset(begin)}")
        tag = html[begin + 1 : i].lower()
        if tag not in _SUPPORTED_TAGS:
            raise self._tag_error(f'Unsupported start tag "{tag}"', begin)
        attrs: dict[str, str] = {}
        while True:
            i = self._skip_spaces(i)
            if i >= n:
                raise self._tag_error(f'Unclosed start tag "{tag}"', begin)
            if html[i] == ">":
                break
            name_start = i
            while i < n and html[i] not in _SPACES and html[i] not in "=>/\"'":
                i += 1
            attr = html[name_start:i].lower()
            if not attr:
                raise self._tag_error(f'Empty attribute name in the tag "{tag}"', begin)
            i = self._skip_spaces(i)
            if i >= n:
                raise self._tag_error(f'Unclosed start tag "{tag}"', begin)
            if html[i] != "=":
                if tag == "blockquote" and attr == "expandable":
                    attrs[attr] = ""
                    continue
                raise self._tag_error(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}"', begin
                )
            i = self._skip_spaces(i + 1)
            if i >= n:
                raise self._tag_error(f'Unclosed start tag "{tag}"', begin)
            if html[i] in "\"'":
                close = html.find(html[i], i + 1)
                if close < 0:
                    raise self._tag_error("Unclosed start tag", begin)
                attrs[attr] = self._attribute_value(i + 1, close)
                i = close + 1
            else:
                token = _NAME_TOKEN_RE.match(html, i)
                end = token.end() if token else i
                if end >= n:
                    raise self._tag_error(f'Unclosed start tag "{tag}"', begin)
                if html[end] not in _SPACES and html[end] != ">":
                    raise self._tag_error("Unexpected end of name token", end)
                attrs[attr] = html[i:end]
                i = end
        self._open(tag, attrs, begin)
        return i + 1

    def _tag_error(self, message: str, i: int) -> HTMLParseError:
        return HTMLParseError(f"{message} at byte offset {self._byte_offset(i)}")

    def _attribute_value(self, start: int, end: int) -> str:
        """The quoted attribute value ``html[start:end]`` with its entities decoded."""
        html, i = self.html, start
        out: list[str] = []
        while i < end:
            amp = html.find("&", i, end)
            if amp < 0:
                out.append(html[i:end])
                break
            out.append(html[i:amp])
            char, i = self._entity(amp)
            out.append(char)
        return "".join(out)

    def _open(self, tag: str, attrs: Mapping[str, str], begin: int) -> None:
        extra: JSONDict = {}
        language = None
        if tag in _SIMPLE_TAGS:
            kind: str | None = _SIMPLE_TAGS[tag]
            if tag == "code" and attrs.get("class", "").startswith("language-"):
                language = attrs["class"][len("language-") :] or None
        elif tag == "a":
            kind = "text_link" if attrs.get("href") else None
            extra["url"] = attrs.get("href")
        elif tag == "span":
            if attrs.get("class") != "tg-spoiler":
                raise self._tag_error('Tag "span" must have class "tg-spoiler"', begin)
            kind = "spoiler"
        elif tag == "blockquote":
            # Quotes can't be nested: Telegram keeps the outer one and drops a quote inside it.
            nested = any(open_tag.name == "blockquote" for open_tag in self.stack)
            kind = None if nested else "expandable_blockquote" if "expandable" in attrs else "blockquote"
        else:  # tg-emoji
            if not attrs.get("emoji-id"):
                raise self._tag_error('Tag "tg-emoji" must have attribute "emoji-id"', begin)
            kind = "custom_emoji"
            extra["custom_emoji_id"] = attrs["emoji-id"]
        entity = None
        if kind is not None:
            entity = {"type": kind, "offset": self.pos16, "length": 0, **extra}
            self.entities.append(entity)
        self.stack.append(_OpenTag(tag, entity, language))

    def _end_tag(self, begin: int) -> int:
        if not self.stack:
            raise self._tag_error("Unexpected end tag", begin)
        close = self.html.find(">", begin + 2)
        if close < 0:
            raise self._tag_error("Unclosed end tag", begin)
        name = self.html[begin + 2 : close].rstrip(_SPACES).lower()
        top = self.stack[-1]
        if name and name != top.name:
            raise HTMLParseError(
                f"Unmatched end tag at byte offset {self._byte_offset(begin)},"
                f' expected "</{top.name}>", found "</{name}>"'
            )
        self.stack.pop()
        entity = top.entity
        if entity is not None:
            entity["length"] = self.pos16 - entity["offset"]
            parent = self.stack[-1] if self.stack else None
            if top.name == "code" and top.language and parent is not None:
                if parent.name == "pre" and parent.entity and parent.entity["offset"] == entity["offset"]:
                    parent.code_child = (entity, top.language)
            elif top.code_child is not None:
                code, language = top.code_child
                if code["length"] == entity["length"]:
                    entity["language"] = language
                    code["length"] = 0  # merged into the pre entity, dropped at the end
        return close + 1


def parse_html(html: str) -> tuple[str, list[JSONDict]]:
    """Parse Telegram-flavoured HTML into plain text and MessageEntity dicts.

    Offsets and lengths are in UTF-16 code units. Raises :class:`HTMLParseError` with a
    Telegram-style description for unsupported or unbalanced tags, a bare ``<`` or ``&``.
    Leading/trailing whitespace is *not* trimmed here (sending does that).
    """
    return _HTMLParser(html).parse()


def trim(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Strip surrounding whitespace like Telegram does, clipping entities to the new text."""
    stripped = text.strip(_SPACES)
    if len(stripped) == len(text):
        return text, entities
    lead = len(text) - len(text.lstrip(_SPACES))  # whitespace is 1 UTF-16 unit each
    total = utf16_len(stripped)
    clipped = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            clipped.append({**entity, "offset": start, "length": end - start})
    return stripped, clipped


