"""The real bot against the local Bot API stand-in, driven as a user would: the try-out chat and the tests.

`LocalBot` starts the stand-in on 127.0.0.1, opens a store, and runs the real Application by long
polling over HTTP. Each user action queues an update at the stand-in and waits until the Application
has finished handling it, so whoever drives it reads the bot's answer without guessing at delays.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

from telegram.ext import Application

from bot.app import build, ensure_content, running, services_of
from bot.broadcast import Clock
from bot.config import Secret, Settings
from bot.content import read_content_dir
from bot.context import Services
from bot.store import Store
from bot.tryout.standin import LocalBotAPI

TRYOUT_TOKEN = "1000001:tryout-not-a-real-token"
"""A made-up token in the shape PTB accepts; the stand-in accepts any token."""

PROCESS_TIMEOUT = 30.0
"""Seconds to wait for the bot to handle one update before calling it stuck."""


class TrackedApplication(Application[Any, Any, Any, Any, Any, Any]):
    """An Application that says when it has finished handling each update."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._done: set[int] = set()
        self._waiters: dict[int, asyncio.Event] = {}

    async def process_update(self, update: object) -> None:
        try:
            await super().process_update(update)
        finally:
            update_id = getattr(update, "update_id", None)
            if isinstance(update_id, int):
                self._done.add(update_id)
                event = self._waiters.pop(update_id, None)
                if event is not None:
                    event.set()

    def processed(self, update_id: int) -> bool:
        return update_id in self._done

    async def wait_processed(self, update_id: int, timeout: float = PROCESS_TIMEOUT) -> None:
        if update_id in self._done:
            return
        event = self._waiters.setdefault(update_id, asyncio.Event())
        await asyncio.wait_for(event.wait(), timeout)


class LocalBot:
    """`async with LocalBot(data_dir) as bot:` the real bot, running against a local stand-in."""

    def __init__(self, data_dir: Path, *, settings: Settings | None = None, content_root: Path | None = None,
                 api: LocalBotAPI | None = None, clock: Clock | None = None, **api_options: Any) -> None:
        """`api`: a stand-in already running (kept running on exit), e.g. to restart the bot against it. `clock`:
        the time the bot goes by (a test's, which it moves on)."""
        self.data_dir = data_dir
        self._own_api = api is None
        self.api = api or LocalBotAPI(**api_options)
        self._settings = settings or Settings()
        self._clock = clock
        self._content_root = content_root
        self._stack: Any = None
        self.store: Store | None = None
        self.application: TrackedApplication | None = None

    @property
    def services(self) -> Services:
        assert self.application is not None
        services: Services = self.application.bot_data["services"]
        return services

    async def __aenter__(self) -> LocalBot:
        if self._own_api:
            await self.api.start()
        settings = replace(self._settings, api_base_url=self.api.base_url, token=Secret(TRYOUT_TOKEN),
                           data_dir=self.data_dir)
        application = build(settings, application_class=TrackedApplication, clock=self._clock)
        assert isinstance(application, TrackedApplication)
        self.application = application
        self.store = services_of(application).store
        if self._content_root is not None:
            await ensure_content(self.services, self._content_root)
        self._stack = running(application, poll_timeout=1)
        await self._stack.__aenter__()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        try:
            if self._stack is not None:
                await self._stack.__aexit__(exc_type, exc, tb)
        finally:
            if self.store is not None:
                self.store.close()  # closed already by the application's shutdown, unless its start failed
            if self._own_api:
                await self.api.stop()

    async def reread_content(self, root: Path) -> list[str]:
        """The try-out's start: serve the content files in `root` as they are now, except records an admin
        changed from Telegram, which an import keeps. Returns what to tell the person trying it out: what
        changed, and one line per admin's version kept over its file, with the command that takes the file."""
        assert self.store is not None
        report = await self.store.content.import_items(read_content_dir(root))
        lines = []
        if report.wrote:
            lines.append(f"Content re-read from {root}: {len(report.added)} added, {len(report.changed)} changed.")
        for kind, item_id in report.kept_records:
            name = f"{kind} {item_id}" if kind in ("case", "concern") else item_id
            lines.append(f"kept the admin's version of {name}; `BOT_DATA_DIR={self.data_dir} campaign-bot import "
                         f"--take-files {item_id}` takes the file")
        return lines

    async def _deliver(self, queue_update: Callable[[], int]) -> None:
        assert self.application is not None
        await self.application.wait_processed(queue_update())

    async def message(self, user_id: int, text: str, **options: Any) -> None:
        """A user sends `text`; returns once the bot has handled it."""
        await self._deliver(lambda: self.api.user_message(user_id, text, **options))

    async def update(self, user_id: int, payload: dict[str, Any], **options: Any) -> None:
        """A user sends a message without text (a sticker, a photo…)."""
        await self._deliver(lambda: self.api.user_update(user_id, payload, **options))

    async def document(self, user_id: int, file_name: str, data: bytes, **options: Any) -> None:
        """A user sends a file."""
        await self._deliver(lambda: self.api.user_document(user_id, file_name, data, **options))

    async def edit(self, user_id: int, text: str, **options: Any) -> None:
        """A user edits a message they sent (an `edited_message`): their latest, unless `message_id` says which."""
        await self._deliver(lambda: self.api.user_edit(user_id, text, **options))

    async def channel_post(self, channel_id: int, text: str, **options: Any) -> None:
        """A post (or with `edit_of`, an edited post) in a channel the bot is in."""
        await self._deliver(lambda: self.api.channel_post(channel_id, text, **options))

    async def press(self, user_id: int, message_id: int, data: str, **options: Any) -> str:
        """A user presses a button (or forges callback data); returns the callback query id."""
        ids: list[str] = []

        def queue() -> int:
            ids.append(self.api.press_button(user_id, message_id, data, **options))
            return self.api.last_update_id

        await self._deliver(queue)
        return ids[0]

    async def inline(self, user_id: int, query: str, **options: Any) -> str:
        """A user types `@<bot> query` in a chat; returns the inline query's id (the answer is in
        `api.inline.answers`)."""
        ids: list[str] = []

        def queue() -> int:
            ids.append(self.api.inline_query(user_id, query, **options))
            return self.api.last_update_id

        await self._deliver(queue)
        return ids[0]
