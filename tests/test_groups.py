"""Groups and forum topics, as their members and admins meet the bot: over HTTP against the stand-in."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.model import ALL, FAILED, SENT
from bot.tryout.driver import LocalBot
from tests.conftest import Member, tr
from tests.test_broadcast import ADMIN, GENERAL_LABEL, REPORT, TEXTS, push

FORUM = -1009100
GROUP_ADMIN = 9101
MEMBER = 9102
BOT = "@campaign_tryout_bot"


@pytest.fixture
async def campaign(tmp_path: Path) -> AsyncIterator[LocalBot]:
    async with LocalBot(tmp_path / "data", settings=Settings(admin_ids=frozenset({ADMIN}))) as running:
        yield running


async def settled(bot: LocalBot, *update_ids: int | None) -> None:
    """Return once the bot has handled these updates (the latest queued, if none is named)."""
    assert bot.application is not None
    for update_id in update_ids or (bot.api.last_update_id,):
        assert update_id is not None, "Telegram sent no update about it"
        await bot.application.wait_processed(update_id)


async def forum(bot: LocalBot, *names: str) -> list[int]:
    """A forum supergroup run by GROUP_ADMIN, with a topic for each name; their thread ids."""
    bot.api.make_forum(FORUM)
    bot.api.set_group_admins(FORUM, [GROUP_ADMIN])
    threads = [bot.api.create_topic(FORUM, name, by=GROUP_ADMIN) for name in names]
    await settled(bot)
    return threads


def in_forum(bot: LocalBot, user_id: int, language: str, thread_id: int | None) -> Member:
    return Member(bot, user_id, language, chat_id=FORUM, chat_type="supergroup", thread_id=thread_id)


def getchatmember_calls(bot: LocalBot) -> int:
    return sum(1 for name, _ in bot.api.calls if name == "getChatMember")


def opening(template: str) -> str:
    """A catalog text up to its first placeholder: what identifies it whatever is put in."""
    return template.split("{")[0]


async def test_an_admin_subscribes_a_forum_topic_in_azerbaijani_and_its_updates_arrive_there_only(
        campaign: LocalBot) -> None:
    azerbaijan, trials = await forum(campaign, "Azerbaijan", "Trials")
    admin = in_forum(campaign, GROUP_ADMIN, "en", azerbaijan)
    await admin.sends(f"/language{BOT}")
    await admin.presses("Azərbaycanca")
    assert opening(tr("az")._("Language set: {language}. Send /help to see what I can do.")) in admin.last_reply.text
    [subscribed] = await admin.sends(f"/subscribe{BOT} Yusifli")
    assert opening(tr("az")._("Subscribed: {name}. Updates will reach you here. /subscriptions lists what you "
                              "follow; /quiet makes them arrive without sound.")) in subscribed.text
    # The same group follows another case in another topic, in the language its admin's app speaks.
    in_trials = in_forum(campaign, GROUP_ADMIN, "ru", trials)
    await in_trials.sends(f"/subscribe{BOT} Imanov")
    general = in_forum(campaign, GROUP_ADMIN, "en", None)
    assert general.replies == []  # every answer went to the topic it was asked in

    await push(campaign, "Asif Yusifli", TEXTS)
    [update] = [m for m in admin.replies if TEXTS["az"] in m.text]
    assert update.thread_id == azerbaijan and update.text.startswith("🔔")
    assert not any(text in m.text for m in in_trials.replies + general.replies for text in TEXTS.values())
    await push(campaign, "Bakhtiyar Imanov", TEXTS)
    assert [m.thread_id for m in campaign.api.messages(FORUM) if TEXTS["ru"] in m.text] == [trials]
    assert not any(TEXTS["az"] in m.text for m in in_trials.replies)

    topics = await campaign.services.store.chats.records_of(FORUM)
    assert [(r.thread_id, r.language, r.subscriptions) for r in topics] == [
        (azerbaijan, "az", ("asif-yusifli",)), (trials, "ru", ("bakhtiyar-imanov",))]
    assert await campaign.services.store.chats.get(FORUM) is None  # the group itself chose nothing

    # /subscriptions in a group lists what each topic follows, each topic a link that opens it.
    [listing] = await general.sends(f"/subscriptions{BOT}")
    assert tr("en")._("Elsewhere in this group") in listing.text
    assert f"Topic #{azerbaijan}: Asif Yusifli" in listing.text
    assert f"Topic #{trials}: Bakhtiyar Imanov" in listing.text
    links = [e["url"] for e in listing.entities if e["type"] == "text_link"]
    assert links == [f"https://t.me/c/9100/{azerbaijan}", f"https://t.me/c/9100/{trials}"]
    [here] = await admin.sends(f"/subscriptions{BOT}")  # in a topic: its own list first, then the others'
    assert here.text.startswith(tr("az")._("You follow:")) and tr("az")._("Elsewhere in this group") in here.text


async def test_buttons_pressed_in_a_topic_answer_in_that_topic(campaign: LocalBot) -> None:
    [azerbaijan] = await forum(campaign, "Azerbaijan")
    admin = in_forum(campaign, GROUP_ADMIN, "en", azerbaijan)
    await admin.sends(f"/subscribe{BOT} all")
    await push(campaign, GENERAL_LABEL, TEXTS)
    await admin.presses(tr("en")._("My subscriptions"))  # under the update: answered in a new message
    assert admin.last_reply.text.startswith(tr("en")._("You follow:"))
    assert all(m.thread_id == azerbaijan for m in campaign.api.messages(FORUM))


async def test_a_command_for_another_bot_is_ignored_and_ours_is_answered_in_its_topic(campaign: LocalBot) -> None:
    [azerbaijan] = await forum(campaign, "Azerbaijan")
    member = in_forum(campaign, MEMBER, "az", azerbaijan)
    assert await member.sends("/cases@OtherBot") == []
    assert await member.sends("/subscribe@OtherBot all") == []
    [mine] = await member.sends(f"/cases{BOT}")
    [plain] = await member.sends("/cases")  # with privacy mode on, a bare command still reaches the bot
    assert tr("az")._("Choose a case to read it:") in mine.text and plain.text == mine.text
    assert all(m.thread_id == azerbaijan for m in campaign.api.messages(FORUM))
    assert await campaign.services.store.chats.records_of(FORUM) == []


async def test_a_member_who_is_not_an_admin_changes_nothing_and_is_told_once(campaign: LocalBot) -> None:
    [azerbaijan] = await forum(campaign, "Azerbaijan")
    admin = in_forum(campaign, GROUP_ADMIN, "en", azerbaijan)
    await admin.sends(f"/language{BOT}")
    await admin.presses("Azərbaycanca")
    await admin.sends(f"/subscribe{BOT} Yusifli")
    before = await campaign.services.store.chats.records_of(FORUM)
    asked = getchatmember_calls(campaign)

    member = in_forum(campaign, MEMBER, "ru", azerbaijan)
    refusal = tr("az")._("Only the group's admins can change its language and subscriptions.")
    [told] = await member.sends(f"/unsubscribe{BOT} Yusifli")
    assert told.text == refusal  # in the topic's language, in the topic
    for command in (f"/unsubscribe{BOT} all", f"/subscribe{BOT} Imanov", f"/subscribe{BOT} all", f"/quiet{BOT}",
                    f"/forget{BOT}"):
        assert await member.sends(command) == []  # once, not once per try
    await member.sends(f"/language{BOT}")
    await member.presses("Русский")
    assert member.last_answer is not None and member.last_answer.get("text") == refusal  # only they see it
    assert await campaign.services.store.chats.records_of(FORUM) == before
    assert getchatmember_calls(campaign) == asked + 1  # asked once, then kept

    # Promoted: the bot hears of it (as an admin of the group, it asked for chat_member updates) and lets them.
    await settled(campaign, campaign.api.set_member_status(FORUM, campaign.api.bot_user["id"], "administrator"))
    await settled(campaign, campaign.api.set_member_status(FORUM, MEMBER, "administrator", by=GROUP_ADMIN))
    [subscribed] = await member.sends(f"/subscribe{BOT} Imanov")
    assert opening(tr("az")._("Subscribed: {name}. Updates will reach you here. /subscriptions lists what you "
                              "follow; /quiet makes them arrive without sound.")) in subscribed.text
    assert getchatmember_calls(campaign) == asked + 1  # the update said so: Telegram was not asked again
    await settled(campaign, campaign.api.set_member_status(FORUM, MEMBER, "member", by=GROUP_ADMIN))
    [told] = await member.sends(f"/unsubscribe{BOT} all")
    assert told.text == refusal


@pytest.mark.parametrize("gone", ["deleted", "closed"])
async def test_a_topic_deleted_or_closed_drops_its_subscription_and_the_admins_are_told_once(
        campaign: LocalBot, gone: str) -> None:
    azerbaijan, trials = await forum(campaign, "Azerbaijan", "Trials")
    admin = in_forum(campaign, GROUP_ADMIN, "az", azerbaijan)
    await admin.sends(f"/subscribe{BOT} all")
    in_trials = in_forum(campaign, GROUP_ADMIN, "en", trials)
    await in_trials.sends(f"/subscribe{BOT} all")
    if gone == "deleted":
        campaign.api.delete_topic(FORUM, azerbaijan)
    else:
        campaign.api.close_topic(FORUM, azerbaijan, by=GROUP_ADMIN)
    await settled(campaign)

    pusher = await push(campaign, GENERAL_LABEL, TEXTS)
    assert pusher.last_reply.text == tr("en")._(REPORT).format(id=1, sent=1, failed=1, blocked=0, unknown=0,
                                                               pending=0)
    assert [m.thread_id for m in campaign.api.messages(FORUM) if TEXTS["en"] in m.text] == [trials]
    general = in_forum(campaign, GROUP_ADMIN, "az", None)
    notice = opening(tr("az")._("For the group's admins: a forum topic that followed {names} was closed or deleted, "
                                "so the bot no longer sends updates there. To follow them again, send /subscribe in "
                                "an open topic."))
    [told] = general.replies
    assert told.text.startswith(notice) and tr("az")._("All updates") in told.text  # in the topic's language
    assert await campaign.services.store.chats.get(FORUM, azerbaijan) is None
    kept = await campaign.services.store.chats.get(FORUM, trials)
    assert kept is not None and kept.subscriptions == (ALL,) and kept.active  # the group and its other topic stay

    await push(campaign, GENERAL_LABEL, TEXTS)
    assert len(general.replies) == 1  # told once
    assert len([m for m in in_trials.replies if TEXTS["en"] in m.text]) == 2
    [second] = await campaign.services.store.outbox.recent(1)
    assert [d.status for d in await campaign.services.store.outbox.deliveries(second.id)] == [SENT]
    assert FAILED not in (await campaign.services.store.outbox.counts(second.id))


async def test_a_command_or_a_button_in_a_closed_topic_is_dropped_with_one_line_and_no_traceback(
        campaign: LocalBot, caplog: pytest.LogCaptureFixture) -> None:
    """Telegram refuses the bot's replies in a closed topic (its admins may still write there): one line, no
    traceback, and no try to tell anyone, as nothing the bot sends reaches the topic."""
    [azerbaijan] = await forum(campaign, "Azerbaijan")
    admin = in_forum(campaign, GROUP_ADMIN, "ru", azerbaijan)
    [card] = await admin.sends(f"/case{BOT} Yusifli")
    campaign.api.close_topic(FORUM, azerbaijan, by=GROUP_ADMIN)
    await settled(campaign)
    sends = sum(1 for name, _ in campaign.api.calls if name.startswith("send"))
    caplog.set_level(logging.INFO)
    assert await admin.sends(f"/cases{BOT}") == []
    await admin.presses_data(card, next(b["callback_data"] for b in card.buttons()
                                        if b.get("callback_data", "").startswith("share:")))
    assert sum(1 for name, _ in campaign.api.calls if name.startswith("send")) == sends + 2  # the reply, the share
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info], caplog.text
    dropped = [r.getMessage() for r in caplog.records if "forum topic is closed or deleted" in r.getMessage()]
    assert len(dropped) == 2 and "could not tell" not in caplog.text, caplog.text
    assert campaign.api.messages(FORUM)[-1] is card  # nothing more reached the group


async def test_a_groups_data_and_subscribe_menu_speak_of_the_group_not_your_app(campaign: LocalBot) -> None:
    [azerbaijan] = await forum(campaign, "Azerbaijan")
    admin = in_forum(campaign, GROUP_ADMIN, "az", azerbaijan)
    await admin.sends(f"/subscribe{BOT} all")  # the topic speaks its admin's app language, nobody chose it
    [data] = await admin.sends(f"/mydata{BOT}")
    assert tr("az")._("Language: {value} (not chosen yet; an admin can choose one with /language)").format(
        value="Azərbaycanca") in data.text
    assert "Dil: Azərbaycanca (hələ seçilməyib; admin /language ilə seçə bilər)" in data.text
    [menu] = await admin.sends(f"/subscribe{BOT}")
    assert menu.text.startswith(tr("az")._("What would you like to follow here? Each update the campaign publishes "
                                           "about it will arrive here, in the group's language."))
    assert "sizə öz dilinizdə" not in menu.text + data.text and "tətbiqinizin" not in data.text
    await admin.presses(tr("az")._("All updates"))  # the menu redrawn after a press still speaks of the group
    assert menu.text.startswith("Burada nəyi izləmək istəyirsiniz?") and menu.edits == 1
    private = Member(campaign, MEMBER, "az")  # in a private chat, as before: the member's own app and language
    await private.sends("/subscribe all")
    [mine] = await private.sends("/mydata")
    assert tr("az")._("Language: {value} (as your Telegram app; /language to choose one)").format(
        value="Azərbaycanca") in mine.text
    [own_menu] = await private.sends("/subscribe")
    assert own_menu.text.startswith(tr("az")._("What would you like to follow? You get each update the campaign "
                                               "publishes about it, in your language."))


async def test_a_group_upgraded_to_a_supergroup_keeps_its_subscriptions(campaign: LocalBot) -> None:
    group = Member(campaign, GROUP_ADMIN, "ru", chat_id=-9200, chat_type="group")
    campaign.api.set_group_admins(-9200, [GROUP_ADMIN])
    await group.sends(f"/subscribe{BOT} Yusifli")
    await group.sends(f"/quiet{BOT}")
    await settled(campaign, *campaign.api.migrate_group(-9200, -1009200, by=GROUP_ADMIN))
    assert await campaign.services.store.chats.get(-9200) is None
    moved = await campaign.services.store.chats.get(-1009200)
    assert moved is not None and (moved.subscriptions, moved.language, moved.quiet) == (("asif-yusifli",), "ru", True)

    def sends_to_the_old_group() -> int:
        return sum(1 for name, params in campaign.api.calls if name == "sendMessage" and params["chat_id"] == -9200)

    before = sends_to_the_old_group()
    await push(campaign, "Asif Yusifli", TEXTS)
    [update] = campaign.api.messages(-1009200)
    assert TEXTS["ru"] in update.text and update.disable_notification
    assert sends_to_the_old_group() == before  # it was moved before the update: no send met the old id


async def test_a_group_that_removes_the_bot_is_marked_inactive_and_gets_nothing(campaign: LocalBot) -> None:
    [azerbaijan] = await forum(campaign, "Azerbaijan")
    await in_forum(campaign, GROUP_ADMIN, "en", azerbaijan).sends(f"/subscribe{BOT} all")
    await in_forum(campaign, GROUP_ADMIN, "en", None).sends(f"/subscribe{BOT} all")
    bot_id = campaign.api.bot_user["id"]
    await settled(campaign, campaign.api.set_member_status(FORUM, bot_id, "kicked", by=GROUP_ADMIN))
    records = await campaign.services.store.chats.records_of(FORUM)
    assert len(records) == 2 and not any(record.active for record in records)  # the group and its topic

    sent_before = len(campaign.api.messages(FORUM))
    await push(campaign, GENERAL_LABEL, TEXTS)
    assert len(campaign.api.messages(FORUM)) == sent_before
    [broadcast] = await campaign.services.store.outbox.recent(1)
    assert broadcast.total == 0  # neither the group nor its topic was a recipient
    assert (await campaign.services.store.chats.records_of(FORUM)) == records  # kept, should it come back

    await settled(campaign, campaign.api.set_member_status(FORUM, bot_id, "member", by=GROUP_ADMIN))
    assert all(record.active for record in await campaign.services.store.chats.records_of(FORUM))


@pytest.mark.slow  # the groups' last messages wait for their 20 a minute
async def test_several_groups_each_get_at_most_20_messages_a_minute(tmp_path: Path) -> None:
    settings = Settings(admin_ids=frozenset({ADMIN}))
    async with LocalBot(tmp_path / "data", settings=settings, group_per_minute=20) as campaign:
        groups = (-1009301, -1009302, -1009303)
        asked = []
        for group in groups:
            campaign.api.set_group_admins(group, [GROUP_ADMIN])
            await Member(campaign, GROUP_ADMIN, "en", chat_id=group, chat_type="supergroup").sends(
                f"/subscribe{BOT} all")
            # 19 more answers: the group's 20 for this minute are spent.
            asked += [campaign.api.user_message(MEMBER + n, f"/cases{BOT}", chat_id=group) for n in range(19)]
        await settled(campaign, *asked)
        await push(campaign, GENERAL_LABEL, TEXTS, wait=False)
        late = [campaign.api.user_message(MEMBER, f"/cases{BOT}", chat_id=group) for group in groups]
        await settled(campaign, *late)
        for broadcast in await campaign.services.store.outbox.recent(1):
            await campaign.services.publisher.broadcaster.wait(broadcast.id)
        for group in groups:
            messages = campaign.api.messages(group)
            assert len(messages) == 22 and sum(TEXTS["en"] in m.text for m in messages) == 1
        assert campaign.api.rejected_429 == 0  # paced by the bot, not turned back by Telegram
