"""The one storage seam. `Store` opens the data directory and gives out the repositories; the operator's tools
(`backup`, `restore`, `rotate_key`, `check`) work on the same directory."""

from __future__ import annotations

from pathlib import Path

from bot.store import heartbeat as heartbeat_file
from bot.store.actions import ActionRepository
from bot.store.audit import AuditRepository
from bot.store.backups import (
    DEFAULT_KEEP,
    Backup,
    BackupError,
    Restored,
    backup,
    backups_in,
    default_dir,
    restore,
    rotate_key,
)
from bot.store.chats import ChatRepository
from bot.store.content_repo import ContentRepository, ImportReport
from bot.store.database import Database, DataDirInUse
from bot.store.engine.errors import DataFileError
from bot.store.engine.seal import key_id_of, show
from bot.store.outbox import OutboxRepository
from bot.store.requests import RequestRepository
from bot.store.updates import UpdateRepository
from bot.store.verify import Report, check

__all__ = ["DEFAULT_KEEP", "Backup", "BackupError", "DataDirInUse", "DataFileError", "ImportReport", "Report",
           "Restored", "Store", "backup", "backups_in", "check", "default_dir", "heartbeat_age", "key_id",
           "restore", "rotate_key"]


class Store:
    def __init__(self, data_dir: Path, key: bytes | None = None) -> None:
        """Open `data_dir` for this process; with `key` (BOT_DATA_KEY, 32 bytes) its data files are sealed."""
        self.db = Database(data_dir, key)
        self.chats = ChatRepository(self.db)
        self.content = ContentRepository(self.db)
        self.updates = UpdateRepository(self.db)
        self.outbox = OutboxRepository(self.db)
        self.actions = ActionRepository(self.db)
        self.requests = RequestRepository(self.db)
        self.audit = AuditRepository(self.db)

    async def open(self) -> None:
        """Load every file now (at start-up), not on the first update that needs it."""
        await self.chats.open()
        await self.outbox.running()
        await self.actions.open()

    async def forget_chat(self, chat_id: int) -> bool:
        """Erase a chat everywhere, in one step on the store's thread: its record, and its deliveries in every
        broadcast (they keep only their status, for the totals). False if there was no record."""
        deleted, _ = await self.forget_chat_and_recent(chat_id, None)
        return deleted

    async def forget_chat_and_recent(self, chat_id: int, recent_since: int | None) -> tuple[bool, list[int]]:
        """`forget_chat`, and (with `recent_since`, Unix time) the ids of the messages broadcasts delivered to the
        chat since then, found in the same step before they are erased, so that the caller can delete them too."""

        def forget() -> tuple[bool, list[int]]:
            recent = self.outbox.recent_messages_now(chat_id, recent_since) if recent_since is not None else []
            deleted = self.chats.forget_now(chat_id)
            self.outbox.forget_chat_now(chat_id)
            return deleted, recent

        return await self.db.run(forget)

    async def drop_unsent_updates(self) -> list[int]:
        """Remove the timeline's updates that no broadcast sends (see `Publisher.recover`); their ids."""

        def drop() -> list[int]:
            sent = self.outbox.sent_update_ids_now()
            return self.updates.remove_now([u for u in self.updates.ids_now() if u not in sent])

        return await self.db.run(drop)

    async def drop_recalled_updates(self) -> list[int]:
        """Remove the timeline's updates that a recall broadcast withdraws (a recall records its broadcast first, then
        takes the update out of the timeline: a crash between the two leaves it there); their ids."""

        def drop() -> list[int]:
            recalled = self.outbox.recalled_update_ids_now()
            return self.updates.remove_now([u for u in self.updates.ids_now() if u in recalled])

        return await self.db.run(drop)

    async def heartbeat(self) -> None:
        """Say that the bot is alive (see `heartbeat.py`): on the store's thread, so only if it is too."""
        await self.db.run(heartbeat_file.touch, self.db.data_dir)

    async def end_heartbeat(self) -> None:
        """The bot stops: `campaign-bot health` says so at once, not once the heartbeat is stale."""
        await self.db.run(heartbeat_file.remove, self.db.data_dir)

    def close(self) -> None:
        self.db.close()


def heartbeat_age(data_dir: Path) -> float | None:
    """Seconds since the bot using `data_dir` last said it is alive; None if it has not (or stopped)."""
    return heartbeat_file.age(data_dir)


def key_id(key: bytes) -> str:
    """The id of a data key, as the store's messages name it (it does not reveal the key)."""
    return show(key_id_of(key))
