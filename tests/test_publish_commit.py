"""Publishing is one commit point: after a stop at any moment, an update is either not published, and the admin's
draft is still there to confirm under its preview, or published with its broadcast; and a Confirm pressed again,
before or after a restart, never sends twice. Over HTTP against the stand-in, restarting the bot on its data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.model import ALL, PREVIEWED, PUBLISHED
from bot.tryout.driver import LocalBot
from bot.tryout.standin import LocalBotAPI, SentMessage
from tests.conftest import Member, tr
from tests.test_broadcast import ADMIN, finish_broadcasts, subscribers
from tests.test_desk import write_draft

SETTINGS = Settings(admin_ids=frozenset({ADMIN}))
TEXTS = {"en": "The appeal hearing is on Monday."}


@pytest.fixture
async def api() -> AsyncIterator[LocalBotAPI]:
    api = LocalBotAPI()
    await api.start()
    yield api
    await api.stop()


def confirm_button(admin: Member) -> tuple[SentMessage, str]:
    summary = admin.keyboard_message()
    return summary, next(b["callback_data"] for b in summary.buttons() if tr("en")._("Confirm and send") in b["text"])


def copies(api: LocalBotAPI, members: list[Member]) -> list[int]:
    return [sum(1 for m in api.messages(member.chat_id) if m.from_bot and TEXTS["en"] in m.text) for member in members]


async def test_a_preview_confirmed_after_a_restart_goes_out_once(tmp_path: Path, api: LocalBotAPI) -> None:
    data = tmp_path / "data"
    async with LocalBot(data, settings=SETTINGS, api=api) as campaign:
        members = await subscribers(campaign, ALL, 3)
        admin = Member(campaign, ADMIN, "en")
        await write_draft(campaign, admin, TEXTS)
        summary, confirm = confirm_button(admin)
    async with LocalBot(data, settings=SETTINGS, api=api) as campaign:  # the draft in memory is gone; its copy is not
        await campaign.press(ADMIN, summary.message_id, confirm, language_code="en")
        await campaign.press(ADMIN, summary.message_id, confirm, language_code="en")  # pressed twice
        await finish_broadcasts(campaign)
        assert copies(api, members) == [1, 1, 1]
        [request] = await campaign.services.store.requests.listed({PUBLISHED})
        assert request.broadcast is not None
    async with LocalBot(data, settings=SETTINGS, api=api) as campaign:  # and once more after another restart
        await campaign.press(ADMIN, summary.message_id, confirm, language_code="en")
        await finish_broadcasts(campaign)
        assert copies(api, members) == [1, 1, 1]
        assert len(await campaign.services.store.outbox.recent(None)) == 1


async def test_a_stop_between_the_timeline_and_the_outbox_leaves_the_draft_to_confirm(
        tmp_path: Path, api: LocalBotAPI) -> None:
    data = tmp_path / "data"
    async with LocalBot(data, settings=SETTINGS, api=api) as campaign:
        members = await subscribers(campaign, ALL, 2)
        admin = Member(campaign, ADMIN, "en")
        await write_draft(campaign, admin, TEXTS)
        summary, confirm = confirm_button(admin)

        async def dies(*args: Any, **kwargs: Any) -> None:  # as if the process stopped between the two writes
            raise OSError("the outbox could not be written")

        campaign.services.store.outbox.create = dies  # type: ignore[method-assign,assignment]
        await campaign.press(ADMIN, summary.message_id, confirm, language_code="en")
        assert len(await campaign.services.store.updates.history()) == 1  # in the timeline, with no broadcast
    async with LocalBot(data, settings=SETTINGS, api=api) as campaign:
        assert await campaign.services.store.updates.history() == []  # not published: taken out again
        [kept] = await campaign.services.store.requests.listed({PREVIEWED})  # and the draft is there to confirm
        await campaign.press(ADMIN, summary.message_id, confirm, language_code="en")
        await finish_broadcasts(campaign)
        assert copies(api, members) == [1, 1]
        assert [u.texts["en"] for u in await campaign.services.store.updates.history()] == [TEXTS["en"]]
        assert (await campaign.services.store.requests.get(kept.id)).state == PUBLISHED  # type: ignore[union-attr]


async def test_a_rewritten_drafts_old_preview_does_not_send_after_a_restart(tmp_path: Path, api: LocalBotAPI) -> None:
    data = tmp_path / "data"
    async with LocalBot(data, settings=SETTINGS, api=api) as campaign:
        members = await subscribers(campaign, ALL, 2)
        admin = Member(campaign, ADMIN, "en")
        await write_draft(campaign, admin, TEXTS)
        summary, confirm = confirm_button(admin)
        await admin.presses(tr("en")._("Edit"))  # being rewritten: the old preview's Confirm must not send it
    async with LocalBot(data, settings=SETTINGS, api=api) as campaign:
        await campaign.press(ADMIN, summary.message_id, confirm, language_code="en")
        await finish_broadcasts(campaign)
        assert copies(api, members) == [0, 0]
        assert await campaign.services.store.outbox.recent(None) == []
