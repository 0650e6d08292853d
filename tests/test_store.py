"""The store: atomic writes that survive being killed, one writer, chats, and the content import."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from tinydb import TinyDB

from bot.content import RawItem, read_content_dir
from bot.model import ALL, DONE, FORGOTTEN, GENERAL, RETENTION_DAYS, SEND, SENT, Result, Target
from bot.store import DataDirInUse, Store
from bot.store import chats as chats_module
from bot.store.content_repo import ORIGIN_ADMIN
from bot.store.engine.atomic import AtomicJSONStorage, clean_stale_temp_files, temp_prefix
from bot.store.engine.seal import Sealer, open_file, open_line

ROOT = Path(__file__).resolve().parent.parent
KILLS = 60
KEY = bytes(range(32))


@pytest.fixture(params=[None, KEY], ids=["plain", "sealed"])
def key(request: pytest.FixtureRequest) -> bytes | None:
    """Without a data key and with one (the files sealed): the store behaves the same."""
    value: bytes | None = request.param
    return value


def opened(directory: Path, pattern: str, key: bytes | None) -> bytes:
    """The files' content as whoever holds the key reads it (sealed records opened), one record a line."""
    sealer = Sealer(key) if key else None
    records = []
    for path in sorted(directory.glob(pattern)):
        raw = path.read_bytes()
        if path.name.endswith(".journal"):
            records += [open_line(line, path, n, sealer) for n, line in enumerate(raw.splitlines(), 1)]
        else:
            records.append(open_file(raw, path, sealer))
    return b"\n".join(records)


@pytest.mark.slow
def test_writer_killed_at_random_moments_always_leaves_a_whole_file(tmp_path: Path, key: bytes | None) -> None:
    path = tmp_path / "members.json"
    rng = random.Random(20201)
    last_round = -1
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(KILLS):
        child = subprocess.Popen([sys.executable, str(ROOT / "tests" / "kill_writer.py"), str(path),
                                  *([key.hex()] if key else [])],
                                 stdout=subprocess.PIPE, text=True, env=env)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        # Kill it at a random moment: while writing a temp file, renaming, or between writes.
        subprocess.run(["sleep", f"{rng.uniform(0, 0.05):.4f}"], check=True)
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()

        sealer = Sealer(key) if key else None
        data = json.loads(open_file(path.read_bytes(), path, sealer))  # never torn: this must open and parse
        rounds = {doc["round"] for doc in data["members"].values()}
        assert len(data["members"]) == 1000
        assert len(rounds) == 1, "a write was applied to only part of the documents"
        assert rounds.pop() > last_round  # every acknowledged ("ready") write survived
        last_round = max(doc["round"] for doc in data["members"].values())
        assert ("Məmməd İbrahim".encode() in path.read_bytes()) is (key is None)  # ensure_ascii=False, or sealed

        TinyDB(path, storage=AtomicJSONStorage, sealer=sealer).close()  # opening cleans what the kill left
        assert not list(tmp_path.glob(f"{temp_prefix(path)}*"))


def test_stale_temp_files_are_removed_and_others_kept(tmp_path: Path) -> None:
    path = tmp_path / "content.json"
    stale = tmp_path / f"{temp_prefix(path)}abc123.tmp"
    stale.write_text("{half a wri")
    other = tmp_path / "notes.tmp"
    other.write_text("not ours")
    assert clean_stale_temp_files(path) == [stale]
    assert other.exists() and not stale.exists()


def test_failed_write_leaves_the_old_data_readable(tmp_path: Path) -> None:
    storage = AtomicJSONStorage(tmp_path / "x.json")
    storage.write({"t": {"1": {"a": 1}}})
    with pytest.raises(TypeError):
        storage.write({"t": {"1": {"a": object()}}})
    assert storage.read() == {"t": {"1": {"a": 1}}}
    assert json.loads((tmp_path / "x.json").read_text()) == {"t": {"1": {"a": 1}}}


def test_a_second_process_cannot_open_the_same_data_dir(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        code = ("import sys; from pathlib import Path; from bot.store import Store, DataDirInUse\n"
                "try:\n    Store(Path(sys.argv[1]))\nexcept DataDirInUse:\n    sys.exit(3)\n")
        result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env={**os.environ,
                                "PYTHONPATH": str(ROOT)}, check=False)
        assert result.returncode == 3
    finally:
        store.close()
    Store(tmp_path).close()  # released on close


def test_in_process_second_store_is_refused(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        with pytest.raises(DataDirInUse):
            Store(tmp_path)
    finally:
        store.close()


async def test_chat_record_holds_only_what_the_bot_needs(tmp_path: Path, key: bytes | None) -> None:
    store = Store(tmp_path, key)
    try:
        assert await store.chats.get(42) is None
        record = await store.chats.set_language(42, "az")
        assert record.language == "az" and record.subscriptions == () and record.active
        await store.chats.set_language(42, "ru")
        await store.chats.subscribe(42, "asif-yusifli", "en")  # the language is kept: it has one
        await store.chats.subscribe(-100123, ALL, "az")  # a group chat, new: takes the given language
        await store.chats.set_quiet(-100123, True, "en")
        assert (await store.chats.get(42)).language == "ru"  # type: ignore[union-attr]
        group = await store.chats.get(-100123)
        assert group is not None and group.language == "az" and group.quiet and group.subscriptions == (ALL,)
    finally:
        store.close()

    store = Store(tmp_path, key)  # survives a restart
    try:
        kept = await store.chats.get(42)
        assert kept is not None and kept.subscriptions == ("asif-yusifli",)
        record = kept
        stored = set(chats_module.as_document(record))
        assert stored == {"language", "chosen", "subscriptions", "created", "updated"}  # quiet and active: defaults
        assert len(record.created) == len("2026-11-22")
        assert await store.forget_chat(42) is True
        assert await store.chats.get(42) is None
        raw = opened(tmp_path, "chats.json*", key)
        assert b'"42"' not in raw  # gone from the journal's history too
        assert await store.forget_chat(42) is False
    finally:
        store.close()


async def test_recipients_follow_their_topic_and_skip_inactive_chats(tmp_path: Path, key: bytes | None) -> None:
    store = Store(tmp_path, key)
    try:
        await store.chats.subscribe(1, ALL, "en")
        await store.chats.subscribe(2, "asif-yusifli", "az")
        await store.chats.subscribe(3, "mammad-ibrahim", "ru")
        await store.chats.subscribe(4, ALL, "ru")
        await store.chats.set_active(4, False)  # blocked the bot
        await store.chats.set_language(5, "en")  # follows nothing
        assert {r.chat_id for r in await store.chats.recipients("asif-yusifli")} == {1, 2}
        assert {r.chat_id for r in await store.chats.recipients(GENERAL)} == {1}
        await store.chats.unsubscribe(2, "asif-yusifli")
        assert {r.chat_id for r in await store.chats.recipients("asif-yusifli")} == {1}
        moved = await store.chats.migrate(3, -1003)
        assert moved is not None and await store.chats.get(3) is None
        assert {r.chat_id for r in await store.chats.recipients("mammad-ibrahim")} == {1, -1003}
        stats = await store.chats.stats()
        assert (stats.chats, stats.active) == (5, 4)
        assert stats.by_subscription == {ALL: 1, "mammad-ibrahim": 1}
    finally:
        store.close()


def _items() -> list[RawItem]:
    return read_content_dir(ROOT / "content")


def _with(items: list[RawItem], where: str, **changes: object) -> list[RawItem]:
    out = []
    for item in items:
        if item.where == where:
            item = RawItem(item.kind, item.id, item.where, {**item.data, **changes})
        out.append(item)
    return out


async def test_import_adds_then_updates_file_content_and_reports_it(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        items = _items()
        first = await store.content.import_items(items)
        assert len(first.added) == len(items) and not first.changed
        again = await store.content.import_items(items)
        assert not again.added and not again.changed and len(again.unchanged) == len(items)
        changed = _with(items, "cases/asif-yusifli.yaml", order=99)
        report = await store.content.import_items(changed)
        assert report.changed == ["cases/asif-yusifli.yaml"]
        assert store.content.content.cases[-1].id == "asif-yusifli"
    finally:
        store.close()
    store = Store(tmp_path)
    try:
        content = await store.content.load()
        assert content is not None and content.cases[-1].id == "asif-yusifli"
    finally:
        store.close()


async def test_import_never_overwrites_what_an_admin_wrote(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        await store.content.import_items(_items())
        path = tmp_path / "content.json"
        data = json.loads(path.read_text())
        for record in data["items"].values():  # as a later admin edit from Telegram will store it
            if record["id"] == "asif-yusifli":
                record["origin"] = ORIGIN_ADMIN
                record["data"]["order"] = 1
        path.write_text(json.dumps(data, ensure_ascii=False))
    finally:
        store.close()
    store = Store(tmp_path)
    try:
        report = await store.content.import_items(_with(_items(), "cases/asif-yusifli.yaml", order=77))
        assert report.kept_admin_edits == ["cases/asif-yusifli.yaml"] and not report.changed
        assert store.content.content.case("asif-yusifli").order == 1  # type: ignore[union-attr]
    finally:
        store.close()


async def test_a_bad_import_writes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        await store.content.import_items(_items())
        before = (tmp_path / "content.json").read_bytes()
        bad = _with(_items(), "cases/asif-yusifli.yaml", sources=["no-such-source"])
        with pytest.raises(ValueError, match=r"cases/asif-yusifli.yaml: sources: 'no-such-source'"):
            await store.content.import_items(bad)
        assert (tmp_path / "content.json").read_bytes() == before
        assert store.content.content.case("asif-yusifli").sources != ("no-such-source",)  # type: ignore[union-attr]
    finally:
        store.close()


async def test_a_record_without_its_file_is_kept_and_reported(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        await store.content.import_items(_items())
        fewer = [i for i in _items() if i.id != "mammad-ibrahim"]
        report = await store.content.import_items(fewer)
        assert report.only_in_store == ["cases/mammad-ibrahim.yaml"]
        assert store.content.content.case("mammad-ibrahim") is not None
    finally:
        store.close()


async def test_forget_erases_a_chat_from_every_broadcast_and_keeps_the_totals(tmp_path: Path,
                                                                              key: bytes | None) -> None:
    store = Store(tmp_path, key)
    try:
        targets = [Target(chat, "en", False) for chat in (11, 12, 13)]
        broadcast = await store.outbox.create(SEND, 1, ALL, 99, targets)
        claimed = await store.outbox.claim(broadcast.id, 2)
        await store.outbox.record(broadcast.id, [Result(d.seq, SENT, 500 + d.seq) for d in claimed])
        assert await store.forget_chat(11) is False and await store.forget_chat(13) is False  # no record, yet erased
        deliveries = {d.seq: d for d in await store.outbox.deliveries(broadcast.id)}
        assert (deliveries[1].chat_id, deliveries[1].status, deliveries[1].message_id) == (0, SENT, None)
        assert (deliveries[3].chat_id, deliveries[3].status) == (0, FORGOTTEN)  # pending: never sent now
        assert deliveries[2].chat_id == 12
        assert await store.outbox.claim(broadcast.id, 10) == []
        raw = opened(tmp_path, "outbox.json*", key)
        assert b'"chat":11' not in raw and b'"chat":13' not in raw  # not in the journal's history either
    finally:
        store.close()


async def test_old_deliveries_are_pruned_to_their_totals(tmp_path: Path, key: bytes | None) -> None:
    store = Store(tmp_path, key)
    try:
        broadcast = await store.outbox.create(SEND, 1, ALL, 99, [Target(c, "en", False) for c in (21, 22)])
        claimed = await store.outbox.claim(broadcast.id, 5)
        await store.outbox.record(broadcast.id, [Result(d.seq, SENT, 1) for d in claimed])
        await store.outbox.finish(broadcast.id, DONE)
        assert await store.outbox.prune() == 0  # recent: kept, a correction may need it
        later = datetime.now(UTC) + timedelta(days=RETENTION_DAYS + 1)
        assert await store.outbox.prune(later) == 1
        assert await store.outbox.deliveries(broadcast.id) == []
        assert (await store.outbox.counts(broadcast.id))[SENT] == 2
    finally:
        store.close()


async def test_quiet_and_active_go_back_to_their_defaults_and_survive_a_restart(tmp_path: Path,
                                                                                key: bytes | None) -> None:
    """They are stored only when they differ from the default (quiet off, active): a change back removes them."""
    store = Store(tmp_path, key)
    try:
        await store.chats.subscribe(7, ALL, "en")
        await store.chats.set_quiet(7, True, "en")
        await store.chats.set_active(7, False)
        record = await store.chats.get(7)
        assert record is not None and record.quiet and not record.active
        await store.chats.set_quiet(7, False, "en")
        await store.chats.set_active(7, True)
    finally:
        store.close()
    store = Store(tmp_path, key)
    try:
        record = await store.chats.get(7)
        assert record is not None and not record.quiet and record.active and record.subscriptions == (ALL,)
        assert set(chats_module.as_document(record)) == {"language", "chosen", "subscriptions", "created", "updated"}
    finally:
        store.close()


async def test_a_chat_that_blocked_the_bot_long_ago_is_deleted_and_its_history_with_it(tmp_path: Path,
                                                                                       key: bytes | None) -> None:
    store = Store(tmp_path, key)
    day = [date(2026, 1, 1)]
    store.chats = chats_module.ChatRepository(store.db, today=lambda: day[0])
    try:
        for chat_id in (11, 12, 13):
            await store.chats.subscribe(chat_id, ALL, "en")
        await store.chats.subscribe(-1005, ALL, "az", thread_id=3)  # a forum the bot is later removed from
        await store.chats.set_active(11, False)
        await store.chats.set_active(-1005, False)
        day[0] = date(2026, 3, 1)
        await store.chats.set_active(12, False)  # blocked later: kept
        day[0] = date(2026, 1, 1) + timedelta(days=90)
        assert await store.chats.prune_inactive(90) == 2
        assert await store.chats.get(11) is None and await store.chats.get(-1005, 3) is None
        assert await store.chats.get(12) is not None and await store.chats.get(13) is not None
        raw = opened(tmp_path, "chats.json*", key)
        assert b'"11"' not in raw and b'"-1005"' not in raw  # gone from the journal's history too
        assert await store.chats.prune_inactive(90) == 0
    finally:
        store.close()
