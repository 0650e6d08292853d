"""Behaviour-test harness: the real bot, over real HTTP, against the Bot API stand-in on 127.0.0.1.

Tests read like a member's story:

    member = Member(bot, 501, "ru")
    await member.sends("/case Юсифли")
    assert "Асиф Юсифли" in member.last_reply.text
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, settings

from bot.i18n import Catalogs, Translator
from bot.tryout.driver import LocalBot
from bot.tryout.standin import SentMessage
from bot.tryout.standin.inline import InlineAnswer

ROOT = Path(__file__).resolve().parent.parent

# Generated updates (tests/test_hostile.py): one running bot takes every example of a test, so its fixtures are
# function-scoped on purpose; a test's time is the bot's, not a deadline's. `ci` (the default) runs the same
# examples on every run; HYPOTHESIS_PROFILE=thorough runs ten times as many new ones (with `--timeout 0`).
settings.register_profile("ci", max_examples=300, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                 HealthCheck.data_too_large, HealthCheck.filter_too_much])
settings.register_profile("thorough", settings.get_profile("ci"), max_examples=3000, derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
CATALOGS = Catalogs(ROOT / "locales")


def tr(lang: str) -> Translator:
    return CATALOGS.get(lang)


class Member:
    """A Telegram user talking to the bot, in a private chat or in a group (in a forum, in the topic `thread_id`;
    None: the General topic)."""

    def __init__(self, bot: LocalBot, user_id: int, language_code: str | None = "en",
                 chat_id: int | None = None, chat_type: str = "private", thread_id: int | None = None) -> None:
        self.bot, self.user_id, self.language_code = bot, user_id, language_code
        self.chat_id = chat_id if chat_id is not None else user_id
        self.chat_type = chat_type
        self.thread_id = thread_id
        self.last_answer: dict[str, object] | None = None
        self.inline_query_id: str | None = None

    @property
    def replies(self) -> list[SentMessage]:
        """The bot's messages in this chat (in a forum: in this topic)."""
        return [m for m in self.bot.api.messages(self.chat_id) if m.thread_id == self.thread_id]

    @property
    def last_reply(self) -> SentMessage:
        replies = self.replies
        assert replies, "the bot has not said anything in this chat"
        return replies[-1]

    async def sends(self, text: str) -> list[SentMessage]:
        """Send `text`; returns the new messages the bot sent in reply."""
        before = len(self.replies)
        await self.bot.message(self.user_id, text, language_code=self.language_code,
                               chat_id=self.chat_id, chat_type=self.chat_type, thread_id=self.thread_id)
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

    async def inline(self, query: str, *, offset: str = "") -> InlineAnswer:
        """Type `@<bot> query` in a chat (inline mode); returns the bot's answer."""
        self.inline_query_id = await self.bot.inline(self.user_id, query, offset=offset,
                                                     language_code=self.language_code)
        answer = self.bot.api.inline.answers.get(self.inline_query_id)
        assert answer is not None, "the bot did not answer the inline query"
        return answer

    def shares(self, result_id: str, chat_id: int) -> SentMessage:
        """Pick a result of the last inline answer: it goes into `chat_id` as this member's message, via the bot."""
        assert self.inline_query_id is not None, "no inline query to pick a result from"
        return self.bot.api.choose_inline_result(self.user_id, self.inline_query_id, result_id, chat_id)

    async def opens(self, url: str) -> list[SentMessage]:
        """Follow a `https://t.me/<bot>?start=<payload>` link: Telegram opens this member's private chat with the
        bot, and its Start button sends `/start <payload>` there. Returns the bot's answers in that chat."""
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc, parts.path) == ("https", "t.me", "/" + self.bot.api.bot_user["username"])
        [payload] = parse_qs(parts.query)["start"]
        before = len(self.bot.api.messages(self.user_id))
        await self.bot.message(self.user_id, f"/start {payload}", language_code=self.language_code)
        return self.bot.api.messages(self.user_id)[before:]

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
