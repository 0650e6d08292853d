"""Chats the bot remembers (members in private chats, groups, and forum topics), and nothing more than it needs.

A record exists only once a chat has made a choice the bot must remember: a language, a
subscription, quiet delivery. It holds the chat id (the document id), the language and whether it was
chosen with /language (if not, it follows the language the member's Telegram app reports, so that
updates reach them in it; records written before this flag existed count as chosen), the quiet flag,
the subscriptions ("all" or case ids), whether the chat can be sent to (`active`: false once it
blocked the bot), and the day it was created and last changed (day precision on purpose, so the
file does not log when people use the bot).

A forum topic is a subscriber of its own (`ChatRecord.thread_id`): its record lives in its chat's document,
under `topics`, keyed by the topic's `message_thread_id`, with the same fields but `active` (the chat's
holds for its topics). A document holds the chat's own record, its topics' records, or both; one that holds
only topics has no `language` of its own. Documents written before topics existed are read as they are.

Records are spread over `SHARDS` TinyDB tables by chat id, so that a write rebuilds and journals one
small table instead of all of them (see `journal.py`): at 100,000 chats a subscribe stays a
millisecond write.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from tinydb.table import Document, Table

from bot.model import ChatRecord, ChatStats, Recipient
from bot.store.database import Database
from bot.store.engine.tables import ByKey

FILE = "chats"
SHARDS = 2048
"""About 50 records a table at 100,000 chats: a write journals ~7 KB, and compactions (a few hundred
milliseconds each) come rarely enough to stay out of the 99th percentile."""


SPREAD = ByKey("chats", SHARDS)


def shard_name(chat_id: int) -> str:
    return SPREAD.table(chat_id)


def as_document(record: ChatRecord) -> dict[str, Any]:
    """A chat's record as stored (its id is the document id): exactly these fields, `quiet` only when true and
    `active` only when false. Five fields in the usual case: Python keeps such a dict in its smallest size, about
    90 bytes less per chat than with seven (9 MB at 100,000 chats, every one of them held in memory)."""
    doc: dict[str, Any] = {"language": record.language, "subscriptions": list(record.subscriptions),
                           "created": record.created, "updated": record.updated, "chosen": record.chose_language}
    if record.quiet:
        doc["quiet"] = True
    if not record.active:
        doc["active"] = False
    return doc


def _mark_active(stored: MutableMapping[str, Any], active: bool) -> None:
    if active:
        stored.pop("active", None)
    else:
        stored["active"] = False


def topic_document(record: ChatRecord) -> dict[str, Any]:
    """A forum topic's record as stored in its chat's document: the chat's `active` holds for it."""
    return {key: value for key, value in as_document(record).items() if key != "active"}


def from_document(chat_id: int, doc: dict[str, Any], thread_id: int | None = None) -> ChatRecord | None:
    """The record of the chat itself (`thread_id` None) or of one of its forum topics, if the document has it.

    Records written before the `chosen` flag existed count as chosen: an earlier choice is never overridden."""
    fields = doc if thread_id is None else doc.get("topics", {}).get(str(thread_id))
    if fields is None or "language" not in fields:
        return None
    return ChatRecord(chat_id, fields["language"], bool(fields.get("quiet", False)),
                      tuple(fields.get("subscriptions", ())), bool(doc.get("active", True)), fields.get("created", ""),
                      fields.get("updated", ""), bool(fields.get("chosen", True)), thread_id)


def records_in(chat_id: int, doc: dict[str, Any]) -> Iterator[ChatRecord]:
    """Every record a chat's document holds: the chat's own, then its topics' in thread order."""
    own = from_document(chat_id, doc)
    if own is not None:
        yield own
    for thread_id in sorted(int(thread) for thread in doc.get("topics", ())):
        record = from_document(chat_id, doc, thread_id)
        if record is not None:
            yield record


class ChatRepository:
    def __init__(self, db: Database, today: Callable[[], date] = date.today) -> None:
        self._db = db
        self._today = today

    # --- on the store's thread ---------------------------------------------------------------------

    def _table(self, chat_id: int) -> Table:
        return self._db.open_table_file(FILE, journaled=True).table(shard_name(chat_id))

    def _tables(self) -> Iterator[Table]:
        tinydb = self._db.open_table_file(FILE, journaled=True)
        for name in sorted(tinydb.tables()):
            yield tinydb.table(name)

    def _doc(self, chat_id: int) -> dict[str, Any] | None:
        doc = self._table(chat_id).get(doc_id=chat_id)
        return doc if isinstance(doc, dict) else None

    def _get(self, chat_id: int, thread_id: int | None = None) -> ChatRecord | None:
        doc = self._doc(chat_id)
        return None if doc is None else from_document(chat_id, doc, thread_id)

    def _put(self, record: ChatRecord) -> ChatRecord:
        table = self._table(record.chat_id)
        doc = self._doc(record.chat_id)
        if record.thread_id is None:
            own = as_document(record)

            def write(stored: MutableMapping[str, Any]) -> None:  # the chat's own fields replaced, its topics kept
                topics = stored.get("topics")
                stored.clear()
                stored.update(own)
                if topics:
                    stored["topics"] = topics
        else:
            topics = {**(doc or {}).get("topics", {}), str(record.thread_id): topic_document(record)}

            def write(stored: MutableMapping[str, Any]) -> None:
                stored["topics"] = topics
                _mark_active(stored, record.active)
        if doc is not None:
            table.update(write, doc_ids=[record.chat_id])
        else:
            fresh: dict[str, Any] = {}
            write(fresh)
            table.insert(Document(fresh, doc_id=record.chat_id))
        return record

    def _change(self, chat_id: int, language: str, change: Callable[[ChatRecord], ChatRecord],
                thread_id: int | None = None) -> ChatRecord:
        """Apply `change` to the record of the chat or one of its topics (created with `language` if new);
        write only if it changed."""
        today = self._today().isoformat()
        current = self._get(chat_id, thread_id)
        base = current or ChatRecord(chat_id, language, created=today, updated=today, thread_id=thread_id)
        changed = change(base)
        if current is not None and changed == current:
            return current
        return self._put(replace(changed, updated=today))

    def _set_active(self, chat_id: int, active: bool) -> ChatRecord | None:
        doc = self._doc(chat_id)
        if doc is None or bool(doc.get("active", True)) == active:
            return self._get(chat_id)
        today = self._today().isoformat()

        def write(stored: MutableMapping[str, Any]) -> None:
            _mark_active(stored, active)
            stored["updated"] = today  # also in a document of topics only: when the chat stopped, for `prune`

        self._table(chat_id).update(write, doc_ids=[chat_id])
        return self._get(chat_id)

    def _drop_topic(self, chat_id: int, thread_id: int) -> ChatRecord | None:
        doc = self._doc(chat_id)
        dropped = None if doc is None else from_document(chat_id, doc, thread_id)
        if doc is None or dropped is None:
            return None
        topics = {thread: fields for thread, fields in doc["topics"].items() if thread != str(thread_id)}
        table = self._table(chat_id)
        if not topics and "language" not in doc:
            table.remove(doc_ids=[chat_id])  # nothing else was held about the chat
            return dropped

        def without(stored: MutableMapping[str, Any]) -> None:
            if topics:
                stored["topics"] = topics
            else:
                stored.pop("topics", None)

        table.update(without, doc_ids=[chat_id])
        return dropped

    def _prune_inactive(self, before: str) -> int:
        """Remove the chats that cannot be sent to (blocked the bot, or the bot left) and last changed on the day
        `before` or earlier; the journal's history of them goes too."""
        pruned = 0
        for table in list(self._tables()):
            stale = [doc.doc_id for doc in table.all()
                     if doc.get("active", True) is False and doc.get("updated", "") <= before]
            if stale:
                table.remove(doc_ids=stale)
                pruned += len(stale)
        if pruned:
            self._db.erase_history(FILE)
        return pruned

    def forget_now(self, chat_id: int) -> bool:
        """On the store's thread (see `Store.forget_chat`): the chat's record and all its topics'."""
        if self._doc(chat_id) is None:
            return False
        self._table(chat_id).remove(doc_ids=[chat_id])
        self._db.erase_history(FILE)
        return True

    def _migrate(self, old_id: int, new_id: int) -> ChatRecord | None:
        """A group became a supergroup with a new id: its document (its record and any topics') moves there."""
        doc = self._doc(old_id)
        if doc is None:
            return None
        fields = {**doc, "updated": self._today().isoformat()} if "language" in doc else dict(doc)
        if self._doc(new_id) is not None:
            self._table(new_id).update(fields, doc_ids=[new_id])
        else:
            self._table(new_id).insert(Document(fields, doc_id=new_id))
        self._table(old_id).remove(doc_ids=[old_id])
        return self._get(new_id)

    def _all(self) -> Iterator[ChatRecord]:
        for table in self._tables():
            for doc in table.all():
                yield from records_in(doc.doc_id, doc)

    def _recipients(self, topic: str) -> list[Recipient]:
        return [Recipient(r.chat_id, r.language, r.quiet, r.thread_id) for r in self._all()
                if r.active and r.follows(topic)]

    def _stats(self) -> ChatStats:
        chats = active = 0
        by_language: Counter[str] = Counter()
        by_subscription: Counter[str] = Counter()
        subscribed_by_language: Counter[str] = Counter()
        for record in self._all():
            chats += 1
            if not record.active:
                continue
            active += 1
            by_language[record.language] += 1
            by_subscription.update(record.subscriptions)
            if record.subscriptions:
                subscribed_by_language[record.language] += 1
        return ChatStats(chats, active, dict(by_language), dict(by_subscription), dict(subscribed_by_language))

    def _open(self) -> int:
        return len(self._db.open_table_file(FILE, journaled=True).tables())

    # --- from the event loop ----------------------------------------------------------------------------

    async def open(self) -> int:
        """Load the file now rather than on the first message; returns how many tables it holds."""
        return await self._db.run(self._open)

    async def get(self, chat_id: int, thread_id: int | None = None) -> ChatRecord | None:
        """The chat's own record, or (`thread_id`) the record of one of its forum topics."""
        return await self._db.run(self._get, chat_id, thread_id)

    async def records_of(self, chat_id: int) -> list[ChatRecord]:
        """The chat's own record and its forum topics' (what /subscriptions lists in a group)."""

        def records() -> list[ChatRecord]:
            doc = self._doc(chat_id)
            return [] if doc is None else list(records_in(chat_id, doc))

        return await self._db.run(records)

    async def set_language(self, chat_id: int, language: str, thread_id: int | None = None) -> ChatRecord:
        """The chat (or topic) chose `language` (with /language): it stays, whatever the app reports."""
        return await self._db.run(self._change, chat_id, language,
                                  lambda r: replace(r, language=language, chose_language=True), thread_id)

    async def follow_app_language(self, chat_id: int, language: str) -> ChatRecord | None:
        """The member's app now reports `language`: a chat that never chose one follows it (no new record)."""

        def follow(record: ChatRecord) -> ChatRecord:
            return record if record.chose_language else replace(record, language=language)

        def change_if_known() -> ChatRecord | None:
            return None if self._get(chat_id) is None else self._change(chat_id, language, follow)

        return await self._db.run(change_if_known)

    async def subscribe(self, chat_id: int, topic: str, language: str, thread_id: int | None = None) -> ChatRecord:
        """Follow `topic` (a case id or ALL); `language` is used only if the chat (or topic) has no record yet."""

        def add(record: ChatRecord) -> ChatRecord:
            if topic in record.subscriptions:
                return record
            return replace(record, subscriptions=(*record.subscriptions, topic), active=True)

        return await self._db.run(self._change, chat_id, language, add, thread_id)

    async def unsubscribe(self, chat_id: int, topic: str, thread_id: int | None = None) -> ChatRecord | None:
        """Stop following `topic` (a case id, or ALL: the other subscriptions stay)."""

        def drop(record: ChatRecord) -> ChatRecord:
            return replace(record, subscriptions=tuple(t for t in record.subscriptions if t != topic))

        def change_if_known() -> ChatRecord | None:  # one step on the store's thread: no record, no new one
            return None if self._get(chat_id, thread_id) is None else self._change(chat_id, "en", drop, thread_id)

        return await self._db.run(change_if_known)

    async def set_quiet(self, chat_id: int, quiet: bool, language: str, thread_id: int | None = None) -> ChatRecord:
        return await self._db.run(self._change, chat_id, language, lambda r: replace(r, quiet=quiet), thread_id)

    async def set_active(self, chat_id: int, active: bool) -> ChatRecord | None:
        """The chat (and so each of its topics) can be sent to, or not (blocked, or the bot left the group);
        returns the chat's own record."""
        return await self._db.run(self._set_active, chat_id, active)

    async def drop_topic(self, chat_id: int, thread_id: int) -> ChatRecord | None:
        """A forum topic was closed or deleted: its record goes; returns it, or None if it was gone already
        (so that only one caller tells the group)."""
        return await self._db.run(self._drop_topic, chat_id, thread_id)

    async def prune_inactive(self, days: int) -> int:
        """Forget the chats that blocked the bot (or that it left) `days` ago or more; returns how many."""
        before = (self._today() - timedelta(days=days)).isoformat()
        return await self._db.run(self._prune_inactive, before)

    async def migrate(self, old_id: int, new_id: int) -> ChatRecord | None:
        return await self._db.run(self._migrate, old_id, new_id)

    async def recipients(self, topic: str) -> list[Recipient]:
        """Active chats and forum topics that follow `topic` ("general" reaches only those subscribed to all)."""
        return await self._db.run(self._recipients, topic)

    async def stats(self) -> ChatStats:
        return await self._db.run(self._stats)

    async def chat_ids(self) -> list[int]:
        """Every chat with a record (the try-out tells its Bot API stand-in who exists)."""
        return await self._db.run(lambda: [doc.doc_id for table in self._tables() for doc in table.all()])
