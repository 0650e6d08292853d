"""The data directory as a whole: which files are data, a pause for consistent copies, and swaps that replace
several files at once (a key rotation, sealing plain files, a restore), crash-safely.

**Data files** are the top-level files named `*.json`, `*.json.journal` or `*.key` (not hidden ones: `.lock`,
`.write.lock`, temp files; not `heartbeat`). Every data file but the public ones (the campaign's content) is
sealed when the store has a key.

**The write pause**: the store's thread holds an exclusive `flock` on `.write.lock` around each step it runs
(`Database.run`) and while it opens the directory; another process that takes the same lock (`paused_writes`)
sees the files as they are between two steps, so `campaign-bot backup` and `check` can read a running bot's
files consistently, across files too, without stopping it.

**A swap** stages the new files in `.swap/`, fsynced, then writes `.swap/COMMIT` (atomically: the commit
point), then renames each staged file over its old one and removes what the commit says to remove, then
deletes `.swap/`. Killed before the commit, nothing has changed and the staging is discarded at the next open;
killed after it, the next open finishes the renames (idempotent: a staged file that is gone was moved). The
commit names the key the new files are sealed with: the store finishes a swap only with that key, so every file
is readable with the old key (before the commit) or the new one (after it), never a mix.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.store.engine.atomic import atomic_write_bytes, fsync_directory, parse_tables
from bot.store.engine.errors import SwapPending
from bot.store.engine.journal import JOURNAL_SUFFIX, parse_line
from bot.store.engine.private import make_private_dirs, open_private
from bot.store.engine.seal import (
    Sealer,
    file_key_id,
    is_sealed_file,
    is_sealed_line,
    line_key_id,
    missing_key,
    open_file,
    open_line,
    show,
    wrong_key,
)

log = logging.getLogger(__name__)

DATA_SUFFIXES = (".json", ".json" + JOURNAL_SUFFIX, ".key")
WRITE_LOCK_NAME = ".write.lock"
SWAP_DIR = ".swap"
COMMIT_NAME = "COMMIT"
PLAN_NAME = "PLAN"
_HEAD_BYTES = 64


def is_data_file(path: Path) -> bool:
    return (not path.name.startswith(".") and path.name.endswith(DATA_SUFFIXES)
            and path.is_file() and not path.is_symlink())


def data_files(directory: Path) -> list[Path]:
    """The data files in `directory`, by name."""
    try:
        entries = list(directory.iterdir())
    except FileNotFoundError:
        return []
    return sorted((path for path in entries if is_data_file(path)), key=lambda path: path.name)


def is_journal(path: Path) -> bool:
    return path.name.endswith(JOURNAL_SUFFIX)


# -- what a file is sealed with ----------------------------------------------------------------------------

PLAIN = "plain"
SEALED = "sealed"
EMPTY = "empty"


@dataclass(frozen=True)
class Kind:
    state: str  # PLAIN, SEALED or EMPTY
    key_id: bytes | None = None


def kind_of(path: Path) -> Kind:
    """Whether `path` is sealed (and with which key), plain or empty, from its first bytes."""
    with path.open("rb") as file:
        head = file.read(_HEAD_BYTES)
    if not head.strip():
        return Kind(EMPTY)
    if is_journal(path):
        return Kind(SEALED, line_key_id(head)) if is_sealed_line(head) else Kind(PLAIN)
    return Kind(SEALED, file_key_id(head)) if is_sealed_file(head) else Kind(PLAIN)


# -- the write pause ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def paused_writes(directory: Path, *, create: bool = True) -> Iterator[None]:
    """Hold the store's write lock: no step of a store on `directory` runs until this ends. Without `create`, a
    directory without the lock file (a backup's copy) is read as it is."""
    lock = directory / WRITE_LOCK_NAME
    if not create and not lock.exists():
        yield
        return
    fd = open_private(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


class WriteLock:
    """The store's own hold on `.write.lock`, taken around each of its steps (one file descriptor, one thread)."""

    def __init__(self, directory: Path) -> None:
        self._fd: int | None = open_private(directory / WRITE_LOCK_NAME, os.O_RDWR)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        assert self._fd is not None
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


# -- swaps -------------------------------------------------------------------------------------------------


@dataclass
class Pending:
    """A swap found in a directory: committed (to be finished) or not (to be discarded)."""

    what: str
    key_id: bytes | None
    committed: bool
    files: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)

    def describe(self) -> str:
        key = "" if self.key_id is None else f" to the key with id {show(self.key_id)}"
        return f"an interrupted {self.what}{key}"


def _read_json(path: Path) -> dict[str, object] | None:
    try:
        data = json.loads(path.read_bytes())
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _key_id(value: object) -> bytes | None:
    return bytes.fromhex(value) if isinstance(value, str) else None


def pending_swap(directory: Path) -> Pending | None:
    swap = directory / SWAP_DIR
    if not swap.is_dir():
        return None
    commit = _read_json(swap / COMMIT_NAME)
    if commit is not None:
        files, remove = commit.get("files"), commit.get("remove")
        return Pending(str(commit.get("what", "swap")), _key_id(commit.get("key_id")), True,
                       [str(name) for name in files] if isinstance(files, list) else [],
                       [str(name) for name in remove] if isinstance(remove, list) else [])
    plan = _read_json(swap / PLAN_NAME) or {}
    return Pending(str(plan.get("what", "swap")), _key_id(plan.get("key_id")), False)


def finish_swap(directory: Path, pending: Pending) -> None:
    """Move a committed swap's files into place and remove what it replaces (idempotent), then its staging."""
    swap = directory / SWAP_DIR
    for name in pending.files:
        staged = swap / name
        if staged.exists():
            os.replace(staged, directory / name)
    for name in pending.remove:
        with contextlib.suppress(FileNotFoundError):
            (directory / name).unlink()
    fsync_directory(directory)
    for leftover in swap.iterdir():
        if leftover.name != COMMIT_NAME:
            leftover.unlink()
    (swap / COMMIT_NAME).unlink()  # last: until now the swap is still finished by the next open
    swap.rmdir()
    fsync_directory(directory)


def discard_swap(directory: Path) -> None:
    shutil.rmtree(directory / SWAP_DIR)
    fsync_directory(directory)


class Swap:
    """`with Swap(directory, what, key_id) as swap: swap.put(name, payload) …; swap.commit(remove)`: staged files,
    then one commit that puts them all in place. Leaving the block without a commit discards the staging."""

    def __init__(self, directory: Path, what: str, key_id: bytes | None) -> None:
        self.directory = directory
        self.what = what
        self.key_id = key_id
        self.swap = directory / SWAP_DIR
        self.files: list[str] = []
        self.committed = False

    def __enter__(self) -> Swap:
        if self.swap.exists():
            raise FileExistsError(f"{self.swap}: another swap is pending")
        make_private_dirs(self.swap)
        fsync_directory(self.directory)
        self._write(PLAN_NAME, self._describe())
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.committed and self.swap.exists():
            discard_swap(self.directory)

    def _describe(self, **more: object) -> bytes:
        key = None if self.key_id is None else self.key_id.hex()
        return json.dumps({"what": self.what, "key_id": key, **more}).encode()

    def _write(self, name: str, payload: bytes) -> None:
        fd = open_private(self.swap / name, os.O_WRONLY | os.O_TRUNC)
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)

    def put(self, name: str, payload: bytes) -> None:
        self._write(name, payload)
        self.files.append(name)

    def commit(self, remove: Collection[str] = ()) -> None:
        fsync_directory(self.swap)
        atomic_write_bytes(self.swap / COMMIT_NAME, self._describe(files=self.files, remove=sorted(remove)))
        self.committed = True
        finish_swap(self.directory, Pending(self.what, self.key_id, True, self.files, list(remove)))


# -- sealing, opening and re-sealing whole files -----------------------------------------------------------


def reseal(path: Path, raw: bytes, old: Sealer | None, new: Sealer | None) -> bytes:
    """`raw`, the content of the data file `path`, opened with `old` (plain parts as they are) and written for
    `new` (sealed, or plain if None). What it holds is checked first: a file that does not parse is refused
    (`CorruptFile`), never rewritten. A journal keeps its complete lines; a torn tail is left out."""
    if not is_journal(path):
        plain = open_file(raw, path, old)
        if path.name.endswith(".json"):
            parse_tables(plain, path)
        return plain if new is None or not plain.strip() else new.seal_file(plain, path.name)
    out = []
    line_no = 0
    for line in raw.splitlines(keepends=True):
        if not line.endswith(b"\n"):
            break  # a torn append, never acknowledged: the journal's open would drop it too
        line_no += 1
        if not line.strip():
            continue
        parse_line(line[:-1], path, line_no, old)
        plain = open_line(line[:-1], path, line_no, old)
        out.append(plain + b"\n" if new is None else new.seal_line(plain, path.name))
    return b"".join(out)


def check_keys(files: Collection[Path], sealer: Sealer | None) -> list[Path]:
    """Refuse a file sealed with another key than `sealer`'s (or sealed, without a sealer) with the error that
    names it; returns the plain files (not empty) among `files`. Reads only each file's first bytes."""
    plain = []
    for path in files:
        kind = kind_of(path)
        if kind.state == PLAIN:
            plain.append(path)
        elif kind.state == SEALED:
            if sealer is None:
                raise missing_key(str(path), kind.key_id)
            if kind.key_id != sealer.key_id:
                raise wrong_key(str(path), kind.key_id, sealer)
    return plain


def settle(directory: Path, sealer: Sealer | None, public: Collection[str]) -> None:
    """Make `directory` ready for a store with `sealer`: finish or discard an interrupted swap, refuse a file sealed
    with another key, and seal plain data files (all at once, in one swap) when there is a key. Call with the
    directory locked and writes paused."""
    pending = pending_swap(directory)
    if pending is not None and pending.committed:
        ours = sealer.key_id if sealer is not None else None
        if pending.key_id is not None and pending.key_id != ours:
            raise SwapPending(f"{directory}: {pending.describe()} took effect and is not finished: set BOT_DATA_KEY "
                              f"to that key (key id {show(pending.key_id)}; BOT_DATA_KEY's is {show(ours)}) and "
                              "start again to finish it")
        finish_swap(directory, pending)
        log.warning("%s: finished %s", directory, pending.describe())
    elif pending is not None:
        discard_swap(directory)
        log.warning("%s: %s had not taken effect and was discarded: the data is as it was before", directory,
                    pending.describe())
    private = [path for path in data_files(directory) if path.name not in public]
    plain = check_keys(private, sealer)
    if sealer is None or not plain:
        return
    with Swap(directory, "encryption of plain data files", sealer.key_id) as swap:
        for path in plain:
            swap.put(path.name, reseal(path, path.read_bytes(), None, sealer))
        swap.commit()
    log.warning("%s: encrypted %d data files with BOT_DATA_KEY (key id %s): %s", directory, len(plain),
                show(sealer.key_id), ", ".join(path.name for path in plain))


def rotate(directory: Path, old: Sealer | None, new: Sealer | None, public: Collection[str]) -> int | None:
    """Re-seal every private data file from `old` to `new` (`campaign-bot rotate-key`); how many, or None if this
    finished an interrupted rotation to `new` instead. Call with the directory locked and writes paused."""
    pending = pending_swap(directory)
    new_id = None if new is None else new.key_id
    if pending is not None and pending.committed and pending.key_id is not None and pending.key_id == new_id:
        finish_swap(directory, pending)
        return None
    settle(directory, old, public)
    return reseal_all(directory, old, new, public)


def reseal_all(directory: Path, old: Sealer | None, new: Sealer | None, public: Collection[str]) -> int:
    """Re-seal every private data file from `old` to `new` in one swap (`campaign-bot rotate-key`); how many.
    Call with the directory locked and writes paused, after `settle` with `old`."""
    private = [path for path in data_files(directory) if path.name not in public]
    with Swap(directory, "rotate-key", None if new is None else new.key_id) as swap:
        for path in private:
            swap.put(path.name, reseal(path, path.read_bytes(), old, new))
        swap.commit()
    return len(private)
