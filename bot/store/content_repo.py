"""The campaign content as the bot serves it: TinyDB records, seeded and re-synced from `content/`.

Each content file is one record: its kind, id, file name, the data as read, and its `origin`:
`file` (it came from `content/`) or `admin` (an admin wrote or changed it from Telegram).

How an import treats what is already stored (`campaign-bot import`):
- a file the store does not have yet is added;
- a record that came from a file is updated to the file's data when they differ;
- a record an admin wrote or changed is never overwritten: the import keeps it and reports it, unless
  the operator names it to take the file (`campaign-bot import --take-files ID`): then the file's data
  replaces the admin's and the record follows its file again;
- a record with no file any more is kept (content is never deleted by a missing file) and reported.
The merged result is validated as a whole before anything is written, and written in one atomic
write, so an import either applies completely or not at all.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from tinydb import TinyDB

from bot.content import Content, RawItem, build_content
from bot.store.database import Database

FILE = "content"
TABLE = "items"
ORIGIN_FILE = "file"
ORIGIN_ADMIN = "admin"


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_admin_edits: list[str] = field(default_factory=list)
    kept_records: list[tuple[str, str]] = field(default_factory=list)
    """(kind, id) of each kept admin edit, in the order of `kept_admin_edits`."""
    taken: list[str] = field(default_factory=list)
    """Admin edits replaced by their file, as `take_files` asked."""
    only_in_store: list[str] = field(default_factory=list)

    @property
    def wrote(self) -> bool:
        return bool(self.added or self.changed or self.taken)


def _key(kind: str, item_id: str) -> str:
    return f"{kind}:{item_id}"


def _record(item: RawItem, origin: str) -> dict[str, Any]:
    return {"kind": item.kind, "id": item.id, "where": item.where, "data": item.data, "origin": origin}


def _item(record: dict[str, Any]) -> RawItem:
    return RawItem(record["kind"], record["id"], record["where"], record["data"])


class ContentRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._content: Content | None = None

    @property
    def content(self) -> Content:
        if self._content is None:
            raise RuntimeError("content is not loaded: call load() or import_items() first")
        return self._content

    def _file(self) -> TinyDB:
        # Read from disk when needed (at start, an import, an admin's file): the content is served from the
        # `Content` built from it, and its raw records (several MB with many cases) need not stay in memory.
        return self._db.open_table_file(FILE, indent=1, in_memory=False)

    def _records(self) -> dict[str, dict[str, Any]]:
        table = self._file().table(TABLE)
        return {_key(r["kind"], r["id"]): dict(r) for r in table.all()}

    def _write_records(self, records: dict[str, dict[str, Any]]) -> None:
        # One storage write for the whole set: TinyDB's table API would write once per record, and a
        # crash between two of those writes would leave an import half-applied.
        tinydb = self._file()
        tables = tinydb.storage.read() or {}
        tables[TABLE] = {str(n): rec for n, rec in enumerate(sorted(records.values(), key=_sort_key), 1)}
        tinydb.storage.write(tables)
        tinydb.table(TABLE).clear_cache()

    def _load(self) -> Content | None:
        records = self._records()
        if not records:
            return None
        return build_content([_item(r) for r in records.values()])

    def _import(self, items: list[RawItem], take_files: Collection[str]) -> tuple[Content, ImportReport]:
        stored = self._records()
        merged = dict(stored)
        report = ImportReport()
        for item in items:
            key = _key(item.kind, item.id)
            current = stored.get(key)
            if current is None:
                merged[key] = _record(item, ORIGIN_FILE)
                report.added.append(item.where)
            elif current["origin"] == ORIGIN_ADMIN and item.id in take_files:
                merged[key] = _record(item, ORIGIN_FILE)  # even when equal: from now on the file is followed
                report.taken.append(item.where)
            elif current["data"] == item.data:
                report.unchanged.append(item.where)
            elif current["origin"] == ORIGIN_ADMIN:
                report.kept_admin_edits.append(item.where)
                report.kept_records.append((item.kind, item.id))
            else:
                merged[key] = _record(item, ORIGIN_FILE)
                report.changed.append(item.where)
        in_files = {_key(i.kind, i.id) for i in items}
        report.only_in_store = sorted(r["where"] for k, r in stored.items() if k not in in_files)
        content = build_content([_item(r) for r in merged.values()])
        if report.wrote:
            self._write_records(merged)
        return content, report

    def _stored_data(self, kind: str, item_id: str) -> Any:
        record = self._records().get(_key(kind, item_id))
        return None if record is None else record["data"]

    def _apply_admin(self, item: RawItem, write: bool) -> Content:
        merged = self._records()
        key = _key(item.kind, item.id)
        current = merged.get(key)
        if current is not None and current["data"] == item.data:
            # Nothing changes, so nothing becomes an admin edit: a record that follows its file still does.
            return build_content([_item(r) for r in merged.values()])
        merged[key] = _record(item, ORIGIN_ADMIN)
        content = build_content([_item(r) for r in merged.values()])
        if write:
            self._write_records(merged)
        return content

    async def load(self) -> Content | None:
        """Load what the store holds (None when it holds nothing yet)."""
        content = await self._db.run(self._load)
        if content is not None:
            self._content = content
        return content

    async def import_items(self, items: list[RawItem], take_files: Collection[str] = ()) -> ImportReport:
        """Merge content files into the store (see the module's doc); raises ContentError, writing nothing.

        `take_files`: ids of records whose file replaces an admin's edit (`campaign-bot import --take-files`).
        """
        content, report = await self._db.run(self._import, items, frozenset(take_files))
        self._content = content
        return report

    async def stored_data(self, item: RawItem) -> Any:
        """What the store holds for the same kind and id as `item` (None for a new one)."""
        return await self._db.run(self._stored_data, item.kind, item.id)

    async def check_admin_item(self, item: RawItem) -> Content:
        """Validate the whole content with `item` in it and return it; raises ContentError, writes nothing."""
        content: Content = await self._db.run(self._apply_admin, item, False)
        return content

    async def apply_admin_item(self, item: RawItem) -> Content:
        """Store `item` as an admin edit (an import keeps it unless told to take the file) and serve the new
        content. An item equal to what is stored changes nothing, not even where the record comes from."""
        self._content = await self._db.run(self._apply_admin, item, True)
        return self._content


def _sort_key(record: dict[str, Any]) -> tuple[str, str]:
    return record["kind"], record["id"]
