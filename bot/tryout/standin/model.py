"""What the stand-in keeps: messages, chats, files, flood-limit buckets, faults, and its error answer."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from aiohttp import web

from bot.tryout.standin.html import JSONDict


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
    photo: list[JSONDict] | None = None  #: the PhotoSize objects of a sendPhoto message
    via_bot: JSONDict | None = None  #: the bot a user sent this message through (a chosen inline result)
    thread_id: int | None = None  #: the forum topic it is in (its ``message_thread_id``); None: General or no forum

    def buttons(self) -> list[JSONDict]:
        """The inline keyboard buttons, rows flattened; ``[]`` without an inline keyboard."""
        if not self.reply_markup:
            return []
        return [button for row in self.reply_markup.get("inline_keyboard", ()) for button in row]


class ApiError(Exception):
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
class Fault:
    """An injected error (see :meth:`LocalBotAPI.fail`): ``code`` for the next ``times`` calls."""

    code: int
    description: str
    times: int
    retry_after: int | None = None  # for a 429: Telegram's ``parameters.retry_after``


class TokenBucket:
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
class Chat:
    info: JSONDict  #: the Chat object
    bucket: TokenBucket | None
    user: JSONDict  #: the user a my_chat_member update about this chat comes from
    messages: dict[int, SentMessage] = field(default_factory=dict)
    next_message_id: int = 1
    blocked: bool = False
    migrated_to: int | None = None  #: a group that became this supergroup: sends get 400 with its id


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str
    mime_type: str
    data: bytes = field(repr=False)
    width: int = 0  #: a photo's (0: a document)
    height: int = 0

    def photo(self) -> list[JSONDict]:
        """The PhotoSize objects of a message carrying this photo: one, the photo as uploaded."""
        return [{"file_id": self.file_id, "file_unique_id": self.file_unique_id, "width": self.width,
                 "height": self.height, "file_size": len(self.data)}]

    def document(self) -> JSONDict:
        """The Document object of a message carrying this file."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": len(self.data),
        }


