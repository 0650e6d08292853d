"""The paced sender: drains a broadcast's durable outbox at Telegram's pace, and reports on it.

Pacing is PTB's `AIORateLimiter` on the application's bot (the global rate, 20 messages a minute per
group, and waiting out a `RetryAfter` for every request before retrying); this module adds a bounded
number of sends in flight, one message per second per chat, and what to do with each outcome:

- sent → its message id is kept (a correction edits it later);
- 403 (blocked, kicked) or "chat not found" → `blocked`, and the chat is marked inactive;
- `ChatMigrated` → the chat's record moves to the new id and the message goes there;
- a forum topic closed or deleted ("message thread not found", `TOPIC_CLOSED`) → `failed`, the topic's
  subscription is dropped and the group's admins are told once (`TopicGone`); the group and its other
  topics stay;
- a flood wait (`RetryAfter`) up to `max_flood_wait` → waited out in the rate limiter (every send waits);
  a longer one → back in the queue, and the whole broadcast pauses until Telegram's time: the pause is
  stored (a restart keeps it), the progress card says when sending resumes, and it resumes by itself;
- a network error → back in the queue, `ATTEMPTS` times at most, then `failed`;
- a timeout before the request left (no connection) → back in the queue, as a network error;
- a timeout once it left (no answer in `send_timeout`, `BOT_SEND_TIMEOUT`) → `unknown`: Telegram may have delivered it.
  When the queue is empty, each `unknown` delivery is tried once more (`Outbox.retry_unknown`): better a
  member who may get the update twice than one who never gets it; the report says how many may have;
- "message is not modified" on an edit → `sent` (a resumed correction finds the message already edited);
- a recall (`RECALL`): in each chat, the messages sent less than `RECALL_DELETE_HOURS` ago are deleted
  (`deleteMessages`, up to 100 a call) and older ones, or those Telegram refuses to delete, are edited to the
  withdrawn line; a message already deleted or edited counts as done, so a resumed recall repeats nothing;
- any other error (one this code does not expect) → logged with its type, back in the queue
  `UNEXPECTED_ATTEMPTS` times at most, then `failed`. Every claimed delivery ends in a final state or
  back in the queue, and a broadcast is done only when none is pending or in flight.

Results are persisted in batches (`FLUSH_EVERY`), claims before each send, so a crash loses no
recipient and re-sends only to those whose send was in flight (see `store/outbox.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import ExtBot

from bot.aiohttp_request import not_sent
from bot.config import DEFAULT_MAX_FLOOD_WAIT, DEFAULT_SEND_TIMEOUT
from bot.forum_errors import topic_gone
from bot.model import (
    BLOCKED,
    CANCELLED,
    DELETE_BATCH,
    DONE,
    EDIT,
    FAILED,
    PENDING,
    RECALL,
    RECALL_DELETE_HOURS,
    SEND,
    SENDING,
    SENT,
    UNKNOWN,
    Broadcast,
    ChatRecord,
    Delivery,
    Outgoing,
    Result,
)
from bot.rate_limit import Patience, retry_after_seconds
from bot.store import Store

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 8
"""Enough to hide the network's latency at Telegram's pace; few enough that a reply to a member, which
waits in the same rate limiter, is not queued behind many broadcast sends. Deliveries are claimed only as
slots free up, so at most this many are claimed and unanswered at any time."""
FLUSH_EVERY = 0.25
"""Seconds between progress writes: few enough writes, few enough re-sends after a crash."""
CLAIM_AHEAD_MAX = 64
"""Most deliveries claimed ahead of the free send slots (see `_Run.window`)."""
PROGRESS_EVERY = 2.0
LIMITER_RETRIES = 3
"""How many flood waits (each at most `max_flood_wait`) the rate limiter waits out for one send."""
ATTEMPTS = 5
"""Sends of one delivery that end in a network error before it is recorded as failed."""
UNEXPECTED_ATTEMPTS = 3
"""Sends of one delivery that end in an error of an unexpected kind before it is recorded as failed."""
PER_CHAT_INTERVAL = 1.0
NOTHING_TO_EDIT = ("message is not modified", "message to edit not found")
"""A recall's edit that finds the message withdrawn already, or deleted by the member: nothing left to do."""




class Clock:
    """The time the sender paces chats and pauses by; tests give it one that moves on without waiting."""

    def now(self) -> float:
        return time.monotonic()

    def wall(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


Compose = Callable[[Broadcast], Awaitable[dict[str, Outgoing]]]
"""Renders a broadcast's message in each language (from the update it carries)."""
Report = Callable[[Broadcast, Counter[str], bool], Awaitable[None]]
"""Shows the admin the broadcast's progress (finished=False) or its final report (finished=True)."""
TopicGone = Callable[[ChatRecord], Awaitable[None]]
"""Tells a group's admins that the bot stopped sending into a forum topic (the record it dropped)."""


@dataclass
class _Run:
    broadcast: Broadcast
    messages: dict[str, Outgoing]
    counts: Counter[str]
    results: list[Result] = field(default_factory=list)
    attempts: Counter[int] = field(default_factory=Counter)
    unexpected: Counter[int] = field(default_factory=Counter)  # sends that raised an error of no known kind
    cancelled: bool = False  # by an admin: the broadcast ends, what was not sent stays pending
    paused_until: datetime | None = None  # Telegram asked for a flood wait longer than the sender waits out
    stopping: bool = False  # the process is shutting down: the broadcast resumes at the next start
    answered: deque[float] = field(default_factory=deque)  # when each send of the last second was answered

    @property
    def halted(self) -> bool:
        return self.cancelled or self.stopping

    def window(self, now: float) -> int:
        """How many sends one flush window holds at the current pace: what is claimed beyond the free slots, so
        that a claim is one store write per window, not one per send (at a thousand sends a second, that many
        writes would halve the pace)."""
        while self.answered and self.answered[0] < now - 1.0:
            self.answered.popleft()
        return min(CLAIM_AHEAD_MAX, math.ceil(len(self.answered) * FLUSH_EVERY))


class Broadcaster:
    def __init__(self, bot: ExtBot[Any], store: Store, compose: Compose, report: Report, *,
                 max_in_flight: int = MAX_IN_FLIGHT, clock: Clock | None = None,
                 max_flood_wait: float = DEFAULT_MAX_FLOOD_WAIT, topic_gone: TopicGone | None = None,
                 send_timeout: float = DEFAULT_SEND_TIMEOUT) -> None:
        self._bot = bot
        self._store = store
        self._compose = compose
        self._report = report
        self._topic_gone = topic_gone
        self._max_in_flight = max_in_flight
        self._send_timeout = send_timeout
        self._clock = clock or Clock()
        self._patience = Patience(LIMITER_RETRIES, max_flood_wait, background=True)
        self._runs: dict[int, _Run] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._last_send: dict[int, float] = {}

    # --- control ------------------------------------------------------------------------------------

    def start(self, broadcast: Broadcast) -> asyncio.Task[None]:
        task = asyncio.create_task(self._run(broadcast), name=f"broadcast-{broadcast.id}")
        self._tasks[broadcast.id] = task

        def ended(finished: asyncio.Task[None]) -> None:
            self._tasks.pop(broadcast.id, None)
            if not finished.cancelled() and finished.exception() is not None:
                log.error("broadcast %d stopped on an error; it resumes at the next start", broadcast.id,
                          exc_info=finished.exception())

        task.add_done_callback(ended)
        return task

    async def resume_all(self) -> list[Broadcast]:
        """At start-up: every unfinished broadcast goes on where it stopped."""
        resumed = []
        for broadcast in await self._store.outbox.running():
            in_flight = await self._store.outbox.reset_in_flight(broadcast.id)
            log.info("resuming broadcast %d (%d deliveries were in flight)", broadcast.id, in_flight)
            self.start(broadcast)
            resumed.append(broadcast)
        return resumed

    def cancel(self, broadcast_id: int) -> bool:
        run = self._runs.get(broadcast_id)
        if run is None:
            return False
        run.cancelled = True
        return True

    def progress(self, broadcast_id: int) -> Counter[str] | None:
        run = self._runs.get(broadcast_id)
        return Counter(run.counts) if run is not None else None

    async def wait(self, broadcast_id: int) -> None:
        task = self._tasks.get(broadcast_id)
        if task is not None:
            await asyncio.shield(task)

    async def stop(self) -> None:
        """On shutdown: stop claiming, let sends in flight finish and record them; the broadcasts stay
        unfinished in the outbox and resume at the next start."""
        for run in self._runs.values():
            run.stopping = True
        tasks = list(self._tasks.values())
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # --- the drain ----------------------------------------------------------------------------------

    async def _run(self, broadcast: Broadcast) -> None:
        outbox = self._store.outbox
        run = _Run(broadcast, await self._compose(broadcast), await outbox.counts(broadcast.id))
        if broadcast.paused_until:  # paused before a restart: the pause still holds
            run.paused_until = datetime.fromisoformat(broadcast.paused_until)
        self._runs[broadcast.id] = run
        sending: set[asyncio.Task[None]] = set()
        claimed: deque[Delivery] = deque()  # claimed, not yet sent
        flusher = asyncio.create_task(self._flush_loop(run))
        reporter = asyncio.create_task(self._report_loop(run))
        try:
            while not run.halted:
                if run.paused_until is not None:
                    await self._sit_out(run)
                    continue
                free = self._max_in_flight - len(sending)
                if free <= 0:
                    await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
                    continue
                if claimed:
                    self._start(run, claimed.popleft(), sending)
                    continue
                # Claimed: the free slots and one flush window ahead, in the same write that records the results
                # so far. A crash re-sends only the sends in flight and those answered since that write.
                results, run.results = run.results, []
                batch = await outbox.claim(broadcast.id, free + run.window(self._clock.now()), results)
                if not batch:
                    if sending:
                        await asyncio.wait(sending)
                    await self._flush(run)
                    left = await outbox.counts(broadcast.id)
                    if left[SENDING]:  # claimed, yet no send of this run holds it: never leave it in flight
                        log.error("broadcast %d: %d deliveries were left in flight; they go back in the queue",
                                  broadcast.id, await outbox.reset_in_flight(broadcast.id))
                        continue
                    if left[PENDING]:
                        continue
                    again = await outbox.retry_unknown(broadcast.id)
                    if not again:
                        break
                    log.info("broadcast %d: %d sends got no answer in time; each is tried once more", broadcast.id,
                             again)
                    run.counts = await outbox.counts(broadcast.id)
                    continue
                run.counts[PENDING] -= len(batch)
                run.counts[SENDING] += len(batch)
                claimed.extend(batch)
            if claimed:  # halted: what was claimed and not sent goes back in the queue
                run.results += [Result(d.seq, PENDING) for d in claimed]
                run.counts[PENDING] += len(claimed)
                run.counts[SENDING] -= len(claimed)
                claimed.clear()
            if sending:
                await asyncio.wait(sending)
        finally:
            flusher.cancel()
            reporter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
            with contextlib.suppress(asyncio.CancelledError):
                await reporter
            await self._flush(run)
            self._runs.pop(broadcast.id, None)
        if run.stopping:
            log.info("broadcast %d paused for shutdown", broadcast.id)
            return
        state = CANCELLED if run.cancelled else DONE
        await outbox.finish(broadcast.id, state)
        final = await outbox.counts(broadcast.id)
        log.info("broadcast %d %s: %s", broadcast.id, state, dict(final))
        await self._safe_report(run.broadcast, final, True)

    def _start(self, run: _Run, delivery: Delivery, sending: set[asyncio.Task[None]]) -> None:
        task = asyncio.create_task(self._deliver(run, delivery))
        sending.add(task)
        task.add_done_callback(sending.discard)

    async def _deliver(self, run: _Run, delivery: Delivery) -> None:
        try:
            result = await self._attempt(run, delivery)
        except RetryAfter as exc:  # longer than the limiter waits out: the whole broadcast pauses
            result = Result(delivery.seq, PENDING)
            await self._pause(run, retry_after_seconds(exc))
        except Exception as exc:  # whatever it is, the delivery must end somewhere
            run.unexpected[delivery.seq] += 1
            given_up = run.unexpected[delivery.seq] >= UNEXPECTED_ATTEMPTS
            log.warning("broadcast %d: a send failed with an unexpected %s%s", run.broadcast.id,
                        type(exc).__name__, "; recorded as failed" if given_up else "; it will be tried again")
            result = Result(delivery.seq, FAILED if given_up else PENDING)
        else:
            if result.status == PENDING:
                run.attempts[delivery.seq] += 1
                if run.attempts[delivery.seq] >= ATTEMPTS:
                    result = Result(delivery.seq, FAILED)
        run.results.append(result)
        run.answered.append(self._clock.now())
        run.counts[SENDING] -= 1
        run.counts[result.status] += 1

    async def _attempt(self, run: _Run, delivery: Delivery) -> Result:
        message = run.messages.get(delivery.language) or run.messages["en"]
        chat_id = delivery.chat_id
        try:
            await self._pace(chat_id)
            message_id = await self._send(run.broadcast, delivery, chat_id, message)
            return Result(delivery.seq, SENT, message_id, sent_at=self._sent_at(run))
        except ChatMigrated as moved:
            await self._store.chats.migrate(chat_id, moved.new_chat_id)
            try:
                message_id = await self._send(run.broadcast, delivery, moved.new_chat_id, message)
            except TelegramError:
                return Result(delivery.seq, PENDING, chat_id=moved.new_chat_id)
            return Result(delivery.seq, SENT, message_id, chat_id=moved.new_chat_id, sent_at=self._sent_at(run))
        except Forbidden:
            await self._store.chats.set_active(chat_id, False)
            return Result(delivery.seq, BLOCKED)
        except TimedOut as exc:
            return Result(delivery.seq, PENDING if not_sent(exc) else UNKNOWN)
        except BadRequest as exc:
            reason = exc.message.lower()
            if "chat not found" in reason:
                await self._store.chats.set_active(chat_id, False)
                return Result(delivery.seq, BLOCKED)
            if "message is not modified" in reason:
                return Result(delivery.seq, SENT, delivery.message_id)
            if delivery.thread_id is not None and topic_gone(exc):
                await self._drop_topic(run, chat_id, delivery.thread_id)
                return Result(delivery.seq, FAILED)
            log.warning("broadcast %d: a delivery failed: %s", run.broadcast.id, exc.message)
            return Result(delivery.seq, FAILED)
        except NetworkError:
            return Result(delivery.seq, PENDING)

    async def _drop_topic(self, run: _Run, chat_id: int, thread_id: int) -> None:
        """The topic is closed or deleted: it follows nothing any more, and (once) its group's admins hear of it."""
        dropped = await self._store.chats.drop_topic(chat_id, thread_id)
        if dropped is None:
            return  # dropped already: the admins were told then
        log.info("broadcast %d: a forum topic was closed or deleted; its subscriptions were dropped", run.broadcast.id)
        if self._topic_gone is not None:
            try:
                await self._topic_gone(dropped)
            except TelegramError as exc:
                log.warning("broadcast %d: the group could not be told about its topic: %s", run.broadcast.id,
                            type(exc).__name__)

    async def _pause(self, run: _Run, seconds: float) -> None:
        until = self._clock.wall() + timedelta(seconds=seconds)
        if run.paused_until is not None and run.paused_until >= until:
            return
        run.paused_until = until
        log.warning("broadcast %d: Telegram asked to wait %.0f s; paused until %s", run.broadcast.id, seconds,
                    until.isoformat(timespec="seconds"))
        await self._store.outbox.set_paused(run.broadcast.id, until.isoformat(timespec="seconds"))
        await self._safe_report(run.broadcast, run.counts, False)

    async def _sit_out(self, run: _Run) -> None:
        """Wait until the pause ends (or the broadcast is cancelled or the process stops), then go on."""
        while run.paused_until is not None and not run.halted:
            left = (run.paused_until - self._clock.wall()).total_seconds()
            if left <= 0:
                run.paused_until = None
                await self._store.outbox.set_paused(run.broadcast.id, None)
                log.info("broadcast %d: resumed after Telegram's flood wait", run.broadcast.id)
                await self._safe_report(run.broadcast, run.counts, False)
                return
            await self._clock.sleep(min(left, 1.0))

    def _sent_at(self, run: _Run) -> int | None:
        """When a new message was sent (Unix time), kept for a recall's 48 hours; an edit keeps the original's."""
        return int(self._clock.wall().timestamp()) if run.broadcast.kind == SEND else None

    async def _send(self, broadcast: Broadcast, delivery: Delivery, chat_id: int, message: Outgoing) -> int | None:
        if broadcast.kind == RECALL:
            await self._withdraw(delivery, chat_id, message)
            return None
        if broadcast.kind == EDIT:
            if delivery.message_id is None:
                raise BadRequest("no message to edit")
            await self._bot.edit_message_text(message.text, chat_id=chat_id, message_id=delivery.message_id,
                                              reply_markup=message.keyboard, rate_limit_args=self._patience,
                                              read_timeout=self._send_timeout)
            return delivery.message_id
        sent = await self._bot.send_message(chat_id, message.text, reply_markup=message.keyboard,
                                            disable_notification=delivery.quiet, message_thread_id=delivery.thread_id,
                                            rate_limit_args=self._patience, read_timeout=self._send_timeout)
        return sent.message_id

    async def _withdraw(self, delivery: Delivery, chat_id: int, message: Outgoing) -> None:
        """A recall in one chat: delete the messages Telegram still lets a bot delete, edit the others."""
        horizon = self._clock.wall().timestamp() - RECALL_DELETE_HOURS * 3600
        recent = [mid for mid, at in delivery.messages if at is None or at > horizon]
        older = [mid for mid, at in delivery.messages if at is not None and at <= horizon]
        for start in range(0, len(recent), DELETE_BATCH):
            batch = recent[start : start + DELETE_BATCH]
            try:
                await self._bot.delete_messages(chat_id, batch, rate_limit_args=self._patience,
                                                read_timeout=self._send_timeout)
            except BadRequest as exc:
                if "can't be deleted" not in exc.message.lower():
                    raise
                older += batch  # older than Telegram allows after all: edited instead
        for mid in older:
            try:
                await self._bot.edit_message_text(message.text, chat_id=chat_id, message_id=mid,
                                                  reply_markup=message.keyboard, rate_limit_args=self._patience,
                                                  read_timeout=self._send_timeout)
            except BadRequest as exc:
                if not any(reason in exc.message.lower() for reason in NOTHING_TO_EDIT):
                    raise

    async def _pace(self, chat_id: int) -> None:
        """At most one message a second to one chat (Telegram's per-chat limit)."""
        now = self._clock.now()
        wait = self._last_send.get(chat_id, 0.0) + PER_CHAT_INTERVAL - now
        self._last_send[chat_id] = max(now, now + wait)
        if wait > 0:
            await self._clock.sleep(wait)
        if len(self._last_send) > 10_000:
            horizon = now - PER_CHAT_INTERVAL
            self._last_send = {c: t for c, t in self._last_send.items() if t > horizon}

    # --- persistence and reporting ------------------------------------------------------------------

    async def _flush(self, run: _Run) -> None:
        results, run.results = run.results, []
        await self._store.outbox.record(run.broadcast.id, results)

    async def _flush_loop(self, run: _Run) -> None:
        while True:
            await asyncio.sleep(FLUSH_EVERY)
            await self._flush(run)

    async def _report_loop(self, run: _Run) -> None:
        while True:
            await self._safe_report(run.broadcast, run.counts, False)
            await asyncio.sleep(PROGRESS_EVERY)

    async def _safe_report(self, broadcast: Broadcast, counts: Counter[str], finished: bool) -> None:
        try:
            await self._report(broadcast, +counts, finished)
        except TelegramError as exc:
            log.warning("broadcast %d: the progress card could not be updated: %s", broadcast.id,
                        type(exc).__name__)

