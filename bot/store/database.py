"""The one storage seam: every file the bot keeps is opened here, and every access runs on one thread.

TinyDB is not thread-safe, and two writers corrupt each other's files. So the `Database` holds a lock
file in the data directory (a second process on the same directory fails at start), and runs every
TinyDB call on a single worker thread: `await db.run(fn, *args)`. The event loop never waits on a
disk write, and there is exactly one writer.

Encryption at rest is decided here too: given a key (`BOT_DATA_KEY`), every file opened through
`open_table_file` or the small-file API (`read_private_file`, `write_private_file`) is sealed with it
(`engine/seal.py`), but the public ones (`PUBLIC`: the campaign's content, which every member is shown anyway).
A repository gets this by opening its files here, and nothing else. As it opens, the directory is settled
(`engine/datadir.py`): an interrupted rotation or restore is finished or discarded, a file sealed with another
key stops the start with one line that names it, and plain data files (written before the key was set) are
sealed, all in one crash-safe swap. Each step on the store's thread holds the write lock, so that
`campaign-bot backup` and `check` read the files between two steps, consistently, while the bot runs.

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

from bot.store.engine.atomic import AtomicJSONStorage, atomic_write_bytes, clean_stale_temp_files
from bot.store.engine.datadir import WriteLock, settle
from bot.store.engine.journal import JOURNAL_SUFFIX, JournaledStorage
from bot.store.engine.private import make_private_dirs, open_private, tighten
from bot.store.engine.seal import Sealer, open_file

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger(__name__)

LOCK_NAME = ".lock"
PUBLIC_NAMES = frozenset({"content"})
"""Table files that are never sealed: the campaign's content is what the bot shows every member."""
PUBLIC = frozenset(f"{name}.json{suffix}" for name in PUBLIC_NAMES for suffix in ("", JOURNAL_SUFFIX))
PRIVATE_FILE_SUFFIX = ".key"


class DataDirInUse(RuntimeError):
    """Another campaign-bot process holds the data directory."""


def lock_data_dir(data_dir: Path) -> int:
    """Take the data directory for this process (`DataDirInUse` if another has it); close the returned file
    descriptor to let go."""
    fd = open_private(data_dir / LOCK_NAME, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DataDirInUse(f"another campaign-bot process is using {data_dir}") from None
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)  # only now: the holder's pid stays while another process is refused
    os.write(fd, str(os.getpid()).encode())
    return fd


class Database:
    def __init__(self, data_dir: Path, key: bytes | None = None) -> None:
        self.data_dir = data_dir
        self.sealer = Sealer(key) if key else None
        make_private_dirs(self.data_dir)
        self._lock_fd: int | None = lock_data_dir(self.data_dir)  # held for the process's life
        self._writes: WriteLock | None = None
        try:
            self._writes = WriteLock(self.data_dir)
            with self._writes.held():
                self._make_owner_only()
                settle(self.data_dir, self.sealer, PUBLIC)
        except BaseException:
            self._release_lock()
            raise
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")
        self._files: dict[str, TinyDB] = {}

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
        from disk on each read instead of being held in memory (see `AtomicJSONStorage`). With a key, the file is
        sealed with it unless `name` is in `PUBLIC_NAMES`.
        """
        if name not in self._files:
            path = self.data_dir / f"{name}.json"
            sealer = None if name in PUBLIC_NAMES else self.sealer
            if journaled:
                self._files[name] = TinyDB(path, storage=JournaledStorage, sealer=sealer)
            else:
                self._files[name] = TinyDB(path, storage=AtomicJSONStorage, indent=indent, in_memory=in_memory,
                                           sealer=sealer)
        return self._files[name]

    def _private_path(self, name: str) -> Path:
        if "/" in name or name.startswith(".") or not name.endswith(PRIVATE_FILE_SUFFIX):
            raise ValueError(f"{name!r}: a private file is named <name>{PRIVATE_FILE_SUFFIX}, in the data directory")
        return self.data_dir / name

    def read_private_file(self, name: str) -> bytes | None:
        """The content of the small private file `name` (named `*.key`: a secret a repository keeps, sealed like
        the tables), None if there is none. Call only from `run`."""
        path = self._private_path(name)
        clean_stale_temp_files(path)  # a writer killed before its rename: the file was not written
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        return open_file(raw, path, self.sealer)

    def write_private_file(self, name: str, data: bytes) -> None:
        """Replace the small private file `name` with `data`, atomically, sealed if the store has a key. Call only
        from `run`."""
        path = self._private_path(name)
        atomic_write_bytes(path, data if self.sealer is None else self.sealer.seal_file(data, name))

    def erase_history(self, name: str) -> None:
        """Fold a journaled file's journal into its snapshot, so that what was removed is gone from disk
        too (a journal keeps earlier versions of a table until it is compacted). Call only from `run`."""
        storage = self.open_table_file(name, journaled=True).storage
        if isinstance(storage, JournaledStorage):
            storage.compact()

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` on the store's one thread and wait for it without blocking the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: self._step(fn, *args, **kwargs))

    def _step(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """One step on the store's thread, with writes paused for other processes' consistent copies."""
        assert self._writes is not None
        with self._writes.held():
            return fn(*args, **kwargs)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        for db in self._files.values():
            db.close()  # the store's thread has ended: nothing else touches the files now
        self._files.clear()
        self._release_lock()

    def _release_lock(self) -> None:
        if self._writes is not None:
            self._writes.close()
            self._writes = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
