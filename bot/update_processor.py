"""Updates are handled concurrently across chats and one at a time, in arrival order, within a chat.

PTB handles one update at a time by default, so every answer waits for the previous one's round trips to
Telegram (a crowd got 11.7 answers a second where Telegram allows 30). With `ChatOrderedProcessor`,
updates from different chats run side by side, up to `max_concurrent_updates` at once
(`BOT_MAX_CONCURRENT_UPDATES`, 256 by default), while two updates
of the same chat (two messages, or a button pressed right after a command) run in the order they came.

Why the order holds: PTB creates one task per update in the order it fetched them, and a task runs its
first step in creation order; PTB's own semaphore, set far above what is handled at once, is free and
does not suspend it. That first step, before any `await`, queues the update behind the last one of its
chat (`_tails`); so each chat's updates form a chain that runs in arrival order. An update waits for its
chat's turn *before* it takes one of the `max_concurrent_updates` places, so a chat with a long queue (a
busy group) holds one place, never all of them.

What relies on it: the admin's draft (a `ConversationHandler` keyed by chat and user) sees its messages
in order; a chat's subscription changes are read and written one after another; the language resolved
for an update lives on that update's own context; the store has one writer thread whatever the number
of updates in flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_QUEUED_UPDATES = 10_000
"""Updates taken from Telegram and not yet finished, waiting ones included (PTB's own bound): beyond it,
fetching waits. A waiting update costs a task and a future, not a place among the concurrent ones."""


def order_key(update: object) -> tuple[str, int] | None:
    """What an update must keep its order within: its chat, else its user (an inline query); None if neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """PTB's bound (`max_concurrent_updates`) counts the updates taken in, waiting ones included; this
    processor's own bound counts those being handled, so that a chat's queue never takes the others' places."""

    def __init__(self, max_concurrent_updates: int, max_queued_updates: int = MAX_QUEUED_UPDATES) -> None:
        super().__init__(max_queued_updates)
        self._handling = asyncio.Semaphore(max_concurrent_updates)
        self._tails: dict[tuple[str, int], asyncio.Future[None]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        previous = self._tails.get(key) if key is not None else None
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if key is not None:
            self._tails[key] = mine  # before the first await: updates queue in the order they arrived
        try:
            if previous is not None:
                await asyncio.shield(previous)  # shielded: cancelling this update must not cancel the one before
            async with self._handling:
                await coroutine
        finally:
            mine.set_result(None)
            if key is not None and self._tails.get(key) is mine:
                del self._tails[key]

    async def initialize(self) -> None:
        """Nothing to set up: the chains live only while their updates do."""

    async def shutdown(self) -> None:
        """Nothing to free: PTB waits for the updates in flight before it shuts the processor down."""
