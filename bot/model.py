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

SEND, EDIT, RECALL = "send", "edit", "recall"
"""A broadcast sends a new message, edits the messages an earlier broadcast delivered, or recalls them (deleted
while Telegram lets a bot delete them, `RECALL_DELETE_HOURS`; older ones edited to a short "withdrawn" line)."""

DELETE_BATCH = 100
"""Message ids one `deleteMessages` call takes (Telegram's limit)."""
RECALL_DELETE_HOURS = 47
"""A recall deletes a message sent less than this many hours ago and edits an older one. Telegram lets a bot delete
its messages for 48 hours; the hour left over covers the time a recall takes and clocks that differ."""

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
    kind: str  # SEND, EDIT or RECALL
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
    sent_at: int | None = None  # when `message_id` was sent (Unix time), if known
    messages: tuple[tuple[int, int | None], ...] = ()  # a recall's: every message of the update in this chat, when sent


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
    sent_at: int | None = None  # when the message was sent (Unix time; None: sent by an older version, or not yet)
    messages: tuple[tuple[int, int | None], ...] = ()  # a recall's: (message id, sent at) of each message to withdraw


@dataclass(frozen=True)
class Result:
    """The fate of one delivery; `chat_id` is set when the chat moved (a group became a supergroup)."""

    seq: int
    status: str
    message_id: int | None = None
    chat_id: int | None = None
    sent_at: int | None = None  # a new message's send time (Unix time): a recall deletes it only within 48 hours


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


# --- publishing requests: scheduled, or waiting for a second admin's approval --------------------------------

PUSH, CORRECTION, CONTENT_CHANGE = "push", "correct", "content"
"""What a request asks for: a new update, a correction of one, a recall (`RECALL`) or a content file applied."""

SCHEDULED, AWAITING, PUBLISHED, WITHDRAWN, REJECTED = "scheduled", "awaiting", "published", "withdrawn", "rejected"
"""A request's state: `scheduled` (waits for its time), `awaiting` (a second admin's approval), then one of
`published` (carried out, once), `cancelled` (`CANCELLED`: a scheduled one, by an admin), `withdrawn` (by its author)
or `rejected` (by an admin, with a reason)."""
PREVIEWED = "previewed"
"""A draft shown to its author with Confirm (no approval needed): kept, so that its Confirm still works after a
restart, and is carried out once, as any request."""
OPEN = frozenset({SCHEDULED, AWAITING, PREVIEWED})


@dataclass(frozen=True)
class PublishRequest:
    """An admin's push, correction, recall or content change that is not carried out at once: it waits for its time
    or for another admin's approval. Its id makes every action on it idempotent: it is carried out at most once."""

    id: int
    action: str  # PUSH, CORRECTION, RECALL or CONTENT_CHANGE
    state: str
    author: int  # the admin's Telegram user id
    author_name: str
    admin_chat: int  # where the author asked: the progress card and the answers go there
    topic: str = ""
    texts: dict[str, str] | None = None  # a push's or a correction's text per language
    update_id: int | None = None  # the update a correction or a recall is about
    due: str | None = None  # when a scheduled push goes out (ISO, UTC); None: as soon as it may
    created: str = ""
    decided_by: int | None = None  # who approved, rejected, withdrew or cancelled it
    reason: str = ""  # a rejection's reason
    broadcast: int | None = None  # the broadcast that carried it out
    item: dict[str, object] | None = None  # a content change: the file's kind, id, where and data
    cards: tuple[tuple[int, int], ...] = ()  # (chat, message id) of each admin's card of this request
    late: bool = False  # its time passed while the bot was not running: it went out at the next start
    preview: str = ""  # PREVIEWED: the id of the preview whose Confirm carries it out ("" while it is rewritten)


# --- the audit log ------------------------------------------------------------------------------------------

DRAFTED, APPROVED, SENT_NOW, CORRECTED, RECALLED, CONTENT_CHANGED = (
    "drafted", "approved", "sent", "corrected", "recalled", "content changed")
AUDIT_ACTIONS = (DRAFTED, APPROVED, REJECTED, WITHDRAWN, SENT_NOW, CORRECTED, RECALLED, SCHEDULED, CANCELLED,
                 CONTENT_CHANGED)
"""What the audit log records: every publishing action of an admin (`SCHEDULED`, `CANCELLED`, `REJECTED` and
`WITHDRAWN` share their words with a request's states)."""


@dataclass(frozen=True)
class AuditEntry:
    """One publishing action: when (ISO, UTC), which admin (Telegram user id; never a member's), what, about what."""

    at: str
    admin: int
    action: str
    request: int | None = None
    update: int | None = None
    broadcast: int | None = None
    topic: str = ""
    note: str = ""
