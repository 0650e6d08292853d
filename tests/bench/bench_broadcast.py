"""Broadcast benchmarks: the real bot's broadcaster against the stand-in running in a separate process.

1. At Telegram's pace: stand-in limited to 30 sends/s with 80 ms latency, the bot as configured.
2. The sender's ceiling: stand-in without limit or latency, the bot's global rate lifted (BOT_SEND_RATE=0).

Each is compared with a naive sequential `await bot.send_message` loop (PTB's plain `Bot`, default
HTTPXRequest) against a stand-in with the same configuration, and (2) also with the same broadcaster on
an ExtBot that uses PTB's default HTTPXRequest instead of the bot's aiohttp request.

The bot is built as everywhere, by `bot.app.build` pointed at the stand-in, and run with
`running(application)`; subscribers are added beforehand with `store.chats.subscribe`, and a broadcast
is `publisher.publish(...)` (which starts the sender), then `broadcaster.wait(...)`. Its progress is
sampled every SAMPLE_EVERY seconds through `broadcaster.progress(id)`, which gives the delivered count
over time.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bench_support import LoopMonitor, Progress, RateLimitLog, StandIn, data_key, median, store_key
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application, Defaults

from bot.aiohttp_request import AiohttpRequest
from bot.app import REQUEST_POOL, RETRIES_AFTER_FLOOD_WAIT, build, file_base_url, running, services_of
from bot.config import Secret, Settings
from bot.context import Services
from bot.i18n import Catalogs
from bot.model import ALL, GENERAL, SENT, Outgoing
from bot.publishing import Publisher
from bot.rate_limit import REPLY_MAX_WAIT, Patience, PatientRateLimiter
from bot.resources import locales_dir
from bot.store import Store
from bot.tryout.driver import TRYOUT_TOKEN

log = logging.getLogger("bench")

TOKEN = TRYOUT_TOKEN
ADMIN_CHAT = 90001
"""Gets the final report; registered at the stand-in like every recipient."""
FIRST_CHAT = 1_000_001
LANGUAGES = ("en", "az", "ru")
TEXTS = {"en": "The trial was postponed to 1 December.", "az": "Məhkəmə 1 dekabra təxirə salınıb.",
         "ru": "Суд отложен до 1 декабря."}
SAMPLE_EVERY = 0.01
"""Seconds between progress samples of a running broadcast (its delivered count)."""
SUBSCRIBE_BATCH = 200


def chat_ids(count: int) -> list[int]:
    return [FIRST_CHAT + n for n in range(count)]


async def subscribe_chats(store: Store, ids: Sequence[int]) -> float:
    """Subscribe each chat to all updates through `store.chats.subscribe`; returns seconds.

    Issued SUBSCRIBE_BATCH at a time: they queue on the store's one thread, so this measures the
    store's write throughput rather than one event-loop round trip per chat.
    """
    started = time.perf_counter()
    for start in range(0, len(ids), SUBSCRIBE_BATCH):
        batch = ids[start:start + SUBSCRIBE_BATCH]
        await asyncio.gather(*(store.chats.subscribe(chat_id, ALL, LANGUAGES[chat_id % 3]) for chat_id in batch))
    return time.perf_counter() - started


@asynccontextmanager
async def running_bot(api: StandIn, data_dir: Path, **settings: Any) -> AsyncIterator[tuple[Services, Any]]:
    """The real Application, built by `bot.app.build` as everywhere, running by long polling at `api`."""
    application = build(Settings(token=Secret(TOKEN), data_dir=data_dir, api_base_url=api.base_url, data_key=data_key(),
                                 **settings))
    async with running(application, poll_timeout=1):
        yield services_of(application), application


async def subscribed(data_dir: Path, ids: Sequence[int]) -> float:
    """Seconds to subscribe `ids` to all updates, in a store opened and closed for it (the bot opens its own)."""
    store = Store(data_dir, store_key())
    try:
        return await subscribe_chats(store, ids)
    finally:
        store.close()


def _limiter_lifted(bot: Any) -> bool:
    """Whether the bot's AIORateLimiter has no global rate (PTB keeps it as `_base_limiter`)."""
    limiter = getattr(bot, "rate_limiter", None)
    return limiter is None or getattr(limiter, "_base_limiter", "unknown") is None


def _defaults() -> Defaults:
    return Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))


def _lifted_ext_bot(base_url: str, *, aiohttp_request: bool) -> Any:
    """An ExtBot built like the application's, global rate lifted; PTB's default HTTPXRequest unless told."""
    builder = (Application.builder().token(TOKEN).base_url(base_url).base_file_url(file_base_url(base_url))
               .defaults(_defaults())
               .rate_limiter(PatientRateLimiter(overall_max_rate=0,
                                                patience=Patience(RETRIES_AFTER_FLOOD_WAIT, REPLY_MAX_WAIT))))
    if aiohttp_request:
        builder = builder.request(AiohttpRequest(connection_pool_size=REQUEST_POOL))
    return builder.build().bot


async def timed_broadcast(publisher: Publisher, store: Store, api: StandIn, *, timeout: float,
                          limiter_log: RateLimitLog | None = None, monitor_loop: bool = False) -> dict[str, Any]:
    """Publish one general update to every subscriber, start it, and measure it until it is finished."""
    before = await api.stats()
    if limiter_log is not None:
        limiter_log.reset()
    persist_started = time.perf_counter()
    broadcast = await publisher.publish(GENERAL, TEXTS, ADMIN_CHAT)
    persist_s = time.perf_counter() - persist_started
    broadcaster = publisher.broadcaster
    progress = Progress()
    monitor = LoopMonitor().start() if monitor_loop else None
    timed_out = False
    cpu_bot, cpu_api = time.process_time(), api.cpu_seconds()
    started = time.perf_counter()
    done = asyncio.ensure_future(broadcaster.wait(broadcast.id))
    drained_at: float | None = None  # when the run stopped reporting progress: its last results are recorded
    try:
        async with asyncio.timeout(timeout):
            while not done.done():
                counts = broadcaster.progress(broadcast.id)
                now = time.perf_counter() - started
                if counts is not None:
                    progress.add(now, counts[SENT])
                elif progress.samples and drained_at is None:
                    drained_at = now
                await asyncio.wait({done}, timeout=SAMPLE_EVERY)
            await done
    except TimeoutError:
        timed_out = True
        done.cancel()
        broadcaster.cancel(broadcast.id)
        try:
            async with asyncio.timeout(30):
                await broadcaster.wait(broadcast.id)
        except TimeoutError:
            log.error("broadcast %d did not stop after being cancelled", broadcast.id)
    finished_s = time.perf_counter() - started
    cpu_bot = time.process_time() - cpu_bot
    api_now = api.cpu_seconds()
    cpu_api = api_now - cpu_api if api_now is not None and cpu_api is not None else None
    if monitor is not None:
        await monitor.stop()
    final = await store.outbox.counts(broadcast.id)
    if final[SENT] > progress.final:
        # The last deliveries landed after the last sample: they were done by the time the run stopped
        # reporting progress (after recording them, before the admin's final report), or at the latest
        # when it finished.
        progress.add(drained_at if drained_at is not None else finished_s, final[SENT])
    after = await api.stats()
    record = await store.outbox.get(broadcast.id)
    windows = progress.windows(1.0)
    steady_windows = windows[1:]
    return {
        "broadcast_id": broadcast.id,
        "recipients": broadcast.total,
        "state": record.state if record else None,
        "timed_out": timed_out,
        "persist_outbox_s": persist_s,
        "to_last_delivery_s": progress.last_send_at,
        "finished_s": finished_s,
        "drained_s": drained_at,
        "rate_overall": progress.overall_rate(),
        "rate_after_first_second": progress.rate_after(1.0),
        "rate_end_to_end": final[SENT] / finished_s if finished_s > 0 else math.nan,
        "per_second": windows,
        "slowest_full_second_after_first": min(steady_windows) if steady_windows else None,
        "counts": dict(final),
        "not_sent": broadcast.total - final[SENT],
        "standin_429": after["rejected_429"] - before["rejected_429"],
        "standin_403": after["rejected_403"] - before["rejected_403"],
        "standin_sent": after["sent_count"] - before["sent_count"],
        "limiter_retry_after_waited": limiter_log.retried if limiter_log else None,
        "limiter_retry_after_gave_up": limiter_log.gave_up if limiter_log else None,
        "loop": monitor.summary() if monitor else None,
        "cpu_busy_bot_process": cpu_bot / finished_s if finished_s > 0 else None,
        "cpu_busy_standin_process": cpu_api / finished_s if cpu_api is not None and finished_s > 0 else None,
        "samples": len(progress.samples),
    }


async def naive_sequential(base_url: str, ids: Sequence[int], message: Outgoing, api: StandIn, *,
                           time_budget: float) -> dict[str, Any]:
    """The naive way: PTB's plain Bot (default HTTPXRequest, no rate limiter), one awaited send after another."""
    before = await api.stats()
    errors: Counter[str] = Counter()
    sent = 0
    bot = Bot(TOKEN, base_url=base_url, base_file_url=file_base_url(base_url))
    async with bot:
        started = time.perf_counter()
        for chat_id in ids:
            if time.perf_counter() - started > time_budget:
                errors["not attempted (time budget)"] += 1
                continue
            try:
                await bot.send_message(chat_id, message.text, parse_mode=ParseMode.HTML,
                                       reply_markup=message.keyboard,
                                       link_preview_options=LinkPreviewOptions(is_disabled=True))
                sent += 1
            except RetryAfter:
                errors["RetryAfter"] += 1
            except TelegramError as exc:
                errors[type(exc).__name__] += 1
        elapsed = time.perf_counter() - started
    after = await api.stats()
    return {"attempted": len(ids) - errors["not attempted (time budget)"], "sent": sent, "elapsed_s": elapsed,
            "rate": sent / elapsed if elapsed > 0 else math.nan, "errors": dict(errors),
            "standin_429": after["rejected_429"] - before["rejected_429"]}


async def telegram_pace(workdir: Path, *, recipients: int, naive_count: int, rate: float = 30.0,
                        latency: float = 0.08, concurrent_baseline: bool = True) -> dict[str, Any]:
    """Scenario 1: one broadcast to `recipients` chats against a stand-in that enforces `rate`/s.

    With `concurrent_baseline`, the naive loop runs during the broadcast against a second stand-in
    process with the same configuration (its own token bucket, so neither sees the other's sends). Both
    are bound by the limit or by the latency, not by the CPU, so this costs neither figure anything and
    saves the baseline's minutes; without it, the baseline runs afterwards against the same stand-in.
    """
    data_dir = workdir / "pace-data"
    async with contextlib.AsyncExitStack() as stack:
        api = await stack.enter_async_context(StandIn(workdir, rate=rate, latency=latency))
        naive_api = api
        if concurrent_baseline:
            naive_api = await stack.enter_async_context(StandIn(workdir, rate=rate, latency=latency))
        ids = chat_ids(recipients)
        register_s = await api.register_chats([*ids, ADMIN_CHAT])
        if naive_api is not api:
            await naive_api.register_chats(ids[:naive_count])
        subscribe_s = await subscribed(data_dir, ids)
        naive_task: asyncio.Task[dict[str, Any]] | None = None
        with RateLimitLog() as limiter_log:
            async with running_bot(api, data_dir) as (services, _application):
                publisher, store = services.publisher, services.store
                message = publisher.preview(GENERAL, TEXTS, None)["en"]
                send_rate = getattr(services.settings, "send_rate", None)
                if naive_api is not api:
                    naive_task = asyncio.create_task(naive_sequential(
                        naive_api.base_url, ids[:naive_count], message, naive_api,
                        time_budget=naive_count * 0.5 + 30))
                try:
                    run = await timed_broadcast(publisher, store, api, timeout=recipients / rate * 1.5 + 60,
                                                limiter_log=limiter_log, monitor_loop=True)
                except BaseException:
                    if naive_task is not None:
                        naive_task.cancel()
                    raise
        if naive_task is not None:
            naive = await naive_task
        else:
            await asyncio.sleep(1.0)  # let the stand-in's bucket refill before the baseline
            naive = await naive_sequential(api.base_url, ids[:naive_count], message, api,
                                           time_budget=naive_count * 0.5 + 30)
    return {"standin": {"command": api.command, "rate": rate, "latency": latency},
            "baseline_concurrent_on_own_standin": naive_api is not api,
            "bot_send_rate_setting": send_rate, "register_chats_s": register_s,
            "subscribe_s": subscribe_s, "run": run, "naive": naive}


async def sender_ceiling(workdir: Path, *, recipients: int, repeats: int, httpx_variant: bool,
                         naive_count: int) -> dict[str, Any]:
    """Scenario 2: broadcasts with the limit lifted, against a stand-in with no limit and no latency."""
    data_dir = workdir / "ceiling-data"
    notes: list[str] = []
    configurable = "send_rate" in {f.name for f in dataclasses.fields(Settings)}
    lifted = False
    timeout = recipients / 50 + 60
    async with StandIn(workdir, rate=None, latency=0.0) as api:
        ids = chat_ids(recipients)
        register_s = await api.register_chats([*ids, ADMIN_CHAT])
        subscribe_s = await subscribed(data_dir, ids)
        runs: list[dict[str, Any]] = []
        with RateLimitLog() as limiter_log:
            if configurable:
                async with running_bot(api, data_dir, send_rate=0) as (services, application):
                    lifted = _limiter_lifted(application.bot)
                    publisher = services.publisher
                    message = publisher.preview(GENERAL, TEXTS, None)["en"]
                    for _ in range(repeats if lifted else 0):
                        runs.append(await timed_broadcast(publisher, services.store, api, timeout=timeout,
                                                          limiter_log=limiter_log))
            # The variants below drive the same broadcaster on other bots, with the store the bot used.
            store = Store(data_dir, store_key())
            try:
                await store.content.load()
                catalogs = Catalogs(locales_dir())
                if not lifted:
                    notes.append("the application's global rate could not be lifted by a setting "
                                 f"(Settings.send_rate exists: {configurable}); measured the same broadcaster on an "
                                 "ExtBot built like the application's (AiohttpRequest) with "
                                 "AIORateLimiter(overall_max_rate=0)")
                    async with _lifted_ext_bot(api.base_url, aiohttp_request=True) as bot:
                        publisher = Publisher(bot, store, catalogs, lambda: store.content.content, "en")
                        message = publisher.preview(GENERAL, TEXTS, None)["en"]
                        for _ in range(repeats):
                            runs.append(await timed_broadcast(publisher, store, api, timeout=timeout,
                                                              limiter_log=limiter_log))
                # The same broadcaster on an ExtBot with PTB's default request (HTTPXRequest, pool of 256).
                httpx_run = None
                if httpx_variant:
                    async with _lifted_ext_bot(api.base_url, aiohttp_request=False) as bot:
                        publisher = Publisher(bot, store, catalogs, lambda: store.content.content, "en")
                        httpx_run = await timed_broadcast(publisher, store, api, timeout=recipients / 20 + 60,
                                                          limiter_log=limiter_log)
            finally:
                store.close()
        naive = await naive_sequential(api.base_url, ids[:naive_count], message, api,
                                       time_budget=naive_count * 0.05 + 30)
    return {"standin": {"command": api.command, "rate": None, "latency": 0.0},
            "limit_lifted_by_setting": lifted, "notes": notes, "register_chats_s": register_s,
            "subscribe_s": subscribe_s, "runs": runs,
            "median_rate_end_to_end": median(r["rate_end_to_end"] for r in runs),
            "median_rate_after_first_second": median(r["rate_after_first_second"] for r in runs),
            "median_cpu_busy_bot_process": median(r["cpu_busy_bot_process"] for r in runs),
            "median_cpu_busy_standin_process": median(r["cpu_busy_standin_process"] or math.nan for r in runs),
            "httpx_run": httpx_run, "naive": naive}
