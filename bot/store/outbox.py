"""The durable outbox: every broadcast's recipients, persisted before the first send, and their fate.

A broadcast is one record in the `broadcasts` table plus its deliveries, one document per recipient (a chat,
or one forum topic of it), spread over chunk tables of `CHUNK` so that each progress write journals one
small table. The chunks are written first and the broadcast record last: a broadcast exists only once all
of its recipients are durable, and chunks left without a record by a crash are removed when the outbox opens.

A delivery goes `pending` → `sending` (claimed, written before the send) → one of `sent`, `failed`,
`blocked`, `unknown` (a timeout: Telegram may or may not have delivered it, so it is not re-sent).
After a crash, `sending` deliveries are the ones that were in flight: they go back to `pending`, and
those recipients are the only ones who may get the message twice.

Who was sent what is personal data, kept only as long as it serves: `prune` drops the deliveries of
broadcasts finished more than `RETENTION_DAYS` ago (keeping their totals for /stats), after which
they can no longer be corrected in place; `forget_chat` erases one chat from every broadcast.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from tinydb.table import Document, Table

from bot.model import (
    FINAL,
    FORGOTTEN,
    PENDING,
    RECALL,
    RETENTION_DAYS,
    RUNNING,
    SEND,
    SENDING,
    SENT,
    SENT_AGAIN,
    UNKNOWN,
    Broadcast,
    Delivery,
    Result,
    Target,
)
from bot.store.database import Database
from bot.store.engine.tables import Runs

FILE = "outbox"
BROADCASTS = "broadcasts"
CHUNK = 500


def broadcast_from_document(doc_id: int, doc: dict[str, Any]) -> Broadcast:
    return Broadcast(doc_id, doc["kind"], doc["update"], doc["topic"], doc["state"], doc["total"], doc["created"],
                     doc["admin_chat"], doc.get("progress_message"), doc.get("source"), doc.get("paused_until"))


RUNS = Runs("r", CHUNK)


def chunk_name(broadcast_id: int, seq: int) -> str:
    return RUNS.table(broadcast_id, seq)


def _delivery(broadcast_id: int, seq: int, doc: dict[str, Any]) -> Delivery:
    return Delivery(broadcast_id, seq, doc["chat"], doc["lang"], doc["quiet"], doc["status"], doc.get("mid"),
                    doc.get("thread"), doc.get("at"), tuple((mid, at) for mid, at in doc.get("mids", ())))


def _delivery_document(target: Target) -> dict[str, Any]:
    """A delivery as stored; `thread` (a forum topic), `at` (when its message was sent) and `mids` (a recall's
    messages with their send times) only when it has them, as documents before them."""
    doc = {"chat": target.chat_id, "lang": target.language, "quiet": target.quiet, "status": PENDING,
           "mid": target.message_id}
    if target.thread_id is not None:
        doc["thread"] = target.thread_id
    if target.sent_at is not None:
        doc["at"] = target.sent_at
    if target.messages:
        doc["mids"] = [list(pair) for pair in target.messages]
    return doc


class OutboxRepository:
    def __init__(self, db: Database, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._db = db
        self._now = now
        self._cursor: dict[int, int] = {}  # broadcast id → first chunk that may still hold pending ones
        self._cleaned = False

    # --- on the store's thread ---------------------------------------------------------------------

    def _file(self) -> Any:
        tinydb = self._db.open_table_file(FILE, journaled=True)
        if not self._cleaned:
            self._cleaned = True
            known = {doc.doc_id for doc in tinydb.table(BROADCASTS).all()}
            for name in tinydb.tables():
                group = RUNS.group_of(name)
                if group is not None and group not in known:
                    tinydb.drop_table(name)  # chunks of a broadcast whose creation did not finish
        return tinydb

    def _broadcasts(self) -> Table:
        table: Table = self._file().table(BROADCASTS)
        return table

    def _chunks(self, broadcast_id: int) -> list[Table]:
        tinydb = self._file()
        return [tinydb.table(name) for name in RUNS.tables_of(tinydb.tables(), broadcast_id)]

    def _create(self, kind: str, update_id: int, topic: str, admin_chat: int, targets: Sequence[Target],
                source: int | None, progress_message: int | None, request: int | None = None) -> Broadcast:
        table = self._broadcasts()
        broadcast_id = max((doc.doc_id for doc in table.all()), default=0) + 1
        tinydb = self._file()
        for start in range(0, len(targets), CHUNK):
            docs = [Document(_delivery_document(t), doc_id=start + i + 1)
                    for i, t in enumerate(targets[start : start + CHUNK])]
            tinydb.table(chunk_name(broadcast_id, start + 1)).insert_multiple(docs)
        record = {"kind": kind, "update": update_id, "topic": topic, "state": RUNNING, "total": len(targets),
                  "created": self._now().isoformat(timespec="seconds"), "admin_chat": admin_chat,
                  "progress_message": progress_message, "source": source}
        if request is not None:
            record["request"] = request  # the publishing request it carries out: that request went out
        table.insert(Document(record, doc_id=broadcast_id))  # the commit point
        return broadcast_from_document(broadcast_id, record)

    def _get(self, broadcast_id: int) -> Broadcast | None:
        doc = self._broadcasts().get(doc_id=broadcast_id)
        return broadcast_from_document(broadcast_id, doc) if isinstance(doc, dict) else None

    def _set(self, broadcast_id: int, fields: dict[str, Any]) -> None:
        self._broadcasts().update(fields, doc_ids=[broadcast_id])

    def _claim(self, broadcast_id: int, limit: int) -> list[Delivery]:
        claimed: list[Delivery] = []
        chunks = self._chunks(broadcast_id)
        start = self._cursor.get(broadcast_id, 0)
        for index in range(start, len(chunks)):
            table = chunks[index]
            pending = [doc for doc in table.all() if doc["status"] == PENDING][: limit - len(claimed)]
            if not pending:
                self._cursor[broadcast_id] = index + 1
                continue
            table.update({"status": SENDING}, doc_ids=[doc.doc_id for doc in pending])
            claimed += [_delivery(broadcast_id, doc.doc_id, {**doc, "status": SENDING}) for doc in pending]
            if len(claimed) >= limit:
                break
        return claimed

    def _record(self, broadcast_id: int, results: Iterable[Result]) -> None:
        by_chunk: dict[str, list[Result]] = {}
        for result in results:
            by_chunk.setdefault(chunk_name(broadcast_id, result.seq), []).append(result)
        tinydb = self._file()
        for name, items in by_chunk.items():
            # One write per chunk. TinyDB hands an update function the document but not its id, so the
            # results are keyed by chat id and forum topic, unique within a broadcast.
            table = tinydb.table(name)
            by_chat: dict[tuple[int, int | None], dict[str, Any]] = {}
            seqs = []
            for result in items:
                doc = table.get(doc_id=result.seq)
                if not isinstance(doc, dict) or doc["chat"] == 0:
                    continue  # gone, or its chat was forgotten while the send was in flight
                seqs.append(result.seq)
                fields: dict[str, Any] = {"status": result.status}
                if result.message_id is not None:
                    fields["mid"] = result.message_id
                if result.chat_id is not None:
                    fields["chat"] = result.chat_id
                if result.sent_at is not None:
                    fields["at"] = result.sent_at
                by_chat[doc["chat"], doc.get("thread")] = fields

            def apply(doc: dict[str, Any], by_chat: dict[tuple[int, int | None], dict[str, Any]] = by_chat) -> None:
                doc.update(by_chat[doc["chat"], doc.get("thread")])

            if seqs:
                table.update(apply, doc_ids=seqs)
            if any(result.status == PENDING for result in items):
                self._cursor[broadcast_id] = 0

    def _reset_in_flight(self, broadcast_id: int) -> int:
        reset = 0
        for table in self._chunks(broadcast_id):
            ids = [doc.doc_id for doc in table.all() if doc["status"] == SENDING]
            if ids:
                table.update({"status": PENDING}, doc_ids=ids)
                reset += len(ids)
        self._cursor[broadcast_id] = 0
        return reset

    def _deliveries(self, broadcast_id: int, status: str | None) -> list[Delivery]:
        return [_delivery(broadcast_id, doc.doc_id, doc) for table in self._chunks(broadcast_id)
                for doc in table.all() if status is None or doc["status"] == status]

    def _counts(self, broadcast_id: int) -> Counter[str]:
        record = self._broadcasts().get(doc_id=broadcast_id)
        if isinstance(record, dict) and record.get("counts") is not None:
            return Counter(record["counts"])  # pruned: only the totals are left
        counts: Counter[str] = Counter()
        for table in self._chunks(broadcast_id):
            for doc in table.all():
                counts[doc["status"]] += 1
                if doc.get("again"):
                    counts[SENT_AGAIN] += 1
        return counts

    def _retry_unknown(self, broadcast_id: int) -> int:
        again = 0
        for table in self._chunks(broadcast_id):
            ids = [doc.doc_id for doc in table.all() if doc["status"] == UNKNOWN and not doc.get("again")]
            if ids:
                table.update({"status": PENDING, "again": True}, doc_ids=ids)
                again += len(ids)
        self._cursor[broadcast_id] = 0
        return again

    def _prune(self, older_than: datetime) -> int:
        pruned = 0
        tinydb = self._file()
        for broadcast in self._list(None, None):
            if broadcast.state == RUNNING or datetime.fromisoformat(broadcast.created) >= older_than:
                continue
            chunks = self._chunks(broadcast.id)
            if not chunks:
                continue
            self._set(broadcast.id, {"counts": dict(self._counts(broadcast.id))})  # totals first, then drop
            for table in chunks:
                tinydb.drop_table(table.name)
            pruned += 1
        return pruned

    def sent_update_ids_now(self) -> set[int]:
        """On the store's thread: the updates that a broadcast sends (not only edits)."""
        return {doc["update"] for doc in self._broadcasts().all() if doc["kind"] == SEND}

    def recalled_update_ids_now(self) -> set[int]:
        """On the store's thread: the updates that a recall broadcast withdraws."""
        return {doc["update"] for doc in self._broadcasts().all() if doc["kind"] == RECALL}

    def _by_request(self) -> dict[int, int]:
        return {doc["request"]: doc.doc_id for doc in self._broadcasts().all() if doc.get("request") is not None}

    def recent_messages_now(self, chat_id: int, since: int) -> list[int]:
        """On the store's thread: the ids of the messages broadcasts delivered to the chat at `since` (Unix time)
        or later, as far as the outbox still holds them."""
        found = []
        tinydb = self._file()
        for name in tinydb.tables():
            if RUNS.group_of(name) is None:
                continue
            found += [doc["mid"] for doc in tinydb.table(name).all()
                      if doc["chat"] == chat_id and doc["status"] == SENT and doc.get("mid") is not None
                      and (doc.get("at") or 0) >= since]
        return sorted(set(found))

    def forget_chat_now(self, chat_id: int) -> int:
        """On the store's thread (see `Store.forget_chat`)."""
        erased = 0
        tinydb = self._file()
        for name in tinydb.tables():
            if RUNS.group_of(name) is None:
                continue
            table = tinydb.table(name)
            ids = [doc.doc_id for doc in table.all() if doc["chat"] == chat_id]
            if ids:
                table.update(lambda doc: doc.update(chat=0, mid=None, status=doc["status"] if doc["status"] in FINAL
                                                    else FORGOTTEN), doc_ids=ids)
                erased += len(ids)
        if erased:
            self._db.erase_history(FILE)
        return erased

    def _list(self, state: str | None, limit: int | None) -> list[Broadcast]:
        docs = sorted(self._broadcasts().all(), key=lambda d: d.doc_id, reverse=True)
        found = [broadcast_from_document(d.doc_id, d) for d in docs if state is None or d["state"] == state]
        return found[:limit] if limit is not None else found

    # --- from the event loop ----------------------------------------------------------------------------

    async def create(self, kind: str, update_id: int, topic: str, admin_chat: int, targets: Sequence[Target],
                     source: int | None = None, progress_message: int | None = None,
                     request: int | None = None) -> Broadcast:
        """Persist a broadcast and all its recipients; returns once every one of them is durable.

        `progress_message`: the admin's message that shows its progress (edited as it goes). `request`: the
        publishing request it carries out, recorded in the same write (see `by_request`)."""
        return await self._db.run(self._create, kind, update_id, topic, admin_chat, targets, source,
                                  progress_message, request)

    async def by_request(self) -> dict[int, int]:
        """Which broadcast carried out each publishing request that went out: request id → broadcast id."""
        return await self._db.run(self._by_request)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await self._db.run(self._get, broadcast_id)

    async def set_paused(self, broadcast_id: int, until: str | None) -> None:
        """Telegram asked for a long flood wait: the broadcast sends nothing before `until` (None: no pause)."""
        await self._db.run(self._set, broadcast_id, {"paused_until": until})

    async def finish(self, broadcast_id: int, state: str) -> None:
        await self._db.run(self._set, broadcast_id, {"state": state})

    async def claim(self, broadcast_id: int, limit: int, results: Sequence[Result] = ()) -> list[Delivery]:
        """Record `results` (as `record`), then mark up to `limit` pending deliveries as being sent (durably) and
        return them: one step on the store's thread."""

        def record_and_claim() -> list[Delivery]:
            if results:
                self._record(broadcast_id, results)
            return self._claim(broadcast_id, limit)

        return await self._db.run(record_and_claim)

    async def record(self, broadcast_id: int, results: Sequence[Result]) -> None:
        """Persist results in one write per chunk; a PENDING result puts a delivery back in the queue."""
        if results:
            await self._db.run(self._record, broadcast_id, results)

    async def retry_unknown(self, broadcast_id: int) -> int:
        """Put each `unknown` delivery (a send Telegram did not answer in time) back in the queue, once: marked
        `again`, it is not put back a second time. Returns how many went back."""
        return await self._db.run(self._retry_unknown, broadcast_id)

    async def reset_in_flight(self, broadcast_id: int) -> int:
        """After a crash: deliveries that were being sent go back to pending; returns how many."""
        return await self._db.run(self._reset_in_flight, broadcast_id)

    async def deliveries(self, broadcast_id: int, status: str | None = None) -> list[Delivery]:
        return await self._db.run(self._deliveries, broadcast_id, status)

    async def counts(self, broadcast_id: int) -> Counter[str]:
        return await self._db.run(self._counts, broadcast_id)

    async def prune(self, now: datetime | None = None) -> int:
        """Drop who-got-what of broadcasts finished over RETENTION_DAYS ago; returns how many broadcasts."""
        horizon = (now or self._now()) - timedelta(days=RETENTION_DAYS)
        return await self._db.run(self._prune, horizon)

    async def running(self) -> list[Broadcast]:
        return await self._db.run(self._list, RUNNING, None)

    async def recent(self, limit: int | None = 5) -> list[Broadcast]:
        return await self._db.run(self._list, None, limit)
