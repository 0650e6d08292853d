"""The campaign's timeline: every update an admin published, per case or general, with corrections."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from tinydb.table import Table

from bot.model import CampaignUpdate
from bot.store.database import Database

FILE = "updates"
TABLE = "updates"


def from_document(doc_id: int, doc: dict[str, Any]) -> CampaignUpdate:
    return CampaignUpdate(doc_id, doc["topic"], dict(doc["texts"]), doc["published"], doc.get("corrected"))


class UpdateRepository:
    def __init__(self, db: Database, today: Callable[[], date] = date.today) -> None:
        self._db = db
        self._today = today

    def _table(self) -> Table:
        return self._db.open_table_file(FILE, indent=1).table(TABLE)

    def _add(self, topic: str, texts: dict[str, str]) -> CampaignUpdate:
        doc = {"topic": topic, "texts": texts, "published": self._today().isoformat(), "corrected": None}
        doc_id = self._table().insert(doc)
        return from_document(doc_id, doc)

    def _correct(self, update_id: int, texts: dict[str, str]) -> CampaignUpdate | None:
        table = self._table()
        if not table.contains(doc_id=update_id):
            return None
        table.update({"texts": texts, "corrected": self._today().isoformat()}, doc_ids=[update_id])
        return self._get(update_id)

    def _get(self, update_id: int) -> CampaignUpdate | None:
        doc = self._table().get(doc_id=update_id)
        return from_document(update_id, doc) if isinstance(doc, dict) else None

    def _history(self, topic: str | None) -> list[CampaignUpdate]:
        docs = self._table().all()
        updates = [from_document(d.doc_id, d) for d in docs if topic is None or d["topic"] == topic]
        return sorted(updates, key=lambda u: u.id, reverse=True)

    def ids_now(self) -> list[int]:
        """On the store's thread (see `Store.drop_unsent_updates`)."""
        return [doc.doc_id for doc in self._table().all()]

    def remove_now(self, update_ids: list[int]) -> list[int]:
        """On the store's thread: remove these updates; returns their ids."""
        if update_ids:
            self._table().remove(doc_ids=update_ids)
        return update_ids

    async def add(self, topic: str, texts: dict[str, str]) -> CampaignUpdate:
        return await self._db.run(self._add, topic, texts)

    async def correct(self, update_id: int, texts: dict[str, str]) -> CampaignUpdate | None:
        return await self._db.run(self._correct, update_id, texts)

    async def remove(self, update_id: int) -> None:
        """Take an update out of the timeline (it was recalled)."""
        await self._db.run(self.remove_now, [update_id])

    async def get(self, update_id: int) -> CampaignUpdate | None:
        return await self._db.run(self._get, update_id)

    async def history(self, topic: str | None = None) -> list[CampaignUpdate]:
        """Updates about `topic` (every topic when None), newest first."""
        return await self._db.run(self._history, topic)
