"""Store benchmark: subscribe/unsubscribe at 50 operations a second with 100,000 chats in the store.

The 100,000 chats are bulk-loaded through the store's own seam, on its thread: the records are built
with `chats.as_document`, grouped by `chats.shard_name`, and each of the shard tables (chats.SHARDS) is
filled with one TinyDB `insert_multiple` (one journal append per shard); then the journal is compacted
into the snapshot and the store is closed and reopened, so the run starts from a cold open of an
ordinary 100,000-chat data directory. Operations then go through `store.chats.subscribe/unsubscribe`
from the event loop, while a ticker measures how long the loop is ever kept from running.

The baseline is TinyDB's default JSONStorage with the same 100,000 records in one table.
"""

from __future__ import annotations

import asyncio
import gc
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bench_support import LoopMonitor, median, percentile, store_key
from tinydb import TinyDB
from tinydb.table import Document

import bot.store.engine.journal as journal_module
from bot.model import ALL, ChatRecord
from bot.store import Store
from bot.store import chats as chats_module
from bot.store.chats import shard_name
from bot.store.database import Database

FIRST_CHAT = 5_000_001
LANGUAGES = ("en", "az", "ru")
STORED_TOPICS = (ALL, "fuad-gakhramanli", "bakhtiyar-imanov", "mammad-ibrahim")
TOPIC = "asif-yusifli"
"""What the operations subscribe to and unsubscribe from: no loaded record has it, so each one writes."""
DRAIN_TIMEOUT = 60.0


def _record(index: int, today: str) -> ChatRecord:
    subscriptions = (STORED_TOPICS[index % len(STORED_TOPICS)],) if index % 5 else ()
    return ChatRecord(FIRST_CHAT + index, LANGUAGES[index % 3], quiet=index % 7 == 0, subscriptions=subscriptions,
                      created=today, updated=today)


def _bulk_load(db: Database, members: int) -> dict[str, Any]:
    """On the store's thread: every chat into its shard, one insert_multiple per shard, then compact."""
    today = date.today().isoformat()
    started = time.perf_counter()
    shards: dict[str, list[Document]] = defaultdict(list)
    for index in range(members):
        record = _record(index, today)
        shards[shard_name(record.chat_id)].append(Document(chats_module.as_document(record), doc_id=record.chat_id))
    built = time.perf_counter()
    tinydb = db.open_table_file(chats_module.FILE, journaled=True)
    for name in sorted(shards):
        tinydb.table(name).insert_multiple(shards[name])
    inserted = time.perf_counter()
    storage = tinydb.storage
    journal_bytes = getattr(storage, "journal_size", None)
    compact = getattr(storage, "compact", None)
    if compact is not None:
        compact()
    done = time.perf_counter()
    return {"members": members, "shards": len(shards), "build_records_s": built - started,
            "insert_s": inserted - built, "journal_bytes_before_compaction": journal_bytes,
            "compact_s": done - inserted, "total_s": done - started}


async def _on_store_thread(store: Store, fn: Callable[[], Any]) -> Any:
    return await store.db.run(fn)


class StoreProbe:
    """Where an operation's time goes: on the store's thread (per `db.run` call) and in the journal's fsync.

    A diagnostic, installed only for the measured stretch: `db.run` is wrapped on this Database
    instance, and `bot.store.engine.journal._fdatasync` (what every journal append calls) on the module; both
    are put back on exit. If the store stops using those names, the probe records nothing.
    """

    def __init__(self, store: Store) -> None:
        self._db = store.db
        self.on_thread: list[float] = []
        self.fsync: list[float] = []
        self._saved_sync: Any = None

    def __enter__(self) -> StoreProbe:
        original_run = self._db.run
        on_thread = self.on_thread

        def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            def timed(*a: Any, **k: Any) -> Any:
                began = time.perf_counter()
                try:
                    return fn(*a, **k)
                finally:
                    on_thread.append(time.perf_counter() - began)

            return original_run(timed, *args, **kwargs)

        self._db.run = run  # type: ignore[method-assign]
        self._saved_sync = getattr(journal_module, "_fdatasync", None)
        if self._saved_sync is not None:
            saved, fsync = self._saved_sync, self.fsync

            def sync(fd: int) -> None:
                began = time.perf_counter()
                try:
                    saved(fd)
                finally:
                    fsync.append(time.perf_counter() - began)

            journal_module._fdatasync = sync
        return self

    def __exit__(self, *exc: object) -> None:
        del self._db.run  # back to the class's method
        if self._saved_sync is not None:
            journal_module._fdatasync = self._saved_sync

    def summary(self) -> dict[str, Any]:
        def figures(values: list[float]) -> dict[str, Any]:
            return {"calls": len(values), "p50_ms": percentile(values, 50) * 1000,
                    "p99_ms": percentile(values, 99) * 1000, "max_ms": max(values, default=float("nan")) * 1000,
                    "over_20ms": sum(1 for v in values if v > 0.020)}

        return {"store_thread_per_call": figures(self.on_thread), "journal_fdatasync": figures(self.fsync)}


def _chats_storage(store: Store) -> Any:
    return store.db.open_table_file(chats_module.FILE, journaled=True).storage


async def paced_operations(store: Store, count: int, rate: float, rng: random.Random, members: int,
                           new_ids: list[int]) -> dict[str, Any]:
    """`count` subscribe/unsubscribe operations issued at `rate` a second, open loop; each one's latency.

    Even operations subscribe a random loaded chat to TOPIC, odd ones unsubscribe the chat the previous
    operation subscribed, and every tenth subscribes a new chat (an insert). Each is issued on schedule
    whether or not the earlier ones have been acknowledged, as members' taps would be.
    """
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = defaultdict(list)
    failures: list[str] = []
    issue_late: list[float] = []

    async def timed(kind: str, operation: Any) -> None:
        started = time.perf_counter()
        try:
            await operation
        except Exception as exc:  # a failed operation is a finding, not a crash of the benchmark
            failures.append(f"{kind}: {type(exc).__name__}: {exc}")
            return
        latency = time.perf_counter() - started
        latencies.append(latency)
        by_kind[kind].append(latency)

    tasks: list[asyncio.Task[None]] = []
    last_subscribed = FIRST_CHAT
    started = time.perf_counter()
    for index in range(count):
        delay = started + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            issue_late.append(-delay)
        if index % 10 == 9:
            chat_id = FIRST_CHAT + members + len(new_ids)
            new_ids.append(chat_id)
            operation = timed("subscribe (new chat)", store.chats.subscribe(chat_id, ALL, "az"))
        elif index % 2 == 0:
            last_subscribed = FIRST_CHAT + rng.randrange(members)
            operation = timed("subscribe", store.chats.subscribe(last_subscribed, TOPIC, "en"))
        else:
            operation = timed("unsubscribe", store.chats.unsubscribe(last_subscribed, TOPIC))
        tasks.append(asyncio.create_task(operation))
    issued_s = time.perf_counter() - started
    _, still_running = await asyncio.wait(tasks, timeout=DRAIN_TIMEOUT)
    for task in still_running:
        task.cancel()
    return {"operations": count, "rate_per_s": rate, "issued_in_s": issued_s,
            "acknowledged": len(latencies), "failures": failures[:20], "failed": len(failures),
            "not_acknowledged_in_time": len(still_running),
            "p50_ms": percentile(latencies, 50) * 1000, "p99_ms": percentile(latencies, 99) * 1000,
            "max_ms": max(latencies, default=float("nan")) * 1000,
            "by_kind_p50_ms": {kind: percentile(values, 50) * 1000 for kind, values in by_kind.items()},
            "by_kind_max_ms": {kind: max(values) * 1000 for kind, values in by_kind.items()},
            "issued_late_max_ms": max(issue_late, default=0.0) * 1000,
            "latencies_ms": [round(v * 1000, 3) for v in latencies]}


def jsonstorage_baseline(path: Path, members: int, updates: int, *, time_budget: float = 90.0) -> dict[str, Any]:
    """TinyDB's default JSONStorage, the same records in one table: single-record updates, each timed."""
    today = date.today().isoformat()
    started = time.perf_counter()
    table = {str(index + 1): chats_module.as_document(_record(index, today)) for index in range(members)}
    path.write_text(json.dumps({"_default": table}))
    written_s = time.perf_counter() - started
    rng = random.Random(7)
    times: list[float] = []
    db = TinyDB(path)
    try:
        for _ in range(updates):
            if times and sum(times) > time_budget:
                break
            doc_id = rng.randrange(1, members + 1)
            began = time.perf_counter()
            db.update({"subscriptions": [ALL, TOPIC]}, doc_ids=[doc_id])
            times.append(time.perf_counter() - began)
    finally:
        db.close()
    return {"members": members, "file_bytes": path.stat().st_size, "write_file_s": written_s,
            "updates": len(times), "update_ms": [t * 1000 for t in times],
            "p50_ms": percentile(times, 50) * 1000, "max_ms": max(times, default=float("nan")) * 1000}


async def _measured_run(store: Store, snapshot: Path, operations: int, rate: float, rng: random.Random,
                        members: int, new_ids: list[int]) -> dict[str, Any]:
    """One paced run from a freshly compacted store (the same starting state each time), watched."""
    await _on_store_thread(store, lambda: _chats_storage(store).compact())  # not measured
    snapshot_mtime = snapshot.stat().st_mtime_ns
    journal_start = await _on_store_thread(store, lambda: _chats_storage(store).journal_size)
    monitor = LoopMonitor().start()
    try:
        with StoreProbe(store) as probe:
            ops = await paced_operations(store, operations, rate, rng, members, new_ids)
    finally:
        await monitor.stop()
    journal_end = await _on_store_thread(store, lambda: _chats_storage(store).journal_size)
    compacted = snapshot.stat().st_mtime_ns != snapshot_mtime
    return {"ops": ops, "loop": monitor.summary(), "where_the_time_goes": probe.summary(),
            "compacted_during_run": compacted,
            "journal_bytes_per_op": None if compacted else (journal_end - journal_start) / max(1, operations)}


def _aggregate(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the repeats for p50/p99 (noisy shared machine); the worst for max and the loop's block."""
    ops = [run["ops"] for run in runs]
    return {"repeats": len(runs), "operations": sum(o["operations"] for o in ops),
            "operations_per_repeat": ops[0]["operations"], "rate_per_s": ops[0]["rate_per_s"],
            "acknowledged": sum(o["acknowledged"] for o in ops),
            "p50_ms": median(o["p50_ms"] for o in ops), "p99_ms": median(o["p99_ms"] for o in ops),
            "p99_ms_worst_repeat": max(o["p99_ms"] for o in ops), "max_ms": max(o["max_ms"] for o in ops),
            "loop_max_ms": max(run["loop"]["max_ms"] for run in runs),
            "gc_max_ms": max(run["loop"]["gc_max_ms"] for run in runs),
            "store_thread_p50_ms": median(r["where_the_time_goes"]["store_thread_per_call"]["p50_ms"] for r in runs),
            "store_thread_p99_ms": median(r["where_the_time_goes"]["store_thread_per_call"]["p99_ms"] for r in runs),
            "fdatasync_p50_ms": median(r["where_the_time_goes"]["journal_fdatasync"]["p50_ms"] for r in runs),
            "fdatasync_p99_ms": median(r["where_the_time_goes"]["journal_fdatasync"]["p99_ms"] for r in runs),
            "fdatasync_max_ms": max(r["where_the_time_goes"]["journal_fdatasync"]["max_ms"] for r in runs),
            "journal_bytes_per_op": median(r["journal_bytes_per_op"] for r in runs
                                           if r["journal_bytes_per_op"] is not None)}


async def store_at_scale(workdir: Path, *, members: int, operations: int, rate: float, repeats: int,
                         probe_operations: int, baseline_updates: int) -> dict[str, Any]:
    """Scenario 3: bulk load, cold reopen, paced operations with the loop watched, a compaction probe."""
    data_dir = workdir / "store-data"
    store = Store(data_dir, store_key())
    try:
        load = await store.db.run(_bulk_load, store.db, members)
    finally:
        store.close()
    snapshot = data_dir / f"{chats_module.FILE}.json"
    snapshot_bytes = snapshot.stat().st_size

    rng = random.Random(1234)
    new_ids: list[int] = []
    started = time.perf_counter()
    store = Store(data_dir, store_key())
    try:
        await store.chats.get(FIRST_CHAT)  # the first access opens the file: snapshot load and journal replay
        reopen_s = time.perf_counter() - started
        scan_started = time.perf_counter()
        stats = await store.chats.stats()
        scan_s = time.perf_counter() - scan_started
        if stats.chats != members:
            raise RuntimeError(f"bulk load: expected {members} chats, the store has {stats.chats}")

        runs = [await _measured_run(store, snapshot, operations, rate, rng, members, new_ids)
                for _ in range(max(1, repeats))]
        ops = _aggregate(runs)

        # A full (generation 2) garbage collection with the 100,000 chats in memory: Python runs one by itself
        # now and then, holding the GIL, so this is how long the loop stops when it does.
        gc_started = time.perf_counter()
        gc.collect()
        full_gc_s = time.perf_counter() - gc_started
        tracked = len(gc.get_objects())

        # Compaction probe: the journal is folded into a new snapshot (what the store does by itself, inside
        # the write that takes the journal past its size limit) while operations keep coming at the same rate.
        compact_bytes = await _on_store_thread(store, lambda: getattr(_chats_storage(store), "compact_bytes", None))
        probe_monitor = LoopMonitor().start()
        try:
            probe_task = asyncio.create_task(
                paced_operations(store, probe_operations, rate, rng, members, new_ids))
            await asyncio.sleep(min(0.5, probe_operations / rate / 4))
            journal_before = await _on_store_thread(store, lambda: _chats_storage(store).journal_size)
            compact_started = time.perf_counter()
            await _on_store_thread(store, lambda: _chats_storage(store).compact())
            compaction_s = time.perf_counter() - compact_started
            probe = await probe_task
        finally:
            await probe_monitor.stop()
        final_chats = (await store.chats.stats()).chats
    finally:
        store.close()

    # Steady state: a compaction every compact_bytes of journal, i.e. every so many operations; the share of
    # operations it delays past 50 ms tells whether a long run's p99 stays under 50 ms.
    delayed = sum(1 for v in probe["latencies_ms"] if v > 50.0)
    per_op = ops["journal_bytes_per_op"]
    between = compact_bytes / per_op if compact_bytes and per_op else None
    steady = {"compact_bytes": compact_bytes, "journal_bytes_per_op": per_op, "ops_between_compactions": between,
              "ops_over_50ms_per_compaction": delayed,
              "share_over_50ms": delayed / between if between else None}

    baseline = await asyncio.to_thread(jsonstorage_baseline, workdir / "jsonstorage-baseline.json", members,
                                       baseline_updates)
    return {"load": load, "snapshot_bytes": snapshot_bytes, "reopen_s": reopen_s, "full_scan_s": scan_s,
            "ops": ops, "runs": runs, "full_gc_s": full_gc_s, "gc_tracked_objects": tracked,
            "compaction_probe": {"journal_bytes": journal_before, "compaction_s": compaction_s, "ops": probe,
                                 "loop": probe_monitor.summary()},
            "steady_state": steady, "chats_after": final_chats, "new_chats": len(new_ids), "baseline": baseline}
