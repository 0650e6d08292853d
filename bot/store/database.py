"""The one storage seam: every file the bot keeps is opened here, and every access runs on one thread.

TinyDB is not thread-safe, and two writers corrupt each other's files. So the `Database` holds a lock
file in the data directory (a second process on the same directory fails at start), and runs every
TinyDB call on a single worker thread: `await db.run(fn, *args)`. The event loop never waits on a
disk write, and there is exactly one writer. Encrypting the files at rest later means changing only
the storage built in `open_table_file`.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, ParamSpec, TypeVar

from tinydb import TinyDB

from bot.store.engine.atomic import AtomicJSONStorage
from bot.store.engine.journal import JournaledStorage

P = ParamSpec("P")
T = TypeVar("T")

LOCK_NAME = ".lock"


class DataDirInUse(RuntimeError):
    """Another campaign-bot process holds the data directory."""


class Database:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock_file: IO[str] | None = self._acquire_lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")
        self._files: dict[str, TinyDB] = {}

    def _acquire_lock(self) -> IO[str]:
        lock_file = open(self.data_dir / LOCK_NAME, "w")  # noqa: SIM115 - held for the process's life
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            raise DataDirInUse(f"another campaign-bot process is using {self.data_dir}") from None
        lock_file.write(str(os.getpid()))
        lock_file.flush()
        return lock_file

    def open_table_file(self, name: str, *, journaled: bool = False, indent: int | None = None) -> TinyDB:
        """The TinyDB file `<data_dir>/<name>.json`, opened once. Call only from `run`.

        Small files that change rarely (content) are rewritten whole and atomically on each write;
        `journaled` files (chats, outbox), which take many small writes and grow large, append each
        write to a journal and are compacted now and then.
        """
        if name not in self._files:
            path = self.data_dir / f"{name}.json"
            if journaled:
                self._files[name] = TinyDB(path, storage=JournaledStorage)
            else:
                self._files[name] = TinyDB(path, storage=AtomicJSONStorage, indent=indent)
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
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None
