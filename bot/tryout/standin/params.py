"""A Bot API request's parameters: read (query, form, JSON or multipart), typed and validated as Telegram does."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.tryout.standin.html import HTMLParseError, JSONDict, parse_html, trim, utf16_len
from bot.tryout.standin.model import ApiError, Upload

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_COPY_TEXT_LENGTH = 256
"""CopyTextButton.text: "the text to be copied to the clipboard; 1-256 characters"."""
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
"""getFile's limit: "bots can download files of up to 20MB in size"; a bigger one gets "file is too big"."""

INT_FIELDS = frozenset(
    {"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "message_thread_id", "cache_time"}
)
BOOL_FIELDS = frozenset(
    {"disable_notification", "show_alert", "protect_content", "drop_pending_updates", "blocked", "is_personal"}
)
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "scope",
        "allowed_updates",
        "results",
        "button",
    }
)
BUTTON_ACTIONS = frozenset(
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
MARKUP_KINDS = ("inline_keyboard", "keyboard", "remove_keyboard", "force_reply")
COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
USER_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
BLOCKED = "Forbidden: bot was blocked by the user"
CHAT_NOT_FOUND = "Bad Request: chat not found"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)





async def read_params(request: web.Request) -> JSONDict:
    """Query string plus JSON, urlencoded or multipart body, normalized (see ``normalize``)."""
    raw: JSONDict = dict(request.query)
    if request.method == "POST" and request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON request body must be an object")
            raw.update(body)
        else:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    raw[key] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    raw[key] = value
    return normalize(raw)


def normalize(raw: Mapping[str, Any]) -> JSONDict:
    """Turn form strings into the values a JSON body would carry.

    PTB sends every parameter as a string (nested objects JSON-encoded), so known integer,
    boolean and object fields are converted; everything else is left as given.
    """
    params: JSONDict = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if key in JSON_FIELDS:
                try:
                    value = json.loads(value)
                except ValueError:
                    raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
            elif key in INT_FIELDS and value.lstrip("-").isdigit():
                value = int(value)
            elif key in BOOL_FIELDS:
                value = value.strip().lower() in ("true", "1")
        params[key] = value
    return params


def int_param(params: JSONDict, name: str, default: int | None = None) -> int:
    """An integer parameter; required unless ``default`` is given."""
    value = params.get(name)
    if value is None or value == "":
        if default is None:
            raise ApiError(400, f"Bad Request: {name} is empty")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiError(400, f"Bad Request: invalid {name} specified")
    return int(value)


def float_param(params: JSONDict, name: str, default: float) -> float:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {name} specified") from None


def str_param(params: JSONDict, name: str) -> str:
    value = params.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def validate_markup(markup: Any) -> JSONDict | None:
    """Check reply_markup like Telegram; an inline keyboard without buttons counts as none."""
    if markup is None:
        return None
    if not isinstance(markup, dict) or not any(kind in markup for kind in MARKUP_KINDS):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for kind in ("inline_keyboard", "keyboard"):
        rows = markup.get(kind)
        if rows is not None and (
            not isinstance(rows, list) or not all(isinstance(row, list) for row in rows)
        ):
            raise ApiError(400, f'Bad Request: field "{kind}" must be an Array of Arrays')
    if "inline_keyboard" not in markup:
        return markup
    buttons = [button for row in markup["inline_keyboard"] for button in row]
    for button in buttons:
        validate_button(button)
    return markup if buttons else None


def validate_button(button: Any) -> None:
    prefix = "Bad Request: can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise ApiError(400, prefix + "InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise ApiError(400, prefix + 'Field "text" must be of type String')
    if not text.strip():
        raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
    if not BUTTON_ACTIONS.intersection(button):
        raise ApiError(400, prefix + "Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if (
            not isinstance(data, str)
            or not 1 <= len(data.encode("utf-8", "surrogatepass")) <= MAX_CALLBACK_DATA_BYTES
        ):
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not valid_button_url(url):
            raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
    if "copy_text" in button:
        validate_copy_text(button["copy_text"])


def validate_copy_text(copy_text: Any) -> None:
    """A copy button's CopyTextButton: an object whose `text` has 1 to 256 characters (the wording of the length
    refusal is the stand-in's: Telegram documents the limit, not its error)."""
    prefix = "Bad Request: can't parse inline keyboard button: "
    if not isinstance(copy_text, dict):
        raise ApiError(400, prefix + 'Field "copy_text" must be of type Object')
    text = copy_text.get("text")
    if not isinstance(text, str):
        raise ApiError(400, prefix + 'Field "text" must be of type String')
    if not 1 <= utf16_len(text) <= MAX_COPY_TEXT_LENGTH:
        raise ApiError(400, "Bad Request: COPY_TEXT_INVALID")


def valid_button_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme in ("http", "https"):
        return bool(parts.hostname) and " " not in url
    return parts.scheme == "tg" and len(url) > len("tg://")


def explicit_entities(value: Any) -> list[JSONDict]:
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
        raise ApiError(400, "Bad Request: can't parse entities JSON object")
    return [dict(e) for e in value if e["length"] > 0]


def formatted_param(params: JSONDict, text_key: str, entities_key: str) -> tuple[str, str, list[JSONDict]]:
    """(raw text, parsed and trimmed text, entities) of a text or caption parameter."""
    raw = str_param(params, text_key)
    parse_mode = str_param(params, "parse_mode")
    if parse_mode.lower() == "html":
        try:
            text, entities = parse_html(raw)
        except HTMLParseError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    elif parse_mode:
        raise ApiError(400, f'Bad Request: unsupported parse_mode "{parse_mode}" (the stand-in knows HTML)')
    else:
        text, entities = raw, explicit_entities(params.get(entities_key))
    text, entities = trim(text, entities)
    return raw, text, entities


def message_text(params: JSONDict) -> tuple[str, str, list[JSONDict]]:
    raw, text, entities = formatted_param(params, "text", "entities")
    if not text:
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise ApiError(400, "Bad Request: message is too long")
    return raw, text, entities


def group_type(chat_id: int) -> str:
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def default_user(user_id: int, first_name: str = "Test") -> JSONDict:
    return {"id": user_id, "is_bot": False, "first_name": first_name}


def ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


