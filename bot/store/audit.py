"""The audit log: every publishing action an admin took (`AuditEntry`), newest last, kept in `audit.json`.

It names admins only, by their Telegram user id, and what they acted on (a request, an update, a broadcast, a
topic); never a member. It is journaled (docs/STORAGE.md) and spread over one table a month (`audit-YYYY-MM`), so
that an entry journals that month's table only.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from tinydb import TinyDB

from bot.model import AuditEntry
from bot.store.database import Database

FILE = "audit"
TABLE = re.compile(r"^audit-\d{4}-\d{2}$")


def table_name(at: str) -> str:
    """The month's table of an entry made at `at` (ISO)."""
    return f"audit-{at[:7]}"


def _document(entry: AuditEntry) -> dict[str, Any]:
    return {key: value for key, value in asdict(entry).items() if value not in (None, "")}


def _entry(doc: dict[str, Any]) -> AuditEntry:
    return AuditEntry(doc["at"], doc["admin"], doc["action"], doc.get("request"), doc.get("update"),
                      doc.get("broadcast"), doc.get("topic", ""), doc.get("note", ""))


class AuditRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def _file(self) -> TinyDB:
        return self._db.open_table_file(FILE, journaled=True)

    def _add(self, entry: AuditEntry) -> None:
        self._file().table(table_name(entry.at)).insert(_document(entry))

    def _latest(self, limit: int) -> list[AuditEntry]:
        tinydb = self._file()
        found: list[AuditEntry] = []
        for name in sorted((n for n in tinydb.tables() if TABLE.match(n)), reverse=True):
            docs = sorted(tinydb.table(name).all(), key=lambda d: d.doc_id, reverse=True)
            found += [_entry(doc) for doc in docs[: limit - len(found)]]
            if len(found) >= limit:
                break
        return found[::-1]

    async def add(self, entry: AuditEntry) -> None:
        await self._db.run(self._add, entry)

    async def latest(self, limit: int = 20) -> list[AuditEntry]:
        """The last `limit` entries, oldest of them first."""
        return await self._db.run(self._latest, limit)
