"""What a new member met in a try-out, kept fixed: each a member's story over HTTP against the stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.tryout.driver import LocalBot
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


@pytest.mark.parametrize("query", ["Мамедов", "Ibrahimov"])
async def test_a_common_surname_that_only_resembles_a_name_is_offered_not_opened(bot: LocalBot, query: str) -> None:
    member = Member(bot, 711, "en")
    [reply] = await member.sends(query)
    assert reply.text == tr("en")._("Did you mean…")
    assert member.button_labels() == ["Mammad Ibrahim"]
    [reply] = await member.sends("/subscribe " + query)  # a guess subscribes to nothing: it asks
    assert await bot.services.store.chats.get(711) is None
    assert "Mammad Ibrahim" in member.button_labels()
    await member.presses("Mammad Ibrahim")
    assert (await bot.services.store.chats.get(711)).subscriptions == ("mammad-ibrahim",)  # type: ignore[union-attr]


async def test_a_sure_name_still_opens_the_card(bot: LocalBot) -> None:
    member = Member(bot, 712, "ru")
    [reply] = await member.sends("Ибрагим")
    assert reply.text.startswith("Мамед Ибрагим")


async def test_a_member_who_never_chose_a_language_follows_their_app(campaign: LocalBot) -> None:
    member = Member(campaign, 713, "az")
    await member.sends("/subscribe all")
    member.language_code = "ru"  # they switch their Telegram app to Russian
    [reply] = await member.sends("/subscriptions")
    assert tr("ru")._("You follow:") in reply.text
    await push(campaign, GENERAL_LABEL, TEXTS)
    assert TEXTS["ru"] in member.last_reply.text
    [reply] = await member.sends("/mydata")
    assert tr("ru")._("Language: {value} (as your Telegram app; /language to choose one)").format(
        value="Русский") in reply.text


async def test_a_chosen_language_stays_whatever_the_app_says(campaign: LocalBot) -> None:
    member = Member(campaign, 714, "en")
    await member.sends("/language")
    await member.presses("Azərbaycanca")
    await member.sends("/subscribe all")
    member.language_code = "ru"
    [reply] = await member.sends("/subscriptions")
    assert tr("az")._("You follow:") in reply.text
    await push(campaign, GENERAL_LABEL, TEXTS)
    assert TEXTS["az"] in member.last_reply.text


async def test_unsubscribe_all_drops_what_the_list_calls_all_updates(bot: LocalBot) -> None:
    member = Member(bot, 715, "en")
    await member.sends("/subscribe Yusifli")
    await member.sends("/subscribe all")
    [listing] = await member.sends("/subscriptions")
    assert tr("en")._("All updates") in listing.text and "Asif Yusifli" in listing.text
    [reply] = await member.sends("/unsubscribe all")
    assert tr("en")._("Unsubscribed: {name}.").format(name=tr("en")._("All updates")) in reply.text
    assert tr("en")._("You still follow: {names}. /subscriptions to stop following them.").format(
        names="Asif Yusifli") in reply.text
    assert (await bot.services.store.chats.get(715)).subscriptions == ("asif-yusifli",)  # type: ignore[union-attr]
