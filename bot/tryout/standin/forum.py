"""Forum supergroups in the stand-in: topics, and the `message_thread_id` of what is sent into them.

As Telegram documents it: a forum is a supergroup with ``is_forum``; a topic is named by the id of the
service message that created it (``forum_topic_created``), its ``message_thread_id``. A message in a topic
carries ``message_thread_id`` and ``is_topic_message``; one in the General topic carries neither. A send
with ``message_thread_id`` goes into that topic; an unknown or deleted topic (or any thread outside a forum)
gets 400 "Bad Request: message thread not found", a closed one 400 "Bad Request: TOPIC_CLOSED" (the bot is
not one of the admins who may still post there). Deleting a topic deletes its messages; closing, reopening
and creating one post the service message Telegram posts.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.tryout.standin.html import JSONDict
from bot.tryout.standin.model import ApiError, Chat

THREAD_NOT_FOUND = "Bad Request: message thread not found"
TOPIC_CLOSED = "Bad Request: TOPIC_CLOSED"
ICON_COLOR = 0x6FB9F0


@dataclass(slots=True)
class Topic:
    name: str
    closed: bool = False
    deleted: bool = False


class Forums:
    """The topics of every forum the stand-in knows, by chat id and ``message_thread_id``."""

    def __init__(self) -> None:
        self._topics: dict[int, dict[int, Topic]] = {}

    def make_forum(self, chat: Chat) -> None:
        if chat.info["type"] != "supergroup":
            raise ValueError(f"chat {chat.info['id']} is a {chat.info['type']}: only a supergroup can be a forum")
        chat.info["is_forum"] = True
        self._topics.setdefault(chat.info["id"], {})

    def create(self, chat: Chat, thread_id: int, name: str) -> JSONDict:
        """A new topic named by its creation message ``thread_id``; returns that service message's own field."""
        if not chat.info.get("is_forum"):
            raise ValueError(f"chat {chat.info['id']} is not a forum")
        if not 1 <= len(name) <= 128:
            raise ValueError("a topic's name has 1 to 128 characters")
        self._topics[chat.info["id"]][thread_id] = Topic(name)
        return {"forum_topic_created": {"name": name, "icon_color": ICON_COLOR}}

    def topic(self, chat: Chat, thread_id: int) -> Topic:
        """A topic users can still see (``ValueError`` if there is none, or it was deleted)."""
        topic = self._topics.get(chat.info["id"], {}).get(thread_id)
        if topic is None or topic.deleted:
            raise ValueError(f"chat {chat.info['id']} has no topic {thread_id}")
        return topic

    def thread_of_send(self, chat: Chat, params: JSONDict) -> int | None:
        """The topic a send goes into (None: the chat itself, or a forum's General topic); 400 as Telegram."""
        thread_id = params.get("message_thread_id")
        if thread_id is None or thread_id == "":
            return None
        if isinstance(thread_id, bool) or not isinstance(thread_id, int):
            raise ApiError(400, "Bad Request: invalid message_thread_id specified")
        topic = self._topics.get(chat.info["id"], {}).get(thread_id) if chat.info.get("is_forum") else None
        if topic is None or topic.deleted:
            raise ApiError(400, THREAD_NOT_FOUND)
        if topic.closed:
            raise ApiError(400, TOPIC_CLOSED)
        return thread_id


def in_topic(thread_id: int | None) -> JSONDict:
    """The fields of a Message in a forum topic (none for the General topic or outside a forum)."""
    return {} if thread_id is None else {"message_thread_id": thread_id, "is_topic_message": True}
