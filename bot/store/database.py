"""The one storage seam: every file the bot keeps is opened here, and every access runs on one thread.

TinyDB is not thread-safe, and two writers corrupt each other's files. So the `Database` holds a lock
file in the data directory (a second process on the same directory fails at start), and runs every
TinyDB call on a single worker thread: `await db.run(fn, *args)`. The event loop never waits on a
disk write, and there is exactly one writer. Encrypting the files at rest later means changing only
the storage built in `open_table_file`.

Everything in the data directory is owner-only (files 0600, directories 0700) whatever the umask, and a
data directory with looser modes (an older version's, or one made by hand) is tightened as it is opened
(`engine/private.py`).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ParamSpec, TypeVar

from tinydb import TinyDB

from bot.store.engine.atomic import AtomicJSONStorage
from bot.store.engine.journal import JournaledStorage
from bot.store.engine.private import make_private_dirs, open_private, tighten

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger(__name__)

LOCK_NAME = ".lock"


class DataDirInUse(RuntimeError):
    """Another campaign-bot process holds the data directory."""


class Database:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        make_private_dirs(self.data_dir)
        self._lock_fd: int | None = self._acquire_lock()
        try:
            self._make_owner_only()
        except BaseException:
            self._release_lock()
            raise
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")
        self._files: dict[str, TinyDB] = {}

    def _acquire_lock(self) -> int:
        fd = open_private(self.data_dir / LOCK_NAME, os.O_RDWR)  # held for the process's life
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DataDirInUse(f"another campaign-bot process is using {self.data_dir}") from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)  # only now: the holder's pid stays while another process is refused
        os.write(fd, str(os.getpid()).encode())
        return fd

    def _make_owner_only(self) -> None:
        """Take the group's and others' access off everything in the data directory (it is all personal data)."""
        changed, refused = tighten(self.data_dir)
        if changed:
            log.warning("%s: %d files and directories were readable by other users; made owner-only",
                        self.data_dir, changed)
        if refused:
            log.warning("%s: %d files and directories are readable by other users and could not be made "
                        "owner-only (not ours?)", self.data_dir, len(refused))

    def open_table_file(self, name: str, *, journaled: bool = False, indent: int | None = None,
                        in_memory: bool = True) -> TinyDB:
        """The TinyDB file `<data_dir>/<name>.json`, opened once. Call only from `run`.

        Small files that change rarely (content) are rewritten whole and atomically on each write;
        `journaled` files (chats, outbox), which take many small writes and grow large, append each
        write to a journal and are compacted now and then. A file opened with `in_memory=False` is read
        from disk on each read instead of being held in memory (see `AtomicJSONStorage`).
        """
        if name not in self._files:
            path = self.data_dir / f"{name}.json"
            if journaled:
                self._files[name] = TinyDB(path, storage=JournaledStorage)
            else:
                self._files[name] = TinyDB(path, storage=AtomicJSONStorage, indent=indent, in_memory=in_memory)
        return self._files[name]

    def erase_history(self, name: str) -> None:
        """Fold a journaled file's journal into its snapshot, so that what was removed is gone from disk
        too (a journal keeps earlier versions of a table until it is compacted). Call only from `run`."""
        storage = self.open_table_file(name, journaled=True).storage
        if isinstance(storage, JournaledStorage):
            storage.compact()

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` on the store's one thread and wait for it without blocking the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(*args, **kwargs))

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        for db in self._files.values():
            db.close()  # the store's thread has ended: nothing else touches the files now
        self._files.clear()
        self._release_lock()

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
