"""An admin's content file, sent from Telegram: recognised, validated with the whole content, diffed.

The file has the same format as those in `content/` (see content/README.md). What kind it is comes
from its fields; its id says which record it replaces or adds. Nothing is applied here: the handler
shows the diff and applies it on the admin's confirmation, as an admin edit that `campaign-bot
import` will not overwrite (unless told to with `--take-files`).

An uploaded file is parsed away from the event loop (`read_upload`), within `PARSE_SECONDS`. What bounds
it is the parser: `bot.content.parse_yaml` refuses anchors and aliases and nesting deeper than
`MAX_DEPTH` event by event, before building anything, so the document it builds is no bigger than the
file's text, which is at most `MAX_FILE_BYTES`; the time bound is the backstop for what that leaves.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bot import LANGUAGES
from bot.content import (
    BACKGROUND_FILE,
    CAMPAIGN_FILE,
    CASES_DIR,
    CONCERNS_DIR,
    SOURCES_FILE,
    ContentError,
    RawItem,
    parse_yaml,
)

MAX_FILE_BYTES = 64 * 1024
SUFFIXES = (".yaml", ".yml")
MAX_DIFF_LINES = 400
"""More changed fields than a content file of `MAX_FILE_BYTES` has in practice (a case has about 60)."""

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

PARSE_SECONDS = 5.0
"""How long an uploaded file may take to parse and recognise. Python cannot stop the worker thread: when
the time is up the admin is told and the bot goes on; the thread ends on its own, as the size and the
parser's refusals bound its work."""


def recognise(file_name: str, raw: bytes) -> RawItem:
    """The content item in an uploaded file, or ContentError naming what is wrong."""
    where = file_name or "?"
    if not where.lower().endswith(SUFFIXES):
        raise ContentError(where, "", "not_content_file")
    if len(raw) > MAX_FILE_BYTES:
        raise ContentError(where, "", "file_too_big", size=len(raw), limit=MAX_FILE_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ContentError(where, "", "not_utf8") from None
    data = parse_yaml(where, text)
    if any(_LONE_SURROGATE.search(f"{path}{value}") for path, value in _flatten(data)):
        raise ContentError(where, "", "not_utf8")  # a "\ud800" escape: text that UTF-8 (and Telegram) cannot carry
    if not isinstance(data, dict):
        raise ContentError(where, "", "not_mapping")
    item_id = str(data.get("id", ""))[:100]
    if set(data) == {"sources"}:
        return RawItem("sources", "sources", SOURCES_FILE, data)
    if set(data) <= {"name", "about"}:
        return RawItem("campaign", "campaign", CAMPAIGN_FILE, data)
    if "kind" in data:
        return RawItem("case", item_id, f"{CASES_DIR}/{item_id}.yaml", data)
    if "title" in data and item_id == "background":
        return RawItem("background", "background", BACKGROUND_FILE, data)
    if "title" in data:
        return RawItem("concern", item_id, f"{CONCERNS_DIR}/{item_id}.yaml", data)
    raise ContentError(where, "", "unknown_content")


async def read_upload(file_name: str, raw: bytes) -> RawItem:
    """`recognise`, in a worker thread, within `PARSE_SECONDS`: the event loop answers members meanwhile."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(recognise, file_name, raw), PARSE_SECONDS)
    except TimeoutError:
        raise ContentError(file_name or "?", "", "too_slow", seconds=f"{PARSE_SECONDS:g}") from None


@dataclass(frozen=True)
class Change:
    path: str
    old: Any
    new: Any


def _flatten(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{path}[{index}]")
    else:
        yield path, value


def diff(old: Any, new: Any) -> list[Change]:
    """Field-by-field differences between two versions of one content file."""
    before, after = dict(_flatten(old)), dict(_flatten(new))
    return [Change(path, before.get(path), after.get(path))
            for path in sorted(set(before) | set(after), key=lambda p: (p not in before, p))
            if before.get(path) != after.get(path)]


TRANSLATIONS = tuple(lang for lang in LANGUAGES if lang != "en")


@dataclass(frozen=True)
class Stale:
    """A text whose English changed while these translations stayed as they were."""

    path: str
    languages: tuple[str, ...]


def _texts(value: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every text (a mapping of languages with `en`) in a content file's data, with its path."""
    if isinstance(value, dict):
        if "en" in value and set(value) <= set(LANGUAGES):
            yield path, value
            return
        for key, item in value.items():
            yield from _texts(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, f"{path}[{index}]")


def _same(a: Any, b: Any) -> bool:
    return str(a).strip() == str(b).strip()


def stale_translations(old: Any, new: Any) -> list[Stale]:
    """The texts whose English the new version changes but not some translation it keeps."""
    before = dict(_texts(old))
    found = []
    for path, text in _texts(new):
        previous = before.get(path)
        if previous is None or "en" not in previous or _same(previous["en"], text["en"]):
            continue
        kept = tuple(lang for lang in TRANSLATIONS
                     if lang in text and lang in previous and _same(previous[lang], text[lang]))
        if kept:
            found.append(Stale(path, kept))
    return found
