"""A writer for the kill test: rewrites a TinyDB file through AtomicJSONStorage until it is killed.

Every write stores the same `round` number in all of its `RECORDS` documents, so a reader can tell a
whole write from a torn one. Prints "ready" once the first write is durable.
"""

import sys

from tinydb import TinyDB

from bot.store.engine.atomic import AtomicJSONStorage

RECORDS = 1000


def main(path: str) -> None:
    db = TinyDB(path, storage=AtomicJSONStorage)
    table = db.table("members")
    start = max((doc["round"] for doc in table.all()), default=0)
    if not len(table):
        table.insert_multiple({"round": start, "language": "az", "note": "Məmməd İbrahim"}
                              for _ in range(RECORDS))
    round_no = start
    while True:
        round_no += 1
        table.update({"round": round_no})
        if round_no == start + 1:
            print("ready", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
