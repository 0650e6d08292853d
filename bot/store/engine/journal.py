"""A TinyDB storage that makes each write a small fsynced journal append instead of a whole-file rewrite.

TinyDB hands its storage the whole database on every write. `AtomicJSONStorage` rewrites the whole
file each time, which at 100,000 members costs far more than the bot's latency budget. This storage
keeps the database in memory and, on disk, as two files:

* the snapshot, `path`: an ordinary TinyDB JSON file `{table: {doc_id: doc}}` (UTF-8, `ensure_ascii=False`),
  written only by compaction, atomically (temp file, fsync, `os.replace`, directory fsync). Because it
  is an ordinary TinyDB file, a file written by `AtomicJSONStorage` opens here unchanged.
* the journal, `path + ".journal"`: JSON lines appended by every write and fsynced before `write`
  returns, so nothing TinyDB reports as written can be lost.

Journal line format (one JSON object per line, `\\n`-terminated; JSON never puts a raw newline inside a
value, so a newline only ever ends a line):

    {"t": "<table>", "d": {"<doc_id>": {...}, ...}}   the table's new full content ({} = empty table)
    {"t": "<table>", "drop": true}                    the table was removed (`drop_table`, `drop_tables`)

A write that changes several tables (TinyDB does this only for `drop_tables`) appends one line per
table in a single `os.write`; every line of such a group but the last carries `"more": true`, and
replay applies a group only once its last line has been read, so a multi-table write is all or nothing.

Because each line holds a table's whole new content, replay is "last line per table wins": applying a
line twice is the same as once, and replaying an old journal over a newer snapshot gives the same state.
That is what makes compaction crash-safe without any ordering trick (see `compact`).

Opening: stale temp files are removed, the snapshot is loaded (missing or empty = empty database) and
the journal replayed on top. A torn tail -- bytes after the last newline, or a "more" group whose last
line never arrived -- is what a writer killed mid-append leaves; that write was never acknowledged, so
it is ignored and truncated away (otherwise the next append would land after the garbage). Any complete
(newline-terminated) line that does not parse is corruption, not a torn append, and raises
`JournalCorruptError` naming the file and line: acknowledged data is never dropped silently.

Change detection is by identity: `write` journals a table only if its dict is not the object it
holds (or the table is new or gone). TinyDB always builds a new dict for the table it changes, so this
is exact for TinyDB's API; code that calls `storage.write` itself must do the same (a table dict from
`read()` changed in place and written back is not noticed).

Keeping TinyDB's table layer cheap is the caller's part: TinyDB rebuilds the whole dict of the table it
updates on every write, so big collections are spread over many small tables (`tables.py`); a write then
serializes and appends only the one small table it touched.

Sealed (`BOT_DATA_KEY`, `seal.py`): with a `Sealer`, the snapshot is one sealed record and every journal line
is sealed on its own (a fresh nonce each, the journal's name as associated data) and written as base64 after a
`!`; a line still ends with its newline, so torn tails and "more" groups work as above, and a complete line that
does not decrypt is corruption like a complete line that does not parse. Plain snapshots and lines (written before
the key was set) are still read; what this storage writes with a sealer is sealed.

Thread model: not thread-safe, by design. The bot runs every TinyDB call on one dedicated thread
(`Database.run`), so there is exactly one reader/writer and no lock is taken here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from bot.store.engine.atomic import atomic_write_bytes, clean_stale_temp_files, fsync_directory, parse_tables
from bot.store.engine.errors import CorruptFile
from bot.store.engine.private import make_private, make_private_dirs, open_private
from bot.store.engine.seal import Sealer, open_file, open_line

log = logging.getLogger(__name__)

JOURNAL_SUFFIX = ".journal"
DEFAULT_COMPACT_BYTES = 32 * 1024 * 1024
# Documents per json.dumps call when writing a snapshot: each call holds the GIL, so a big table is
# serialized in pieces and the event loop's thread gets its turn between them.
SNAPSHOT_CHUNK_DOCS = 2000

Tables = dict[str, Any]


class JournalCorruptError(CorruptFile):
    """The journal holds a complete line that is not a valid journal record."""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_fdatasync = getattr(os, "fdatasync", os.fsync)


def journal_path(path: Path) -> Path:
    return path.with_name(path.name + JOURNAL_SUFFIX)


def replay_journal(raw: bytes, tables: Tables, where: Path, sealer: Sealer | None = None) -> int:
    """Apply the journal `raw` (read from `where`) to `tables` in place; returns the length of its valid (untorn)
    prefix. Sealed lines are opened with `sealer`."""
    good_end = 0  # end of the last fully applied group
    pending: list[tuple[str, Any]] = []  # lines of a multi-table write whose last line is not read yet
    offset = 0
    line_no = 0
    while offset < len(raw):
        newline = raw.find(b"\n", offset)
        if newline < 0:
            break  # no newline: a torn append
        line_no += 1
        line = raw[offset:newline]
        offset = newline + 1
        if not line.strip():
            continue
        record = parse_line(line, where, line_no, sealer)
        name = record["t"]
        pending.append((name, None if record.get("drop") else record["d"]))
        if record.get("more"):
            continue
        for table_name, content in pending:
            if content is None:
                tables.pop(table_name, None)
            else:
                tables[table_name] = content
        pending.clear()
        good_end = offset
    return good_end


def parse_line(line: bytes, where: Path, line_no: int, sealer: Sealer | None = None) -> dict[str, Any]:
    """One complete journal line as its record; `JournalCorruptError` naming the file and line if it is not one."""
    try:
        line = open_line(line, where, line_no, sealer)
    except CorruptFile as error:
        raise JournalCorruptError(f"{error}; the journal is corrupt, refusing to drop acknowledged writes") from None
    try:
        record = json.loads(line)
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise JournalCorruptError(f"{where}: line {line_no} is not valid JSON ({error}); "
                                  "the journal is corrupt, refusing to drop acknowledged writes") from None
    if not (isinstance(record, dict) and isinstance(record.get("t"), str)
            and (record.get("drop") is True or isinstance(record.get("d"), dict))):
        raise JournalCorruptError(f"{where}: line {line_no} is not a journal record "
                                  '({"t": table, "d": {...}} or {"t": table, "drop": true})')
    return record


def _snapshot_pieces(tables: Tables) -> Iterator[bytes]:
    """The snapshot as UTF-8 pieces, each from a json.dumps of at most SNAPSHOT_CHUNK_DOCS documents."""
    yield b"{"
    for index, (name, table) in enumerate(tables.items()):
        yield (("," if index else "") + _dumps(name) + ":").encode()
        if len(table) <= SNAPSHOT_CHUNK_DOCS:
            yield _dumps(table).encode()
            continue
        items = list(table.items())
        yield b"{"
        for start in range(0, len(items), SNAPSHOT_CHUNK_DOCS):
            body = _dumps(dict(items[start:start + SNAPSHOT_CHUNK_DOCS]))[1:-1]
            yield (("," if start else "") + body).encode()
        yield b"}"
    yield b"}"


class JournaledStorage(Storage):
    """TinyDB storage: in-memory reads, one fsynced journal append per write, periodic snapshots.

    `TinyDB(path, storage=JournaledStorage, compact_bytes=...)`. When the journal grows past
    `compact_bytes`, the write that crossed the limit also compacts (a new snapshot, then an empty
    journal). Call `compact()` at clean shutdown so the next start replays nothing.
    """

    def __init__(self, path: str | os.PathLike[str], *, compact_bytes: int = DEFAULT_COMPACT_BYTES,
                 sealer: Sealer | None = None) -> None:
        if compact_bytes <= 0:
            raise ValueError("compact_bytes must be positive")
        self.path = Path(path)
        self.sealer = sealer
        self.journal_path = journal_path(self.path)
        self.compact_bytes = compact_bytes
        self._next_compact_at = compact_bytes
        # Set when a failed append could not be undone: the journal's tail is unknown, so refuse writes.
        self._broken: str | None = None
        make_private_dirs(self.path.parent)
        clean_stale_temp_files(self.path)
        make_private(self.path)  # a snapshot or journal an older version wrote 0644 is owner-only from now on
        created = not self.journal_path.exists()
        self._fd: int | None = open_private(self.journal_path, os.O_RDWR | os.O_APPEND)
        try:
            if created:
                fsync_directory(self.path.parent)  # the journal's name must survive a crash too
            self._data, self._journal_size = self._load(truncate_torn_tail=True)
        except BaseException:
            self.close()
            raise

    # -- loading ------------------------------------------------------------------------------------

    def _load_snapshot(self) -> Tables:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        return parse_tables(open_file(raw, self.path, self.sealer), self.path) or {}

    def _load(self, *, truncate_torn_tail: bool) -> tuple[Tables, int]:
        data = self._load_snapshot()
        raw = self.journal_path.read_bytes()
        good_end = replay_journal(raw, data, self.journal_path, self.sealer)
        if good_end < len(raw) and truncate_torn_tail:
            log.warning("%s: ignoring a torn last write (%d bytes, never acknowledged)",
                        self.journal_path, len(raw) - good_end)
            self._truncate_journal(good_end)
        return data, good_end

    def _truncate_journal(self, size: int) -> None:
        assert self._fd is not None
        os.ftruncate(self._fd, size)
        _fdatasync(self._fd)

    # -- the Storage interface ----------------------------------------------------------------------

    def read(self) -> dict[str, dict[str, Any]]:
        # A shallow copy: TinyDB replaces whole tables in the dict it gets, and ours must not change
        # before the write that makes the change durable has succeeded.
        return dict(self._data)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self._fd is None:
            raise ValueError(f"{self.path}: storage is closed")
        if self._broken is not None:
            raise OSError(f"{self.journal_path}: an earlier failed write could not be undone ({self._broken}); "
                          "reopen the database")
        old = self._data
        # TinyDB builds a new dict for the table it changes and passes the others through untouched.
        changed = [name for name, table in data.items() if old.get(name) is not table]
        dropped = [name for name in old if name not in data]
        if not changed and not dropped:
            return
        try:
            lines: list[dict[str, Any]] = [{"t": name, "d": data[name]} for name in changed]
            lines += [{"t": name, "drop": True} for name in dropped]
            for line in lines[:-1]:
                line["more"] = True
            payload = self._journal_lines([_dumps(line).encode() for line in lines])
        except BaseException:
            # TinyDB may have changed documents in place before calling us: go back to what is on disk.
            self._reload_after_failure()
            raise
        self._append(payload)
        self._data = data
        if self._journal_size >= self._next_compact_at:
            try:
                self.compact()
            except Exception:  # the write itself is durable; compaction is retried later
                log.exception("%s: compaction failed, will retry", self.path)
                self._next_compact_at = self._journal_size + self.compact_bytes

    def _journal_lines(self, lines: list[bytes]) -> bytes:
        if self.sealer is None:
            return b"".join(line + b"\n" for line in lines)
        name = self.journal_path.name
        return b"".join(self.sealer.seal_line(line, name) for line in lines)

    def _append(self, payload: bytes) -> None:
        assert self._fd is not None
        start = self._journal_size
        try:
            view = memoryview(payload)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            _fdatasync(self._fd)
        except BaseException as error:
            try:
                self._truncate_journal(start)  # leave no half-written line for later appends to follow
            except BaseException as undo_error:
                self._broken = f"{error!r}, then {undo_error!r}"
                raise error from undo_error
            self._reload_after_failure()
            raise
        self._journal_size = start + len(payload)

    def _reload_after_failure(self) -> None:
        try:
            self._data, self._journal_size = self._load(truncate_torn_tail=False)
        except BaseException as error:
            self._broken = f"reload failed: {error!r}"
            raise

    def compact(self) -> None:
        """Write the whole database as a new snapshot, then empty the journal.

        Crash-safe at every point: until `os.replace` the old snapshot plus the full journal is on
        disk; after it, the new snapshot plus the old journal, which replays to the same state because
        replay is idempotent; after the journal is emptied, the new snapshot alone.
        """
        if self._fd is None:
            raise ValueError(f"{self.path}: storage is closed")
        if self._broken is not None:
            raise OSError(f"{self.journal_path}: storage is unusable ({self._broken}); reopen the database")
        if self._journal_size == 0 and self.path.exists():
            return
        self._write_snapshot()
        self._reset_journal()
        self._next_compact_at = self.compact_bytes

    def _write_snapshot(self) -> None:
        # Serialized table by table (and big tables in chunks), never as one huge json.dumps call.
        payload = b"".join(_snapshot_pieces(self._data))
        if self.sealer is not None:
            payload = self.sealer.seal_file(payload, self.path.name)
        atomic_write_bytes(self.path, payload)

    def _reset_journal(self) -> None:
        assert self._fd is not None
        try:
            self._truncate_journal(0)
        finally:
            # If the fsync failed the file may be empty or whole; either loads correctly (idempotent
            # replay), but later appends and undos must know where the end really is.
            self._journal_size = os.fstat(self._fd).st_size

    @property
    def journal_size(self) -> int:
        """Bytes in the journal (what the next open replays)."""
        return self._journal_size

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
