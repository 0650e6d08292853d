"""An admin's content file, sent from Telegram: recognised, validated with the whole content, diffed.

The file has the same format as those in `content/` (see content/README.md). What kind it is comes
from its fields; its id says which record it replaces or adds. Nothing is applied here: the handler
shows the diff and applies it on the admin's confirmation, as an admin edit that `campaign-bot
import` will never overwrite.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

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
MAX_DIFF_LINES = 40


def recognise(file_name: str, raw: bytes) -> RawItem:
    """The content item in an uploaded file, or ContentError naming what is wrong."""
    where = file_name or "?"
    if not where.lower().endswith(SUFFIXES):
        raise ContentError(where, "", "not a content file (expected a .yaml file like those in content/)")
    if len(raw) > MAX_FILE_BYTES:
        raise ContentError(where, "", f"is {len(raw)} bytes; at most {MAX_FILE_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ContentError(where, "", "is not UTF-8 text") from None
    data = parse_yaml(where, text)
    if not isinstance(data, dict):
        raise ContentError(where, "", "must be a mapping of field: value")
    item_id = str(data.get("id", ""))
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
    raise ContentError(where, "", "cannot tell which kind of content this is (a case has `kind`, a topic "
                                  "`title`, sources `sources`, the campaign `name` and `about`)")


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
