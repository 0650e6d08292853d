"""Updates besides a new message in a chat with the bot: a user's edit of a message they sent (``edited_message``),
and a channel's posts and their edits (``channel_post``, ``edited_channel_post``).

Telegram sends these kinds only to a bot that names them in ``allowed_updates``, and to any bot for updates
created before it last set that list (the Bot API's note on getUpdates). The stand-in queues them whatever the
bot asked for, so that a test can show what a bot does when one arrives anyway.
"""

from __future__ import annotations

import time

from bot.tryout.standin.forum import in_topic
from bot.tryout.standin.html import JSONDict
from bot.tryout.standin.model import SentMessage
from bot.tryout.standin.params import USER_COMMAND_RE


def text_fields(text: str) -> JSONDict:
    """``text``, with the ``bot_command`` entity Telegram marks a leading ``/command`` with."""
    fields: JSONDict = {"text": text}
    command = USER_COMMAND_RE.match(text)
    if command:
        fields["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
    return fields


def post(chat_id: int, message_id: int, text: str) -> SentMessage:
    """A channel's new post, as the stand-in keeps it."""
    fields = text_fields(text)
    return SentMessage(message_id=message_id, chat_id=chat_id, html=text, text=text,
                       entities=fields.get("entities", []), reply_markup=None, disable_notification=False,
                       from_bot=False, date=int(time.time()))


def edit(message: SentMessage, text: str) -> None:
    """Keep a user's (or a channel's) edit in the stand-in's record of the message."""
    message.html = message.text = text
    message.entities = text_fields(text).get("entities", [])
    message.edits += 1
    message.edit_date = int(time.time())


def edited_message(message: SentMessage, user: JSONDict, chat: JSONDict) -> JSONDict:
    """The Message object of an ``edited_message`` update: the message as it is now, with its ``edit_date``."""
    return {"message_id": message.message_id, "from": user, "chat": chat, "date": message.date,
            "edit_date": message.edit_date, **in_topic(message.thread_id), **text_fields(message.text)}


def channel_post(message: SentMessage, channel: JSONDict) -> JSONDict:
    """The Message object of a ``channel_post`` (or, edited, ``edited_channel_post``): no ``from``, the channel
    as ``sender_chat``."""
    post: JSONDict = {"message_id": message.message_id, "sender_chat": channel, "chat": channel,
                      "date": message.date, **text_fields(message.text)}
    if message.edit_date is not None:
        post["edit_date"] = message.edit_date
    return post
