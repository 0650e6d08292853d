"""Who runs a group, as Telegram's `getChatMember` last said: kept a short time, in memory only.

A group's language and subscriptions are changed only by its administrators. Asking Telegram on every
command would cost a round trip each, so an answer is kept `KEEP_SECONDS` (5 minutes). A `chat_member`
update (a member promoted, demoted, gone) replaces it at once; a `my_chat_member` update (the bot's own
standing in the group changed) drops all of that group's answers.

A member who is not an administrator is told so once while their answer is kept: their later tries in that
time get no reply, so that nobody can make the bot fill a group with refusals.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

KEEP_SECONDS = 5 * 60
"""How long a `getChatMember` answer is trusted, unless an update about the member comes first."""
MAX_KEPT = 10_000
"""Answers kept at most; past this, the expired ones go (and if none has, all of them: it is only a cache)."""


@dataclass
class _Answer:
    admin: bool
    until: float
    refused: bool = False  # the member was told, while this answer is kept, that they may not


class GroupAdmins:
    def __init__(self, keep: float = KEEP_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._keep = keep
        self._clock = clock
        self._groups: dict[int, dict[int, _Answer]] = {}
        self._kept = 0

    def _answer(self, chat_id: int, user_id: int) -> _Answer | None:
        answer = self._groups.get(chat_id, {}).get(user_id)
        return answer if answer is not None and answer.until > self._clock() else None

    def is_admin(self, chat_id: int, user_id: int) -> bool | None:
        """What Telegram said within the last `keep` seconds; None if it has to be asked."""
        answer = self._answer(chat_id, user_id)
        return None if answer is None else answer.admin

    def remember(self, chat_id: int, user_id: int, admin: bool) -> None:
        """Telegram's answer (or a `chat_member` update) about the member, trusted for the next `keep` seconds."""
        members = self._groups.setdefault(chat_id, {})
        if user_id not in members:
            self._kept += 1
        members[user_id] = _Answer(admin, self._clock() + self._keep)
        if self._kept > MAX_KEPT:
            self._prune()

    def first_refusal(self, chat_id: int, user_id: int) -> bool:
        """True if the member, not an admin, has not yet been told so while the answer is kept (it counts as told)."""
        answer = self._answer(chat_id, user_id)
        if answer is None or answer.admin or answer.refused:
            return False
        answer.refused = True
        return True

    def forget_group(self, chat_id: int) -> None:
        """The bot's standing in the group changed: every answer about it is asked again."""
        self._kept -= len(self._groups.pop(chat_id, {}))

    def _prune(self) -> None:
        now = self._clock()
        self._groups = {chat: kept for chat, members in self._groups.items()
                        if (kept := {user: a for user, a in members.items() if a.until > now})}
        self._kept = sum(len(members) for members in self._groups.values())
        if self._kept > MAX_KEPT:
            self._groups, self._kept = {}, 0
