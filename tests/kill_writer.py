"""A writer for the kill test: rewrites a TinyDB file through AtomicJSONStorage until it is killed.

Every write stores the same `round` number in all of its `RECORDS` documents, so a reader can tell a
whole write from a torn one. Prints "ready" once the first write is durable. With a second argument (a data
key in hex) the file is sealed with it.
"""

import sys

from tinydb import TinyDB

from bot.store.engine.atomic import AtomicJSONStorage
from bot.store.engine.seal import Sealer

RECORDS = 1000


def main(path: str, key: bytes | None) -> None:
    db = TinyDB(path, storage=AtomicJSONStorage, sealer=Sealer(key) if key else None)
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
    main(sys.argv[1], bytes.fromhex(sys.argv[2]) if len(sys.argv) > 2 else None)
