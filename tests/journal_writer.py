"""A writer for the journal kill test: updates sharded TinyDB tables through JournaledStorage until killed.

Write number `k` sets `{"k": k}` on one document, chosen by `slot(k)`, and prints `k` once `update`
has returned (so a printed number is an acknowledged write). A run resumes after the highest `k` on
disk. Prints "ready" once the database is open and populated, and "compacting" / "compacted" around
each compaction. With `die-between` it SIGKILLs itself after a compaction's snapshot is written and
before the journal is emptied.

    python tests/journal_writer.py PATH COMPACT_BYTES [run|die-between] [KEY_HEX]

With KEY_HEX (a data key in hex), the journal and snapshots are sealed with it.
"""

from __future__ import annotations

import os
import signal
import sys

from tinydb import TinyDB

from bot.store.engine.journal import JournaledStorage
from bot.store.engine.seal import Sealer

TABLES = 64
DOCS = 40
NOTE = "Məmməd İbrahim — Мамед Ибрагим"


def table_name(index: int) -> str:
    return f"chats-{index:02d}"


def slot(k: int) -> tuple[str, int]:
    """The (table, doc_id) that write number `k` updates."""
    return table_name(k % TABLES), (k // TABLES) % DOCS + 1


def initial_doc() -> dict[str, object]:
    return {"k": -1, "language": "az", "note": NOTE}


class Writer(JournaledStorage):
    die_between = False

    def compact(self) -> None:
        print("compacting", flush=True)
        super().compact()
        print("compacted", flush=True)

    def _reset_journal(self) -> None:
        if self.die_between:
            os.kill(os.getpid(), signal.SIGKILL)
        super()._reset_journal()


def main(path: str, compact_bytes: int, mode: str, key: bytes | None) -> None:
    Writer.die_between = mode == "die-between"
    db = TinyDB(path, storage=Writer, compact_bytes=compact_bytes, sealer=Sealer(key) if key else None)
    if not db.tables():
        for index in range(TABLES):
            db.table(table_name(index)).insert_multiple(initial_doc() for _ in range(DOCS))
    k = max(doc["k"] for name in db.tables() for doc in db.table(name).all()) + 1
    print("ready", flush=True)
    while True:
        name, doc_id = slot(k)
        db.table(name).update({"k": k}, doc_ids=[doc_id])
        print(k, flush=True)
        k += 1


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "run",
         bytes.fromhex(sys.argv[4]) if len(sys.argv) > 4 else None)
