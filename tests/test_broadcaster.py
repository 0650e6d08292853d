"""The sender's handling of each outcome, with a fake bot (the HTTP behaviour is in test_broadcast.py)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.aiohttp_request import POOL_TIMEOUT_MESSAGE
from bot.broadcast import ATTEMPTS, UNEXPECTED_ATTEMPTS, Broadcaster, Clock
from bot.model import ALL, BLOCKED, FAILED, SEND, SENDING, SENT, SENT_AGAIN, UNKNOWN, Broadcast, Outgoing, Target
from bot.store import Store


class FakeBot:
    """Answers each chat as scripted: a list of exceptions to raise in turn, then success."""

    def __init__(self, script: dict[int, list[Exception]]) -> None:
        self.script = script
        self.sent: Counter[int] = Counter()
        self.attempts: Counter[int] = Counter()

    async def send_message(self, chat_id: int, text: str, **_: Any) -> SimpleNamespace:
        self.attempts[chat_id] += 1
        errors = self.script.get(chat_id, [])
        if errors:
            raise errors.pop(0)
        self.sent[chat_id] += 1
        return SimpleNamespace(message_id=1000 + chat_id)


class InstantClock(Clock):
    """Paces by a clock that jumps ahead instead of waiting: the per-chat second costs no real time."""

    def __init__(self) -> None:
        self.time = 0.0

    def now(self) -> float:
        return self.time

    def wall(self) -> datetime:
        return datetime(2026, 11, 28, tzinfo=UTC) + timedelta(seconds=self.time)

    async def sleep(self, seconds: float) -> None:
        self.time += seconds
        await asyncio.sleep(0)


async def run(tmp_path: Path, script: dict[int, list[Exception]], paused: list[str | None] | None = None,
              recipients: int = 6) -> tuple[Counter[str], FakeBot, Store]:
    store = Store(tmp_path)
    chats = list(range(1, recipients + 1))
    for chat_id in chats:
        await store.chats.subscribe(chat_id, ALL, "en")
    broadcast = await store.outbox.create(SEND, 1, ALL, 99, [Target(c, "en", False) for c in chats])
    bot = FakeBot(script)
    reports: list[bool] = []

    async def compose(_: Broadcast) -> dict[str, Outgoing]:
        return {"en": Outgoing("hello")}

    async def report(shown: Broadcast, __: Counter[str], finished: bool) -> None:
        reports.append(finished)
        if paused is not None:
            current = await store.outbox.get(shown.id)
            paused.append(current.paused_until if current else None)

    broadcaster = Broadcaster(bot, store, compose, report, clock=InstantClock())  # type: ignore[arg-type]
    await broadcaster.start(broadcast)
    assert reports[-1] is True
    return await store.outbox.counts(broadcast.id), bot, store


async def test_each_outcome_is_recorded_as_it_should(tmp_path: Path) -> None:
    script: dict[int, list[Exception]] = {
        2: [TimedOut(), TimedOut()],             # may have been delivered: unknown, sent once more at the end
        3: [Forbidden("bot was blocked by the user")],
        4: [BadRequest("Chat not found")],
        5: [BadRequest("Message text is empty")],
        6: [RetryAfter(1), NetworkError("connection reset")],  # both retried, then delivered
        7: [TimedOut(POOL_TIMEOUT_MESSAGE)],     # never left: sent again at once, not unknown
    }
    counts, bot, store = await run(tmp_path, script, recipients=7)
    try:
        assert counts == Counter({SENT: 3, UNKNOWN: 1, SENT_AGAIN: 1, BLOCKED: 2, FAILED: 1})
        assert bot.sent == Counter({1: 1, 6: 1, 7: 1}) and bot.attempts[2] == 2 and bot.attempts[6] == 3
        assert (await store.chats.get(3)).active is False  # type: ignore[union-attr]
        assert (await store.chats.get(4)).active is False  # type: ignore[union-attr]
        assert (await store.chats.get(5)).active is True  # type: ignore[union-attr]
    finally:
        store.close()


async def test_a_network_that_keeps_failing_gives_up_after_a_few_attempts(tmp_path: Path) -> None:
    counts, bot, store = await run(tmp_path, {1: [NetworkError("down")] * (ATTEMPTS + 3)})
    try:
        assert counts[FAILED] == 1 and counts[SENT] == 5 and bot.attempts[1] == ATTEMPTS
    finally:
        store.close()


async def test_an_unexpected_error_ends_in_failed_after_a_few_tries_and_the_broadcast_waits_for_it(
        tmp_path: Path) -> None:
    counts, bot, store = await run(tmp_path, {2: [ValueError("odd")] * (UNEXPECTED_ATTEMPTS + 2),
                                              3: [KeyError("once"), TelegramError("odd too")]})
    try:
        assert counts == Counter({SENT: 5, FAILED: 1}) and counts[SENDING] == 0  # none left in flight
        assert bot.attempts[2] == UNEXPECTED_ATTEMPTS and bot.attempts[3] == 3 and bot.sent[3] == 1
    finally:
        store.close()


async def test_a_flood_wait_longer_than_the_sender_waits_out_pauses_the_broadcast_until_telegrams_time(
        tmp_path: Path) -> None:
    paused: list[str | None] = []
    counts, bot, store = await run(tmp_path, {2: [RetryAfter(3600)]}, paused)
    try:
        assert counts == Counter({SENT: 6}) and bot.attempts[2] == 2  # sent after the pause, once
        assert any(p and p.startswith("2026-11-28T01:00") for p in paused)  # the card was told when it resumes
        assert paused[-1] is None  # and that it did
        [broadcast] = await store.outbox.recent(1)
        assert broadcast.paused_until is None and broadcast.state == "done"
    finally:
        store.close()
