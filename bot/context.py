"""Typed context: what every handler can reach, without raw `bot_data["..."]` keys.

`Services` is built once, complete, by `app.build` and kept in `bot_data` under one key (PTB builds
`bot_data` itself, with no arguments). `BotContext` adds the
per-update language, forum topic and record, set by the first handler group (`handlers.language.resolve`)
before any other handler runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot import LANGUAGES
from bot.config import Settings
from bot.content import Content, RawItem
from bot.desk import Desk
from bot.group_admins import GroupAdmins
from bot.i18n import Catalogs, Translator
from bot.model import ChatRecord
from bot.publishing import Publisher
from bot.recent_shares import RecentShares
from bot.search import CaseIndex
from bot.store import Store


@dataclass
class Services:
    settings: Settings
    store: Store
    catalogs: Catalogs
    publisher: Publisher
    desk: Desk  # scheduled pushes, a second admin's approval, the audit log
    group_admins: GroupAdmins = field(default_factory=GroupAdmins)  # who runs each group, as Telegram last said
    recent_shares: RecentShares = field(default_factory=RecentShares)  # a group's Share, once a minute per card
    _index: CaseIndex | None = field(default=None, init=False, repr=False)
    _indexed: Content | None = field(default=None, init=False, repr=False)

    @property
    def content(self) -> Content:
        return self.store.content.content

    @property
    def case_index(self) -> CaseIndex:
        """The search index of the current content, rebuilt when an import replaces the content."""
        content = self.content
        if self._index is None or self._indexed is not content:
            self._index, self._indexed = CaseIndex(content.cases), content
        return self._index


SERVICES_KEY = "services"


@dataclass
class Draft:
    """An update being written: its topic, a text per language, and the preview last shown."""

    topic: str = ""
    texts: dict[str, str] = field(default_factory=dict)
    base: dict[str, str] = field(default_factory=dict)  # what /skip keeps: a correction's or Edit's texts
    step: int = 0  # index into LANGUAGES of the language asked for
    correcting: int | None = None  # the update a correction rewrites
    preview: str = ""  # id of the preview on screen; its buttons carry it
    request: int | None = None  # the kept copy of the draft (a PREVIEWED request), once it was previewed

    @property
    def language(self) -> str:
        return LANGUAGES[self.step]


@dataclass
class UserData:
    """What the bot keeps for a user while the process runs (in memory, never on disk): an admin's open
    drafts, one per chat, a content file waiting for Apply, and a rejection waiting for its reason."""

    drafts: dict[int, Draft] = field(default_factory=dict)
    pending_content: RawItem | None = None
    rejecting: dict[int, int] = field(default_factory=dict)  # chat → the request whose rejection's reason is awaited


class BotContext(CallbackContext[ExtBot[None], UserData, dict[Any, Any], dict[str, Any]]):
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.lang: str = "en"
        self.thread_id: int | None = None  # the forum topic the update came from (None: the chat itself)
        self.chat_record: ChatRecord | None = None  # of the chat, or of the forum topic `thread_id`

    @property
    def services(self) -> Services:
        services: Services = self.bot_data[SERVICES_KEY]
        return services

    @property
    def tr(self) -> Translator:
        return self.services.catalogs.get(self.lang)

    @property
    def content(self) -> Content:
        return self.services.content
