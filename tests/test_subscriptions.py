"""A member's story with subscriptions and their data, over HTTP against the stand-in."""

from __future__ import annotations

import pytest

from bot.model import ALL
from bot.tryout.driver import LocalBot
from tests.conftest import Member, tr

LANGS = {"en": "en", "az": "az", "ru": "ru-RU"}


@pytest.mark.parametrize("lang", LANGS)
async def test_subscribe_and_unsubscribe_by_command(bot: LocalBot, lang: str) -> None:
    member = Member(bot, 601, LANGS[lang])
    t = tr(lang)
    case = bot.services.content.case("asif-yusifli")
    assert case is not None
    [reply] = await member.sends("/subscribe Yusifli")
    assert case.name[lang] in reply.text
    record = await bot.services.store.chats.get(601)
    assert record is not None and record.subscriptions == ("asif-yusifli",) and record.language == lang
    [reply] = await member.sends("/subscriptions")
    assert case.name[lang] in reply.text
    [reply] = await member.sends("/subscribe " + {"en": "all", "az": "hamısı", "ru": "все"}[lang])
    assert t._("All updates") in reply.text
    [reply] = await member.sends("/unsubscribe Юсифли")
    assert t._("Unsubscribed: {name}.").format(name=case.name[lang]) in reply.text
    record = await bot.services.store.chats.get(601)
    assert record is not None and record.subscriptions == (ALL,)
    [reply] = await member.sends("/unsubscribe all")
    assert t._("You no longer follow anything. /subscribe to follow a case again.") in reply.text
    assert (await bot.services.store.chats.get(601)).subscriptions == ()  # type: ignore[union-attr]


@pytest.mark.parametrize("lang", LANGS)
async def test_the_card_toggle_subscribes_and_unsubscribes(bot: LocalBot, lang: str) -> None:
    member = Member(bot, 602, LANGS[lang])
    t = tr(lang)
    await member.sends("/case Ибрагим")
    card = await member.presses(t._("Subscribe"))
    assert member.last_answer and "✓" in str(member.last_answer.get("text"))
    assert any(t._("Unsubscribe") in b["text"] for b in card.buttons())  # the card shows the new state
    assert (await bot.services.store.chats.get(602)).subscriptions == ("mammad-ibrahim",)  # type: ignore[union-attr]
    await member.presses(t._("Unsubscribe"))
    assert any(t._("Subscribe") in b["text"] for b in member.keyboard_message().buttons())
    assert (await bot.services.store.chats.get(602)).subscriptions == ()  # type: ignore[union-attr]


async def test_the_subscribe_menu_ticks_what_is_followed(bot: LocalBot) -> None:
    member = Member(bot, 603, "az")
    await member.sends("/subscribe")
    await member.presses(tr("az")._("All updates"))
    assert "✓ " + tr("az")._("All updates") in member.button_labels()
    await member.presses("✓ " + tr("az")._("All updates"))
    assert tr("az")._("All updates") in member.button_labels()
    assert (await bot.services.store.chats.get(603)).subscriptions == ()  # type: ignore[union-attr]


async def test_subscriptions_list_drops_one_with_its_button(bot: LocalBot) -> None:
    member = Member(bot, 604, "ru")
    await member.sends("/subscribe Yusifli")
    await member.sends("/subscribe Imanov")
    [reply] = await member.sends("/subscriptions")
    assert "Асиф Юсифли" in reply.text and "Бахтияр Иманов" in reply.text
    await member.presses("Бахтияр Иманов")
    assert "Бахтияр Иманов" not in member.last_reply.text and "Асиф Юсифли" in member.last_reply.text


@pytest.mark.parametrize("lang", LANGS)
async def test_quiet_mydata_and_forget(bot: LocalBot, lang: str) -> None:
    member = Member(bot, 605, LANGS[lang])
    t = tr(lang)
    [reply] = await member.sends("/mydata")
    assert t._("The bot holds nothing about this chat.") in reply.text
    await member.sends("/subscribe all")
    [reply] = await member.sends("/quiet")
    assert t._("Quiet delivery is on: updates arrive without sound. Send /quiet again to turn it off.") in reply.text
    [reply] = await member.sends("/mydata")
    assert t._("Chat id: {value}").format(value=605) in reply.text
    assert t._("Quiet delivery: {value}").format(value=t._("on")) in reply.text
    assert t._("All updates") in reply.text
    await member.sends("/forget")
    await member.presses(t._("No, keep it"))
    assert await bot.services.store.chats.get(605) is not None
    await member.sends("/forget")
    await member.presses(t._("Yes, delete it"))
    assert t._("Deleted. The bot holds nothing about this chat any more.") in member.last_reply.text
    assert await bot.services.store.chats.get(605) is None


async def test_blocking_the_bot_marks_the_chat_inactive_and_start_restores_it(bot: LocalBot) -> None:
    member = Member(bot, 606, "en")
    await member.sends("/subscribe all")
    bot.api.set_blocked(606, True)
    await bot.message(999, "/help")  # the bot handles the my_chat_member update queued before this one
    assert (await bot.services.store.chats.get(606)).active is False  # type: ignore[union-attr]
    assert await bot.services.store.chats.recipients(ALL) == []
    bot.api.set_blocked(606, False)
    await member.sends("/start")
    record = await bot.services.store.chats.get(606)
    assert record is not None and record.active and record.subscriptions == (ALL,)


async def test_a_forged_subscription_button_changes_nothing(bot: LocalBot) -> None:
    member = Member(bot, 607, "ru")
    await member.sends("/cases")
    listing = member.keyboard_message()
    for forged in ("sub:c:no-such-case", "sub:x:all", "unsub:c:", "sub:c:" + "a" * 41, "forget:maybe"):
        await member.presses_data(listing, forged)
        assert member.last_answer is not None and member.last_answer.get("text")
    assert await bot.services.store.chats.get(607) is None


async def test_the_confirmation_toggle_flips_so_a_double_tap_undoes_only_itself(bot: LocalBot) -> None:
    member = Member(bot, 608, "en")
    await member.sends("/subscribe Yusifli")
    await member.sends("/subscribe Imanov")
    await member.presses(tr("en")._("Unsubscribe"))  # under "Subscribed: Bakhtiyar Imanov"
    await member.presses(tr("en")._("Subscribe"))  # the same button, now flipped back
    record = await bot.services.store.chats.get(608)
    assert record is not None and set(record.subscriptions) == {"asif-yusifli", "bakhtiyar-imanov"}


async def test_a_card_shows_that_all_updates_are_followed(bot: LocalBot) -> None:
    member = Member(bot, 609, "ru")
    await member.sends("/subscribe все")
    await member.sends("/case Yusifli")
    assert "✓ " + tr("ru")._("All updates") in member.button_labels()
    [reply] = await member.sends("/unsubscribe Yusifli")
    assert tr("ru")._("You were not following {name}. /subscriptions lists what you follow.").format(
        name="Асиф Юсифли") in reply.text
    [reply] = await member.sends("/unsubscribe nobody-at-all")
    assert tr("ru")._("No case matches “{query}”.").format(query="nobody-at-all") in reply.text


async def test_in_a_group_only_its_admins_change_its_settings(bot: LocalBot) -> None:
    admin = Member(bot, 610, "az", chat_id=-100610, chat_type="supergroup")
    member = Member(bot, 611, "ru", chat_id=-100610, chat_type="supergroup")
    bot.api.set_group_admins(-100610, [610])
    await admin.sends("/subscribe@campaign_tryout_bot all")
    record = await bot.services.store.chats.get(-100610)
    assert record is not None and record.subscriptions == (ALL,) and record.language == "az"
    refusal = tr("az")._("Only the group's admins can change its language and subscriptions.")
    [reply] = await member.sends("/unsubscribe@campaign_tryout_bot all")
    assert reply.text == refusal  # in the group's language: the group chose Azerbaijani
    for command in ("/quiet@campaign_tryout_bot", "/forget@campaign_tryout_bot",
                    "/subscribe@campaign_tryout_bot Yusifli"):
        assert await member.sends(command) == []  # told once: the group is not filled with refusals
    await member.sends("/language@campaign_tryout_bot")
    await member.presses("Русский")
    assert member.last_answer is not None and member.last_answer.get("text") == refusal
    assert await bot.services.store.chats.get(-100610) == record  # nothing changed
