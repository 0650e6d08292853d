"""Shared pieces of the benchmark runner: the stand-in process, its control surface, statistics, probes.

Not a test module (pytest collects only test_*.py): imported by tests/bench/run.py, which puts this
directory first on sys.path when it is run as a script.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import gc
import logging
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.config import Secret, data_key_bytes

ROOT = Path(__file__).resolve().parents[2]
"""The checkout (/work/main): the stand-in process runs from here."""

STANDIN_START_TIMEOUT = 20.0
STANDIN_STOP_TIMEOUT = 5.0
CONTROL_TIMEOUT = aiohttp.ClientTimeout(total=10)


def data_key() -> Secret:
    """BOT_DATA_KEY as the benchmarks run with it (`run.py --data-key` sets a fresh one): the stores they open and the
    bots they start seal the data files with it, as a deployment with the key does; unset, they are plain."""
    return Secret(os.environ.get("BOT_DATA_KEY", ""))


def store_key() -> bytes | None:
    """The same key for `Store(data_dir, key)`."""
    return data_key_bytes(data_key())


# --- the stand-in, in a process of its own -----------------------------------------------------------


class StandIn:
    """`python -m bot.tryout.standin` in a separate process on 127.0.0.1 (a free port), stopped on exit.

    `async with StandIn(workdir, rate=30, latency=0.08) as api:` then `api.base_url` for PTB and
    `await api.stats()` / `await api.register_chats(ids)` over its /_control surface.
    """

    _count = 0

    def __init__(self, workdir: Path, *, rate: float | None, latency: float,
                 per_chat_rate: float | None = None) -> None:
        StandIn._count += 1
        self.name = f"standin-{StandIn._count}"
        self.workdir = workdir
        self.rate = rate
        self.per_chat_rate = per_chat_rate
        self.latency = latency
        self.base_url = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def root(self) -> str:
        """http://127.0.0.1:PORT (the base URL without the trailing /bot)."""
        return self.base_url[: -len("/bot")]

    @property
    def command(self) -> list[str]:
        args = [sys.executable, "-m", "bot.tryout.standin", "--host", "127.0.0.1", "--port", "0",
                "--latency", repr(self.latency)]
        if self.rate:
            args += ["--rate", repr(self.rate)]
        if self.per_chat_rate:
            args += ["--per-chat-rate", repr(self.per_chat_rate)]
        return args

    async def __aenter__(self) -> StandIn:
        out_path = self.workdir / f"{self.name}.out"
        err_path = self.workdir / f"{self.name}.err"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            self.proc = subprocess.Popen(self.command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        try:
            deadline = time.monotonic() + STANDIN_START_TIMEOUT
            while True:
                text = out_path.read_text(errors="replace")
                if "\n" in text:
                    self.base_url = text.splitlines()[0].strip()
                    break
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the stand-in exited with {self.proc.returncode}: "
                                       f"{err_path.read_text(errors='replace')[-2000:]}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the stand-in did not print its URL within {STANDIN_START_TIMEOUT}s")
                await asyncio.sleep(0.05)
            if not self.base_url.startswith("http://127.0.0.1:") or not self.base_url.endswith("/bot"):
                raise RuntimeError(f"unexpected stand-in URL {self.base_url!r}")
            self._session = aiohttp.ClientSession(timeout=CONTROL_TIMEOUT)
        except BaseException:
            self.stop()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            if self._session is not None:
                await self._session.close()
        finally:
            self.stop()

    def stop(self) -> None:
        """Terminate the process this object started (by its own handle, nothing else)."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(STANDIN_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(STANDIN_STOP_TIMEOUT)

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) the stand-in process has used so far; None where /proc is not there."""
        if self.proc is None:
            return None
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("the stand-in is not running")
        return self._session

    async def stats(self) -> dict[str, int]:
        """/_control/stats: sent_count, rejected_429, rejected_403, pending_updates."""
        async with self._http().get(f"{self.root}/_control/stats") as response:
            response.raise_for_status()
            data: dict[str, int] = await response.json()
            return data

    async def user_messages(self, messages: Sequence[tuple[int, str]], *, concurrency: int = 32) -> list[int]:
        """Queue a message from each (user, text) at once, as a crowd writes: /_control/message each.
        Returns the update ids, in the order of `messages`."""
        session = self._http()
        url = f"{self.root}/_control/message"
        pending = iter(enumerate(messages))
        ids = [0] * len(messages)

        async def worker() -> None:
            for index, (user_id, text) in pending:
                async with session.post(url, data={"user_id": str(user_id), "text": text}) as response:
                    response.raise_for_status()
                    ids[index] = int((await response.json())["result"])

        await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
        return ids

    async def register_chats(self, chat_ids: Sequence[int], *, concurrency: int = 32,
                             timeout: float = 120.0) -> float:
        """Make the chats known to the stand-in (else a send is 400 "chat not found"); returns seconds.

        The stand-in has `LocalBotAPI.add_chats` but no control route for it, and /_control/message
        would queue an update per chat for the bot to answer. So each chat is registered with
        `POST /_control/block chat_id=… blocked=false`: that creates the chat and, as it is not
        blocked, changes nothing and queues no update. One request per chat, `concurrency` at a time.
        """
        session = self._http()
        url = f"{self.root}/_control/block"
        pending = iter(chat_ids)

        async def worker() -> None:
            for chat_id in pending:
                async with session.post(url, data={"chat_id": str(chat_id), "blocked": "false"}) as response:
                    if response.status != 200:
                        raise RuntimeError(f"registering chat {chat_id}: HTTP {response.status} "
                                           f"{await response.text()}")

        started = time.perf_counter()
        async with asyncio.timeout(timeout):
            await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
        return time.perf_counter() - started


# --- statistics ----------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Iterable[float]) -> float:
    found = [v for v in values if not math.isnan(v)]
    return statistics.median(found) if found else math.nan


@dataclass
class Progress:
    """Samples (seconds since start, delivered so far) of one send run, and the rates they give."""

    samples: list[tuple[float, int]] = field(default_factory=list)

    def add(self, elapsed: float, sent: int) -> None:
        self.samples.append((elapsed, sent))

    @property
    def final(self) -> int:
        return max((sent for _, sent in self.samples), default=0)

    @property
    def last_send_at(self) -> float:
        """When the final count was first observed (seconds after the start)."""
        final = self.final
        return next((t for t, sent in self.samples if sent >= final), math.nan)

    def sent_at(self, elapsed: float) -> int:
        """Delivered by `elapsed` seconds after the start (the last sample at or before it)."""
        index = bisect.bisect_right(self.samples, elapsed, key=lambda sample: sample[0])
        return self.samples[index - 1][1] if index else 0

    def overall_rate(self) -> float:
        """Deliveries a second from the start to the last delivery, the first second's burst included."""
        end = self.last_send_at
        return self.final / end if end > 0 else math.nan

    def rate_after(self, skip: float) -> float:
        """Deliveries a second from `skip` seconds after the start to the last delivery."""
        end = self.last_send_at
        if not end > skip:
            return math.nan
        return (self.final - self.sent_at(skip)) / (end - skip)

    def windows(self, width: float = 1.0) -> list[int]:
        """Deliveries in each full window [k·width, (k+1)·width) up to the last delivery."""
        end = self.last_send_at
        if not end > 0:
            return []
        return [self.sent_at((k + 1) * width) - self.sent_at(k * width) for k in range(int(end // width))]


# --- probes --------------------------------------------------------------------------------------------


class LoopMonitor:
    """A task that sleeps `interval` again and again and records how late it wakes: the loop's blocks.

    It also times Python's garbage collections meanwhile (in any thread: a collection holds the GIL, so
    it blocks the loop too), to tell a pause of the interpreter from one of the code.
    """

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.lateness: list[float] = []
        self.collections: list[tuple[int, float]] = []  # (generation, seconds)
        self._gc_started = 0.0
        self._task: asyncio.Task[None] | None = None

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.collections.append((int(info.get("generation", -1)), time.perf_counter() - self._gc_started))

    async def _tick(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.lateness.append(time.perf_counter() - before - self.interval)

    def start(self) -> LoopMonitor:
        gc.callbacks.append(self._on_gc)
        self._task = asyncio.create_task(self._tick(), name="loop-monitor")
        return self

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._on_gc)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def summary(self) -> dict[str, Any]:
        values = self.lateness
        return {"interval_ms": self.interval * 1000, "ticks": len(values),
                "max_ms": max(values, default=math.nan) * 1000,
                "p99_ms": percentile(values, 99) * 1000, "p50_ms": percentile(values, 50) * 1000,
                "over_50ms": sum(1 for v in values if v > 0.050),
                "gc_collections": len(self.collections),
                "gc_gen2_collections": sum(1 for generation, _ in self.collections if generation == 2),
                "gc_max_ms": max((t for _, t in self.collections), default=0.0) * 1000}


class RateLimitLog(logging.Handler):
    """Counts what the bot's rate limiter (bot/rate_limit.py) logs: each flood wait it waits out, and each one it
    gives up on."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.retried = 0
        self.gave_up = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("flood wait") and "not waited out" in message:
            self.gave_up += 1
        elif message.startswith("flood wait"):
            self.retried += 1

    def reset(self) -> None:
        self.retried = self.gave_up = 0

    def __enter__(self) -> RateLimitLog:
        logger = logging.getLogger("bot.rate_limit")
        self._previous_level = logger.level
        logger.setLevel(logging.INFO)  # the root handler stays at WARNING: nothing extra is printed
        logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logger = logging.getLogger("bot.rate_limit")
        logger.removeHandler(self)
        logger.setLevel(self._previous_level)
