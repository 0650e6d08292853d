"""Publishing requests that wait: a scheduled push, or a push, correction, recall or content change waiting for a
second admin's approval (`PublishRequest`). Few, small and rarely written: one atomic file, `requests.json`.

A request moves from an open state (`scheduled`, `awaiting`) to a final one only through `move`, a compare-and-set
on the store's one thread: of two admins who approve at the same moment, or a scheduled time that comes as an admin
cancels, exactly one wins. Which broadcast carried a request out is recorded in that broadcast's own record, in the
write that creates it (`OutboxRepository.create`'s `request`): the outbox, not this file, is the proof that a
request went out, and `Desk.start` reconciles the two after a crash between their writes.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from tinydb.table import Table

from bot.model import PublishRequest
from bot.store.database import Database

FILE = "requests"
TABLE = "requests"

_OPTIONAL = ("texts", "update", "due", "decided_by", "reason", "broadcast", "item")


def from_document(doc_id: int, doc: dict[str, Any]) -> PublishRequest:
    return PublishRequest(
        doc_id, doc["action"], doc["state"], doc["author"], doc.get("author_name", ""), doc["admin_chat"],
        doc.get("topic", ""), dict(doc["texts"]) if doc.get("texts") is not None else None, doc.get("update"),
        doc.get("due"), doc.get("created", ""), doc.get("decided_by"), doc.get("reason", ""), doc.get("broadcast"),
        doc.get("item"), tuple((int(chat), int(message)) for chat, message in doc.get("cards", ())),
        bool(doc.get("late", False)), doc.get("preview", ""))


class RequestRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- on the store's thread ---------------------------------------------------------------------

    def _table(self) -> Table:
        return self._db.open_table_file(FILE, indent=1).table(TABLE)

    def _add(self, fields: dict[str, Any]) -> PublishRequest:
        doc = {key: value for key, value in fields.items() if key not in _OPTIONAL or value is not None}
        doc_id = self._table().insert(doc)
        return from_document(doc_id, doc)

    def _get(self, request_id: int) -> PublishRequest | None:
        doc = self._table().get(doc_id=request_id)
        return from_document(request_id, doc) if isinstance(doc, dict) else None

    def _move(self, request_id: int, states: Collection[str], to: str,
              fields: dict[str, Any]) -> tuple[PublishRequest | None, bool]:
        table = self._table()
        doc = table.get(doc_id=request_id)
        if not isinstance(doc, dict):
            return None, False
        if doc["state"] not in states:
            return from_document(request_id, doc), False
        table.update({**fields, "state": to}, doc_ids=[request_id])
        return self._get(request_id), True

    def _set(self, request_id: int, fields: dict[str, Any]) -> None:
        if self._table().contains(doc_id=request_id):
            self._table().update(fields, doc_ids=[request_id])

    def _list(self, states: Collection[str]) -> list[PublishRequest]:
        docs = [d for d in self._table().all() if d["state"] in states]
        return [from_document(d.doc_id, d) for d in sorted(docs, key=lambda d: (d.get("due") or "", d.doc_id))]

    # --- from the event loop -----------------------------------------------------------------------

    async def add(self, action: str, state: str, author: int, author_name: str, admin_chat: int, created: str, *,
                  topic: str = "", texts: dict[str, str] | None = None, update_id: int | None = None,
                  due: str | None = None, item: dict[str, Any] | None = None) -> PublishRequest:
        fields = {"action": action, "state": state, "author": author, "author_name": author_name,
                  "admin_chat": admin_chat, "created": created, "topic": topic, "texts": texts, "update": update_id,
                  "due": due, "item": item}
        return await self._db.run(self._add, fields)

    async def get(self, request_id: int) -> PublishRequest | None:
        return await self._db.run(self._get, request_id)

    async def move(self, request_id: int, states: Collection[str], to: str,
                   **fields: Any) -> tuple[PublishRequest | None, bool]:
        """Move the request to state `to` (with `fields`) if it is in one of `states`: (the request as it now is,
        whether this call moved it). A request in another state is left as it is."""
        return await self._db.run(self._move, request_id, states, to, fields)

    async def set(self, request_id: int, **fields: Any) -> None:
        """Record fields that do not change its state (the admins' cards, a new due time, lateness)."""
        await self._db.run(self._set, request_id, fields)

    async def listed(self, states: Collection[str]) -> list[PublishRequest]:
        """The requests in `states`, soonest due first (those without a time last, oldest first)."""
        return await self._db.run(self._list, states)
