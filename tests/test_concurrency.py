"""Many chats at once: each is answered, in order within a chat, and no chat waits for another's queue.

Updates are queued at the stand-in without waiting for the bot in between, as a crowd's would arrive;
the stand-in answers every request after a delay, as Telegram's round trips take time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.tryout.driver import LocalBot, TrackedApplication
from tests.conftest import Member, tr

ADMIN = 90003
CASES = [("asif", "Asif Yusifli"), ("imanov", "Bakhtiyar Imanov"), ("fuad", "Fuad Gakhramanli"),
         ("ibrahim", "Mammad Ibrahim")]


@pytest.fixture
async def slow_api_bot(tmp_path: Path) -> AsyncIterator[LocalBot]:
    settings = Settings(admin_ids=frozenset({ADMIN}), send_rate=0)
    async with LocalBot(tmp_path / "data", settings=settings, latency=0.05) as running:
        yield running


def _application(bot: LocalBot) -> TrackedApplication:
    assert bot.application is not None
    return bot.application


async def _all_processed(bot: LocalBot, update_ids: list[int]) -> None:
    await asyncio.gather(*(_application(bot).wait_processed(u) for u in update_ids))


async def test_interleaved_updates_from_many_chats_are_each_answered_in_order(slow_api_bot: LocalBot) -> None:
    api = slow_api_bot.api
    members = list(range(3001, 3021))
    queued = []
    for query, _ in CASES:  # each member sends the four names in turn, the crowd interleaved
        for user in members:
            queued.append(api.user_message(user, f"/case {query}"))
    await _all_processed(slow_api_bot, queued)
    for user in members:
        answers = [m.text.split("\n")[0] for m in api.messages(user)]
        assert answers == [name for _, name in CASES], user


async def test_the_crowd_is_handled_side_by_side_not_one_after_another(slow_api_bot: LocalBot) -> None:
    """40 members at 50 ms a round trip: one at a time would take 2 s of waiting; side by side, a fraction.
    Not a timing threshold: the stand-in counts how many requests it held at the same moment."""
    api = slow_api_bot.api
    queued = [api.user_message(user, "/case asif") for user in range(3101, 3141)]
    await _all_processed(slow_api_bot, queued)
    assert all(len(api.messages(user)) == 1 for user in range(3101, 3141))
    assert api.max_concurrent_requests > 1


async def test_a_button_pressed_right_after_a_command_is_handled_after_it(slow_api_bot: LocalBot) -> None:
    member = Member(slow_api_bot, 3201, "en")
    [card] = await member.sends("/case asif")
    api = slow_api_bot.api
    first = api.user_message(3201, "/subscribe Imanov")
    subscribe = next(b["callback_data"] for b in card.buttons() if tr("en")._("Subscribe") in b["text"])
    api.press_button(3201, card.message_id, subscribe)
    await _all_processed(slow_api_bot, [first, api.last_update_id])
    record = await slow_api_bot.services.store.chats.get(3201)
    assert record is not None and record.subscriptions == ("bakhtiyar-imanov", "asif-yusifli")


@pytest.mark.slow  # the group's last answers wait for its 20 a minute before the bot can stop
async def test_a_flood_in_one_group_does_not_delay_a_private_chat(tmp_path: Path) -> None:
    settings = Settings(send_rate=0)
    async with LocalBot(tmp_path / "data", settings=settings, group_per_minute=20) as bot:
        api = bot.api
        flood = [api.user_message(5000 + n, "/help", chat_id=-1004242) for n in range(30)]
        private = api.user_message(3301, "/cases")
        await _application(bot).wait_processed(private)
        assert api.messages(3301)  # answered…
        assert len(api.messages(-1004242)) < 30  # …while the group's answers still wait for its 20 a minute
        assert not all(_application(bot).processed(u) for u in flood)


async def test_an_admins_draft_survives_a_crowd_writing_at_the_same_time(slow_api_bot: LocalBot) -> None:
    api = slow_api_bot.api
    admin = Member(slow_api_bot, ADMIN, "en")
    await admin.sends("/push")
    await admin.presses(tr("en")._("General updates"))
    queued = []
    for step, text in enumerate(("Draft text.", "/skip", "/skip")):
        queued += [api.user_message(user, "/case asif") for user in range(3401 + step * 10, 3411 + step * 10)]
        queued.append(api.user_message(ADMIN, text))
    await _all_processed(slow_api_bot, queued)
    assert tr("en")._("Confirm and send") in admin.button_labels()[0]
    assert "Draft text." in "".join(m.text for m in admin.replies)
