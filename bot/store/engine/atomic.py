"""A TinyDB storage that never leaves a half-written file behind.

TinyDB's own JSONStorage rewrites its file in place, so a process killed mid-write leaves a file that
no longer parses. This storage writes the whole document to a temporary file in the same directory,
fsyncs it, renames it over the old file with `os.replace` (atomic on POSIX) and fsyncs the directory
so the rename itself is durable. A reader therefore sees either the old or the new file, never a mix.

It keeps the last written data in memory, so a read costs a dict copy instead of parsing the file;
with `in_memory=False` (a big file read only now and then, such as the content) it reads the file each time
instead, so that its raw data does not stay in memory beside what was built from it.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from bot.store.engine.private import make_private, make_private_dirs

TEMP_SUFFIX = ".tmp"


def temp_prefix(path: Path) -> str:
    return f".{path.name}."


def clean_stale_temp_files(path: Path) -> list[Path]:
    """Remove temporary files a killed writer left next to `path`; returns what was removed."""
    removed = []
    for stale in path.parent.glob(f"{temp_prefix(path)}*{TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
            removed.append(stale)
    return removed


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Replace `path` with `payload` so that a crash at any moment leaves the old or the new file.

    The new file is 0600 whatever the umask: `mkstemp` creates it so, and `os.replace` keeps the temp file's mode."""
    fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    fsync_directory(path.parent)


class AtomicJSONStorage(Storage):
    """TinyDB storage: whole-file atomic writes, UTF-8 JSON (`ensure_ascii=False`), in-memory reads."""

    def __init__(self, path: str | os.PathLike[str], *, indent: int | None = None, in_memory: bool = True) -> None:
        self.path = Path(path)
        make_private_dirs(self.path.parent)
        self.indent = indent
        self.in_memory = in_memory
        clean_stale_temp_files(self.path)
        make_private(self.path)  # written 0644 by an older version: owner-only from now on
        self._data: dict[str, Any] | None = self._load() if in_memory else None

    def _load(self) -> dict[str, Any] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw.strip():
            return None
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError(f"{self.path}: not a TinyDB file (top level is not an object)")
        return data

    def read(self) -> dict[str, Any] | None:
        if not self.in_memory:
            return self._load()
        # A shallow copy: TinyDB replaces whole tables in the dict it gets, and must not touch ours
        # before the write that makes the change durable has succeeded.
        return None if self._data is None else dict(self._data)

    def write(self, data: dict[str, Any]) -> None:
        payload = json.dumps(data, ensure_ascii=False, indent=self.indent, separators=(",", ":"))
        try:
            atomic_write_bytes(self.path, payload.encode("utf-8"))
        except BaseException:
            # TinyDB may have changed documents in place before calling us: go back to what is on disk.
            self._data = self._load() if self.in_memory else None
            raise
        self._data = data if self.in_memory else None

    def close(self) -> None:
        self._data = None
