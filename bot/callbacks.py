"""Callback data: short prefixed strings, built and parsed only here.

Telegram returns callback data as the client sends it, so a pressed button can carry anything:
a forged string, or an id from an older version of the content. `parse` accepts only the shapes
built below; handlers then check that what the data names still exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot import LANGUAGES

LANGUAGE = "lang"
CASE_LIST = "cases"
CASE = "case"
BACKGROUND = "bg"
CONCERN_LIST = "concerns"
CONCERN = "concern"

_ID = r"[a-z0-9][a-z0-9-]{0,39}"
_SHAPES: dict[str, re.Pattern[str]] = {
    LANGUAGE: re.compile(rf"^{LANGUAGE}:({'|'.join(LANGUAGES)})$"),
    CASE_LIST: re.compile(rf"^{CASE_LIST}:(\d{{1,3}})$"),
    CASE: re.compile(rf"^{CASE}:({_ID})$"),
    BACKGROUND: re.compile(rf"^{BACKGROUND}$"),
    CONCERN_LIST: re.compile(rf"^{CONCERN_LIST}$"),
    CONCERN: re.compile(rf"^{CONCERN}:({_ID})$"),
}


def pattern(kind: str) -> re.Pattern[str]:
    """The anchored pattern a handler registers for one kind of callback."""
    return _SHAPES[kind]


@dataclass(frozen=True)
class Callback:
    kind: str
    arg: str


def parse(data: str | None) -> Callback | None:
    if not data:
        return None
    for kind, shape in _SHAPES.items():
        match = shape.match(data)
        if match:
            return Callback(kind, match.group(1) if shape.groups else "")
    return None


def language(code: str) -> str:
    return f"{LANGUAGE}:{code}"


def case_list(page: int = 0) -> str:
    return f"{CASE_LIST}:{page}"


def case(case_id: str) -> str:
    return f"{CASE}:{case_id}"


def background() -> str:
    return BACKGROUND


def concern_list() -> str:
    return CONCERN_LIST


def concern(topic_id: str) -> str:
    return f"{CONCERN}:{topic_id}"


DEEP_LINK_CASE = re.compile(rf"^case_({_ID})$")
"""`/start case_<id>`: the payload of a `t.me/<bot>?start=case_<id>` link."""


def deep_link_case(case_id: str) -> str:
    return f"case_{case_id}"
