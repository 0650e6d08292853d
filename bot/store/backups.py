"""`campaign-bot backup`, `restore` and `rotate-key`: copies of the data directory, and a new key for it.

**Backup, while the bot runs.** The store's thread holds the data directory's write lock around each of its steps
(`Database.run`, `engine/datadir.py`); `backup` takes that lock, copies every data file (snapshots and journals
byte for byte, so sealed files stay sealed and no key is needed), and lets go: the copy is the directory as it
was between two steps, consistent across files, with no torn journal tail. The bot's writes wait for the copy
(a few tens of milliseconds at 100,000 members; the event loop does not wait, only the store's thread). This was
chosen over asking the running process (a signal and a reply file: more moving parts, and no answer from a bot
that is stuck) and over copying twice and comparing (which never ends on a busy bot). Each backup is a directory
`campaign-bot-<UTC time>` in the backups directory (`BOT_DATA_DIR/backups` unless told otherwise), written as a
hidden `.…partial` directory, fsynced, then renamed, with a `MANIFEST` (each file's size and SHA-256, and the
key ids it is sealed with); then only the newest `keep` are kept.

**Restore, with the bot stopped.** The backup is verified (sizes and checksums, then `check` with the key given:
a backup sealed with another key is refused with the key id it needs) and the current files are copied beside the
backups (`…-before-restore`); then the backup's files replace the data directory's in one swap (staged, committed,
renamed), and data files the backup does not have are removed: a kill leaves the old data or the restored data.

**Rotate-key, with the bot stopped.** Every private data file is re-sealed from the old key to the new one in one
swap (`datadir.rotate`): until its commit the old key opens everything, after it the new one does, and the next
start with the new key finishes the renames; a start with the old key then says which key to use. Backups keep
the key they were made with: keep the old key as long as such backups are kept.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.store.database import PUBLIC, DataDirInUse, lock_data_dir
from bot.store.engine import datadir
from bot.store.engine.atomic import atomic_write_bytes, fsync_directory
from bot.store.engine.errors import DataFileError
from bot.store.engine.private import FILE_MODE, make_private_dirs, open_private
from bot.store.engine.seal import Sealer, show
from bot.store.verify import check

log = logging.getLogger(__name__)

BACKUPS_DIR = "backups"
PREFIX = "campaign-bot-"
MANIFEST = "MANIFEST"
DEFAULT_KEEP = 7
BEFORE_RESTORE = "-before-restore"
PARTIAL = ".partial"


class BackupError(DataFileError):
    """A backup, restore or rotation that cannot be done; the message is one line for the operator."""


@dataclass(frozen=True)
class Backup:
    path: Path
    files: int
    size: int
    key_ids: tuple[str, ...]
    removed: tuple[Path, ...] = ()


def default_dir(data_dir: Path) -> Path:
    return data_dir / BACKUPS_DIR


def backups_in(directory: Path) -> list[Path]:
    """The finished backups in `directory`, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(path for path in directory.iterdir()
                  if path.name.startswith(PREFIX) and path.is_dir() and (path / MANIFEST).is_file())


@contextlib.contextmanager
def _only_backup(directory: Path) -> Iterator[None]:
    """One backup at a time into `directory` (two from cron and by hand), so a `.partial` found is a dead one's."""
    fd = open_private(directory / ".lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _new_name(directory: Path, suffix: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name, n = f"{PREFIX}{stamp}{suffix}", 1
    while (directory / name).exists() or (directory / f".{name}{PARTIAL}").exists():
        n += 1
        name = f"{PREFIX}{stamp}-{n}{suffix}"
    return name


def _copy(data_dir: Path, into: Path, suffix: str) -> tuple[Path, Path]:
    """Copy the data files into a new partial backup; call with writes paused. Returns (partial, final)."""
    name = _new_name(into, suffix)
    partial = into / f".{name}{PARTIAL}"
    make_private_dirs(partial)
    for path in datadir.data_files(data_dir):
        shutil.copyfile(path, partial / path.name)  # in a 0700 directory until it is made 0600
        os.chmod(partial / path.name, FILE_MODE)
    return partial, into / name


def _finish(partial: Path, final: Path) -> Backup:
    """Fsync the copies, write the manifest, and rename the partial backup into place (after the pause)."""
    files: dict[str, dict[str, object]] = {}
    key_ids: set[str] = set()
    for path in datadir.data_files(partial):
        with path.open("rb") as copy:
            digest = hashlib.file_digest(copy, "sha256").hexdigest()
            os.fsync(copy.fileno())
        files[path.name] = {"bytes": path.stat().st_size, "sha256": digest}
        kind = datadir.kind_of(path)
        if kind.state == datadir.SEALED:
            key_ids.add(show(kind.key_id))
    manifest = {"created": datetime.now(UTC).isoformat(timespec="seconds"), "files": files,
                "key_ids": sorted(key_ids)}
    atomic_write_bytes(partial / MANIFEST, json.dumps(manifest, indent=1).encode())
    os.rename(partial, final)
    fsync_directory(final.parent)
    return Backup(final, len(files), sum(int(str(f["bytes"])) for f in files.values()), tuple(sorted(key_ids)))


def _prune(directory: Path, keep: int) -> tuple[Path, ...]:
    finished = backups_in(directory)
    removed = tuple(finished[:max(0, len(finished) - keep)])
    for path in removed:
        shutil.rmtree(path)
    return removed


def backup(data_dir: Path, into: Path | None = None, keep: int = DEFAULT_KEEP) -> Backup:
    """A consistent copy of `data_dir` (the bot may be running), then only the newest `keep` backups kept."""
    if keep < 1:
        raise BackupError("a backup keeps at least 1 backup (--keep)")
    if not datadir.data_files(data_dir):
        raise BackupError(f"{data_dir}: no data files to back up")
    into = into or default_dir(data_dir)
    make_private_dirs(into)
    with _only_backup(into):
        for dead in into.glob(f".*{PARTIAL}"):
            shutil.rmtree(dead)  # a backup killed before it finished
        with datadir.paused_writes(data_dir):
            pending = datadir.pending_swap(data_dir)
            if pending is not None:
                raise BackupError(f"{data_dir}: {pending.describe()} is pending: start the bot once (it "
                                  f"{'finishes' if pending.committed else 'discards'} it), then back up")
            partial, final = _copy(data_dir, into, "")
        made = _finish(partial, final)
        removed = _prune(into, keep)
    return Backup(made.path, made.files, made.size, made.key_ids, removed)


def _manifest(source: Path) -> dict[str, dict[str, object]]:
    try:
        manifest = json.loads((source / MANIFEST).read_bytes())
        files = manifest["files"]
        assert isinstance(files, dict)
    except (OSError, ValueError, KeyError, TypeError, AssertionError):
        raise BackupError(f"{source}: not a backup campaign-bot made (no readable {MANIFEST})") from None
    for name, entry in files.items():
        path = source / name
        if not datadir.is_data_file(path) or path.parent != source:
            raise BackupError(f"{path}: missing from the backup, or not a data file")
        with path.open("rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()
        if not isinstance(entry, dict) or entry.get("sha256") != digest:
            raise BackupError(f"{path}: not what the backup wrote (its checksum differs): the backup is damaged")
    return files


@contextlib.contextmanager
def _stopped(data_dir: Path, doing: str) -> Iterator[None]:
    """The data directory, locked for this process: refused while the bot (or anything else) uses it."""
    make_private_dirs(data_dir)
    try:
        fd = lock_data_dir(data_dir)
    except DataDirInUse:
        raise BackupError(f"{data_dir} is in use by a running campaign-bot: stop the bot before {doing}") from None
    try:
        with datadir.paused_writes(data_dir):
            yield
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Restored:
    files: int
    removed: tuple[str, ...]
    previous: Path | None


def restore(data_dir: Path, source: Path, key: bytes | None, backups: Path | None = None) -> Restored:
    """Put the backup `source` in place of `data_dir`'s data files, atomically; the bot must be stopped. The files
    it replaces are kept first as a backup in `backups` (default: the data directory's)."""
    files = _manifest(source)
    report = check(source, key)
    if report.problems:
        more = f" (and {len(report.problems) - 1} more: campaign-bot check --dir {source})" \
            if len(report.problems) > 1 else ""
        raise BackupError(f"not restored: {report.problems[0]}{more}")
    with _stopped(data_dir, "restoring"):
        pending = datadir.pending_swap(data_dir)
        if pending is not None:
            datadir.discard_swap(data_dir)  # the restore replaces every file it would have touched
            log.warning("%s: %s was discarded: the restore replaces the files", data_dir, pending.describe())
        current = datadir.data_files(data_dir)
        previous = None
        if current:
            into = backups or default_dir(data_dir)
            make_private_dirs(into)
            with _only_backup(into):
                partial, final = _copy(data_dir, into, BEFORE_RESTORE)
                previous = _finish(partial, final).path
        removed = tuple(path.name for path in current if path.name not in files)
        with datadir.Swap(data_dir, "restore", None) as swap:
            for name in sorted(files):
                swap.put(name, (source / name).read_bytes())
            swap.commit(removed)
    return Restored(len(files), removed, previous)


def rotate_key(data_dir: Path, old_key: bytes | None, new_key: bytes) -> int | None:
    """Re-seal every private data file with `new_key` (the bot must be stopped); how many, or None if an
    interrupted rotation to `new_key` was finished instead."""
    if old_key == new_key:
        raise BackupError("the new key is the key the data is sealed with now: make a new one (campaign-bot keygen)")
    with _stopped(data_dir, "rotating the key"):
        return datadir.rotate(data_dir, Sealer(old_key) if old_key else None, Sealer(new_key), PUBLIC)
