"""A broadcast whose process is killed with SIGKILL mid-way resumes on restart and loses no one.

The bot runs as `campaign-bot run` in a child process against the stand-in in this process. After the
kill, the outbox says which deliveries were in flight (`sending`): those recipients may end with the
message twice; every other recipient must end with it exactly once.
"""

from __future__ import annotations

import asyncio
import math
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.broadcast import FLUSH_EVERY, MAX_IN_FLIGHT
from bot.model import ALL, SENDING, SENT
from bot.store import Store
from bot.tryout.standin import LocalBotAPI, SentMessage
from tests.conftest import tr

ADMIN = 90002
RECIPIENTS = 400
TOKEN = "5555555555:made-up-token-for-the-crash-test"
SEND_RATE = 60


async def until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def start_bot(api: LocalBotAPI, data_dir: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_API_BASE_URL": api.base_url, "BOT_DATA_DIR": str(data_dir),
                "BOT_ADMIN_IDS": str(ADMIN), "BOT_SEND_RATE": str(SEND_RATE)})
    polls = sum(1 for method, _ in api.calls if method == "getUpdates")
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", env=env, cwd=data_dir.parent,
                                                   stdout=asyncio.subprocess.DEVNULL,
                                                   stderr=asyncio.subprocess.DEVNULL)
    await until(lambda: sum(1 for method, _ in api.calls if method == "getUpdates") > polls, "the bot to poll")
    return process


def delivered(api: LocalBotAPI, chat_id: int) -> int:
    return sum(1 for m in api.messages(chat_id) if m.from_bot and not m.deleted)


async def admin_says(api: LocalBotAPI, text: str) -> None:
    before = len(api.messages(ADMIN))
    api.user_message(ADMIN, text, language_code="en")
    await until(lambda: len(api.messages(ADMIN)) > before, f"an answer to {text!r}")


async def admin_presses(api: LocalBotAPI, label: str) -> None:
    def keyboard() -> list[SentMessage]:
        return [m for m in api.messages(ADMIN) if any(label in b["text"] for b in m.buttons())]

    await until(lambda: bool(keyboard()), f"a {label!r} button")
    message = keyboard()[-1]
    button = next(b for b in message.buttons() if label in b["text"])
    edits, count = message.edits, len(api.messages(ADMIN))
    api.press_button(ADMIN, message.message_id, button["callback_data"], language_code="en")
    await until(lambda: message.edits > edits or len(api.messages(ADMIN)) > count, f"the {label!r} button")


@pytest.mark.slow
async def test_a_killed_broadcast_resumes_and_only_in_flight_sends_may_repeat(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    chats = list(range(10_000, 10_000 + RECIPIENTS))
    store = Store(data_dir)
    try:
        for chat_id in chats:
            await store.chats.subscribe(chat_id, ALL, ("en", "az", "ru")[chat_id % 3])
    finally:
        store.close()

    api = LocalBotAPI(latency=0.01)
    await api.start()
    process = None
    try:
        api.add_chats(chats)
        process = await start_bot(api, data_dir)
        await admin_says(api, "/push")
        await admin_presses(api, tr("en")._("General updates"))
        for text in ("Breaking: the hearing is today.", "/skip", "/skip"):
            await admin_says(api, text)
        await admin_presses(api, tr("en")._("Confirm and send"))

        await until(lambda: sum(delivered(api, c) for c in chats) >= RECIPIENTS // 3, "a third to be delivered")
        process.send_signal(signal.SIGKILL)
        await process.wait()
        at_kill = sum(delivered(api, c) for c in chats)
        assert at_kill < RECIPIENTS, "the broadcast finished before the kill: this test tests nothing"

        store = Store(data_dir)  # the dead process's lock is gone
        try:
            [broadcast] = await store.outbox.recent(1)
            in_flight = {d.chat_id for d in await store.outbox.deliveries(broadcast.id, SENDING)}
            recorded = {d.chat_id for d in await store.outbox.deliveries(broadcast.id, SENT)}
        finally:
            store.close()
        assert broadcast.state == "running"
        assert all(delivered(api, c) == 1 for c in recorded)  # what the outbox says was sent, was

        process = await start_bot(api, data_dir)
        done = "#1 done"
        await until(lambda: any(done in m.text for m in api.messages(ADMIN)), "the final report", timeout=120)

        counts = {c: delivered(api, c) for c in chats}
        skipped = [c for c, n in counts.items() if n == 0]
        twice_outside = [c for c, n in counts.items() if n > 1 and c not in in_flight]
        assert skipped == [], f"{len(skipped)} recipients never got the update"
        assert twice_outside == [], f"{len(twice_outside)} recipients got it twice without being in flight"
        assert all(n <= 2 for n in counts.values())
        # Claimed: the free send slots and one flush window ahead. Sent twice: at most the sends in flight and
        # those answered since the last write.
        window = math.ceil(SEND_RATE * FLUSH_EVERY)
        assert len(in_flight) <= MAX_IN_FLIGHT + 2 * window, f"{len(in_flight)} claimed at the kill"
        twice = sum(n - 1 for n in counts.values() if n > 1)
        assert twice <= MAX_IN_FLIGHT + window, f"{twice} sent twice"
    finally:
        if process is not None and process.returncode is None:
            process.send_signal(signal.SIGINT)
            await asyncio.wait_for(process.wait(), 60)
        await api.stop()
