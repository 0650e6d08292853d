"""Member records: the chats the bot remembers, and nothing more than it needs.

A record exists only once a chat has made a choice the bot must remember (today: its language).
It holds the chat id (the document id), the chosen language, and the day it was created and last
changed: day precision on purpose, so the file does not log when members talk to the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tinydb.table import Document, Table

from bot.store.database import Database

FILE = "members"
TABLE = "chats"


@dataclass(frozen=True)
class Member:
    chat_id: int
    language: str
    created: str
    updated: str

    def as_record(self) -> dict[str, str]:
        return {"language": self.language, "created": self.created, "updated": self.updated}


class MemberRepository:
    def __init__(self, db: Database, today: type[date] = date) -> None:
        self._db = db
        self._today = today

    def _table(self) -> Table:
        return self._db.open_table_file(FILE).table(TABLE)

    def _get(self, chat_id: int) -> Member | None:
        doc = self._table().get(doc_id=chat_id)
        if doc is None or isinstance(doc, list):
            return None
        return Member(chat_id, doc["language"], doc["created"], doc["updated"])

    def _set_language(self, chat_id: int, language: str) -> Member:
        table = self._table()
        today = self._today.today().isoformat()
        current = self._get(chat_id)
        if current is None:
            member = Member(chat_id, language, today, today)
            table.insert(Document(member.as_record(), doc_id=chat_id))
        else:
            member = Member(chat_id, language, current.created, today)
            if member != current:
                table.update(member.as_record(), doc_ids=[chat_id])
        return member

    def _forget(self, chat_id: int) -> bool:
        return bool(self._table().remove(doc_ids=[chat_id])) if self._get(chat_id) else False

    def _count(self) -> int:
        return len(self._table())

    async def get(self, chat_id: int) -> Member | None:
        return await self._db.run(self._get, chat_id)

    async def set_language(self, chat_id: int, language: str) -> Member:
        return await self._db.run(self._set_language, chat_id, language)

    async def forget(self, chat_id: int) -> bool:
        return await self._db.run(self._forget, chat_id)

    async def count(self) -> int:
        return await self._db.run(self._count)
