"""`campaign-bot check`: is every data file readable, whole and what it should be? One line per problem.

It reads the files only (nothing is written, truncated or sealed), while the bot runs too: their bytes are read
with the store's writes paused (`engine/datadir.py`), then checked at leisure. For each data file: it decrypts
with the key given (a plain private file is a problem when there is a key: the next start seals it), a snapshot
parses, a journal replays over it to its end (a torn last write is said: the next start drops it), and the known
files hold what their repositories write (document fields, table names); then the references between them:
deliveries of a broadcast that exists, a broadcast of an update that exists, an edit of a broadcast that exists.
A file it does not know is checked for the first part only. The same check runs on a backup's directory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import LANGUAGES
from bot.content import build_content
from bot.model import CANCELLED, DONE, EDIT, FINAL, PENDING, RECALL, RUNNING, SEND, SENDING
from bot.store import actions, chats, content_repo, outbox, updates
from bot.store.database import PUBLIC
from bot.store.engine.atomic import parse_tables
from bot.store.engine.datadir import data_files, is_journal, paused_writes, pending_swap
from bot.store.engine.errors import DataFileError
from bot.store.engine.journal import JOURNAL_SUFFIX, replay_journal
from bot.store.engine.seal import Sealer, is_sealed_file, is_sealed_line, open_file

Tables = dict[str, dict[str, Any]]

STATUSES = frozenset({PENDING, SENDING, *FINAL})
CHATS_TABLE = re.compile(rf"{re.escape(chats.SPREAD.prefix)}-\d{{3,4}}")


@dataclass
class Report:
    files: int = 0
    problems: list[str] = field(default_factory=list)
    """What stops the bot's start, or data that is not what the bot writes."""
    next_start_fixes: list[str] = field(default_factory=list)
    """What the next start puts right by itself: a torn journal tail, a plain file to seal, an interrupted swap,
    deliveries left by a crash while their broadcast was created."""

    @property
    def lines(self) -> list[str]:
        return self.problems + self.next_start_fixes


def read_consistently(directory: Path) -> dict[str, bytes]:
    """Every data file's bytes, as they are between two steps of a store running on `directory`."""
    with paused_writes(directory, create=False):
        return {path.name: path.read_bytes() for path in data_files(directory)}


def check(directory: Path, key: bytes | None) -> Report:
    """Check the data files in `directory` (a data directory, running or not, or a backup) with the data key `key`."""
    sealer = Sealer(key) if key else None
    report = Report()
    if not directory.is_dir():
        report.problems.append(f"{directory}: no such directory")
        return report
    pending = pending_swap(directory)
    if pending is not None:
        report.next_start_fixes.append(f"{directory}: {pending.describe()} is pending (the next start "
                               f"{'finishes' if pending.committed else 'discards'} it)")
    raw = read_consistently(directory)
    report.files = len(raw)
    loaded: dict[str, Tables] = {}
    for name, content in raw.items():
        if name.endswith(JOURNAL_SUFFIX) and name[:-len(JOURNAL_SUFFIX)] in raw:
            continue  # replayed with its snapshot
        path = directory / name
        try:
            _unsealed_problem(path, content, sealer, report)
            if name.endswith(".json") or is_journal(path):
                snapshot = name[:-len(JOURNAL_SUFFIX)] if is_journal(path) else name
                loaded[snapshot] = _load(directory / snapshot, raw, sealer, report)
            else:
                _check_private_file(path, open_file(content, path, sealer), report)
        except DataFileError as error:
            report.problems.append(str(error))
    for name, tables in loaded.items():
        check_tables = SCHEMAS.get(name)
        if check_tables is not None:
            report.problems += [f"{directory / name}: {problem}" for problem in check_tables(tables)]
    references(directory, loaded, report)
    return report


def _unsealed_problem(path: Path, content: bytes, sealer: Sealer | None, report: Report) -> None:
    if sealer is None or path.name in PUBLIC or not content.strip():
        return
    sealed = is_sealed_line(content) if is_journal(path) else is_sealed_file(content)
    if not sealed:
        report.next_start_fixes.append(f"{path}: not encrypted although BOT_DATA_KEY is set (the next start "
                                       "encrypts it)")


def _load(path: Path, raw: dict[str, bytes], sealer: Sealer | None, report: Report) -> Tables:
    """A table file as its next open will see it: the snapshot, and its journal replayed over it."""
    tables: Tables = {}
    if path.name in raw:
        tables = parse_tables(open_file(raw[path.name], path, sealer), path) or {}
    journal = path.with_name(path.name + JOURNAL_SUFFIX)
    if journal.name in raw:
        if path.name in raw:
            _unsealed_problem(journal, raw[journal.name], sealer, report)
        content = raw[journal.name]
        good_end = replay_journal(content, tables, journal, sealer)
        if good_end < len(content):
            report.next_start_fixes.append(f"{journal}: a torn last write ({len(content) - good_end} bytes, never "
                                   "acknowledged): the next start drops it")
    return tables


def _check_private_file(path: Path, content: bytes, report: Report) -> None:
    if path.name == actions.KEY_FILE and not re.fullmatch(rb"[0-9a-f]{%d}\s*" % (2 * actions.KEY_BYTES), content):
        report.problems.append(f"{path}: not a key campaign-bot wrote (expected {2 * actions.KEY_BYTES} hex digits)")


# -- what each known file holds ------------------------------------------------------------------------------


def _docs(tables: Tables, table: str) -> Iterator[tuple[int | None, str, Any]]:
    for doc_id, doc in tables.get(table, {}).items():
        yield (int(doc_id) if doc_id.lstrip("-").isdigit() else None), doc_id, doc


NOT_WHAT_WAS_WRITTEN = (KeyError, TypeError, ValueError, AttributeError)
"""What a repository's reading of a document raises when the document is not one it wrote."""


def _not_written(what: str, error: Exception) -> str:
    return f"{what}: not what the bot writes ({type(error).__name__}: {error})"


def check_chats(tables: Tables) -> list[str]:
    problems = []
    for name in tables:
        if not CHATS_TABLE.fullmatch(name):
            problems.append(f"table {name!r} is not one of the chats' tables")
            continue
        for chat_id, doc_id, doc in _docs(tables, name):
            if chat_id is None or not isinstance(doc, dict):
                problems.append(f"table {name}: document {doc_id!r} is not a chat")
                continue
            if chats.shard_name(chat_id) != name:
                problems.append(f"chat {chat_id} is in table {name}, not {chats.shard_name(chat_id)}")
            try:
                records = list(chats.records_in(chat_id, doc))
            except NOT_WHAT_WAS_WRITTEN as error:
                problems.append(_not_written(f"chat {chat_id}", error))
                continue
            for record in records:
                who = f"chat {chat_id}" + (f" topic {record.thread_id}" if record.thread_id is not None else "")
                if record.language not in LANGUAGES:
                    problems.append(f"{who}: language {record.language!r} is not one of {', '.join(LANGUAGES)}")
                if not all(isinstance(topic, str) for topic in record.subscriptions):
                    problems.append(f"{who}: subscriptions are not case ids")
            if not records:
                problems.append(f"chat {chat_id}: a document with no record in it")
    return problems


def check_outbox(tables: Tables) -> list[str]:
    problems = []
    for broadcast_id, doc_id, doc in _docs(tables, outbox.BROADCASTS):
        if broadcast_id is None or not isinstance(doc, dict):
            problems.append(f"broadcasts: document {doc_id!r} is not a broadcast")
            continue
        try:
            outbox.broadcast_from_document(broadcast_id, doc)
        except NOT_WHAT_WAS_WRITTEN as error:
            problems.append(_not_written(f"broadcast {broadcast_id}", error))
            continue
        if doc["kind"] not in (SEND, EDIT, RECALL) or doc["state"] not in (RUNNING, DONE, CANCELLED) \
                or not isinstance(doc["total"], int) or not isinstance(doc["update"], int):
            problems.append(f"broadcast {broadcast_id}: kind, state, total or update is not one the bot writes")
    for name in tables:
        if name == outbox.BROADCASTS:
            continue
        if outbox.RUNS.group_of(name) is None:
            problems.append(f"table {name!r} is not one of the outbox's tables")
            continue
        for seq, doc_id, doc in _docs(tables, name):
            if seq is None or not isinstance(doc, dict) or not isinstance(doc.get("chat"), int) \
                    or not isinstance(doc.get("lang"), str) or not isinstance(doc.get("quiet"), bool) \
                    or doc.get("status") not in STATUSES or not isinstance(doc.get("mid"), int | None) \
                    or not isinstance(doc.get("thread"), int | None):
                problems.append(f"table {name}: delivery {doc_id!r} is not one the bot writes")
    return problems


def check_updates(tables: Tables) -> list[str]:
    problems = []
    for name in tables:
        if name != updates.TABLE:
            problems.append(f"table {name!r} is not the timeline's")
    for update_id, doc_id, doc in _docs(tables, updates.TABLE):
        if update_id is None or not isinstance(doc, dict):
            problems.append(f"updates: document {doc_id!r} is not an update")
            continue
        try:
            updates.from_document(update_id, doc)
        except NOT_WHAT_WAS_WRITTEN as error:
            problems.append(_not_written(f"update {update_id}", error))
            continue
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in doc["texts"].items()):
            problems.append(f"update {update_id}: its texts are not text per language")
    return problems


def check_content(tables: Tables) -> list[str]:
    records = [doc for _, _, doc in _docs(tables, content_repo.TABLE)]
    if not records:
        return []
    try:
        build_content([content_repo._item(record) for record in records])
    except NOT_WHAT_WAS_WRITTEN as error:  # ContentError is a ValueError
        return [_not_written("the content", error)]
    return []


def check_actions(tables: Tables) -> list[str]:
    problems = []
    for name in tables:
        match = actions.TABLE.match(name)
        if not match:
            problems.append(f"table {name!r} is not one of the actions' tables")
            continue
        for number, doc_id, doc in _docs(tables, name):
            if number is None or not 0 <= number < 1 << (8 * actions.FINGERPRINT_BYTES) or doc != {} \
                    or f"{number >> (8 * actions.FINGERPRINT_BYTES - 8):02x}" != match[2]:
                problems.append(f"table {name}: {doc_id!r} is not a fingerprint of this table")
    return problems


SCHEMAS: dict[str, Callable[[Tables], list[str]]] = {
    f"{chats.FILE}.json": check_chats, f"{outbox.FILE}.json": check_outbox, f"{updates.FILE}.json": check_updates,
    f"{content_repo.FILE}.json": check_content, f"{actions.FILE}.json": check_actions}


def references(directory: Path, loaded: dict[str, Tables], report: Report) -> None:
    """What one record names that must exist: a broadcast for each delivery table, an update for each broadcast (unless
    it was recalled), a broadcast for each edit."""
    box = loaded.get(f"{outbox.FILE}.json")
    if box is None:
        return
    where = directory / f"{outbox.FILE}.json"
    broadcasts = {number: doc for number, _, doc in _docs(box, outbox.BROADCASTS) if isinstance(doc, dict)}
    for group in sorted({g for name in box if (g := outbox.RUNS.group_of(name)) is not None} - set(broadcasts)):
        report.next_start_fixes.append(f"{where}: deliveries of broadcast {group} but no such broadcast (left by a "
                                       "crash while it was created; the next start removes them)")
    timeline = loaded.get(f"{updates.FILE}.json")
    # A recalled update leaves the timeline; the broadcasts that sent and recalled it stay.
    update_ids = {number for number, _, _ in _docs(timeline or {}, updates.TABLE)}
    update_ids |= {doc.get("update") for doc in broadcasts.values() if doc.get("kind") == RECALL}
    for number, doc in sorted(broadcasts.items(), key=lambda item: item[0] or 0):
        if timeline is not None and doc.get("update") not in update_ids:
            report.problems.append(f"{where}: broadcast {number} sends update {doc.get('update')}, which is not in "
                            f"{directory / (updates.FILE + '.json')}")
        if doc.get("kind") == EDIT and doc.get("source") not in broadcasts:
            report.problems.append(f"{where}: broadcast {number} edits broadcast {doc.get('source')}, which is not "
                                   "there")
