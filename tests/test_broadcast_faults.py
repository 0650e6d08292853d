"""A broadcast that meets an error the sender does not expect, over HTTP against the stand-in.

The stand-in answers one member's chat with an odd error (a 409, which PTB raises as `Conflict`, a
`TelegramError` the sender has no case for): that delivery must end `failed` after a bounded number of
tries, the broadcast must be done only once it has, the admin's report must count it as failed, and no
log line may name the chat.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Bot
from telegram.error import BadRequest, Conflict

from bot.broadcast import UNEXPECTED_ATTEMPTS, Broadcaster
from bot.config import Settings
from bot.model import ALL, DONE, EDIT, FAILED, PENDING, SENDING, SENT, Broadcast, Outgoing, Target
from bot.store import Store
from bot.tryout.driver import LocalBot
from bot.tryout.standin import LocalBotAPI
from tests.conftest import tr
from tests.test_broadcast import ADMIN, push, subscribers
from tests.test_broadcaster import InstantClock

ODD = "Conflict: something this sender has never heard of"


@pytest.fixture
async def campaign(tmp_path: Path) -> AsyncIterator[LocalBot]:
    async with LocalBot(tmp_path / "data", settings=Settings(admin_ids=frozenset({ADMIN}))) as running:
        yield running


def sends_to(bot: LocalBot, chat_id: int) -> int:
    return sum(1 for method, params in bot.api.calls
               if method.lower() == "sendmessage" and int(str(params.get("chat_id"))) == chat_id)


async def test_a_member_whose_send_keeps_failing_oddly_is_counted_failed_and_the_broadcast_waits(
        campaign: LocalBot, caplog: pytest.LogCaptureFixture) -> None:
    members = await subscribers(campaign, ALL, 4, first_id=4000)
    odd = members[1]
    campaign.api.fail("sendMessage", 409, times=100, description=ODD, chat_id=odd.chat_id)
    with caplog.at_level(logging.DEBUG, logger="bot"):
        admin = await push(campaign, tr("en")._("General updates"), {"en": "The trial was postponed."})

    assert odd.replies == [] and all(len(m.replies) == 1 for m in members if m is not odd)
    assert sends_to(campaign, odd.chat_id) == UNEXPECTED_ATTEMPTS  # tried again, a bounded number of times
    [broadcast] = await campaign.services.store.outbox.recent(1)
    counts = await campaign.services.store.outbox.counts(broadcast.id)
    assert broadcast.state == DONE
    assert +counts == {SENT: 3, FAILED: 1}, counts  # nothing left pending or in flight
    [delivery] = [d for d in await campaign.services.store.outbox.deliveries(broadcast.id)
                  if d.chat_id == odd.chat_id]
    assert delivery.status == FAILED

    report = tr("en")._("#{id} done: {sent} delivered, {failed} failed, {blocked} blocked the bot, {unknown} unknown, "
                        "{pending} not sent.").format(id=broadcast.id, sent=3, failed=1, blocked=0, unknown=0,
                                                      pending=0)
    assert admin.last_reply.text == report  # the admin reads it as failed, once the broadcast is done

    said = [r for r in caplog.records if r.name.startswith("bot.broadcast") and "Conflict" in r.getMessage()]
    assert said and any(r.levelno >= logging.WARNING and "failed" in r.getMessage() for r in said)
    for record in caplog.records:  # no personal data: the chat's id is in no log line
        assert str(odd.chat_id) not in record.getMessage(), record.getMessage()


async def test_an_odd_error_that_passes_is_retried_and_delivered(campaign: LocalBot) -> None:
    members = await subscribers(campaign, ALL, 3, first_id=5000)
    campaign.api.fail("sendMessage", 409, times=1, description=ODD, chat_id=members[2].chat_id)
    await push(campaign, tr("en")._("General updates"), {"en": "The trial was postponed."})
    assert all(len(m.replies) == 1 for m in members)
    assert sends_to(campaign, members[2].chat_id) == 2
    [broadcast] = await campaign.services.store.outbox.recent(1)
    counts = await campaign.services.store.outbox.counts(broadcast.id)
    assert +counts == {SENT: 3} and not counts[PENDING] and not counts[SENDING]


async def test_the_stand_in_fails_one_chat_on_request(tmp_path: Path) -> None:
    """The control this needs: `fail(..., chat_id=...)`, from Python and over `POST /_control/fail`."""
    api = LocalBotAPI()
    await api.start()
    try:
        api.add_chats([11, 12, 13])
        async with Bot("123456:TEST", base_url=api.base_url, base_file_url=api.base_file_url) as bot, \
                httpx.AsyncClient(base_url=api.base_url.removesuffix("/bot")) as http:
            api.fail("sendMessage", 409, times=2, description=ODD, chat_id=11)
            answer = await http.post("/_control/fail", json={"method": "sendMessage", "code": 409,
                                                             "chat_id": 12, "description": ODD})
            assert answer.json()["ok"] is True
            await bot.send_message(13, "others are answered as usual")
            for chat_id in (11, 11, 12):
                with pytest.raises(Conflict, match="never heard of"):
                    await bot.send_message(chat_id, "x")
            for chat_id in (11, 12, 13):  # each fault is used up
                await bot.send_message(chat_id, "x")
            api.fail("sendMessage", 409, times=5, chat_id=11)
            api.fail("sendMessage", 409, times=0, chat_id=11)  # stopped
            await bot.send_message(11, "x")
    finally:
        await api.stop()
    assert [len(api.messages(c)) for c in (11, 12, 13)] == [2, 1, 2]


NOT_MODIFIED = ("Message is not modified: specified new message content and reply markup are exactly the same as a "
                "current content and reply markup of the message")


class EditingBot:
    """Edits: the chats in `unchanged` already show the new text, so Telegram answers "not modified"."""

    def __init__(self, unchanged: set[int]) -> None:
        self.unchanged = unchanged
        self.edited: list[int] = []

    async def edit_message_text(self, text: str, *, chat_id: int, message_id: int, **_: Any) -> bool:
        if chat_id in self.unchanged:
            raise BadRequest(NOT_MODIFIED)
        self.edited.append(chat_id)
        return True


async def test_an_edit_telegram_calls_not_modified_counts_as_delivered(tmp_path: Path) -> None:
    """A correction resumed after a crash re-edits messages that already carry the new text."""
    store = Store(tmp_path)
    try:
        targets = [Target(chat, "en", False, message_id=700 + chat) for chat in (1, 2, 3)]
        correction = await store.outbox.create(EDIT, 1, ALL, 99, targets, source=1)
        bot = EditingBot(unchanged={1, 3})
        finals: list[Counter[str]] = []

        async def compose(_: Broadcast) -> dict[str, Outgoing]:
            return {"en": Outgoing("corrected")}

        async def report(_: Broadcast, counts: Counter[str], finished: bool) -> None:
            if finished:
                finals.append(counts)

        await Broadcaster(bot, store, compose, report, clock=InstantClock()).start(correction)  # type: ignore[arg-type]
        assert bot.edited == [2]
        deliveries = await store.outbox.deliveries(correction.id)
        assert [(d.status, d.message_id) for d in deliveries] == [(SENT, 701), (SENT, 702), (SENT, 703)]
        assert finals == [Counter({SENT: 3})]  # the admin reads 3 delivered, none failed
    finally:
        store.close()
