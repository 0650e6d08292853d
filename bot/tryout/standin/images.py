"""A photo upload checked as ``sendPhoto`` checks it: an image (PNG or JPEG here), at most 10 MB, width and height
at most 10000 together, and neither side more than 20 times the other."""

from __future__ import annotations

import struct

from bot.tryout.standin.model import ApiError

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_SIDES = 10_000
MAX_RATIO = 20

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG_SIZE_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # start of frame, not DHT/JPG/DAC


def photo_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a photo Telegram would take; ``ApiError`` as Telegram answers otherwise."""
    if not data:
        raise ApiError(400, "Bad Request: file must be non-empty")
    if len(data) > MAX_PHOTO_BYTES:
        raise ApiError(400, "Bad Request: file is too big")
    size = _png_size(data) if data.startswith(_PNG) else _jpeg_size(data) if data.startswith(b"\xff\xd8") else None
    if size is None:
        raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
    width, height = size
    if width < 1 or height < 1 or width + height > MAX_SIDES or max(width, height) > MAX_RATIO * min(width, height):
        raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    return width, height


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if marker in _JPEG_SIZE_MARKERS and i + 9 <= len(data):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None
