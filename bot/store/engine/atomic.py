"""A TinyDB storage that never leaves a half-written file behind.

TinyDB's own JSONStorage rewrites its file in place, so a process killed mid-write leaves a file that
no longer parses. This storage writes the whole document to a temporary file in the same directory,
fsyncs it, renames it over the old file with `os.replace` (atomic on POSIX) and fsyncs the directory
so the rename itself is durable. A reader therefore sees either the old or the new file, never a mix.

With a `Sealer` (`BOT_DATA_KEY`), the file is written sealed (`seal.py`: AES-256-GCM, the file's name as
associated data); a plain file is still read, and is sealed by its next write.

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

from bot.store.engine.errors import CorruptFile
from bot.store.engine.private import make_private, make_private_dirs
from bot.store.engine.seal import Sealer, open_file

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


def parse_tables(raw: bytes, path: Path, *, share_strings: bool = True) -> dict[str, Any] | None:
    """A TinyDB file's content (None if empty); `CorruptFile` naming `path` if it is not one.

    Equal strings among its values are one object (`_SharedStrings`): 100,000 chats' records hold a handful of
    languages, days and case ids, which would otherwise take 24 MB as separate copies. Without `share_strings` (a
    file read now and then and not kept, as the content), the parse is plain."""
    if not raw.strip():
        return None
    try:
        data = json.loads(raw, object_hook=_SharedStrings() if share_strings else None)
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise CorruptFile(f"{path}: not valid JSON ({error})") from None
    if not isinstance(data, dict) or not all(isinstance(table, dict) for table in data.values()):
        raise CorruptFile(f"{path}: not a TinyDB file (expected {{table: {{doc_id: document}}}})")
    return data


class _SharedStrings:
    """A JSON object hook: each string value (and each string in a list value) equal to one seen before in the same
    file is replaced by that one. The copy the parser made is freed at once, so the next object reuses its memory."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def __call__(self, obj: dict[str, Any]) -> dict[str, Any]:
        shared = self._seen.setdefault
        for key, value in obj.items():
            if value.__class__ is str:
                obj[key] = shared(value, value)
            elif value.__class__ is list and value:
                obj[key] = [shared(item, item) if item.__class__ is str else item for item in value]
        return obj


class AtomicJSONStorage(Storage):
    """TinyDB storage: whole-file atomic writes, UTF-8 JSON (`ensure_ascii=False`), in-memory reads; sealed with
    `sealer` when one is given."""

    def __init__(self, path: str | os.PathLike[str], *, indent: int | None = None, in_memory: bool = True,
                 sealer: Sealer | None = None) -> None:
        self.path = Path(path)
        make_private_dirs(self.path.parent)
        self.indent = indent
        self.in_memory = in_memory
        self.sealer = sealer
        clean_stale_temp_files(self.path)
        make_private(self.path)  # written 0644 by an older version: owner-only from now on
        self._data: dict[str, Any] | None = self._load() if in_memory else None

    def _load(self) -> dict[str, Any] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        return parse_tables(open_file(raw, self.path, self.sealer), self.path, share_strings=self.in_memory)

    def read(self) -> dict[str, Any] | None:
        if not self.in_memory:
            return self._load()
        # A shallow copy: TinyDB replaces whole tables in the dict it gets, and must not touch ours
        # before the write that makes the change durable has succeeded.
        return None if self._data is None else dict(self._data)

    def write(self, data: dict[str, Any]) -> None:
        try:
            payload = json.dumps(data, ensure_ascii=False, indent=self.indent, separators=(",", ":")).encode()
            if self.sealer is not None:
                payload = self.sealer.seal_file(payload, self.path.name)
            atomic_write_bytes(self.path, payload)
        except BaseException:
            # TinyDB may have changed documents in place before calling us: go back to what is on disk.
            self._data = self._load() if self.in_memory else None
            raise
        self._data = data if self.in_memory else None

    def close(self) -> None:
        self._data = None
