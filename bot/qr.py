"""A QR code as a PNG (segno): a case's link, for posters and leaflets."""

from __future__ import annotations

import io

import segno

MODULE_PIXELS = 12
"""Pixels per module: a case link (QR version 4 or 5, 33 or 37 modules, and the 4-module quiet zone) comes out
at about 500 px, sharp enough to print on a poster and small enough for Telegram to keep as a photo."""


def png(text: str) -> bytes:
    """`text` as a black-on-white QR code with its quiet zone; error correction M at least (segno raises it
    when the code's size allows, so that a creased or dirty print still reads)."""
    out = io.BytesIO()
    segno.make_qr(text, error="m").save(out, kind="png", scale=MODULE_PIXELS, border=4)
    return out.getvalue()
