"""The one storage seam. `Store` opens the data directory and gives out the repositories."""

from __future__ import annotations

from pathlib import Path

from bot.store.content_repo import ContentRepository, ImportReport
from bot.store.database import Database, DataDirInUse
from bot.store.members import Member, MemberRepository

__all__ = ["ContentRepository", "DataDirInUse", "ImportReport", "Member", "MemberRepository", "Store"]


class Store:
    def __init__(self, data_dir: Path) -> None:
        self.db = Database(data_dir)
        self.members = MemberRepository(self.db)
        self.content = ContentRepository(self.db)

    def close(self) -> None:
        self.db.close()
