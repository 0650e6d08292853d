"""Who is what in a group, for the stand-in: `getChatMember`'s answers, and which updates the bot asked for.

A user's status in a group is ``member`` unless set (``creator``, ``administrator``, ``member``, ``left``,
``kicked``), and getChatMember answers with the ChatMember object Telegram sends for it, every field a bot
library requires included. The bot itself is a ``member`` of a group until set otherwise; ``left`` or
``kicked`` means it was removed: sends get 403.

Telegram sends ``chat_member`` updates only to a bot that is an administrator of the chat *and* named
``chat_member`` in ``allowed_updates`` (getUpdates or setWebhook); by default every kind of update is sent
but ``chat_member``, ``message_reaction`` and ``message_reaction_count``. A list given once holds until the
next one; an empty list means the default again.
"""

from __future__ import annotations

from typing import Any

from bot.tryout.standin.html import JSONDict
from bot.tryout.standin.model import ApiError

STATUSES = ("creator", "administrator", "member", "left", "kicked")
RUNS_IT = frozenset({"creator", "administrator"})
GONE = frozenset({"left", "kicked"})
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
ADMIN_RIGHTS: JSONDict = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
    "can_manage_topics": True,
}


def chat_member(user: JSONDict, status: str) -> JSONDict:
    """The ChatMember object for ``user`` with ``status``."""
    if status == "creator":
        return {"status": status, "user": user, "is_anonymous": False}
    if status == "administrator":
        return {"status": status, "user": user, **ADMIN_RIGHTS}
    if status == "kicked":
        return {"status": status, "user": user, "until_date": 0}
    return {"status": status, "user": user}


def forbidden(chat_type: str, status: str) -> str:
    """Telegram's 403 for a send to a group the bot was removed from (``status``: left or kicked)."""
    kind = "supergroup" if chat_type == "supergroup" else "group"
    if status == "kicked":
        return f"Forbidden: bot was kicked from the {kind} chat"
    return f"Forbidden: bot is not a member of the {kind} chat"


class Members:
    """Statuses by chat and user, and the kinds of update the bot asked for."""

    def __init__(self) -> None:
        self._statuses: dict[tuple[int, int], str] = {}
        self._allowed: frozenset[str] | None = None  # None: Telegram's default

    def status(self, chat_id: int, user_id: int) -> str:
        return self._statuses.get((chat_id, user_id), "member")

    def set_status(self, chat_id: int, user_id: int, status: str) -> str:
        """Set a status; returns the one before."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; one of {', '.join(STATUSES)}")
        old = self.status(chat_id, user_id)
        self._statuses[chat_id, user_id] = status
        return old

    def ask_for(self, allowed_updates: Any) -> None:
        """``allowed_updates`` of a getUpdates or setWebhook call (absent: the last list holds)."""
        if allowed_updates is None:
            return
        if not isinstance(allowed_updates, list) or not all(isinstance(kind, str) for kind in allowed_updates):
            raise ApiError(400, "Bad Request: can't parse allowed updates")
        self._allowed = frozenset(allowed_updates) or None

    def wanted(self, kind: str) -> bool:
        """Whether an update of this kind reaches the bot, as it asked."""
        return kind not in NOT_BY_DEFAULT if self._allowed is None else kind in self._allowed
