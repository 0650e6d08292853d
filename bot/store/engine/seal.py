"""Encryption at rest: the data files sealed with AES-256-GCM under `BOT_DATA_KEY`.

A `Sealer` holds the key (32 bytes). Each sealed record is

    key id (8 bytes) | nonce (12 random bytes) | ciphertext | GCM tag (16 bytes)

with the file's name (`chats.json`, `chats.json.journal`, `actions.key`…) as associated data, so that a record
moved into another file does not open. The key id, the first 8 bytes of HMAC-SHA256(key, "campaign-bot key id"),
names the key without revealing it: a file written with another key is told apart from a damaged one, and the
message says which key it needs.

Two layouts, so that each file keeps the properties the engine relies on:

* a whole file (a snapshot, an atomic file, a small private file): `FILE_MAGIC` then one record, in binary;
* a journal line: `LINE_PREFIX` then the record in unpadded base64url, then `\\n`. Base64 has no newline, so a
  newline still ends a line only, a torn append is still a line without its newline, and each line (one table's
  new content) is sealed on its own with a fresh nonce.

What is not sealed looks as it always did: a JSON file starts with `{`, a journal line with `{`, so a file (or a
line) is plain or sealed by its first byte, and plain data written before the key was set is still read (the
store seals it at start, `datadir.settle`). Random 96-bit nonces are safe for 2^32 records under one key: a
journal line per write, far more than a campaign makes; `campaign-bot rotate-key` starts a new key anyway.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from pathlib import Path

from bot.store.engine.errors import CorruptFile, KeyMissing, WrongKey

KEY_BYTES = 32
KEY_ID_BYTES = 8
NONCE_BYTES = 12
TAG_BYTES = 16
FILE_MAGIC = b"campaign-bot sealed AES-256-GCM v1\n"
LINE_PREFIX = b"!"
_KEY_ID_LABEL = b"campaign-bot key id"
_AAD_PREFIX = b"campaign-bot v1 "
_LINE_ID_CHARS = 12
"""Base64 characters that hold a line's key id (12 characters are 9 bytes, the id's 8 and one more)."""


def key_id_of(key: bytes) -> bytes:
    return hmac.new(key, _KEY_ID_LABEL, hashlib.sha256).digest()[:KEY_ID_BYTES]


def show(key_id: bytes | None) -> str:
    """A key id as the operator sees it (`campaign-bot keygen` prints it beside a new key)."""
    return "none" if key_id is None else key_id.hex()


class Sealer:
    """Seals and opens records under one key. Safe to share between threads (AESGCM keeps no state)."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"a data key is {KEY_BYTES} bytes, not {len(key)}")
        # Imported here: the cipher's library takes ~10 MB, which a bot without BOT_DATA_KEY need not hold.
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._aead = AESGCM(key)
        self.key_id = key_id_of(key)

    def __repr__(self) -> str:
        return f"Sealer(key id {show(self.key_id)})"

    def seal(self, data: bytes, name: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return self.key_id + nonce + self._aead.encrypt(nonce, data, _AAD_PREFIX + name.encode())

    def seal_file(self, data: bytes, name: str) -> bytes:
        return FILE_MAGIC + self.seal(data, name)

    def seal_line(self, data: bytes, name: str) -> bytes:
        return LINE_PREFIX + base64.urlsafe_b64encode(self.seal(data, name)).rstrip(b"=") + b"\n"

    def _open(self, record: bytes, name: str, where: str) -> bytes:
        if len(record) < KEY_ID_BYTES + NONCE_BYTES + TAG_BYTES:
            raise CorruptFile(f"{where}: an encrypted record cut short ({len(record)} bytes): the file is damaged")
        found = record[:KEY_ID_BYTES]
        if found != self.key_id:
            raise wrong_key(where, found, self)
        nonce = record[KEY_ID_BYTES:KEY_ID_BYTES + NONCE_BYTES]
        from cryptography.exceptions import InvalidTag  # loaded with the cipher (see __init__)

        try:
            return self._aead.decrypt(nonce, record[KEY_ID_BYTES + NONCE_BYTES:], _AAD_PREFIX + name.encode())
        except InvalidTag:
            raise CorruptFile(f"{where}: does not decrypt with BOT_DATA_KEY (key id {show(self.key_id)}), whose "
                              "record it claims to be: the file is damaged or was altered") from None


def is_sealed_file(raw: bytes) -> bool:
    return raw.startswith(FILE_MAGIC)


def is_sealed_line(line: bytes) -> bool:
    return line.startswith(LINE_PREFIX)


def _decode_line(line: bytes, where: str) -> bytes:
    body = line[len(LINE_PREFIX):].rstrip(b"\n")
    try:
        return base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise CorruptFile(f"{where}: an encrypted record that is not base64: the file is damaged") from None


def file_key_id(raw: bytes) -> bytes | None:
    """The key id a sealed file was written with (None if it is not sealed or too short to say)."""
    if not is_sealed_file(raw) or len(raw) < len(FILE_MAGIC) + KEY_ID_BYTES:
        return None
    return raw[len(FILE_MAGIC):len(FILE_MAGIC) + KEY_ID_BYTES]


def line_key_id(line: bytes) -> bytes | None:
    """The key id a sealed journal line was written with, from its first characters alone."""
    head = line[len(LINE_PREFIX):len(LINE_PREFIX) + _LINE_ID_CHARS]
    if not is_sealed_line(line) or len(head) < _LINE_ID_CHARS:
        return None
    try:
        return base64.urlsafe_b64decode(head)[:KEY_ID_BYTES]
    except (binascii.Error, ValueError):
        return None


def wrong_key(where: str, found: bytes | None, sealer: Sealer) -> WrongKey:
    return WrongKey(f"{where}: encrypted with another key (key id {show(found)}) than BOT_DATA_KEY "
                    f"(key id {show(sealer.key_id)}): start with the key it was written with")


def missing_key(where: str, key_id: bytes | None) -> KeyMissing:
    return KeyMissing(f"{where}: encrypted (key id {show(key_id)}) and BOT_DATA_KEY is not set: set it to the key "
                      "the data was written with")


def open_file(raw: bytes, path: Path, sealer: Sealer | None) -> bytes:
    """The content of a whole file as read from `path`: opened if sealed, as it is if plain."""
    if not is_sealed_file(raw):
        return raw
    if sealer is None:
        raise missing_key(str(path), file_key_id(raw))
    return sealer._open(raw[len(FILE_MAGIC):], path.name, str(path))


def open_line(line: bytes, path: Path, line_no: int, sealer: Sealer | None) -> bytes:
    """A journal line's content (without its newline): opened if sealed, as it is if plain."""
    if not is_sealed_line(line):
        return line
    where = f"{path}: line {line_no}"
    if sealer is None:
        raise missing_key(where, line_key_id(line))
    return sealer._open(_decode_line(line, where), path.name, where)
