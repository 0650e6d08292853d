"""The heartbeat file: `campaign-bot run` touches it while it works, `campaign-bot health` reads its age.

It holds nothing: its modification time is the message. Touched on the store's thread (`Store.heartbeat`),
so a fresh heartbeat also says that the store's writer is not stuck. The health check reads it without
opening the store, whose lock the running bot holds.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from bot.store.engine.private import open_private

HEARTBEAT_NAME = "heartbeat"


def touch(data_dir: Path) -> None:
    """Create the heartbeat file (0600) or set its modification time to now."""
    path = data_dir / HEARTBEAT_NAME
    os.close(open_private(path, os.O_WRONLY))
    os.utime(path)


def remove(data_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (data_dir / HEARTBEAT_NAME).unlink()


def age(data_dir: Path) -> float | None:
    """Seconds since the last heartbeat (0 if the clock went back since); None without a heartbeat file."""
    try:
        touched = (data_dir / HEARTBEAT_NAME).stat().st_mtime
    except FileNotFoundError:
        return None
    return max(0.0, time.time() - touched)
