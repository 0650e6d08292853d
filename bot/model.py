"""The bot's vocabulary: chats and what they follow, the campaign's updates, broadcasts and their deliveries.

Plain records and the words they use, with no storage and no Telegram in them: the store persists them
(bot/store/), the publisher and the sender act on them (bot/publishing.py, bot/broadcast.py), and the
screens show them (bot/render/). The content (cases, topics, sources) has its own model in bot/content.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

# --- chats ----------------------------------------------------------------------------------------------

ALL = "all"
"""The subscription to every update, general ones included."""


@dataclass(frozen=True)
class ChatRecord:
    """What the bot holds about one subscriber, and nothing more: a member's private chat, a group, or one
    forum topic of a supergroup.

    A subscriber is a chat and, in a forum, a topic: `thread_id` is the topic's `message_thread_id`, None
    for the chat itself (a private chat, a plain group, a forum's General topic). Each topic has its own
    language, subscriptions and quiet flag, and its updates are sent into it.

    It exists only once a subscriber has made a choice the bot must remember: a language, a subscription,
    quiet delivery. `chose_language`: picked with /language; if not, the language follows the one the
    member's Telegram app reports. `active`: false once the chat blocked the bot or removed it from the
    group (it holds for the chat and all its topics). The days are day precision on purpose, so that the
    record does not log when people use the bot.
    """

    chat_id: int
    language: str
    quiet: bool = False
    subscriptions: tuple[str, ...] = ()  # ALL or case ids
    active: bool = True
    created: str = ""
    updated: str = ""
    chose_language: bool = False
    thread_id: int | None = None

    def follows(self, topic: str) -> bool:
        """Whether an update about `topic` (a case id, or GENERAL) reaches this chat."""
        return ALL in self.subscriptions or topic in self.subscriptions


@dataclass(frozen=True)
class Recipient:
    """A subscriber that an update reaches: a chat, or (`thread_id`) one forum topic of it."""

    chat_id: int
    language: str
    quiet: bool
    thread_id: int | None = None


@dataclass(frozen=True)
class ChatStats:
    chats: int
    active: int
    by_language: dict[str, int]
    by_subscription: dict[str, int]
    subscribed_by_language: dict[str, int]


# --- the campaign's updates -------------------------------------------------------------------------------

GENERAL = "general"
"""The topic of an update that is about no one case (it reaches those who follow ALL)."""


@dataclass(frozen=True)
class CampaignUpdate:
    """One update an admin published (not Telegram's `Update`): its topic, a text per language, its days."""

    id: int
    topic: str
    texts: dict[str, str]
    published: str
    corrected: str | None = None


# --- broadcasts ---------------------------------------------------------------------------------------------

SEND, EDIT = "send", "edit"
"""A broadcast sends a new message, or edits the messages an earlier broadcast delivered."""

RUNNING, DONE, CANCELLED = "running", "done", "cancelled"
"""A broadcast's state: cancelled by an admin, what was not sent stays pending."""

PENDING, SENDING, SENT, FAILED, BLOCKED, UNKNOWN = "pending", "sending", "sent", "failed", "blocked", "unknown"
"""A delivery goes `pending` → `sending` (claimed, durably, before the send) → `sent`, `failed`, `blocked` (the
chat blocked the bot) or `unknown` (a timeout: Telegram may have delivered it, so it is not sent again)."""
FORGOTTEN = "forgotten"
"""A delivery whose chat asked the bot to forget it: no chat id, and not sent if it was still pending."""
FINAL = frozenset({SENT, FAILED, BLOCKED, UNKNOWN, FORGOTTEN})
SENT_AGAIN = "again"
"""Not a status: in a broadcast's counts, the deliveries sent a second time because Telegram did not answer the
first send in time (`unknown`). Their members may have the update twice."""

RETENTION_DAYS = 30
"""Days a broadcast keeps who got it (for corrections); then only its totals stay."""


@dataclass(frozen=True)
class Broadcast:
    id: int
    kind: str  # SEND or EDIT
    update_id: int
    topic: str
    state: str
    total: int
    created: str
    admin_chat: int
    progress_message: int | None  # the admin's message that shows the progress
    source: int | None = None  # for an edit: the broadcast whose messages it edits
    paused_until: str | None = None  # Telegram asked for a long flood wait: no sends before this (ISO, UTC)


@dataclass(frozen=True)
class Target:
    """One recipient as a broadcast is created: for an edit, `message_id` is the message to edit; `thread_id`
    is the forum topic it is sent into (None: the chat itself)."""

    chat_id: int
    language: str
    quiet: bool
    message_id: int | None = None
    thread_id: int | None = None


@dataclass(frozen=True)
class Delivery:
    broadcast: int
    seq: int
    chat_id: int
    language: str
    quiet: bool
    status: str
    message_id: int | None  # of the message sent, or (for an edit) of the message to edit
    thread_id: int | None = None  # the forum topic it goes into (None: the chat itself)


@dataclass(frozen=True)
class Result:
    """The fate of one delivery; `chat_id` is set when the chat moved (a group became a supergroup)."""

    seq: int
    status: str
    message_id: int | None = None
    chat_id: int | None = None


@dataclass(frozen=True)
class Outgoing:
    """What one language's recipients of a broadcast get: the text (Telegram HTML) and its keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def summary(counts: Counter[str]) -> dict[str, int]:
    """Counts by outcome for reports: delivered, failed, blocked, unknown and pending (in flight included), and
    how many were sent again after a timeout (`SENT_AGAIN`)."""
    return {"sent": counts[SENT], "failed": counts[FAILED], "blocked": counts[BLOCKED],
            "unknown": counts[UNKNOWN], "pending": counts[PENDING] + counts[SENDING], "again": counts[SENT_AGAIN]}
