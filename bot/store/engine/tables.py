"""Large collections spread over many small TinyDB tables, so that a write journals one small table.

TinyDB rebuilds the whole dict of a table on every write, and `JournaledStorage` appends that table whole:
a collection of 100,000 records in one table would cost a 10 MB append per write. Two spreads are used,
and their table names are part of the file format (docs/STORAGE.md):

- `ByKey`: records by a numeric key, over a fixed number of tables (the chats: `chats-0000`..`chats-2047`,
  by chat id);
- `Runs`: a group's records in runs of consecutive sequence numbers (a broadcast's deliveries:
  `r000012-00003` holds deliveries 1501..2000 of broadcast 12), so that a group is found, read and dropped
  by its tables' names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ByKey:
    prefix: str
    count: int

    def table(self, key: int) -> str:
        return f"{self.prefix}-{key % self.count:03d}"


@dataclass(frozen=True)
class Runs:
    prefix: str
    size: int

    def table(self, group: int, seq: int) -> str:
        """The table of record `seq` (from 1) of `group`."""
        return f"{self.prefix}{group:06d}-{(seq - 1) // self.size:05d}"

    def group_of(self, name: str) -> int | None:
        """The group a table holds records of; None for a table that is not one of these runs."""
        if not name.startswith(self.prefix) or not name[len(self.prefix):len(self.prefix) + 6].isdigit():
            return None
        return int(name[len(self.prefix):len(self.prefix) + 6])

    def tables_of(self, names: Iterable[str], group: int) -> list[str]:
        """The tables of `group` among `names`, in sequence order."""
        return sorted(name for name in names if self.group_of(name) == group)
