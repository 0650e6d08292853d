"""Is the running bot well? A heartbeat that `campaign-bot run` keeps fresh and `campaign-bot health` reads.

A heartbeat file in the data directory rather than an HTTP endpoint: it works the same by polling and by
webhook, opens no port, answers nobody, and says nothing but a time. Every :data:`HEARTBEAT_EVERY` seconds a
PTB job touches it, on the store's thread, while the updater runs (polling, or the webhook server listening).
So a fresh heartbeat says: the Bot API answered at start-up, the event loop runs, the store's writer is not
stuck, and updates are being taken in. The bot removes it when it stops. `campaign-bot health`, the Docker
image's HEALTHCHECK, exits 0 when the heartbeat is younger than :data:`HEALTHY_WITHIN`, 1 otherwise.

What it does not tell: whether Telegram reaches the webhook (see `getWebhookInfo`'s `last_error_message`) or
answers getUpdates right now; PTB retries those by itself, and a restart would not help them.
"""

from __future__ import annotations

from pathlib import Path

from bot.context import BotContext
from bot.store import heartbeat_age

HEARTBEAT_EVERY = 30.0
"""Seconds between two heartbeats."""

HEALTHY_WITHIN = 3 * HEARTBEAT_EVERY
"""A heartbeat older than this (three missed) means the bot is stuck or gone."""


async def beat(context: BotContext) -> None:
    """The heartbeat job: only while updates are being taken in."""
    updater = context.application.updater
    if updater is not None and updater.running:
        await context.services.store.heartbeat()


def check(data_dir: Path) -> tuple[bool, str]:
    """Whether the bot using `data_dir` is healthy, and one line that says why."""
    age = heartbeat_age(data_dir)
    if age is None:
        return False, (f"unhealthy: no heartbeat in {data_dir} (the bot is not running, or is still waiting "
                       f"for the Bot API)")
    if age > HEALTHY_WITHIN:
        return False, f"unhealthy: the last heartbeat is {age:.0f} s old (one is due every {HEARTBEAT_EVERY:g} s)"
    return True, f"healthy: the last heartbeat is {age:.0f} s old"
