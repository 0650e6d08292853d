"""JournaledStorage: each TinyDB write is one fsynced journal append; nothing acknowledged is ever lost; with a data
key, each line and the snapshot sealed (the tests marked `sealer` run both ways)."""

from __future__ import annotations

import copy
import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import journal_writer  # the kill test's child (tests/ is on sys.path), for its slot() and constants
import pytest
from tinydb import Query, TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Document

from bot.store.engine import journal as journal_module
from bot.store.engine.atomic import temp_prefix
from bot.store.engine.errors import DataFileError, WrongKey
from bot.store.engine.journal import DEFAULT_COMPACT_BYTES, JournalCorruptError, JournaledStorage, journal_path
from bot.store.engine.seal import Sealer, open_file, open_line

ROOT = Path(__file__).resolve().parent.parent

NAMES = ["Məmməd İbrahim", "Мамед Ибрагим", "Asif Yusifli", "Гюльнара", "Şəhriyar Ağayev"]
KILLS = 60
KEY = bytes(range(32))
SEALER = Sealer(KEY)


@pytest.fixture(params=[None, SEALER], ids=["plain", "sealed"])
def sealer(request: pytest.FixtureRequest) -> Sealer | None:
    value: Sealer | None = request.param
    return value


def normal(data: Any) -> Any:
    """`data` as JSON gives it back (TinyDB's empty database, None, is {} here)."""
    return json.loads(json.dumps(data or {}, ensure_ascii=False))


def stored(path: Path, sealer: Sealer | None = None) -> dict[str, Any]:
    """What a fresh open of `path` sees."""
    storage = JournaledStorage(path, sealer=sealer)
    try:
        data: dict[str, Any] = normal(storage.read())
        return data
    finally:
        storage.close()


def journal_lines(path: Path, sealer: Sealer | None = None) -> list[dict[str, Any]]:
    lines = journal_path(path).read_bytes().splitlines()
    return [json.loads(open_line(line, journal_path(path), n, sealer)) for n, line in enumerate(lines, 1)]


def snapshot(path: Path, sealer: Sealer | None = None) -> Any:
    """The snapshot's content, opened."""
    return json.loads(open_file(path.read_bytes(), path, sealer))


def line_of(record: dict[str, Any], path: Path, sealer: Sealer | None) -> bytes:
    """A journal line of `path` as the storage writes it."""
    data = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
    return data + b"\n" if sealer is None else sealer.seal_line(data, journal_path(path).name)


def open_db(path: Path, sealer: Sealer | None = None, **kwargs: Any) -> TinyDB:
    return TinyDB(path, storage=JournaledStorage, sealer=sealer, **kwargs)


def storage_of(db: TinyDB) -> JournaledStorage:
    storage = db.storage
    assert isinstance(storage, JournaledStorage)
    return storage


# -- round trip ------------------------------------------------------------------------------------

def random_operation(rng: random.Random, dbs: list[TinyDB], force_drop: float = 0.0) -> None:
    """Apply one random TinyDB operation, identically, to every database in `dbs`."""
    name = f"t-{rng.randrange(24):02d}"
    ids = sorted(doc.doc_id for doc in dbs[0].table(name).all())
    op = rng.choices(["insert", "insert_multiple", "update_ids", "update_cond", "update_multiple", "remove_ids",
                      "remove_cond", "upsert", "truncate", "drop_table", "drop_tables"],
                     weights=[20, 8, 20, 8, 4, 8, 2, 10, 2, 2, 0])[0] if rng.random() > force_drop else "drop_tables"
    doc = {"g": rng.randrange(5), "name": rng.choice(NAMES), "n": rng.random()}
    many = [{"g": rng.randrange(5), "name": rng.choice(NAMES)} for _ in range(rng.randrange(1, 20))]
    chosen = rng.sample(ids, min(len(ids), rng.randrange(1, 4)))
    group = rng.randrange(5)
    new_id = rng.randrange(1, 400)
    by_id = rng.random() < 0.5
    for db in dbs:
        table = db.table(name)
        if op == "insert":
            table.insert(doc)
        elif op == "insert_multiple":
            table.insert_multiple(many)
        elif op == "update_ids" and chosen:
            table.update({"n": doc["n"], "name": doc["name"]}, doc_ids=chosen)
        elif op == "update_cond":
            table.update({"flag": doc["n"]}, Query().g == group)
        elif op == "update_multiple":
            table.update_multiple([({"m": 1}, Query().g == group), ({"m": 2}, Query().g == (group + 1) % 5)])
        elif op == "remove_ids" and chosen:
            table.remove(doc_ids=chosen)
        elif op == "remove_cond":
            table.remove(Query().g == group)
        elif op == "upsert":
            if by_id and not table.contains(doc_id=new_id):
                table.upsert(Document(doc, doc_id=new_id))
            else:
                table.upsert(doc, Query().g == group)
        elif op == "truncate":
            table.truncate()
        elif op == "drop_table":
            db.drop_table(name)
        elif op == "drop_tables":
            db.drop_tables()


@pytest.mark.parametrize("compact_bytes", [DEFAULT_COMPACT_BYTES, 3000])
def test_round_trip_through_tinydb_matches_an_in_memory_reference(tmp_path: Path, compact_bytes: int,
                                                                   sealer: Sealer | None) -> None:
    path = tmp_path / "members.json"
    rng = random.Random(compact_bytes)
    reference = TinyDB(storage=MemoryStorage)
    for phase in range(6):
        db = open_db(path, sealer, compact_bytes=compact_bytes)
        assert normal(db.storage.read()) == normal(reference.storage.read())
        for i in range(120):
            random_operation(rng, [db, reference], force_drop=float(phase == 1 and i == 60))
            assert db.storage.read() == (reference.storage.read() or {})
        db.close()
        assert stored(path, sealer) == normal(reference.storage.read())
        # A fresh reference too, so both compute new document ids from the data alone.
        data = copy.deepcopy(reference.storage.read())
        reference = TinyDB(storage=MemoryStorage)
        reference.storage.write(data or {})
    final = stored(path, sealer)
    assert len(final) > 5 and sum(len(table) for table in final.values()) > 100


def test_a_write_touching_one_table_of_512_appends_one_line_with_only_that_table(tmp_path: Path,
                                                                                 sealer: Sealer | None) -> None:
    path = tmp_path / "members.json"
    tables = {f"chats-{i:03d}": {str(i * 10 + j): {"language": "az", "n": j} for j in range(1, 4)}
              for i in range(512)}
    # As AtomicJSONStorage writes it without a key: a plain snapshot is read with one too.
    path.write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8")
    db = open_db(path, sealer)
    db.table("chats-123").update({"language": "ru"}, doc_ids=[1232])
    db.close()
    lines = journal_lines(path, sealer)
    assert len(lines) == 1
    expected = dict(tables["chats-123"])
    expected["1232"] = {"language": "ru", "n": 2}
    assert lines[0] == {"t": "chats-123", "d": expected}
    tables["chats-123"] = expected
    assert stored(path, sealer) == tables


def test_each_write_is_one_append_fsynced_before_it_returns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            sealer: Sealer | None) -> None:
    path = tmp_path / "x.json"
    db = open_db(path, sealer)
    db.table("a").insert({"v": 1})
    fd = storage_of(db)._fd
    events: list[str] = []
    real_write, real_sync = os.write, journal_module._fdatasync

    def write(target: int, data: Any) -> int:
        events.append("write" if target == fd else "other")
        return real_write(target, data)

    def sync(target: int) -> None:
        events.append("sync" if target == fd else "other")
        real_sync(target)

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(journal_module, "_fdatasync", sync)
    db.table("a").update({"v": 2}, doc_ids=[1])
    assert events == ["write", "sync"]
    db.table("b").insert({"v": 3})
    events.clear()
    db.drop_tables()  # two tables' lines, still one append
    assert events == ["write", "sync"]
    db.close()
    assert len(journal_lines(path, sealer)) == 5


def test_a_write_that_changes_nothing_appends_nothing(tmp_path: Path, sealer: Sealer | None) -> None:
    path = tmp_path / "x.json"
    db = open_db(path, sealer)
    db.table("a").insert({"v": 1})
    size = journal_path(path).stat().st_size
    db.storage.write(db.storage.read() or {})
    db.table("a").get(doc_id=1)
    db.table("a").search(Query().v == 1)
    assert journal_path(path).stat().st_size == size
    db.close()


def test_drop_and_empty_tables_are_told_apart(tmp_path: Path, sealer: Sealer | None) -> None:
    path = tmp_path / "x.json"
    db = open_db(path, sealer)
    for name in ("kept", "emptied", "dropped"):
        db.table(name).insert({"v": name})
    db.table("emptied").truncate()
    db.drop_table("dropped")
    db.close()
    assert stored(path, sealer) == {"kept": {"1": {"v": "kept"}}, "emptied": {}}
    assert journal_lines(path, sealer)[-2:] == [{"t": "emptied", "d": {}}, {"t": "dropped", "drop": True}]


# -- the kill test ---------------------------------------------------------------------------------

def expected_state(last_k: int) -> dict[str, dict[str, Any]]:
    """The database after writes 0..last_k of tests/journal_writer.py."""
    state = {journal_writer.table_name(t): {str(d): journal_writer.initial_doc()
                                            for d in range(1, journal_writer.DOCS + 1)}
             for t in range(journal_writer.TABLES)}
    for k in range(max(0, last_k - journal_writer.TABLES * journal_writer.DOCS + 1), last_k + 1):
        name, doc_id = journal_writer.slot(k)
        state[name][str(doc_id)] = {**journal_writer.initial_doc(), "k": k}
    return state


@pytest.mark.slow
def test_writer_killed_at_random_moments_never_loses_an_acknowledged_write(tmp_path: Path,
                                                                           sealer: Sealer | None) -> None:
    path = tmp_path / "members.json"
    compact_bytes = 32 * 1024  # a compaction every ~10 writes, so kills often land inside one
    rng = random.Random(4242)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    last_ack = -1
    last_k = -1  # the highest write number on disk; the writer's documents start at -1
    during_compaction = torn = 0
    modes = ["random", "after-compacting", "random", "after-compacting", "die-between"]
    for round_no in range(KILLS):
        mode = modes[round_no % len(modes)]
        child = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "journal_writer.py"), str(path), str(compact_bytes),
             "die-between" if mode == "die-between" else "run", *([KEY.hex()] if sealer else [])],
            stdout=subprocess.PIPE, text=True, env=env)
        assert child.stdout is not None
        seen = []
        while (line := child.stdout.readline().strip()) != "ready":
            assert line, "the writer died before it was ready"
            seen.append(line)
        if mode == "random":
            time.sleep(rng.uniform(0, 0.08))
        elif mode == "after-compacting":
            for _ in range(5000):
                seen.append(child.stdout.readline().strip())
                if seen[-1] == "compacting":
                    break
            else:
                pytest.fail("the writer never compacted")
            time.sleep(rng.uniform(0, 0.006))
        if mode != "die-between":
            child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=60) == -signal.SIGKILL
        seen += child.stdout.read().splitlines()
        child.stdout.close()
        markers = [line for line in seen if line in ("compacting", "compacted")]
        during_compaction += bool(markers) and markers[-1] == "compacting"
        acks = [int(line) for line in seen if line.isdigit()]
        if acks:
            assert acks[0] == last_k + 1  # a run resumes after what is on disk
            last_ack = acks[-1]
        acknowledged = acks[-1] if acks else last_k

        on_disk = snapshot(path, sealer) if path.exists() else {}  # never torn
        if mode == "die-between":
            # Killed after the new snapshot and before the journal reset: both hold everything.
            assert journal_path(path).stat().st_size > 0
            assert normal(on_disk) == stored(path, sealer)
        size = journal_path(path).stat().st_size
        data = stored(path, sealer)  # opening replays the journal, ignores a torn last write, cleans temp files
        assert not list(tmp_path.glob(f"{temp_prefix(path)}*"))
        torn += journal_path(path).stat().st_size < size
        last_k = max(doc["k"] for table in data.values() for doc in table.values())
        # Every acknowledged write is there, and at most the one write in flight at the kill besides.
        assert acknowledged <= last_k <= acknowledged + 1, "an acknowledged write is missing"
        assert data == expected_state(last_k), "a write was lost, torn or applied to the wrong document"
        raw = path.read_bytes() + journal_path(path).read_bytes()
        assert ("Məmməd İbrahim — Мамед Ибрагим".encode() in raw) is (sealer is None)
    print(f"{'sealed' if sealer else 'plain'}: {during_compaction} of {KILLS} kills landed inside a compaction, "
          f"{torn} left a torn journal tail; "
          f"{last_ack + 1} writes acknowledged")
    assert last_ack > KILLS
    assert during_compaction >= KILLS // len(modes)  # at least the die-between rounds


# -- torn and corrupt journals ---------------------------------------------------------------------

def three_writes(path: Path, sealer: Sealer | None = None) -> dict[str, Any]:
    db = open_db(path, sealer)
    db.table("a").insert({"name": NAMES[0]})
    db.table("b").insert({"name": NAMES[1]})
    db.table("a").update({"name": NAMES[2]}, doc_ids=[1])
    db.close()
    return stored(path, sealer)


def test_a_torn_last_line_is_ignored_and_truncated_away(tmp_path: Path, sealer: Sealer | None) -> None:
    path = tmp_path / "x.json"
    before = three_writes(path, sealer)
    size = journal_path(path).stat().st_size
    whole = line_of({"t": "b", "d": {"1": {"name": NAMES[3]}}}, path, sealer)
    for cut in (1, len(whole) // 2, len(whole) - 1):  # everything but the newline is still torn
        with journal_path(path).open("ab") as journal:
            journal.write(whole[:cut])
        assert stored(path, sealer) == before
        assert journal_path(path).stat().st_size == size
    db = open_db(path, sealer)
    db.table("b").insert({"name": NAMES[4]})  # appends after the good prefix, not after the garbage
    db.close()
    assert stored(path, sealer)["b"] == {"1": {"name": NAMES[1]}, "2": {"name": NAMES[4]}}


def test_a_multi_table_write_cut_short_is_dropped_as_a_whole(tmp_path: Path, sealer: Sealer | None) -> None:
    path = tmp_path / "x.json"
    before = three_writes(path, sealer)
    size = journal_path(path).stat().st_size
    db = open_db(path, sealer)
    db.drop_tables()  # one write that changes two tables: two lines, the first marked "more"
    db.close()
    lines = journal_path(path).read_bytes()[size:].splitlines(keepends=True)
    assert journal_lines(path, sealer)[-2:] == [{"t": "a", "drop": True, "more": True}, {"t": "b", "drop": True}]
    assert len(lines) == 2
    assert stored(path, sealer) == {}
    os.truncate(journal_path(path), size + len(lines[0]))  # killed after the first line of the group
    assert stored(path, sealer) == before
    assert journal_path(path).stat().st_size == size


def corrupt_line(path: Path, number: int, replacement: bytes) -> None:
    lines = journal_path(path).read_bytes().splitlines(keepends=True)
    lines[number - 1] = replacement
    journal_path(path).write_bytes(b"".join(lines))


@pytest.mark.parametrize(("number", "replacement"), [
    (2, b'{"t":"b","d":{"1":{"na\n'),  # not JSON
    (1, b'{"t":"a","d":[1,2]}\n'),  # JSON, but not a journal record
    (2, b"\xff\xfe\n"),  # not UTF-8
    (3, b'{"t":"a","d":{"1":\n'),  # the last line, but complete: corruption, not a torn append
])
def test_a_corrupt_complete_line_raises_an_error_naming_it(tmp_path: Path, number: int, replacement: bytes) -> None:
    path = tmp_path / "x.json"
    three_writes(path)
    corrupt_line(path, number, replacement)
    before = journal_path(path).read_bytes()
    with pytest.raises(JournalCorruptError, match=rf"x\.json\.journal: line {number} "):
        JournaledStorage(path)
    with pytest.raises(JournalCorruptError):
        TinyDB(path, storage=JournaledStorage)
    assert journal_path(path).read_bytes() == before  # nothing truncated or rewritten


@pytest.mark.parametrize(("number", "how"), [(2, "altered"), (3, "altered"), (1, "cut short"), (2, "another file's")])
def test_a_sealed_line_that_does_not_open_raises_an_error_naming_it(tmp_path: Path, number: int, how: str) -> None:
    path = tmp_path / "x.json"
    three_writes(path, SEALER)
    line = journal_path(path).read_bytes().splitlines(keepends=True)[number - 1]
    if how == "altered":  # one base64 character of the ciphertext changed: the tag no longer matches
        replacement = line[:30] + (b"A" if line[30:31] != b"A" else b"B") + line[31:]
    elif how == "cut short":  # complete (it has its newline), but too short to be a record
        replacement = line[:20] + b"\n"
    else:  # a record of the same position in another file: the file's name is its associated data
        other = tmp_path / "y.json"
        three_writes(other, SEALER)
        replacement = journal_path(other).read_bytes().splitlines(keepends=True)[number - 1]
    corrupt_line(path, number, replacement)
    before = journal_path(path).read_bytes()
    with pytest.raises(JournalCorruptError, match=rf"x\.json\.journal: line {number}: "):
        JournaledStorage(path, sealer=SEALER)
    assert journal_path(path).read_bytes() == before


def test_a_journal_sealed_with_another_key_is_refused_with_the_key_it_needs(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    three_writes(path, SEALER)
    before = journal_path(path).read_bytes()
    with pytest.raises(WrongKey, match=rf"x\.json\.journal: line 1: encrypted with another key \(key id "
                                       rf"{SEALER.key_id.hex()}\)"):
        JournaledStorage(path, sealer=Sealer(bytes(32)))
    with pytest.raises(DataFileError, match="BOT_DATA_KEY is not set"):
        JournaledStorage(path)
    assert journal_path(path).read_bytes() == before


# -- compaction ------------------------------------------------------------------------------------

def test_compaction_keeps_the_journal_small_and_the_snapshot_whole(tmp_path: Path, sealer: Sealer | None) -> None:
    path = tmp_path / "x.json"
    db = open_db(path, sealer, compact_bytes=4096)
    storage = storage_of(db)
    appended = 0
    for i in range(300):
        before = storage.journal_size
        db.table(f"t-{i % 17}").upsert(Document({"i": i, "name": NAMES[i % 5]}, doc_id=i % 23 + 1))
        appended += max(0, storage.journal_size - before)
        assert storage.journal_size < 4096
        assert journal_path(path).stat().st_size == storage.journal_size
    assert path.exists() and appended > 4 * 4096  # so it must have compacted several times
    state = normal(db.storage.read())
    db.close()
    assert stored(path, sealer) == state
    replayed = snapshot(path, sealer)
    journal_module.replay_journal(journal_path(path).read_bytes(), replayed, journal_path(path), sealer)
    assert normal(replayed) == state

    db = open_db(path, sealer)
    storage_of(db).compact()
    db.close()
    assert journal_path(path).stat().st_size == 0
    assert snapshot(path, sealer) == state
    assert stored(path, sealer) == state


def test_big_tables_are_snapshotted_in_pieces_that_still_make_one_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                        sealer: Sealer | None) -> None:
    monkeypatch.setattr(journal_module, "SNAPSHOT_CHUNK_DOCS", 3)
    path = tmp_path / "x.json"
    db = open_db(path, sealer)
    db.table("big").insert_multiple({"i": i, "name": NAMES[i % 5]} for i in range(10))
    db.table("small").insert({"i": 1})
    db.table("empty").truncate()
    state = normal(db.storage.read())
    storage_of(db).compact()
    db.close()
    assert snapshot(path, sealer) == state
    assert len(state["big"]) == 10


def test_a_crash_between_snapshot_and_journal_reset_still_loads(tmp_path: Path, sealer: Sealer | None) -> None:
    path = tmp_path / "x.json"
    db = open_db(path, sealer)
    for i in range(40):
        db.table(f"t-{i % 3}").insert({"i": i, "name": NAMES[i % 5]})
    db.table("t-1").remove(doc_ids=[2])
    db.drop_table("t-2")
    state = normal(db.storage.read())
    old_journal = journal_path(path).read_bytes()
    storage_of(db).compact()
    db.close()
    journal_path(path).write_bytes(old_journal)  # as if the process died before the journal reset
    assert stored(path, sealer) == state  # replaying the old journal over the new snapshot changes nothing

    db = open_db(path, sealer)
    db.table("t-0").insert({"i": 99})
    state = normal(db.storage.read())
    db.close()
    assert stored(path, sealer) == state


def test_a_failed_journal_reset_fails_compact_but_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 sealer: Sealer | None) -> None:
    path = tmp_path / "x.json"
    db = open_db(path, sealer)
    db.table("a").insert_multiple({"i": i} for i in range(5))
    state = normal(db.storage.read())

    def fail() -> None:
        raise OSError(errno.EIO, "simulated")

    monkeypatch.setattr(storage_of(db), "_reset_journal", fail)
    with pytest.raises(OSError, match="simulated"):
        storage_of(db).compact()
    db.close()
    assert snapshot(path, sealer) == state
    assert journal_path(path).stat().st_size > 0
    assert stored(path, sealer) == state


def test_a_failed_automatic_compaction_does_not_fail_the_durable_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                        sealer: Sealer | None) -> None:
    path = tmp_path / "x.json"
    db = open_db(path, sealer, compact_bytes=100)
    calls = []

    def fail() -> None:
        calls.append(1)
        raise OSError(errno.ENOSPC, "disk full")

    monkeypatch.setattr(storage_of(db), "_write_snapshot", fail)
    for i in range(8):
        db.table(f"t-{i}").insert({"i": i})  # ~40 bytes a line: past the limit from the 3rd write on
    assert 1 < len(calls) < 6  # retried, but not on every write
    state = normal(db.storage.read())
    db.close()
    assert stored(path, sealer) == state and len(state) == 8


# -- failed writes ---------------------------------------------------------------------------------

def test_a_write_that_cannot_be_serialized_leaves_the_old_state(tmp_path: Path, sealer: Sealer | None) -> None:
    path = tmp_path / "x.json"
    db = open_db(path, sealer)
    db.table("a").insert({"v": 1})
    journal_before = journal_path(path).read_bytes()
    with pytest.raises(TypeError):
        db.table("a").update({"v": object()}, doc_ids=[1])  # TinyDB changes the document in place first
    assert db.storage.read() == {"a": {"1": {"v": 1}}}
    assert journal_path(path).read_bytes() == journal_before
    db.table("a").update({"v": 2}, doc_ids=[1])
    db.close()
    assert stored(path, sealer) == {"a": {"1": {"v": 2}}}


@pytest.mark.parametrize("failing", ["write", "fdatasync"])
def test_a_failed_append_is_undone_and_the_old_state_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          failing: str, sealer: Sealer | None) -> None:
    path = tmp_path / "x.json"
    db = open_db(path, sealer)
    db.table("a").insert_multiple({"v": i, "name": NAMES[i]} for i in range(3))
    before = normal(db.storage.read())
    journal_before = journal_path(path).read_bytes()
    fd = storage_of(db)._fd
    real_write = os.write

    def half_write(target: int, data: Any) -> int:
        if target == fd:
            real_write(target, bytes(data)[: len(data) // 2])
            raise OSError(errno.ENOSPC, "disk full")
        return real_write(target, data)

    real_sync = journal_module._fdatasync
    syncs = []

    def fail_sync(target: int) -> None:
        syncs.append(target)
        if len(syncs) == 1:
            raise OSError(errno.EIO, "fsync failed")
        real_sync(target)

    with monkeypatch.context() as patch:
        if failing == "write":
            patch.setattr(os, "write", half_write)
        else:
            patch.setattr(journal_module, "_fdatasync", fail_sync)
        with pytest.raises(OSError):
            db.table("a").update({"v": 9}, doc_ids=[2])
    assert normal(db.storage.read()) == before
    assert journal_path(path).read_bytes() == journal_before
    db.table("a").update({"v": 7}, doc_ids=[3])
    db.close()
    before["a"]["3"]["v"] = 7
    assert stored(path, sealer) == before


def test_an_append_that_cannot_be_undone_refuses_further_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 sealer: Sealer | None) -> None:
    path = tmp_path / "x.json"
    db = open_db(path, sealer)
    db.table("a").insert({"v": 1})
    fd = storage_of(db)._fd
    real_write = os.write

    def half_write(target: int, data: Any) -> int:
        if target == fd:
            real_write(target, bytes(data)[:5])
            raise OSError(errno.EIO, "write failed")
        return real_write(target, data)

    def no_truncate(target: int, size: int) -> None:
        raise OSError(errno.EIO, "truncate failed")

    with monkeypatch.context() as patch:
        patch.setattr(os, "write", half_write)
        patch.setattr(os, "ftruncate", no_truncate)
        with pytest.raises(OSError, match="write failed"):
            db.table("a").insert({"v": 2})
    with pytest.raises(OSError, match="reopen"):
        db.table("a").insert({"v": 3})
    db.close()
    assert stored(path, sealer) == {"a": {"1": {"v": 1}}}  # the half line is a torn tail


def test_writing_after_close_is_refused(tmp_path: Path) -> None:
    storage = JournaledStorage(tmp_path / "x.json")
    storage.close()
    storage.close()
    with pytest.raises(ValueError, match="closed"):
        storage.write({"a": {}})


# -- encoding --------------------------------------------------------------------------------------

def test_text_is_stored_as_utf8_not_escaped(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    db = open_db(path)
    for name in NAMES:
        db.table("chats").insert({"name": name})
    raw = journal_path(path).read_bytes()
    assert "Məmməd İbrahim".encode() in raw and "Мамед Ибрагим".encode() in raw and b"\\u" not in raw
    storage_of(db).compact()
    db.close()
    raw = path.read_bytes()
    assert "Şəhriyar Ağayev".encode() in raw and "Гюльнара".encode() in raw and b"\\u" not in raw
    assert [doc["name"] for doc in stored(path)["chats"].values()] == NAMES


def test_sealed_lines_and_snapshots_reveal_nothing_and_no_two_lines_are_alike(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    db = open_db(path, SEALER)
    for name in NAMES:
        db.table("chats").insert({"name": name})
    for value in (1, 2, 1):  # the first and the last line say the same: a fresh nonce each
        db.table("same").upsert(Document({"v": value}, doc_id=1))
    raw = journal_path(path).read_bytes()
    lines = raw.splitlines()
    assert len(lines) >= 8 and len(set(lines)) == len(lines) and all(line.startswith(b"!") for line in lines)
    assert journal_lines(path, SEALER)[-1] == journal_lines(path, SEALER)[-3] == {"t": "same", "d": {"1": {"v": 1}}}
    storage_of(db).compact()
    db.close()
    raw += path.read_bytes()
    assert path.read_bytes().startswith(b"campaign-bot sealed")
    for secret in (*NAMES, "chats", '"name"'):
        assert secret.encode() not in raw
    assert [doc["name"] for doc in stored(path, SEALER)["chats"].values()] == NAMES
