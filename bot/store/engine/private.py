"""Owner-only files: what the store keeps (chat ids, what each chat follows, who was sent what) is for the bot's
own user, not for other accounts on the machine.

Every file the store creates is 0600 and every directory 0700, whatever the process's umask: they are created
with that mode (a umask can only take bits away) and, where a file or directory already existed, its mode is
set. `tighten` walks a data directory as it is opened and takes the group and other bits off whatever has them
(files an older version wrote 0644, a directory made by hand or by `mkdir -p`), so that a data directory is
owner-only from the first start of this version on.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
OTHERS = 0o077
"""The group's and everyone else's bits: none may be set on anything under the data directory."""


def make_private_dirs(directory: Path) -> None:
    """`mkdir -p directory`, each directory it creates 0700 (directories that exist are left as they are)."""
    missing: list[Path] = []
    current = directory
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, DIR_MODE)
        except FileExistsError:
            continue  # made meanwhile by someone else: theirs
        os.chmod(path, DIR_MODE)  # exactly 0700, even under a umask that lets bits through or takes more away
    if not directory.is_dir():
        raise NotADirectoryError(f"{directory} is not a directory")


def open_private(path: Path, flags: int) -> int:
    """`os.open(path, flags | O_CREAT)` for a file that is 0600, whether it is new or was there already."""
    fd = os.open(path, flags | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) != FILE_MODE:
            os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def make_private(path: Path) -> bool:
    """Take the group and other bits off `path` if it has any; True if it had. A missing path or a symbolic
    link is left alone (a link's own mode means nothing, and what it points to may not be ours)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(mode) or not stat.S_IMODE(mode) & OTHERS:
        return False
    os.chmod(path, stat.S_IMODE(mode) & ~OTHERS)
    return True


def tighten(directory: Path) -> tuple[int, list[Path]]:
    """Make `directory` and everything under it owner-only (symbolic links under it are not followed; the
    directory itself may be one). Returns how many files and directories were changed, and those that could not
    be (another owner's, say)."""
    directory = directory.resolve()
    changed = 0
    refused: list[Path] = []
    paths = [directory]
    for root, dirs, files in os.walk(directory):
        paths += [Path(root, name) for name in (*dirs, *files)]
    for path in paths:
        try:
            changed += make_private(path)
        except PermissionError:
            refused.append(path)
        except FileNotFoundError:
            pass
    return changed, refused

