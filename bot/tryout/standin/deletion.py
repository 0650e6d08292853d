"""Deleting messages as Telegram documents it: ``deleteMessage`` and ``deleteMessages``.

* A message can be deleted only while it is less than 48 hours old, unless the bot runs the group (an administrator
  may delete any message there); otherwise Telegram answers 400 "message can't be deleted for everyone".
* ``deleteMessages`` takes 1-100 ids of one chat; those that are not found (never sent, or deleted already) are
  skipped, and if one that is found may not be deleted, the call fails and deletes nothing.
* :func:`age` moves a chat's messages back in time, so that a test can have a message older than 48 hours.
"""

from __future__ import annotations

import json
import time

from bot.tryout.standin.html import JSONDict
from bot.tryout.standin.model import ApiError, Chat, SentMessage
from bot.tryout.standin.params import int_param

WINDOW = 48 * 3600
"""Seconds a message stays deletable."""
MAX_IDS = 100
CANT_DELETE = "Bad Request: message can't be deleted for everyone"


def deletable(message: SentMessage, runs_the_group: bool, now: float | None = None) -> bool:
    return runs_the_group or (now if now is not None else time.time()) - message.date < WINDOW


def message_ids(params: JSONDict) -> list[int]:
    """``message_ids``: a JSON array of 1-100 message ids (a JSON-encoded string in a form body)."""
    raw = params.get("message_ids")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse message identifiers JSON object") from None
    if not isinstance(raw, list) or not raw:
        raise ApiError(400, "Bad Request: message identifiers are not specified")
    if len(raw) > MAX_IDS:
        raise ApiError(400, "Bad Request: too many message identifiers specified")
    if not all(isinstance(mid, int) and not isinstance(mid, bool) and mid > 0 for mid in raw):
        raise ApiError(400, "Bad Request: message identifiers must be positive integers")
    return list(raw)


def delete_one(chat: Chat, params: JSONDict, runs_the_group: bool) -> SentMessage:
    """``deleteMessage``: the message deleted; 400 when it is not there or too old."""
    message = chat.messages.get(int_param(params, "message_id"))
    if message is None or message.deleted:
        raise ApiError(400, "Bad Request: message to delete not found")
    if not deletable(message, runs_the_group):
        raise ApiError(400, CANT_DELETE)
    message.deleted = True
    return message


def delete_many(chat: Chat, params: JSONDict, runs_the_group: bool) -> list[SentMessage]:
    """``deleteMessages``: the messages deleted (those not found are skipped); 400, deleting none, when one is too
    old."""
    found = [m for mid in message_ids(params) if (m := chat.messages.get(mid)) is not None and not m.deleted]
    if not all(deletable(message, runs_the_group) for message in found):
        raise ApiError(400, CANT_DELETE)
    for message in found:
        message.deleted = True
    return found


def age(chat: Chat, seconds: float) -> None:
    """Every message of the chat was sent `seconds` earlier than it was (and edited as much earlier)."""
    for message in chat.messages.values():
        message.date -= int(seconds)
        if message.edit_date is not None:
            message.edit_date -= int(seconds)
