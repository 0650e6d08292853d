"""How many members acted on each case ("I did it" under its actions), each counted once, without keeping who.

To know that a member was counted already, the store keeps a keyed fingerprint of the case and the member: the
first 16 bytes of HMAC-SHA256("<case id>:<member id>") under a secret of its own. It keeps no member id, no day,
nothing else; the same member's fingerprints for two cases have nothing in common; and without the secret a
fingerprint cannot be tested against a member id. The count of a case is the number of its fingerprints.

What it does not hide: the secret is in the data directory (`KEY_FILE`, made on first use, owner-only, sealed
with `BOT_DATA_KEY` when it is set), so whoever holds the whole directory (and the key, if one is set) and a
member's id can tell whether that member pressed "I did it" on a case. `/forget` leaves the fingerprints as they
are: they name no one. A lost `KEY_FILE` means a new secret: the counts stay, and a member who presses again is
counted again.

`actions.json` is journaled (docs/STORAGE.md) and each case's fingerprints are spread over `SHARDS` tables
(`acted-<case id>-<hh>`, `hh` the fingerprint's first byte), so that a press journals one small table; a
fingerprint, read as a number, is its document's id (a lookup is a dict lookup), and the document is empty.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from tinydb import TinyDB
from tinydb.table import Document, Table

from bot.store.database import Database

FILE = "actions"
KEY_FILE = "actions.key"
KEY_BYTES = 32
FINGERPRINT_BYTES = 16
"""128 bits: two members of one case share a fingerprint with a chance of about 1 in 10^28 at 100,000 members."""

SHARDS = 256
"""Per case, by the fingerprint's first byte: about 400 documents a table at 100,000 members of one case."""

TABLE = re.compile(r"^acted-([a-z0-9][a-z0-9-]*)-([0-9a-f]{2})$")


class BadKeyFile(RuntimeError):
    """`KEY_FILE` is there but is not a key this store wrote."""


def table_name(case_id: str, fingerprint: bytes) -> str:
    return f"acted-{case_id}-{fingerprint[0]:02x}"


def read_or_create_key(db: Database) -> bytes:
    """The secret in `KEY_FILE`, made (random, owner-only, atomically; sealed like the tables when the store has a
    key) if there is none yet. Call only from `db.run`."""
    path = db.data_dir / KEY_FILE
    stored = db.read_private_file(KEY_FILE)
    if stored is None:
        key = secrets.token_bytes(KEY_BYTES)
        db.write_private_file(KEY_FILE, key.hex().encode("ascii") + b"\n")
        return key
    try:
        text = stored.decode("ascii").strip()
    except UnicodeDecodeError:
        raise BadKeyFile(f"{path} is not a key campaign-bot wrote (expected {KEY_BYTES * 2} hex digits)") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise BadKeyFile(f"{path} is not a key campaign-bot wrote (expected {KEY_BYTES * 2} hex digits)")
    return key


class ActionRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._key: bytes | None = None
        self._counts: dict[str, int] | None = None

    # --- on the store's thread ---------------------------------------------------------------------

    def _file(self) -> TinyDB:
        return self._db.open_table_file(FILE, journaled=True)

    def _fingerprint(self, case_id: str, member_id: int) -> bytes:
        if self._key is None:
            self._key = read_or_create_key(self._db)
        message = f"{case_id}:{member_id}".encode("ascii")
        return hmac.new(self._key, message, hashlib.sha256).digest()[:FINGERPRINT_BYTES]

    def _all_counts(self) -> dict[str, int]:
        """Each case's count, read from the tables once and then kept up to date by `_record`."""
        if self._counts is None:
            counts: dict[str, int] = {}
            tinydb = self._file()
            for name in tinydb.tables():
                match = TABLE.match(name)
                if match:
                    counts[match[1]] = counts.get(match[1], 0) + len(tinydb.table(name))
            self._counts = counts
        return self._counts

    def _table(self, case_id: str, fingerprint: bytes) -> Table:
        return self._file().table(table_name(case_id, fingerprint))

    def _record(self, case_id: str, member_id: int) -> bool:
        counts = self._all_counts()
        fingerprint = self._fingerprint(case_id, member_id)
        doc_id = int.from_bytes(fingerprint, "big")
        table = self._table(case_id, fingerprint)
        if table.contains(doc_id=doc_id):
            return False
        table.insert(Document({}, doc_id=doc_id))
        counts[case_id] = counts.get(case_id, 0) + 1
        return True

    def _count(self, case_id: str) -> int:
        return self._all_counts().get(case_id, 0)

    def _open(self) -> int:
        return sum(self._all_counts().values())

    # --- from the event loop -----------------------------------------------------------------------

    async def open(self) -> int:
        """Read the file now (at start-up); returns how many actions it counts."""
        return await self._db.run(self._open)

    async def record(self, case_id: str, member_id: int) -> bool:
        """Count `member_id` as having acted on `case_id`: True if now counted, False if counted before."""
        return await self._db.run(self._record, case_id, member_id)

    async def count(self, case_id: str) -> int:
        """How many members said they acted on `case_id`."""
        return await self._db.run(self._count, case_id)
