"""Everything the bot keeps on disk is its own user's only: files 0600, directories 0700, whatever the umask.

The data directory holds chat ids, what each chat follows and who was sent what (snapshots, journals, the
temp files they are written through, the lock file). Each test runs a real workload and then looks at every
path under the data directory.
"""

from __future__ import annotations

import logging
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.broadcast import Broadcaster
from bot.config import Settings
from bot.content import read_content_dir
from bot.model import ALL, SEND, SENT, Broadcast, Outgoing, Target
from bot.store import Store
from bot.tryout.driver import LocalBot
from tests.test_broadcast import ADMIN, push, subscribers

ROOT = Path(__file__).resolve().parent.parent


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def loose_paths(top: Path) -> list[str]:
    """Every path at or under `top` that is not owner-only (0700 directories, 0600 files), with its mode."""
    found = []
    paths = [top, *top.rglob("*")]
    assert len(paths) > 1, f"nothing under {top}"
    for path in paths:
        expected = 0o700 if path.is_dir() else 0o600
        if not path.is_symlink() and mode(path) != expected:
            found.append(f"{path.relative_to(top.parent)}: {mode(path):04o}")
    return found


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


@pytest.fixture
def temp_file_modes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The mode of each temp file as it is renamed over a snapshot (they exist only for that moment)."""
    modes: list[int] = []
    real_replace: Callable[..., None] = os.replace

    def spy(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        modes.append(mode(Path(src)))
        real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", spy)
    return modes


class FakeBot:
    async def send_message(self, chat_id: int, text: str, **_: Any) -> SimpleNamespace:
        return SimpleNamespace(message_id=1000 + chat_id)


async def test_every_file_and_directory_the_store_makes_is_owner_only(tmp_path: Path, umask: int,
                                                                     temp_file_modes: list[int]) -> None:
    data = tmp_path / "var" / "campaign" / "data"  # the parents are the bot's to make too
    store = Store(data)
    try:
        await store.open()
        await store.content.import_items(read_content_dir(ROOT / "content"))
        chats = list(range(1, 41))
        for chat_id in chats:
            await store.chats.subscribe(chat_id, ALL, "en")
        update = await store.updates.add(ALL, {"en": "An update."})
        broadcast = await store.outbox.create(SEND, update.id, ALL, 99, [Target(c, "en", False) for c in chats])

        async def compose(_: Broadcast) -> dict[str, Outgoing]:
            return {"en": Outgoing("An update.")}

        async def report(_: Broadcast, __: Counter[str], ___: bool) -> None:
            return None

        await Broadcaster(FakeBot(), store, compose, report).start(broadcast)  # type: ignore[arg-type]
        assert (await store.outbox.counts(broadcast.id))[SENT] == len(chats)
        await store.forget_chat(7)  # compacts the outbox
        await store.db.run(store.db.erase_history, "chats")  # and the chats
        assert loose_paths(tmp_path / "var") == []  # while the store is open, the lock file included
    finally:
        store.close()
    names = {p.name for p in data.iterdir()}
    assert {".lock", "chats.json", "chats.json.journal", "outbox.json", "outbox.json.journal", "content.json",
            "updates.json"} <= names, names
    assert temp_file_modes and all(m == 0o600 for m in temp_file_modes), [f"{m:04o}" for m in temp_file_modes]
    assert loose_paths(tmp_path / "var") == []


async def test_the_running_bot_keeps_its_data_directory_owner_only(tmp_path: Path) -> None:
    """The whole application over HTTP (open, subscribe, a push and its broadcast, stop) under umask 000."""
    old = os.umask(0)
    try:
        data = tmp_path / "data"
        async with LocalBot(data, settings=Settings(admin_ids=frozenset({ADMIN}))) as campaign:
            members = await subscribers(campaign, ALL, 5)
            await push(campaign, "Asif Yusifli", {"en": "The trial was postponed."})
            assert all(len(member.replies) == 1 for member in members)
            await campaign.services.store.forget_chat(members[0].chat_id)
        assert loose_paths(data) == []
    finally:
        os.umask(old)


async def test_a_data_directory_left_readable_by_others_is_tightened_when_opened(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = tmp_path / "data"
    store = Store(data)
    try:
        await store.chats.subscribe(1, ALL, "en")
        await store.updates.add(ALL, {"en": "An update."})
    finally:
        store.close()
    # As an older version (0644 journals, 0755 directory) or an operator's `cp -r`/`mkdir` leaves them.
    (data / "backup").mkdir()
    (data / "backup" / "chats.json").write_text("{}")
    loosened = [data, data / "backup"] + [p for p in data.rglob("*") if p.is_file()]
    for path in loosened:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    os.chmod(data / "updates.json", 0o666)
    assert len(loose_paths(data)) == len(loosened) >= 6

    with caplog.at_level(logging.INFO, logger="bot.store"):
        store = Store(data)
    try:
        assert loose_paths(data) == []
        assert (await store.chats.get(1)) is not None  # and the data is still there
    finally:
        store.close()
    lines = [r.getMessage() for r in caplog.records if "owner-only" in r.getMessage()]
    # One line, with how many; the lock files (.lock, .write.lock) are not among them: they are made 0600 as they
    # are taken, before the walk.
    assert len(lines) == 1 and f"{len(loosened) - 2} files and directories" in lines[0], lines

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.store"):
        Store(data).close()
    assert not [r for r in caplog.records if "owner-only" in r.getMessage()]  # nothing to say the next time
