"""What Telegram answers to a message sent into a forum topic that is gone: the sender and the replies both meet it."""

from __future__ import annotations

from telegram.error import BadRequest

TOPIC_GONE = ("message thread not found", "topic_closed", "topic_deleted")
"""What Telegram answers (400) for a send into a forum topic that was deleted or closed."""


def topic_gone(error: object) -> bool:
    """Whether `error` is Telegram's 400 for a send into a forum topic that was closed or deleted."""
    return isinstance(error, BadRequest) and any(gone in error.message.lower() for gone in TOPIC_GONE)
