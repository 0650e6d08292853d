"""Chats the bot remembers (members in private chats, and groups), and nothing more than it needs.

A record exists only once a chat has made a choice the bot must remember: a language, a
subscription, quiet delivery. It holds the chat id (the document id), the language and whether it was
chosen with /language (if not, it follows the language the member's Telegram app reports, so that
updates reach them in it; records written before this flag existed count as chosen), the quiet flag,
the subscriptions ("all" or case ids), whether the chat can be sent to (`active`: false once it
blocked the bot), and the day it was created and last changed (day precision on purpose, so the
file does not log when people use the bot).

Records are spread over `SHARDS` TinyDB tables by chat id, so that a write rebuilds and journals one
small table instead of all of them (see `journal.py`): at 100,000 chats a subscribe stays a
millisecond write.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
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
    """A chat's record as stored (its id is the document id): exactly these fields."""
    return {"language": record.language, "quiet": record.quiet, "subscriptions": list(record.subscriptions),
            "active": record.active, "created": record.created, "updated": record.updated,
            "chosen": record.chose_language}


def from_document(chat_id: int, doc: dict[str, Any]) -> ChatRecord:
    """Records written before the `chosen` flag existed count as chosen: an earlier choice is never overridden."""
    return ChatRecord(chat_id, doc["language"], bool(doc.get("quiet", False)), tuple(doc.get("subscriptions", ())),
                      bool(doc.get("active", True)), doc.get("created", ""), doc.get("updated", ""),
                      bool(doc.get("chosen", True)))


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

    def _get(self, chat_id: int) -> ChatRecord | None:
        doc = self._table(chat_id).get(doc_id=chat_id)
        if not isinstance(doc, dict):
            return None
        return from_document(chat_id, doc)

    def _put(self, record: ChatRecord, existed: bool) -> ChatRecord:
        table = self._table(record.chat_id)
        if existed:
            table.update(as_document(record), doc_ids=[record.chat_id])
        else:
            table.insert(Document(as_document(record), doc_id=record.chat_id))
        return record

    def _change(self, chat_id: int, language: str, change: Callable[[ChatRecord], ChatRecord]) -> ChatRecord:
        """Apply `change` to the chat's record (created with `language` if new); write only if it changed."""
        today = self._today().isoformat()
        current = self._get(chat_id)
        base = current or ChatRecord(chat_id, language, created=today, updated=today)
        changed = change(base)
        if current is not None and changed == current:
            return current
        return self._put(replace(changed, updated=today), existed=current is not None)

    def _set_active(self, chat_id: int, active: bool) -> ChatRecord | None:
        current = self._get(chat_id)
        if current is None or current.active == active:
            return current
        return self._put(replace(current, active=active, updated=self._today().isoformat()), existed=True)

    def forget_now(self, chat_id: int) -> bool:
        """On the store's thread (see `Store.forget_chat`)."""
        if self._get(chat_id) is None:
            return False
        self._table(chat_id).remove(doc_ids=[chat_id])
        self._db.erase_history(FILE)
        return True

    def _migrate(self, old_id: int, new_id: int) -> ChatRecord | None:
        """A group became a supergroup with a new id: its record moves to the new id."""
        current = self._get(old_id)
        if current is None:
            return None
        moved = replace(current, chat_id=new_id, updated=self._today().isoformat())
        self._put(moved, existed=self._get(new_id) is not None)
        self._table(old_id).remove(doc_ids=[old_id])
        return moved

    def _all(self) -> Iterator[ChatRecord]:
        for table in self._tables():
            for doc in table.all():
                yield from_document(doc.doc_id, doc)

    def _recipients(self, topic: str) -> list[Recipient]:
        return [Recipient(r.chat_id, r.language, r.quiet) for r in self._all() if r.active and r.follows(topic)]

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

    async def get(self, chat_id: int) -> ChatRecord | None:
        return await self._db.run(self._get, chat_id)

    async def set_language(self, chat_id: int, language: str) -> ChatRecord:
        """The chat chose `language` (with /language): it stays, whatever the app reports."""
        return await self._db.run(self._change, chat_id, language,
                                  lambda r: replace(r, language=language, chose_language=True))

    async def follow_app_language(self, chat_id: int, language: str) -> ChatRecord | None:
        """The member's app now reports `language`: a chat that never chose one follows it (no new record)."""

        def follow(record: ChatRecord) -> ChatRecord:
            return record if record.chose_language else replace(record, language=language)

        def change_if_known() -> ChatRecord | None:
            return None if self._get(chat_id) is None else self._change(chat_id, language, follow)

        return await self._db.run(change_if_known)

    async def subscribe(self, chat_id: int, topic: str, language: str) -> ChatRecord:
        """Follow `topic` (a case id or ALL); `language` is used only if the chat has no record yet."""

        def add(record: ChatRecord) -> ChatRecord:
            if topic in record.subscriptions:
                return record
            return replace(record, subscriptions=(*record.subscriptions, topic), active=True)

        return await self._db.run(self._change, chat_id, language, add)

    async def unsubscribe(self, chat_id: int, topic: str) -> ChatRecord | None:
        """Stop following `topic` (a case id, or ALL: the other subscriptions stay)."""

        def drop(record: ChatRecord) -> ChatRecord:
            return replace(record, subscriptions=tuple(t for t in record.subscriptions if t != topic))

        def change_if_known() -> ChatRecord | None:  # one step on the store's thread: no record, no new one
            return None if self._get(chat_id) is None else self._change(chat_id, "en", drop)

        return await self._db.run(change_if_known)

    async def set_quiet(self, chat_id: int, quiet: bool, language: str) -> ChatRecord:
        return await self._db.run(self._change, chat_id, language, lambda r: replace(r, quiet=quiet))

    async def set_active(self, chat_id: int, active: bool) -> ChatRecord | None:
        return await self._db.run(self._set_active, chat_id, active)

    async def migrate(self, old_id: int, new_id: int) -> ChatRecord | None:
        return await self._db.run(self._migrate, old_id, new_id)

    async def recipients(self, topic: str) -> list[Recipient]:
        """Active chats that follow `topic` ("general" reaches only those subscribed to all)."""
        return await self._db.run(self._recipients, topic)

    async def stats(self) -> ChatStats:
        return await self._db.run(self._stats)

    async def chat_ids(self) -> list[int]:
        """Every chat with a record (the try-out tells its Bot API stand-in who exists)."""
        return await self._db.run(lambda: [record.chat_id for record in self._all()])
