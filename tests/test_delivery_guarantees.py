"""Every member gets every update once, through a slow Bot API and failed calls, over HTTP against the stand-in.

Telegram has answered sends 15 s late in bad moments. A send that gives up before the answer cannot know whether
the member got the message: those (`unknown`) are sent once more when the rest is done, and the report says how
many members may have it twice. A call on the admin's screen that fails (a 502 on the Confirm's answer or on the
progress card) must not hold the broadcast back, and a second press of Confirm must not send it again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.model import ALL, SENT, SENT_AGAIN, UNKNOWN
from bot.tryout.driver import LocalBot
from tests.conftest import tr
from tests.test_broadcast import ADMIN, GENERAL_LABEL, draft_to_preview, finish_broadcasts, push, subscribers

SEND_TIMEOUT = 1.0
"""The tests' BOT_SEND_TIMEOUT: a late answer is 2 s late, not 15."""


@pytest.fixture
async def campaign(tmp_path: Path) -> AsyncIterator[LocalBot]:
    settings = Settings(admin_ids=frozenset({ADMIN}), send_timeout=SEND_TIMEOUT)
    async with LocalBot(tmp_path / "data", settings=settings) as running:
        yield running


def copies(bot: LocalBot, chat_id: int, text: str) -> int:
    return sum(1 for m in bot.api.messages(chat_id) if m.from_bot and text in m.text)


async def test_a_late_answer_within_the_send_timeout_is_waited_for(campaign: LocalBot) -> None:
    members = await subscribers(campaign, ALL, 3, first_id=5100)
    campaign.api.slow("sendMessage", SEND_TIMEOUT * 0.6, chat_id=members[0].chat_id)
    await push(campaign, GENERAL_LABEL, {"en": "Slow but sure."})
    assert [copies(campaign, m.chat_id, "Slow but sure.") for m in members] == [1, 1, 1]
    [broadcast] = await campaign.services.store.outbox.recent(1)
    assert +await campaign.services.store.outbox.counts(broadcast.id) == Counter({SENT: 3})


async def test_a_send_left_unanswered_is_sent_once_more_and_the_report_says_so(campaign: LocalBot) -> None:
    members = await subscribers(campaign, ALL, 4, first_id=5200)
    late = members[2]
    campaign.api.slow("sendMessage", SEND_TIMEOUT * 2, chat_id=late.chat_id)  # delivered, but answered too late
    admin = await push(campaign, GENERAL_LABEL, {"en": "The verdict is due."})

    assert [copies(campaign, m.chat_id, "The verdict is due.") for m in members] == [1, 1, 2, 1]
    [broadcast] = await campaign.services.store.outbox.recent(1)
    counts = await campaign.services.store.outbox.counts(broadcast.id)
    assert counts[SENT] == 4 and counts[UNKNOWN] == 0 and counts[SENT_AGAIN] == 1
    report = admin.last_reply.text
    assert "4 delivered" in report and tr("en").ngettext(
        "{count} member may have got it twice: Telegram did not answer the first send in time, so it was sent again.",
        "{count} members may have got it twice: Telegram did not answer the first send in time, so it was sent again.",
        1).format(count=1) in report


async def test_a_send_unanswered_twice_stays_unknown_and_is_not_sent_a_third_time(campaign: LocalBot) -> None:
    members = await subscribers(campaign, ALL, 2, first_id=5300)
    campaign.api.slow("sendMessage", SEND_TIMEOUT * 2, times=2, chat_id=members[0].chat_id)
    await push(campaign, GENERAL_LABEL, {"en": "Still no word."})
    assert copies(campaign, members[0].chat_id, "Still no word.") == 2
    [broadcast] = await campaign.services.store.outbox.recent(1)
    counts = await campaign.services.store.outbox.counts(broadcast.id)
    assert counts[UNKNOWN] == 1 and counts[SENT] == 1 and counts[SENT_AGAIN] == 1


async def test_a_failed_answer_to_confirm_does_not_hold_the_broadcast_and_a_second_press_sends_nothing(
        campaign: LocalBot) -> None:
    members = await subscribers(campaign, ALL, 3, first_id=5400)
    admin, summary, confirm = await draft_to_preview(campaign, ("Hearing moved to Monday.", "/skip", "/skip"))
    campaign.api.fail("answerCallbackQuery", 502, times=5)
    campaign.api.fail("editMessageText", 502, times=1, chat_id=ADMIN)  # the progress card's first edit
    await campaign.press(ADMIN, summary.message_id, confirm, language_code="en")
    await campaign.press(ADMIN, summary.message_id, confirm, language_code="en")
    await finish_broadcasts(campaign)
    assert [copies(campaign, m.chat_id, "Hearing moved to Monday.") for m in members] == [1, 1, 1]
    assert len(await campaign.services.store.outbox.recent(None)) == 1
    assert any("#1 done" in m.text for m in admin.replies)  # the report came, though the card's edit failed once
