"""What the engine says when a data file cannot be used: one line for the operator, naming the file.

`campaign-bot` prints such an error as it is and stops: a file the bot cannot read is never written over,
so that nothing acknowledged is lost to a wrong key or a damaged disk (`campaign-bot check` says more).
"""

from __future__ import annotations


class DataFileError(Exception):
    """A data file the store cannot use as it is; the message is one line that names the file."""


class KeyMissing(DataFileError):
    """The file is encrypted and no key (`BOT_DATA_KEY`) was given."""


class WrongKey(DataFileError):
    """The file is encrypted with a key other than the one given."""


class CorruptFile(DataFileError, ValueError):
    """The file does not decrypt with its key, or does not parse as what it should hold."""


class SwapPending(DataFileError):
    """A rotation, an encryption or a restore was interrupted after it committed, and needs another key to finish."""
