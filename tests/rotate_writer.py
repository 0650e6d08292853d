"""A child for the rotate-key kill test: re-encrypts a data directory from one key to another, to be killed.

    python tests/rotate_writer.py DATA_DIR OLD_KEY_HEX NEW_KEY_HEX [run | die-after-move N]

Prints "ready" just before the rotation starts, "committed" once the swap's commit is durable (and before the
first file is moved into place), "moved" after each file put in place, and "done" at the end. With
`die-after-move N` it SIGKILLs itself right after the N-th file is moved: in the middle of the renames.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from bot.store import rotate_key
from bot.store.engine import datadir


def main(data_dir: Path, old_key: bytes, new_key: bytes, die_after: int | None) -> None:
    real_replace, real_finish = os.replace, datadir.finish_swap
    moves = 0

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal moves
        real_replace(src, dst, *args, **kwargs)
        if Path(src).parent.name == datadir.SWAP_DIR and Path(dst).parent == data_dir:
            moves += 1
            print("moved", flush=True)
            if moves == die_after:
                os.kill(os.getpid(), signal.SIGKILL)

    def finish(directory: Path, pending: datadir.Pending) -> None:
        print("committed", flush=True)
        real_finish(directory, pending)

    os.replace = replace
    datadir.finish_swap = finish
    print("ready", flush=True)
    rotate_key(data_dir, old_key, new_key)
    print("done", flush=True)


if __name__ == "__main__":
    mode = sys.argv[4:] or ["run"]
    main(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]), bytes.fromhex(sys.argv[3]),
         int(mode[1]) if mode[0] == "die-after-move" else None)
