"""The Share button in groups: a case shared into a chat (or forum topic) is not shared there again within a minute.

A Share posts two messages (the text to forward and the QR code), and any member of a group can press it: twelve
presses would post 24 messages, more than the 20 a minute Telegram lets a bot post in a group, a budget the
campaign's updates to that group share. So in a group a card's Share posts once a minute in each chat or topic; a
press within the minute is answered that the case is just above. Kept in memory only, and bounded: who pressed is not
kept at all, and the record of a share goes once its minute is over (or once `MAX_KEPT` newer ones are held).
"""

from __future__ import annotations

import time
from collections.abc import Callable

WINDOW_SECONDS = 60.0
"""After a Share in a group, how long the same card's Share posts nothing more in that chat or topic."""
MAX_KEPT = 10_000
"""Shares remembered at most (the oldest go first): far more than groups share cards within a minute."""

_Key = tuple[int, int | None, str]


class RecentShares:
    def __init__(self, window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._window = window
        self._clock = clock
        self._shared: dict[_Key, float] = {}  # in the order shared: the oldest first

    def claim(self, chat_id: int, thread_id: int | None, case_id: str) -> bool:
        """True if `case_id` may be shared into the chat (forum topic `thread_id`) now, which then counts as shared
        there; False if it was, less than the window ago."""
        now = self._clock()
        self._drop_old(now)
        key = (chat_id, thread_id, case_id)
        if key in self._shared:
            return False
        self._shared[key] = now
        return True

    def _drop_old(self, now: float) -> None:
        while self._shared:
            key, shared_at = next(iter(self._shared.items()))
            if now - shared_at < self._window and len(self._shared) < MAX_KEPT:
                return
            del self._shared[key]
