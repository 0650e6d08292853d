"""What a new member met in a try-out, kept fixed: each a member's story over HTTP against the stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.driver import LocalBot
from tests.conftest import Member, tr
from tests.test_broadcast import ADMIN, GENERAL_LABEL, TEXTS, push


@pytest.fixture
async def campaign(tmp_path: Path) -> AsyncIterator[LocalBot]:
    async with LocalBot(tmp_path / "data", settings=Settings(admin_ids=frozenset({ADMIN}))) as running:
        yield running


@pytest.mark.parametrize("label", ["My subscriptions", "Open the case"])
async def test_a_button_under_a_delivered_update_leaves_the_update_in_the_chat(campaign: LocalBot,
                                                                              label: str) -> None:
    member = Member(campaign, 701, "en")
    await member.sends("/subscribe all")
    topic = GENERAL_LABEL if label == "My subscriptions" else "Asif Yusifli"
    await push(campaign, topic, TEXTS)
    update = member.last_reply
    assert TEXTS["en"] in update.text
    before = len(member.replies)
    await member.presses(tr("en")._(label))
    assert update.edits == 0 and not update.deleted and TEXTS["en"] in update.text
    [answer] = member.replies[before:]
    expected = tr("en")._("You follow:") if label == "My subscriptions" else "Asif Yusifli"
    assert expected in answer.text
