"""Behaviour-test harness: the real bot, over real HTTP, against the Bot API stand-in on 127.0.0.1.

Tests read like a member's story:

    member = Member(bot, 501, "ru")
    await member.sends("/case Юсифли")
    assert "Асиф Юсифли" in member.last_reply.text
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.i18n import Catalogs, Translator
from bot.tryout.driver import LocalBot
from bot.tryout.standin import SentMessage

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = Catalogs(ROOT / "locales")


def tr(lang: str) -> Translator:
    return CATALOGS.get(lang)


class Member:
    """A Telegram user talking to the bot, in a private chat or in a group."""

    def __init__(self, bot: LocalBot, user_id: int, language_code: str | None = "en",
                 chat_id: int | None = None, chat_type: str = "private") -> None:
        self.bot, self.user_id, self.language_code = bot, user_id, language_code
        self.chat_id = chat_id if chat_id is not None else user_id
        self.chat_type = chat_type
        self.last_answer: dict[str, object] | None = None

    @property
    def replies(self) -> list[SentMessage]:
        return self.bot.api.messages(self.chat_id)

    @property
    def last_reply(self) -> SentMessage:
        message = self.bot.api.last_message(self.chat_id)
        assert message is not None, "the bot has not said anything in this chat"
        return message

    async def sends(self, text: str) -> list[SentMessage]:
        """Send `text`; returns the new messages the bot sent in reply."""
        before = len(self.replies)
        await self.bot.message(self.user_id, text, language_code=self.language_code,
                               chat_id=self.chat_id, chat_type=self.chat_type)
        return self.replies[before:]

    async def sends_update(self, payload: dict[str, object]) -> list[SentMessage]:
        before = len(self.replies)
        await self.bot.update(self.user_id, payload, language_code=self.language_code, chat_id=self.chat_id)
        return self.replies[before:]

    async def sends_document(self, file_name: str, data: bytes) -> list[SentMessage]:
        before = len(self.replies)
        await self.bot.document(self.user_id, file_name, data, language_code=self.language_code,
                                chat_id=self.chat_id)
        return self.replies[before:]

    def keyboard_message(self) -> SentMessage:
        for message in reversed(self.replies):
            if message.buttons() and not message.deleted:
                return message
        raise AssertionError("no message with buttons in this chat")

    def button_labels(self) -> list[str]:
        return [b["text"] for b in self.keyboard_message().buttons()]

    async def presses(self, label: str) -> SentMessage:
        """Press the button whose text contains `label` on the latest keyboard; returns that message."""
        message = self.keyboard_message()
        matches = [b for b in message.buttons() if label in b["text"]]
        assert matches, f"no button {label!r} among {[b['text'] for b in message.buttons()]}"
        assert "callback_data" in matches[0], f"{label!r} is a link button"
        return await self.presses_data(message, matches[0]["callback_data"])

    async def presses_data(self, message: SentMessage, data: str) -> SentMessage:
        """Send callback data for `message`, even data no button carries (forged or stale)."""
        query_id = await self.bot.press(self.user_id, message.message_id, data,
                                        language_code=self.language_code, chat_id=self.chat_id)
        self.last_answer = self.bot.api.callback_answers.get(query_id)
        return message


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[LocalBot]:
    async with LocalBot(tmp_path / "data") as running:
        yield running
