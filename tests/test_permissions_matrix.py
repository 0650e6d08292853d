"""Who may do what, for every handler `bot.app.register` wires: over HTTP against the stand-in.

The rows are read from the registration, so a new admin command, admin button or group setting is tried without
anyone adding it here (and one of a kind this file cannot try fails, saying so):

- an admin handler is one whose function is guarded by `@admins_only`, one that asks `is_admin`, or one inside a
  conversation (the admins' drafts), which only a guarded entry opens;
- a group setting is a handler that asks `may_change_chat`.

Each is tried by someone who may not: a member in their private chat and a group's own admin, who is not one of
the campaign's, for the admin handlers; a member of a forum who is not its admin, in its General topic and in a
topic, for the group settings. None succeeds, and nothing stored changes (`tests/hostile.py`'s `Harness.act`
also checks that nothing is logged at ERROR, that no error text is shown and that the answer is in the sender's
language). The same input from someone who may shows that it reaches the handler: the campaign's admin is not
refused, the forum's admin is not told that only admins may.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import find
from hypothesis import strategies as st
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot import LANGUAGES, rate_limit, render
from bot.config import Settings
from bot.content import read_content_dir
from bot.model import ALL
from bot.render.info import ADMIN_COMMANDS
from bot.tryout.driver import LocalBot
from tests.conftest import ROOT, Member, tr
from tests.hostile import (
    BOT_USERNAME,
    ErrorLog,
    Harness,
    Reply,
    calls,
    conversations,
    expected_language,
    guarded,
    inside,
    kind_of,
    name_of,
    registered,
)

ADMIN = 90001
MEMBER = 9501
SUBSCRIBER = 9502
FORUM = -1009600
GROUP_ADMIN = 9601
GROUP_MEMBER = 9602
CASE_IDS = sorted(item.id for item in read_content_dir(ROOT / "content") if item.kind == "case")
CHANGED_CASE = (ROOT / "content" / "cases" / "asif-yusifli.yaml").read_bytes().replace(b"order: 10", b"order: 11")
"""A content file the admin may send: a case as it is, one field changed."""

HANDLERS = registered()
IN_CONVERSATIONS = {name_of(h) for conversation in conversations() for h in inside(conversation)}


def is_admin_handler(handler: BaseHandler[Any, Any, Any]) -> bool:
    return guarded(handler) or calls(handler, "is_admin") or name_of(handler) in IN_CONVERSATIONS


def row_id(handler: BaseHandler[Any, Any, Any]) -> str:
    what = (sorted(handler.commands)[0] if isinstance(handler, CommandHandler)
            else getattr(getattr(handler, "pattern", None), "pattern", "") or type(handler).__name__)
    return f"{name_of(handler)}[{what}]"


ADMIN_ROWS = {row_id(h): h for h in HANDLERS if is_admin_handler(h)}
GROUP_ROWS = {row_id(h): h for h in HANDLERS if calls(h, "may_change_chat")}


def simplest(pattern: re.Pattern[str]) -> str:
    """The simplest callback data `pattern` accepts (Hypothesis' smallest example of it)."""
    return find(st.from_regex(pattern, fullmatch=True), lambda _: True)


GROUP_DATA_VALUES = [*LANGUAGES, *CASE_IDS, ALL, "yes", "no"]
GROUP_DATA_SCREENS = ["", "c:", "m:", "l:", "s:"]


def group_data(pattern: re.Pattern[str]) -> list[str]:
    """Data that a group setting's button takes and that names something real: a language, a case, all of them."""
    kind = kind_of(pattern)
    return [data for screen in GROUP_DATA_SCREENS for value in GROUP_DATA_VALUES
            if pattern.fullmatch(data := f"{kind}:{screen}{value}")]


# --- the campaign they are tried in ----------------------------------------------------------------------------------


class Campaign(Harness):
    """A bot with something for every admin handler to act on: a running broadcast (paused by a flood wait), an
    admin's draft at its preview, an admin's content file waiting to be applied; a forum with a topic."""

    def __init__(self, bot: LocalBot, errors: ErrorLog) -> None:
        super().__init__(bot, errors)
        self.admin = Member(bot, ADMIN, "en")
        self.member = Member(bot, MEMBER, "ru")
        self.topic = 0

    def in_forum(self, user_id: int, language: str, topic: bool) -> Member:
        return Member(self.bot, user_id, language, chat_id=FORUM, chat_type="supergroup",
                      thread_id=self.topic if topic else None)

    async def set_up(self) -> None:
        bot, api = self.bot, self.bot.api
        api.make_forum(FORUM)
        api.set_group_admins(FORUM, [GROUP_ADMIN])
        self.topic = api.create_topic(FORUM, "Cases", by=GROUP_ADMIN)
        for where in (False, True):
            await self.in_forum(GROUP_ADMIN, "az", where).sends(f"/subscribe@{BOT_USERNAME} asif")
        await bot.services.store.chats.subscribe(SUBSCRIBER, ALL, "en")
        api.add_chats([SUBSCRIBER])
        api.fail("sendMessage", 429, times=1_000_000, chat_id=SUBSCRIBER, retry_after=3600)
        general = tr("en")._("General updates")
        await self.admin.sends("/push")
        await self.admin.presses(general)
        for text in ("A broadcast that waits.", "/skip", "/skip"):
            await self.admin.sends(text)
        await self.admin.presses(tr("en")._("Confirm and send"))
        [broadcast] = await bot.services.store.outbox.running()
        async with asyncio.timeout(30):  # until the flood wait is recorded: nothing changes in the store after that
            while (await bot.services.store.outbox.get(broadcast.id)).paused_until is None:  # type: ignore[union-attr]
                await asyncio.sleep(0.01)
        await self.admin.sends("/push")
        await self.admin.presses(general)
        for text in ("A draft left at its preview.", "/skip", "/skip"):
            await self.admin.sends(text)
        await self.admin.sends_document("asif-yusifli.yaml", CHANGED_CASE)
        for member in (self.member, self.in_forum(GROUP_ADMIN, "az", False), self.in_forum(GROUP_MEMBER, "en", False),
                       self.in_forum(GROUP_MEMBER + 1, "en", True)):
            await member.sends("/help" if member.chat_type == "private" else f"/help@{BOT_USERNAME}")

    def admin_data(self, pattern: re.Pattern[str]) -> list[str]:
        """The simplest data `pattern` takes, and the data of every admin's button it takes (copied)."""
        real = [b["callback_data"] for m in self.bot.api.messages(ADMIN) for b in m.buttons() if "callback_data" in b]
        return list(dict.fromkeys([simplest(pattern), *(data for data in real if pattern.search(data))]))

    def drafts_of(self, user_id: int) -> int:
        assert self.bot.application is not None
        user_data = self.bot.application.user_data.get(user_id)
        return len(getattr(user_data, "drafts", {}) or {})


@pytest.fixture
async def campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Campaign]:
    monkeypatch.setattr(rate_limit, "GROUP_RATE", 1_000_000)  # the forum's replies: not at Telegram's 20 a minute
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        async with LocalBot(tmp_path / "data", settings=Settings(admin_ids=frozenset({ADMIN}), send_rate=0)) as bot:
            harness = Campaign(bot, errors)
            await harness.set_up()
            errors.take()  # the paused broadcast's flood wait is a warning; set-up is not under test
            yield harness
    finally:
        logging.getLogger().removeHandler(errors)


def refused(reply: Reply, lang: str) -> bool:
    text = render.refusal(tr(lang))
    return any(m.text == text for m in reply.messages) or text in reply.notices


def told_admins_only(reply: Reply, lang: str) -> bool:
    text = render.group_admins_only(tr(lang))
    return any(m.text == text for m in reply.messages) or text in reply.notices


# --- the tables' shape --------------------------------------------------------------------------------------------


def test_the_tables_are_read_from_the_registration() -> None:
    names = {name_of(h) for h in ADMIN_ROWS.values()}
    assert {"admin.push", "admin.correct", "admin.broadcasts", "admin.stats", "admin.cancel_broadcast",
            "admin_content.decided", "admin_content.received", "admin.decided"} <= names
    assert {"language.chosen", "subscriptions.subscribe_command", "subscriptions.subscription_button",
            "subscriptions.quiet_command", "subscriptions.forget_button"} <= {name_of(h) for h in GROUP_ROWS.values()}


def test_only_a_guarded_handler_opens_a_conversation() -> None:
    """A conversation's states are reached only through its entries: all of them must be for admins."""
    for conversation in conversations():
        assert all(guarded(entry) for entry in conversation.entry_points), conversation.name


def test_the_admins_help_lists_every_guarded_command_and_only_those() -> None:
    guarded_commands = {c for h in HANDLERS if isinstance(h, CommandHandler) and guarded(h) for c in h.commands}
    assert guarded_commands == {command for command, _ in ADMIN_COMMANDS}


# --- admin handlers, by anyone else ------------------------------------------------------------------------------


@pytest.mark.parametrize("row", sorted(ADMIN_ROWS))
async def test_no_admin_command_or_button_works_for_anyone_else(campaign: Campaign, row: str) -> None:
    handler = ADMIN_ROWS[row]
    member, group_admin = campaign.member, campaign.in_forum(GROUP_ADMIN, "az", False)
    conversation_only = not guarded(handler) and name_of(handler) in IN_CONVERSATIONS
    if isinstance(handler, CommandHandler):
        attempts = [(who, f"/{command}{at}{argument}") for command in sorted(handler.commands)
                    for argument in ("", " 1", " asif")
                    for who, at in ((member, ""), (group_admin, f"@{BOT_USERNAME}"))]
        replies = [(who, await campaign.says(who, text)) for who, text in attempts]
        control = [await campaign.says(campaign.admin, text, admin=True) for who, text in attempts if who is member]
    elif isinstance(handler, CallbackQueryHandler) and isinstance(handler.pattern, re.Pattern):
        data = campaign.admin_data(handler.pattern)
        replies = [(who, await campaign.presses(who, value)) for value in data for who in (member, group_admin)]
        control = [await campaign.presses(campaign.admin, value, admin=True) for value in data]
    elif isinstance(handler, MessageHandler) and calls(handler, "is_admin"):  # a content file
        replies = [(member, await campaign.act(member, lambda: campaign.bot.document(
            MEMBER, "asif-yusifli.yaml", CHANGED_CASE, language_code=member.language_code), may_change=False))]
        control = [await campaign.act(campaign.admin, lambda: campaign.bot.document(
            ADMIN, "asif-yusifli.yaml", CHANGED_CASE, language_code="en"), may_change=False, admin=True)]
    elif isinstance(handler, MessageHandler) and conversation_only:  # a draft's text, from someone with no draft
        replies = [(who, await campaign.says(who, text)) for who in (member, group_admin)
                   for text in ("A text for a draft.", "tomorrow 10:00")]
        control = []
    else:
        pytest.fail(f"{row}: this file does not know how to try a {type(handler).__name__}; teach it")
    for who, reply in replies:
        assert campaign.drafts_of(who.user_id) == 0, f"{row}: a draft was opened for {who.user_id}"
        if not conversation_only:
            assert refused(reply, who.language_code or "en"), f"{row}: not refused to {who.user_id}: {reply}"
    assert all(not refused(reply, "en") for reply in control), f"{row}: the campaign's admin was refused"


# --- group settings, by a member who is not the group's admin -----------------------------------------------------


@pytest.mark.parametrize("row", sorted(GROUP_ROWS))
async def test_no_group_setting_is_changed_by_a_member_who_does_not_run_the_group(campaign: Campaign, row: str) -> None:
    handler = GROUP_ROWS[row]

    async def attempts(who: Member, may_change: bool) -> list[Reply]:
        if isinstance(handler, CommandHandler):
            return [await campaign.says(who, f"/{command}@{BOT_USERNAME}{argument}", may_change=may_change)
                    for command in sorted(handler.commands) for argument in ("", " asif", " all", " Imanov")]
        if isinstance(handler, CallbackQueryHandler) and isinstance(handler.pattern, re.Pattern):
            data = group_data(handler.pattern)
            assert data, f"{row}: no data for its button; add values to GROUP_DATA_VALUES"
            return [await campaign.presses(who, value, may_change=may_change) for value in data]
        pytest.fail(f"{row}: this file does not know how to try a {type(handler).__name__}; teach it")

    for topic in (False, True):  # in the General topic, then in a topic (its own record)
        member = campaign.in_forum(GROUP_MEMBER + topic, "en", topic)
        lang = await expected_language(campaign.bot, member)  # the group's
        replies = await attempts(member, may_change=False)
        assert any(told_admins_only(reply, lang) for reply in replies), (
            f"{row}: the member was never told that only the group's admins may")
        if isinstance(handler, CallbackQueryHandler):  # data naming no case gets the out-of-date notice before that
            assert all(told_admins_only(reply, lang) or render.stale_button(tr(lang)) in reply.notices
                       for reply in replies), f"{row}: a press was answered with neither notice"
        control = await attempts(campaign.in_forum(GROUP_ADMIN, "az", topic), may_change=True)
        assert not any(told_admins_only(reply, lang) for reply in control), f"{row}: the group's admin was refused"
        assert any(reply.messages or reply.notices for reply in control), f"{row}: the group's admin got no answer"
