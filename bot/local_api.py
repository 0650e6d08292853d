"""A local stand-in for the Telegram Bot API.

:class:`LocalBotAPI` is an aiohttp server on 127.0.0.1 that answers the Bot API methods a bot
built on python-telegram-bot actually uses, with Telegram's response envelope, status codes,
error descriptions, HTML parsing rules, inline keyboard validation and flood limits. The
"user side" (messages, button presses, blocking the bot) is driven from Python or over a small
``/_control`` HTTP surface, and everything the bot did can be inspected afterwards.

Faults can be injected to test how a bot copes with a failing Bot API: ``api.fail("getMe", 500,
times=2)`` (or ``POST /_control/fail`` with ``method``, ``code``, optional ``times`` (default 1;
0 stops failing) and ``description``) answers the next ``times`` calls of that method with that
error code, in Telegram's error envelope (the description defaults to the status's reason phrase,
e.g. ``Unauthorized`` for a rejected token). The failed calls are recorded in ``calls`` too.

It serves three purposes: the terminal try-out (``campaign-bot chat``), behaviour tests that run
the real PTB ``Application`` over real HTTP, and broadcast benchmarks. Every request is O(1) in
the number of stored messages and nothing is logged per request.

Run it standalone with ``python -m bot.local_api --port 9000 --rate 30 --latency 0.08``.

Deliberate differences from the real Bot API:

* ``parse_mode=HTML`` is stricter about ``&``: an ampersand that does not start one of
  ``&lt; &gt; &amp; &quot; &#NN; &#xHH;`` is rejected, where Telegram keeps it literally. A bot
  that escapes everything it interpolates never notices; one that forgets is caught here.
* Only ``HTML`` is implemented as a parse mode; ``Markdown``/``MarkdownV2`` are rejected.
* Only documents are supported as media (``sendDocument``/``getFile``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

__all__ = ["HTMLParseError", "LocalBotAPI", "SentMessage", "main", "parse_html", "utf16_len"]

JSONDict = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

_INT_FIELDS = frozenset(
    {"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "message_thread_id"}
)
_BOOL_FIELDS = frozenset(
    {"disable_notification", "show_alert", "protect_content", "drop_pending_updates", "blocked"}
)
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "scope",
        "allowed_updates",
    }
)
_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_MARKUP_KINDS = ("inline_keyboard", "keyboard", "remove_keyboard", "force_reply")
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_USER_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_BLOCKED = "Forbidden: bot was blocked by the user"
_CHAT_NOT_FOUND = "Bad Request: chat not found"
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)


# --------------------------------------------------------------------------------------------
# HTML parse mode
# --------------------------------------------------------------------------------------------


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
            kind = "expandable_blockquote" if "expandable" in attrs else "blockquote"
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


def _trim(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
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


# --------------------------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class SentMessage:
    """A message in a chat: one the bot sent, or (``from_bot=False``) one a user sent."""

    message_id: int
    chat_id: int
    html: str  #: the text (or document caption) exactly as sent, before parsing
    text: str  #: plain text after parsing and trimming, as Telegram stores it
    entities: list[JSONDict]  #: MessageEntity dicts, offsets in UTF-16 code units
    reply_markup: JSONDict | None
    disable_notification: bool
    from_bot: bool
    edits: int = 0  #: successful editMessageText/editMessageReplyMarkup calls
    deleted: bool = False
    date: int = 0  #: unix time the message was sent
    edit_date: int | None = None
    document: JSONDict | None = None  #: the Document object of a sendDocument message

    def buttons(self) -> list[JSONDict]:
        """The inline keyboard buttons, rows flattened; ``[]`` without an inline keyboard."""
        if not self.reply_markup:
            return []
        return [button for row in self.reply_markup.get("inline_keyboard", ()) for button in row]


class _ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code", "description", "parameters"?}``."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def response(self) -> web.Response:
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return web.json_response(body, status=self.code)


@dataclass(slots=True)
class _Fault:
    """An injected error (see :meth:`LocalBotAPI.fail`): ``code`` for the next ``times`` calls."""

    code: int
    description: str
    times: int


class _TokenBucket:
    """Flood limit: ``capacity`` sends at once, refilled at ``rate`` sends per second."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = max(capacity, 1.0)
        self.tokens = self.capacity
        self.stamp = time.monotonic()

    def wait(self, now: float) -> float:
        """Seconds until one send is allowed (0 if allowed now); consumes nothing."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1.0


@dataclass(slots=True)
class _Chat:
    info: JSONDict  #: the Chat object
    bucket: _TokenBucket | None
    user: JSONDict  #: the user a my_chat_member update about this chat comes from
    messages: dict[int, SentMessage] = field(default_factory=dict)
    next_message_id: int = 1
    blocked: bool = False
    migrated_to: int | None = None  #: a group that became this supergroup: sends get 400 with its id
    admins: set[int] = field(default_factory=set)  #: users getChatMember reports as the group's owner


@dataclass(frozen=True, slots=True)
class _Upload:
    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str
    mime_type: str
    data: bytes = field(repr=False)

    def document(self) -> JSONDict:
        """The Document object of a message carrying this file."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": len(self.data),
        }


# --------------------------------------------------------------------------------------------
# Request parameters
# --------------------------------------------------------------------------------------------


async def _read_params(request: web.Request) -> JSONDict:
    """Query string plus JSON, urlencoded or multipart body, normalized (see ``_normalize``)."""
    raw: JSONDict = dict(request.query)
    if request.method == "POST" and request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _ApiError(400, "Bad Request: can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise _ApiError(400, "Bad Request: JSON request body must be an object")
            raw.update(body)
        else:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    raw[key] = _Upload(value.filename, value.content_type, value.file.read())
                else:
                    raw[key] = value
    return _normalize(raw)


def _normalize(raw: Mapping[str, Any]) -> JSONDict:
    """Turn form strings into the values a JSON body would carry.

    PTB sends every parameter as a string (nested objects JSON-encoded), so known integer,
    boolean and object fields are converted; everything else is left as given.
    """
    params: JSONDict = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if key in _JSON_FIELDS:
                try:
                    value = json.loads(value)
                except ValueError:
                    raise _ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
            elif key in _INT_FIELDS and value.lstrip("-").isdigit():
                value = int(value)
            elif key in _BOOL_FIELDS:
                value = value.strip().lower() in ("true", "1")
        params[key] = value
    return params


def _int(params: JSONDict, name: str, default: int | None = None) -> int:
    """An integer parameter; required unless ``default`` is given."""
    value = params.get(name)
    if value is None or value == "":
        if default is None:
            raise _ApiError(400, f"Bad Request: {name} is empty")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _ApiError(400, f"Bad Request: invalid {name} specified")
    return int(value)


def _float(params: JSONDict, name: str, default: float) -> float:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _ApiError(400, f"Bad Request: invalid {name} specified") from None


def _str(params: JSONDict, name: str) -> str:
    value = params.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _validate_markup(markup: Any) -> JSONDict | None:
    """Check reply_markup like Telegram; an inline keyboard without buttons counts as none."""
    if markup is None:
        return None
    if not isinstance(markup, dict) or not any(kind in markup for kind in _MARKUP_KINDS):
        raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for kind in ("inline_keyboard", "keyboard"):
        rows = markup.get(kind)
        if rows is not None and (
            not isinstance(rows, list) or not all(isinstance(row, list) for row in rows)
        ):
            raise _ApiError(400, f'Bad Request: field "{kind}" must be an Array of Arrays')
    if "inline_keyboard" not in markup:
        return markup
    buttons = [button for row in markup["inline_keyboard"] for button in row]
    for button in buttons:
        _validate_button(button)
    return markup if buttons else None


def _validate_button(button: Any) -> None:
    prefix = "Bad Request: can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise _ApiError(400, prefix + "InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise _ApiError(400, prefix + 'Field "text" must be of type String')
    if not text.strip():
        raise _ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
    if not _BUTTON_ACTIONS.intersection(button):
        raise _ApiError(400, prefix + "Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if (
            not isinstance(data, str)
            or not 1 <= len(data.encode("utf-8", "surrogatepass")) <= MAX_CALLBACK_DATA_BYTES
        ):
            raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not _valid_button_url(url):
            raise _ApiError(400, "Bad Request: BUTTON_URL_INVALID")


def _valid_button_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme in ("http", "https"):
        return bool(parts.hostname) and " " not in url
    return parts.scheme == "tg" and len(url) > len("tg://")


def _explicit_entities(value: Any) -> list[JSONDict]:
    """Entities passed instead of a parse_mode (``entities``/``caption_entities``)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(e, dict)
        and isinstance(e.get("type"), str)
        and isinstance(e.get("offset"), int)
        and isinstance(e.get("length"), int)
        for e in value
    ):
        raise _ApiError(400, "Bad Request: can't parse entities JSON object")
    return [dict(e) for e in value if e["length"] > 0]


def _formatted(params: JSONDict, text_key: str, entities_key: str) -> tuple[str, str, list[JSONDict]]:
    """(raw text, parsed and trimmed text, entities) of a text or caption parameter."""
    raw = _str(params, text_key)
    parse_mode = _str(params, "parse_mode")
    if parse_mode.lower() == "html":
        try:
            text, entities = parse_html(raw)
        except HTMLParseError as exc:
            raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    elif parse_mode:
        raise _ApiError(400, f'Bad Request: unsupported parse_mode "{parse_mode}" (the stand-in knows HTML)')
    else:
        text, entities = raw, _explicit_entities(params.get(entities_key))
    text, entities = _trim(text, entities)
    return raw, text, entities


def _message_text(params: JSONDict) -> tuple[str, str, list[JSONDict]]:
    raw, text, entities = _formatted(params, "text", "entities")
    if not text:
        raise _ApiError(400, "Bad Request: message text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise _ApiError(400, "Bad Request: message is too long")
    return raw, text, entities


def _group_type(chat_id: int) -> str:
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def _default_user(user_id: int, first_name: str = "Test") -> JSONDict:
    return {"id": user_id, "is_bot": False, "first_name": first_name}


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------

_Method = Callable[[JSONDict], Awaitable[Any]]


class LocalBotAPI:
    """A Telegram Bot API stand-in on ``host:port`` (see the module docstring).

    Point PTB at it with ``Bot(token, base_url=api.base_url, base_file_url=api.base_file_url)``;
    any token is accepted. Flood limits are token buckets: ``rate_limit`` sends at once, then
    ``rate_limit`` per second, across all chats; ``per_chat_rate`` likewise per private chat and
    ``group_per_minute`` per group chat (negative id). A request over a limit gets Telegram's 429
    with ``retry_after``; rejected requests consume nothing and create nothing.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_id: int = 7000001,
        bot_username: str = "campaign_tryout_bot",
        bot_name: str = "Campaign bot",
        rate_limit: float | None = None,
        per_chat_rate: float | None = None,
        group_per_minute: int | None = None,
        latency: float = 0.0,
    ) -> None:
        self.host = host
        self.port = port
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self._per_chat_rate = per_chat_rate
        self._group_per_minute = group_per_minute
        self._global_bucket = _TokenBucket(rate_limit, rate_limit) if rate_limit else None
        self._latency = latency

        self.calls: deque[tuple[str, JSONDict]] = deque(maxlen=100_000)
        self.callback_answers: dict[str, JSONDict] = {}
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.sent_count = 0
        self.rejected_429 = 0
        self.rejected_403 = 0

        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, JSONDict] = {}
        self._updates: deque[JSONDict] = deque()
        self._next_update_id = 1
        self._poll_waiters: set[asyncio.Future[None]] = set()
        self._open_callbacks: set[str] = set()
        self._next_callback_id = 1
        self._files: dict[str, _StoredFile] = {}  #: by file_id and by file_path
        self._subscribers: list[asyncio.Queue[tuple[str, SentMessage]]] = []
        self._webhook_url = ""
        self._faults: dict[str, _Fault] = {}  #: by lower-cased method name, see :meth:`fail`
        self._running = False
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, _Method] = {
            name.lower(): method
            for name, method in {
                "getMe": self._get_me,
                "logOut": self._true,
                "close": self._true,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "getUpdates": self._get_updates,
                "sendMessage": self._send_message,
                "sendDocument": self._send_document,
                "getFile": self._get_file,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "sendChatAction": self._send_chat_action,
                "getChat": self._get_chat,
                "getChatMember": self._get_chat_member,
            }.items()
        }

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind and serve; with ``port=0`` a free port is picked and stored in :attr:`port`."""
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_post("/_control/message", self._control_message)
        app.router.add_post("/_control/press", self._control_press)
        app.router.add_post("/_control/block", self._control_block)
        app.router.add_get("/_control/messages", self._control_messages)
        app.router.add_get("/_control/stats", self._control_stats)
        app.router.add_post("/_control/fail", self._control_fail)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]
        self._running = True

    async def stop(self) -> None:
        """Answer pending long polls (with no updates) and shut the server down."""
        self._running = False
        self._wake_pollers()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """The ``base_url`` for PTB's ``Bot`` (PTB appends the token)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """The ``base_file_url`` for PTB's ``Bot``."""
        return f"http://{self.host}:{self.port}/file/bot"

    # ---- the user side ---------------------------------------------------------------------

    def user_message(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str | None = "en",
        first_name: str = "Test",
        chat_id: int | None = None,
        chat_type: str | None = None,
        username: str | None = None,
    ) -> int:
        """Queue a text message from a user; returns its update_id.

        A leading ``/command`` (optionally ``@botname``) gets a ``bot_command`` entity. The chat is
        the user's private chat unless ``chat_id`` names a group (negative id); ``chat_type``
        defaults to what the id implies (``-100…`` ids are supergroups).
        """
        payload: JSONDict = {"text": text}
        command = _USER_COMMAND_RE.match(text)
        if command:
            payload["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
        return self.user_update(
            user_id,
            payload,
            language_code=language_code,
            first_name=first_name,
            chat_id=chat_id,
            chat_type=chat_type,
            username=username,
        )

    def user_update(
        self,
        user_id: int,
        payload: JSONDict,
        *,
        language_code: str | None = "en",
        first_name: str = "Test",
        chat_id: int | None = None,
        chat_type: str | None = None,
        username: str | None = None,
    ) -> int:
        """Queue a message from a user with ``payload`` merged into the Message dict.

        Use it for messages without text, e.g. ``{"sticker": {...}}``. Writing in a private chat
        that blocked the bot unblocks it first, as Telegram's "Restart" button does.
        Returns the update_id.
        """
        chat_id = user_id if chat_id is None else chat_id
        if chat_type is None:
            chat_type = "private" if chat_id > 0 else _group_type(chat_id)
        private = chat_type == "private"
        if (private and chat_id != user_id) or (not private and chat_id > 0):
            raise ValueError(f"chat {chat_id} cannot be of type {chat_type!r} for user {user_id}")
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self._users[user_id] = user
        chat = self._chat(chat_id, chat_type)
        if chat_type == "private":
            chat.info = {"id": chat_id, "type": "private", "first_name": first_name}
            if username is not None:
                chat.info["username"] = username
            if chat.blocked:
                self.set_blocked(chat_id, False)
        chat.user = user
        message_id = chat.next_message_id
        chat.next_message_id += 1
        date = int(time.time())
        text = payload.get("text", "")
        chat.messages[message_id] = SentMessage(
            message_id=message_id,
            chat_id=chat_id,
            html=text,
            text=text,
            entities=payload.get("entities", []),
            reply_markup=None,
            disable_notification=False,
            from_bot=False,
            date=date,
        )
        message = {
            "message_id": message_id,
            "from": user,
            "chat": chat.info,
            "date": date,
            **payload,
        }
        return self._push_update("message", message)

    def user_document(self, user_id: int, file_name: str, data: bytes, *,
                      mime_type: str = "application/octet-stream", **options: Any) -> int:
        """Queue a message in which the user sends a file (a document); returns the update_id.

        The file is stored like an upload, so the bot can fetch it with getFile and download it.
        """
        stored = self._store_upload(_Upload(file_name, mime_type, data))
        return self.user_update(user_id, {"document": stored.document()}, **options)

    def press_button(
        self,
        user_id: int,
        message_id: int,
        data: str,
        *,
        chat_id: int | None = None,
        language_code: str | None = "en",
    ) -> str:
        """Queue a callback_query for a bot message; returns the callback_query id.

        ``data`` is sent as given, whether or not a button carries it. Raises ``KeyError`` if
        the chat has no such (undeleted) bot message.
        """
        chat_id = user_id if chat_id is None else chat_id
        chat = self._chats.get(chat_id)
        message = chat.messages.get(message_id) if chat else None
        if chat is None or message is None or message.deleted or not message.from_bot:
            raise KeyError(f"no bot message {message_id} in chat {chat_id}")
        user = dict(self._users.get(user_id) or _default_user(user_id))
        user.pop("language_code", None)
        if language_code is not None:
            user["language_code"] = language_code
        query_id = str(self._next_callback_id)
        self._next_callback_id += 1
        self._open_callbacks.add(query_id)
        self._push_update(
            "callback_query",
            {
                "id": query_id,
                "from": user,
                "chat_instance": str(chat_id),
                "message": self._message_dict(message, chat),
                "data": data,
            },
        )
        return query_id

    def set_blocked(self, chat_id: int, blocked: bool = True) -> None:
        """Make the chat block (or unblock) the bot, queueing the my_chat_member update.

        While blocked, sends and chat actions to the chat get 403. No-op if unchanged.
        """
        chat = self._chat(chat_id)
        if chat.blocked == blocked:
            return
        chat.blocked = blocked
        statuses: list[JSONDict] = [{"status": "member"}, {"status": "kicked", "until_date": 0}]
        old, new = statuses if blocked else statuses[::-1]
        self._push_update(
            "my_chat_member",
            {
                "chat": chat.info,
                "from": chat.user,
                "date": int(time.time()),
                "old_chat_member": {"user": self.bot_user, **old},
                "new_chat_member": {"user": self.bot_user, **new},
            },
        )

    def fail(self, method: str, code: int, times: int = 1, description: str | None = None) -> None:
        """Answer the next ``times`` calls of ``method`` with the error ``code`` (4xx or 5xx).

        ``times=0`` stops failing. The description defaults to the status's reason phrase
        (``Unauthorized``, ``Internal Server Error``, ``Bad Gateway``...), as Telegram sends it.
        """
        if not method:
            raise ValueError("fail: no method given")
        if not 400 <= code <= 599:
            raise ValueError(f"fail: {code} is not an HTTP error code")
        if times <= 0:
            self._faults.pop(method.lower(), None)
            return
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        self._faults[method.lower()] = _Fault(code, description or phrase, times)

    def set_group_admins(self, chat_id: int, user_ids: Iterable[int]) -> None:
        """Who runs the group: getChatMember reports them as its owner, everyone else as a member."""
        self._chat(chat_id).admins = set(user_ids)

    def migrate_group(self, group_id: int, supergroup_id: int) -> None:
        """The group became a supergroup with a new id: sends to the old id get Telegram's 400 with
        ``migrate_to_chat_id``; the new chat is known and can be sent to."""
        self._chat(group_id).migrated_to = supergroup_id
        self._chat(supergroup_id, "supergroup")

    def add_chats(self, chat_ids: Iterable[int]) -> None:
        """Make chats known without a user writing first (e.g. a benchmark's audience).

        Positive ids become private chats, negative ones groups (``-100…`` supergroups).
        """
        for chat_id in chat_ids:
            self._chat(chat_id)

    # ---- observation -----------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in the chat, oldest first, deleted ones included (flagged)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [m for m in chat.messages.values() if m.from_bot]

    def last_message(self, chat_id: int) -> SentMessage | None:
        """The bot's most recent message in the chat (possibly deleted), or ``None``."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return None
        return next((m for m in reversed(chat.messages.values()) if m.from_bot), None)

    def subscribe(self) -> asyncio.Queue[tuple[str, SentMessage]]:
        """A queue receiving ``("new" | "edit" | "delete", message)`` for every bot message."""
        queue: asyncio.Queue[tuple[str, SentMessage]] = asyncio.Queue()
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[tuple[str, SentMessage]]) -> None:
        """Stop feeding a queue returned by :meth:`subscribe`."""
        self._subscribers.remove(queue)

    @property
    def last_update_id(self) -> int:
        """The update_id of the most recently queued update (0 before the first)."""
        return self._next_update_id - 1

    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        return len(self._updates)

    def stats(self) -> JSONDict:
        """Counters: sent_count, rejected_429, rejected_403, pending_updates."""
        return {
            "sent_count": self.sent_count,
            "rejected_429": self.rejected_429,
            "rejected_403": self.rejected_403,
            "pending_updates": self.pending_updates(),
        }

    # ---- internals -------------------------------------------------------------------------

    def _chat(self, chat_id: int, chat_type: str | None = None) -> _Chat:
        """The chat with that id, created (private if positive, else a group) if unknown."""
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat
        if chat_id > 0:
            info: JSONDict = {"id": chat_id, "type": "private", "first_name": "Test"}
            rate = self._per_chat_rate
            bucket = _TokenBucket(rate, rate) if rate else None
            user = self._users.get(chat_id) or _default_user(chat_id)
        else:
            info = {
                "id": chat_id,
                "type": chat_type or _group_type(chat_id),
                "title": f"Test group {-chat_id}",
            }
            per_minute = self._group_per_minute
            bucket = _TokenBucket(per_minute / 60, per_minute) if per_minute else None
            user = _default_user(1, "Group admin")
        chat = self._chats[chat_id] = _Chat(info=info, bucket=bucket, user=user)
        return chat

    def _push_update(self, kind: str, payload: JSONDict) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, kind: payload})
        self._wake_pollers()
        return update_id

    def _wake_pollers(self) -> None:
        for waiter in self._poll_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._poll_waiters.clear()

    def _publish(self, event: str, message: SentMessage) -> None:
        for queue in self._subscribers:
            queue.put_nowait((event, message))

    def _message_dict(self, message: SentMessage, chat: _Chat) -> JSONDict:
        result: JSONDict = {
            "message_id": message.message_id,
            "from": self.bot_user,
            "chat": chat.info,
            "date": message.date,
        }
        if message.edit_date is not None:
            result["edit_date"] = message.edit_date
        if message.document is not None:
            result["document"] = message.document
            text_key, entities_key = "caption", "caption_entities"
        else:
            text_key, entities_key = "text", "entities"
        if message.text:
            result[text_key] = message.text
        if message.entities:
            result[entities_key] = message.entities
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            result["reply_markup"] = message.reply_markup
        return result

    def _known_chat(self, params: JSONDict) -> _Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise _ApiError(400, _CHAT_NOT_FOUND)
        return chat

    def _reachable_chat(self, params: JSONDict) -> _Chat:
        """The target chat of a send; 400 if unknown, 403 if it blocked the bot."""
        chat = self._known_chat(params)
        if chat.blocked:
            self.rejected_403 += 1
            raise _ApiError(403, _BLOCKED)
        if chat.migrated_to is not None:
            raise _ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                            {"migrate_to_chat_id": chat.migrated_to})
        return chat

    def _take_send_slot(self, chat: _Chat) -> None:
        """Apply the flood limits to one send to ``chat`` (429 when over a limit)."""
        buckets = [b for b in (self._global_bucket, chat.bucket) if b is not None]
        if not buckets:
            return
        now = time.monotonic()
        wait = max(bucket.wait(now) for bucket in buckets)
        if wait > 0:
            self.rejected_429 += 1
            retry_after = max(1, math.ceil(wait))
            raise _ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        for bucket in buckets:
            bucket.take()

    def _new_bot_message(
        self,
        chat: _Chat,
        params: JSONDict,
        formatted: tuple[str, str, list[JSONDict]],
        markup: JSONDict | None,
        document: JSONDict | None = None,
    ) -> JSONDict:
        raw, text, entities = formatted
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message = SentMessage(
            message_id=message_id,
            chat_id=chat.info["id"],
            html=raw,
            text=text,
            entities=entities,
            reply_markup=markup,
            disable_notification=bool(params.get("disable_notification")),
            from_bot=True,
            date=int(time.time()),
            document=document,
        )
        chat.messages[message_id] = message
        self.sent_count += 1
        self._publish("new", message)
        return self._message_dict(message, chat)

    def _message_to_edit(self, params: JSONDict) -> tuple[_Chat, SentMessage]:
        chat = self._reachable_chat(params)
        message = chat.messages.get(_int(params, "message_id"))
        if message is None or message.deleted:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if not message.from_bot:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return chat, message

    def _apply_edit(self, chat: _Chat, message: SentMessage) -> JSONDict:
        message.edits += 1
        message.edit_date = int(time.time())
        self._publish("edit", message)
        return self._message_dict(message, chat)

    # ---- Bot API methods -------------------------------------------------------------------

    async def _true(self, params: JSONDict) -> bool:
        return True

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _set_webhook(self, params: JSONDict) -> bool:
        self._webhook_url = _str(params, "url")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: JSONDict) -> bool:
        self._webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self._webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active;"
                " use deleteWebhook to delete the webhook first",
            )
        offset = _int(params, "offset", 0)
        limit = min(max(_int(params, "limit", 100), 1), 100)
        timeout = _float(params, "timeout", 0.0)
        updates = self._updates
        if offset > 0:
            while updates and updates[0]["update_id"] < offset:
                updates.popleft()
        elif offset < 0:
            while len(updates) > -offset:
                updates.popleft()
        if not updates and timeout > 0 and self._running:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._poll_waiters.add(waiter)
            try:
                await asyncio.wait_for(waiter, timeout)
            except TimeoutError:
                pass
            finally:
                self._poll_waiters.discard(waiter)
        return list(islice(updates, limit))

    async def _send_message(self, params: JSONDict) -> JSONDict:
        chat = self._reachable_chat(params)
        formatted = _message_text(params)
        markup = _validate_markup(params.get("reply_markup"))
        self._take_send_slot(chat)
        return self._new_bot_message(chat, params, formatted, markup)

    async def _send_document(self, params: JSONDict) -> JSONDict:
        chat = self._reachable_chat(params)
        formatted = _formatted(params, "caption", "caption_entities")
        if len(formatted[1]) > MAX_CAPTION_LENGTH:
            raise _ApiError(400, "Bad Request: message caption is too long")
        markup = _validate_markup(params.get("reply_markup"))
        source = self._document_source(params)
        self._take_send_slot(chat)
        stored = source if isinstance(source, _StoredFile) else self._store_upload(source)
        return self._new_bot_message(chat, params, formatted, markup, stored.document())

    def _document_source(self, params: JSONDict) -> _StoredFile | _Upload:
        """The ``document`` parameter: a new upload, or the file_id of a stored file."""
        document = params.get("document")
        if isinstance(document, _Upload):
            if not document.data:
                raise _ApiError(400, "Bad Request: file must be non-empty")
            return document
        stored = self._files.get(_str(params, "document"))
        if stored is None:
            raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return stored

    def _store_upload(self, upload: _Upload) -> _StoredFile:
        number = len(self._files) // 2 + 1
        stored = _StoredFile(
            file_id=f"BQACAgIAAx{number:08d}",
            file_unique_id=f"AgAD{number:08d}",
            file_path=f"documents/file_{number}",
            file_name=upload.filename,
            mime_type=upload.content_type,
            data=upload.data,
        )
        self._files[stored.file_id] = self._files[stored.file_path] = stored
        return stored

    async def _get_file(self, params: JSONDict) -> JSONDict:
        stored = self._files.get(_str(params, "file_id"))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _edit_message_text(self, params: JSONDict) -> JSONDict:
        chat, message = self._message_to_edit(params)
        if message.document is not None:
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        raw, text, entities = _message_text(params)
        markup = _validate_markup(params.get("reply_markup"))
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise _ApiError(400, _NOT_MODIFIED)
        self._take_send_slot(chat)
        message.html, message.text, message.entities = raw, text, entities
        message.reply_markup = markup
        return self._apply_edit(chat, message)

    async def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        chat, message = self._message_to_edit(params)
        markup = _validate_markup(params.get("reply_markup"))
        if markup == message.reply_markup:
            raise _ApiError(400, _NOT_MODIFIED)
        self._take_send_slot(chat)
        message.reply_markup = markup
        return self._apply_edit(chat, message)

    async def _delete_message(self, params: JSONDict) -> bool:
        chat = self._known_chat(params)
        message = chat.messages.get(_int(params, "message_id"))
        if message is None or message.deleted:
            raise _ApiError(400, "Bad Request: message to delete not found")
        message.deleted = True
        if message.from_bot:
            self._publish("delete", message)
        return True

    async def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = _str(params, "callback_query_id")
        if query_id not in self._open_callbacks:
            raise _ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._open_callbacks.discard(query_id)
        self.callback_answers[query_id] = params
        return True

    @staticmethod
    def _commands_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise _ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        return scope["type"], _str(params, "language_code")

    async def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or not all(isinstance(c, dict) for c in commands):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise _ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        if commands:
            self.commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return self.commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: JSONDict) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _send_chat_action(self, params: JSONDict) -> bool:
        self._reachable_chat(params)
        if not _str(params, "action"):
            raise _ApiError(400, "Bad Request: action is empty")
        return True

    async def _get_chat_member(self, params: JSONDict) -> JSONDict:
        chat = self._known_chat(params)
        user_id = _int(params, "user_id")
        user = self._users.get(user_id) or _default_user(user_id)
        if chat.info["type"] == "private":
            return {"status": "member", "user": user}
        if user_id in chat.admins:
            return {"status": "creator", "user": user, "is_anonymous": False}
        return {"status": "member", "user": user}

    async def _get_chat(self, params: JSONDict) -> JSONDict:
        chat = self._known_chat(params)
        return {
            **chat.info,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    # ---- HTTP handlers ---------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        try:
            params = await _read_params(request)
        except _ApiError as exc:
            return exc.response()
        self.calls.append((name, params))
        if self._latency:
            await asyncio.sleep(self._latency)
        fault = self._faults.get(name.lower())
        if fault is not None:
            fault.times -= 1
            if fault.times <= 0:
                del self._faults[name.lower()]
            return _ApiError(fault.code, fault.description).response()
        method = self._methods.get(name.lower())
        if method is None:
            return _ApiError(404, "Not Found").response()
        try:
            return _ok(await method(params))
        except _ApiError as exc:
            return exc.response()

    async def _handle_file(self, request: web.Request) -> web.Response:
        if self._latency:
            await asyncio.sleep(self._latency)
        stored = self._files.get(request.match_info["path"])
        if stored is None:
            return _ApiError(404, "Not Found").response()
        return web.Response(body=stored.data, content_type=stored.mime_type)

    async def _control_message(self, request: web.Request) -> web.Response:
        try:
            params = await _read_params(request)
            language = params.get("language_code", "en")
            return _ok(
                self.user_message(_int(params, "user_id"), _str(params, "text"), language_code=language)
            )
        except _ApiError as exc:
            return exc.response()

    async def _control_press(self, request: web.Request) -> web.Response:
        try:
            params = await _read_params(request)
            user_id, message_id = _int(params, "user_id"), _int(params, "message_id")
            return _ok(self.press_button(user_id, message_id, _str(params, "data")))
        except KeyError as exc:
            return _ApiError(400, f"Bad Request: {exc.args[0]}").response()
        except _ApiError as exc:
            return exc.response()

    async def _control_block(self, request: web.Request) -> web.Response:
        try:
            params = await _read_params(request)
            self.set_blocked(_int(params, "chat_id"), bool(params.get("blocked", True)))
            return _ok(True)
        except _ApiError as exc:
            return exc.response()

    async def _control_messages(self, request: web.Request) -> web.Response:
        try:
            chat_id = _int(await _read_params(request), "chat_id")
        except _ApiError as exc:
            return exc.response()
        return web.json_response([asdict(m) for m in self.messages(chat_id)])

    async def _control_stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats())

    async def _control_fail(self, request: web.Request) -> web.Response:
        try:
            params = await _read_params(request)
            code, times = int(_str(params, "code")), int(_str(params, "times") or 1)
            self.fail(_str(params, "method"), code, times, _str(params, "description") or None)
            return _ok(True)
        except ValueError as exc:
            return _ApiError(400, f"Bad Request: {exc}").response()
        except _ApiError as exc:
            return exc.response()


# --------------------------------------------------------------------------------------------
# Standalone
# --------------------------------------------------------------------------------------------


async def _serve(api: LocalBotAPI) -> None:
    await api.start()
    print(api.base_url, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await api.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m bot.local_api``: serve until interrupted, printing the base URL first."""
    parser = argparse.ArgumentParser(description="Local stand-in for the Telegram Bot API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--rate", type=float, default=None, help="global sends per second")
    parser.add_argument("--per-chat-rate", type=float, default=None, help="sends/s per private chat")
    parser.add_argument("--group-per-minute", type=int, default=None, help="sends/min per group")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument("--bot-username", default="campaign_tryout_bot")
    args = parser.parse_args(argv)
    api = LocalBotAPI(
        host=args.host,
        port=args.port,
        bot_username=args.bot_username,
        rate_limit=args.rate,
        per_chat_rate=args.per_chat_rate,
        group_per_minute=args.group_per_minute,
        latency=args.latency,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(api))


if __name__ == "__main__":
    main()
