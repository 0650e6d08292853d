"""The one storage seam. `Store` opens the data directory and gives out the repositories."""

from __future__ import annotations

from pathlib import Path

from bot.store.chats import ChatRepository
from bot.store.content_repo import ContentRepository, ImportReport
from bot.store.database import Database, DataDirInUse
from bot.store.outbox import OutboxRepository
from bot.store.updates import UpdateRepository

__all__ = ["DataDirInUse", "ImportReport", "Store"]


class Store:
    def __init__(self, data_dir: Path) -> None:
        self.db = Database(data_dir)
        self.chats = ChatRepository(self.db)
        self.content = ContentRepository(self.db)
        self.updates = UpdateRepository(self.db)
        self.outbox = OutboxRepository(self.db)

    async def open(self) -> None:
        """Load every file now (at start-up), not on the first update that needs it."""
        await self.chats.open()
        await self.outbox.running()

    def close(self) -> None:
        self.db.close()
