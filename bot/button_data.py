"""What a button carries (Telegram's callback data): short prefixed strings, built and parsed only here.

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
SUBSCRIBE = "sub"
UNSUBSCRIBE = "unsub"
SUBSCRIPTIONS = "subs"
HISTORY = "hist"
FORGET = "forget"
SHARE = "share"
ACTIONS = "act"
ACTED = "did"
# Admins only (refused, politely, to everyone else):
PUSH_TOPIC = "push:topic"
PUSH_DECISION = "push"
CORRECT = "fix"
CANCEL_BROADCAST = "bc:cancel"
CONTENT_DECISION = "content"
REQUEST = "rq"
RECALL_PICK = "rc"
RECALL_CONFIRM = "rcok"
ADMIN_PATTERN = re.compile(r"^(?:push|fix|bc|content|rq|rc|rcok):")

REQUEST_ACTIONS = ("approve", "reject", "withdraw", "cancel", "now")
"""What a button under a publishing request does: approve, reject (asks for a reason), withdraw (its author),
cancel or send now (a scheduled one)."""

FRESH = "n:"
"""Put before a button's data: its screen comes as a new message, and the pressed one stays as it is. For
buttons under a delivered update, which must stay in the member's chat."""

_ID = r"[a-z0-9][a-z0-9-]{0,39}"
_SHAPES: dict[str, re.Pattern[str]] = {
    LANGUAGE: re.compile(rf"^{LANGUAGE}:({'|'.join(LANGUAGES)})$"),
    CASE_LIST: re.compile(rf"^{CASE_LIST}:(\d{{1,3}})$"),
    CASE: re.compile(rf"^{CASE}:({_ID})$"),
    BACKGROUND: re.compile(rf"^{BACKGROUND}$"),
    CONCERN_LIST: re.compile(rf"^{CONCERN_LIST}$"),
    CONCERN: re.compile(rf"^{CONCERN}:({_ID})$"),
    SUBSCRIBE: re.compile(rf"^{SUBSCRIBE}:([cmls]):({_ID})$"),
    UNSUBSCRIBE: re.compile(rf"^{UNSUBSCRIBE}:([cmls]):({_ID})$"),
    SUBSCRIPTIONS: re.compile(rf"^{SUBSCRIPTIONS}$"),
    HISTORY: re.compile(rf"^{HISTORY}:({_ID})$"),
    FORGET: re.compile(rf"^{FORGET}:(yes|no)$"),
    SHARE: re.compile(rf"^{SHARE}:({_ID})$"),
    ACTIONS: re.compile(rf"^{ACTIONS}:({_ID})$"),
    ACTED: re.compile(rf"^{ACTED}:({_ID})$"),
    PUSH_TOPIC: re.compile(rf"^{PUSH_TOPIC}:({_ID})$"),
    PUSH_DECISION: re.compile(rf"^{PUSH_DECISION}:((?:\d{{1,9}}\.)?[0-9a-f]{{8}}):(ok|edit|cancel|schedule)$"),
    CORRECT: re.compile(rf"^{CORRECT}:(\d{{1,9}})$"),
    CANCEL_BROADCAST: re.compile(rf"^{CANCEL_BROADCAST}:(\d{{1,9}})$"),
    CONTENT_DECISION: re.compile(rf"^{CONTENT_DECISION}:(ok|cancel)$"),
    REQUEST: re.compile(rf"^{REQUEST}:({'|'.join(REQUEST_ACTIONS)}):(\d{{1,9}})$"),
    RECALL_PICK: re.compile(rf"^{RECALL_PICK}:(\d{{1,9}})$"),
    RECALL_CONFIRM: re.compile(rf"^{RECALL_CONFIRM}:(\d{{1,9}})$"),
}


def pattern(kind: str) -> re.Pattern[str]:
    """The anchored pattern a handler registers for one kind of callback (with or without `FRESH`)."""
    return re.compile(f"^(?:{FRESH})?" + _SHAPES[kind].pattern.removeprefix("^"))


@dataclass(frozen=True)
class Callback:
    kind: str
    arg: str
    qualifier: str = ""
    """The first of two parts: for (un)subscribe the screen the button is on (it shows the new state); for a
    draft's decision the preview it was shown under."""
    fresh: bool = False  # answer in a new message, leave the pressed one alone (see `FRESH`)


CARD, MENU, LIST, SINGLE = "c", "m", "l", "s"
"""Screens a subscription toggle sits on: a case card, the subscribe menu, a list of subscriptions, the
confirmation of one (un)subscription."""


def parse(data: str | None) -> Callback | None:
    if not data:
        return None
    fresh = data.startswith(FRESH)
    data = data.removeprefix(FRESH)
    for kind, shape in _SHAPES.items():
        match = shape.match(data)
        if match:
            groups = match.groups()
            return Callback(kind, groups[-1] if groups else "", groups[0] if len(groups) == 2 else "", fresh)
    return None


def fresh(data: str) -> str:
    """`data` for a button whose answer comes as a new message (see `FRESH`)."""
    return FRESH + data


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


def subscribe(topic: str, screen: str) -> str:
    return f"{SUBSCRIBE}:{screen}:{topic}"


def unsubscribe(topic: str, screen: str) -> str:
    return f"{UNSUBSCRIBE}:{screen}:{topic}"


def subscriptions() -> str:
    return SUBSCRIPTIONS


def history(topic: str) -> str:
    return f"{HISTORY}:{topic}"


def forget(confirmed: bool) -> str:
    return f"{FORGET}:{'yes' if confirmed else 'no'}"


def share(case_id: str) -> str:
    return f"{SHARE}:{case_id}"


def actions(case_id: str) -> str:
    """Take action: the case's actions screen."""
    return f"{ACTIONS}:{case_id}"


def acted(case_id: str) -> str:
    """I did it: count the member who pressed it as having acted on the case (once)."""
    return f"{ACTED}:{case_id}"


def push_topic(topic: str) -> str:
    return f"{PUSH_TOPIC}:{topic}"


def push_decision(preview: str, decision: str) -> str:
    """`preview`: the id of the preview the button sits under (8 hex digits): only that one is decided."""
    return f"{PUSH_DECISION}:{preview}:{decision}"


def correct(update_id: int) -> str:
    return f"{CORRECT}:{update_id}"


def cancel_broadcast(broadcast_id: int) -> str:
    return f"{CANCEL_BROADCAST}:{broadcast_id}"


def content_decision(decision: str) -> str:
    return f"{CONTENT_DECISION}:{decision}"


def request(action: str, request_id: int) -> str:
    """A button under a publishing request (`REQUEST_ACTIONS`); `parse` gives the action as qualifier, the id as arg."""
    return f"{REQUEST}:{action}:{request_id}"


def recall_pick(update_id: int) -> str:
    return f"{RECALL_PICK}:{update_id}"


def recall_confirm(update_id: int) -> str:
    return f"{RECALL_CONFIRM}:{update_id}"


DEEP_LINK_CASE = re.compile(rf"^case_({_ID})$")
"""`/start case_<id>`: the payload of a `t.me/<bot>?start=case_<id>` link."""


def deep_link_case(case_id: str) -> str:
    """The payload of a link that opens a case in the bot (`DEEP_LINK_CASE` reads it back): at most 45 of the
    64 characters Telegram allows, all of them from its alphabet (A-Z, a-z, 0-9, _ and -)."""
    return f"case_{case_id}"
