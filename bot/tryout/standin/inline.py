"""Inline mode in the stand-in: a user's ``@bot query`` (an ``inline_query`` update) and the bot's answer.

``answerInlineQuery`` is checked as Telegram checks it: an open query (answered at most once), at most 50
results with unique ids of 1-64 bytes, each result's message content parsed like ``sendMessage`` (parse mode,
4096 characters), its keyboard an inline one, ``next_offset`` at most 64 bytes; ``cache_time`` (300 by default)
and ``is_personal`` are kept with the answer. Only ``article`` results with a text message are implemented; other
result types Telegram knows are refused with a message saying so.

Telegram may serve a cached answer instead of asking the bot again (``cache_time``); the stand-in always asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.tryout.standin.html import JSONDict
from bot.tryout.standin.model import ApiError
from bot.tryout.standin.params import (
    MAX_TEXT_LENGTH,
    formatted_param,
    int_param,
    str_param,
    validate_markup,
)

MAX_QUERY_LENGTH = 256
"""Characters of the text after ``@bot``: Telegram sends no more."""
MAX_RESULTS = 50
MAX_ID_BYTES = 64
DEFAULT_CACHE_TIME = 300
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
RESULT_TYPES = frozenset({"article", "photo", "gif", "mpeg4_gif", "video", "audio", "voice", "document",
                          "location", "venue", "contact", "game", "sticker"})
_CANT_PARSE = "Bad Request: can't parse inline query result: "


@dataclass(frozen=True, slots=True)
class InlineResult:
    """An article result as the user's message would carry it."""

    id: str
    title: str
    description: str
    html: str  #: the message text as the bot gave it
    text: str  #: parsed and trimmed, as Telegram stores it
    entities: list[JSONDict]
    reply_markup: JSONDict | None


@dataclass(frozen=True, slots=True)
class InlineAnswer:
    results: list[InlineResult]
    cache_time: int
    is_personal: bool
    next_offset: str

    def result(self, result_id: str) -> InlineResult:
        """The result with that id; ``KeyError`` if the answer has none."""
        for result in self.results:
            if result.id == result_id:
                return result
        raise KeyError(f"no result {result_id!r} in the answer")


@dataclass(frozen=True, slots=True)
class InlineQuery:
    query_id: str
    user: JSONDict
    query: str
    offset: str


class InlineMode:
    """The inline queries users sent and the bot's answers to them."""

    def __init__(self) -> None:
        self.queries: dict[str, InlineQuery] = {}
        self.answers: dict[str, InlineAnswer] = {}  #: by inline query id
        self._next_id = 1

    def query(self, user: JSONDict, text: str, offset: str = "", chat_type: str | None = "sender") -> JSONDict:
        """A new inline query from ``user``: the InlineQuery object of its update. ``chat_type`` is where it is
        typed (``sender``: the chat with the bot itself; ``private``, ``group``, ``supergroup``, ``channel``)."""
        if len(text) > MAX_QUERY_LENGTH:
            raise ValueError(f"an inline query has at most {MAX_QUERY_LENGTH} characters")
        query_id = str(self._next_id)
        self._next_id += 1
        self.queries[query_id] = InlineQuery(query_id, user, text, offset)
        update: JSONDict = {"id": query_id, "from": user, "query": text, "offset": offset}
        if chat_type is not None:
            update["chat_type"] = chat_type
        return update

    def chosen(self, user_id: int, query_id: str, result_id: str) -> InlineResult:
        """The result ``user_id`` picks from the answer to their query; ``KeyError`` if there is no such query,
        it was not theirs, it has no answer, or the answer has no such result."""
        query = self.queries.get(query_id)
        if query is None or query.user["id"] != user_id:
            raise KeyError(f"no inline query {query_id} from user {user_id}")
        answer = self.answers.get(query_id)
        if answer is None:
            raise KeyError(f"inline query {query_id} has no answer")
        return answer.result(result_id)

    async def answer(self, params: JSONDict) -> bool:
        """``answerInlineQuery``."""
        query_id = str_param(params, "inline_query_id")
        if query_id not in self.queries or query_id in self.answers:
            raise ApiError(400, QUERY_TOO_OLD)
        results = params.get("results")
        if not isinstance(results, list):
            raise ApiError(400, "Bad Request: can't parse inline query results JSON object")
        if len(results) > MAX_RESULTS:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        parsed = [_result(result) for result in results]
        if len({result.id for result in parsed}) < len(parsed):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        next_offset = str_param(params, "next_offset")
        if len(next_offset.encode("utf-8", "surrogatepass")) > MAX_ID_BYTES:
            raise ApiError(400, "Bad Request: NEXT_OFFSET_INVALID")
        cache_time = int_param(params, "cache_time", DEFAULT_CACHE_TIME)
        self.answers[query_id] = InlineAnswer(parsed, cache_time, bool(params.get("is_personal")), next_offset)
        return True


def _result(result: Any) -> InlineResult:
    if not isinstance(result, dict):
        raise ApiError(400, _CANT_PARSE + "InlineQueryResult must be an Object")
    for field in ("type", "id"):
        if not isinstance(result.get(field), str):
            raise ApiError(400, _CANT_PARSE + f'Can\'t find field "{field}"')
    if not 1 <= len(result["id"].encode("utf-8", "surrogatepass")) <= MAX_ID_BYTES:
        raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
    if result["type"] not in RESULT_TYPES:
        raise ApiError(400, "Bad Request: RESULT_TYPE_INVALID")
    if result["type"] != "article":
        raise ApiError(400, f'Bad Request: the stand-in implements "article" results only, not "{result["type"]}"')
    title = result.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ApiError(400, _CANT_PARSE + 'Can\'t find field "title"')
    content = result.get("input_message_content")
    if not isinstance(content, dict):
        raise ApiError(400, _CANT_PARSE + 'Can\'t find field "input_message_content"')
    if not isinstance(content.get("message_text"), str):
        raise ApiError(400, 'Bad Request: the stand-in implements text message content only ("message_text")')
    html, text, entities = formatted_param(content, "message_text", "entities")
    if not text:
        raise ApiError(400, "Bad Request: MESSAGE_EMPTY")
    if len(text) > MAX_TEXT_LENGTH:
        raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
    markup = validate_markup(result.get("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise ApiError(400, "Bad Request: REPLY_MARKUP_INVALID")
    description = result.get("description")
    return InlineResult(result["id"], title, description if isinstance(description, str) else "", html, text,
                        entities, markup)
