"""Scenario 4: a crowd writes at once (a shared link in the news): how fast every member is answered.

`members` users each send `/case asif` at the same moment to the real Application (built by `bot.app.build`),
against the stand-in in a process of its own with the given latency and limits. The stand-in's count of sent
messages is sampled every SAMPLE_EVERY seconds; the k-th answer's time is when the count first reached k,
so the figures are answers a second over the whole crowd and the 99th percentile of the time to answer.
The baseline is the same bot handling one update at a time (`BOT_MAX_CONCURRENT_UPDATES=1`).

Scenario 5 (`replies_during_broadcast`): a broadcast to `recipients` drains at Telegram's pace while
`members` members send `/case asif` spread over `spread` seconds; each one's time to answer is from its
update being queued to the bot having sent the answer (the application reports each update handled), and
the broadcast's rate over the same window is compared with what the limit leaves after the replies.
"""

from __future__ import annotations

import asyncio
import math
import time
from pathlib import Path
from typing import Any

from bench_support import StandIn, data_key, percentile, store_key

from bot.app import build, running, services_of
from bot.config import Secret, Settings
from bot.model import ALL, GENERAL, SENT
from bot.store import Store
from bot.tryout.driver import TrackedApplication

TOKEN = "4242:crowd-benchmark-made-up-token"
SAMPLE_EVERY = 0.02


async def answer_crowd(workdir: Path, *, members: int, rate: float | None, per_chat_rate: float | None,
                       latency: float, send_rate: float, max_concurrent_updates: int, tag: str,
                       timeout: float) -> dict[str, Any]:
    async with StandIn(workdir, rate=rate, per_chat_rate=per_chat_rate, latency=latency) as api:
        settings = Settings(token=Secret(TOKEN), data_dir=workdir / f"data-{tag}", api_base_url=api.base_url,
                            data_key=data_key(), send_rate=send_rate, max_concurrent_updates=max_concurrent_updates)
        application = build(settings)
        async with running(application, poll_timeout=1):
            await asyncio.sleep(0.5)  # the start-up's own requests (command menus) are done
            before = (await api.stats())["sent_count"]
            ids = range(20_000, 20_000 + members)
            started = time.perf_counter()
            await api.user_messages([(user, "/case asif") for user in ids])
            reached: list[float] = []
            timed_out = False
            async with asyncio.timeout(timeout):
                try:
                    while len(reached) < members:
                        sent = (await api.stats())["sent_count"] - before
                        now = time.perf_counter() - started
                        reached += [now] * max(0, min(sent, members) - len(reached))
                        await asyncio.sleep(SAMPLE_EVERY)
                except TimeoutError:
                    timed_out = True
            stats = await api.stats()
    answered = len(reached)
    last = reached[-1] if reached else math.nan
    p99 = reached[max(0, math.ceil(0.99 * answered) - 1)] if reached else math.nan
    return {"members": members, "answered": answered, "timed_out": timed_out, "seconds": last,
            "answers_per_s": answered / last if reached and last > 0 else math.nan, "p99_s": p99,
            "p50_s": reached[answered // 2] if reached else math.nan, "standin_429": stats["rejected_429"],
            "max_concurrent_updates": max_concurrent_updates, "command": api.command}


async def crowd(workdir: Path, *, members: int, baseline_members: int) -> dict[str, Any]:
    """At Telegram's pace (30/s overall, 1/s per chat, 80 ms), then with the limits lifted; each beside the
    same bot handling one update at a time."""
    paced: dict[str, Any] = {"rate": 30.0, "per_chat_rate": 1.0, "latency": 0.08, "send_rate": 29.5}
    lifted: dict[str, Any] = {"rate": None, "per_chat_rate": None, "latency": 0.08, "send_rate": 0.0}
    return {
        "paced": await answer_crowd(workdir, members=members, max_concurrent_updates=256, tag="paced",
                                    timeout=members / 10 + 60, **paced),
        "paced_one_at_a_time": await answer_crowd(workdir, members=baseline_members, max_concurrent_updates=1,
                                                  tag="paced-1", timeout=baseline_members / 5 + 60,
                                                  **paced),
        "lifted": await answer_crowd(workdir, members=members, max_concurrent_updates=256, tag="lifted",
                                     timeout=members / 10 + 60, **lifted),
        "lifted_one_at_a_time": await answer_crowd(workdir, members=baseline_members, max_concurrent_updates=1,
                                                   tag="lifted-1", timeout=baseline_members / 5 + 60,
                                                   **lifted),
    }


async def replies_during_broadcast(workdir: Path, *, recipients: int, members: int,
                                   spread: float) -> dict[str, Any]:
    async with StandIn(workdir, rate=30.0, per_chat_rate=1.0, latency=0.08) as api:
        ids = list(range(1_000_001, 1_000_001 + recipients))
        await api.register_chats([*ids, 90001])
        data_dir = workdir / "data-during"
        store = Store(data_dir, store_key())
        try:
            for start in range(0, recipients, 500):
                await asyncio.gather(*(store.chats.subscribe(c, ALL, "en") for c in ids[start:start + 500]))
        finally:
            store.close()
        settings = Settings(token=Secret(TOKEN), data_dir=data_dir, api_base_url=api.base_url, data_key=data_key(),
                            send_rate=29.5)
        application = build(settings, application_class=TrackedApplication)
        assert isinstance(application, TrackedApplication)
        async with running(application, poll_timeout=1):
            publisher = services_of(application).publisher
            broadcast = await publisher.publish(GENERAL, {"en": "An update for everyone."}, 90001)
            await asyncio.sleep(2.0)  # the broadcast is at its pace

            def delivered() -> int:
                counts = publisher.broadcaster.progress(broadcast.id)
                return counts[SENT] if counts is not None else 0

            sent_before, window_start = delivered(), time.perf_counter()

            async def ask(user: int, delay: float) -> float:
                await asyncio.sleep(delay)
                asked = time.perf_counter()
                [update_id] = await api.user_messages([(user, "/case asif")])
                await application.wait_processed(update_id, timeout=60)
                return time.perf_counter() - asked

            waits = await asyncio.gather(*(ask(2_000_000 + n, n * spread / members) for n in range(members)))
            window = time.perf_counter() - window_start
            rate = (delivered() - sent_before) / window
            publisher.broadcaster.cancel(broadcast.id)
    return {"recipients": recipients, "members": members, "spread_s": spread, "p50_s": percentile(waits, 50),
            "p99_s": percentile(waits, 99), "max_s": max(waits), "broadcast_rate": rate,
            "replies_rate": members / window, "window_s": window}
