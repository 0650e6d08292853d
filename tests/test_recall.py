"""Recalling a published update: over HTTP against the stand-in, which deletes a message only within 48 hours."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from bot.config import Settings
from bot.model import ALL, DONE, RECALL
from bot.tryout.driver import LocalBot
from bot.tryout.standin import LocalBotAPI
from tests.conftest import Member, tr
from tests.test_broadcast import ADMIN, GENERAL_LABEL, TEXTS, finish_broadcasts, push, subscribers
from tests.test_desk import SECOND, MovableClock, second_admin, submit

HOURS = 3600
WITHDRAWN = "This update was withdrawn by the campaign."
ONE_ADMIN = Settings(admin_ids=frozenset({ADMIN}))


async def recall(bot: LocalBot, admin: Member, text: str, *, wait: bool = True) -> None:
    """/recall, the update whose text starts with `text`, then the confirmation."""
    await admin.sends("/recall")
    await admin.presses(text[:10])
    await admin.presses(tr(admin.language_code or "en")._("Recall it"))
    if wait:
        await finish_broadcasts(bot)


def deletes(api: LocalBotAPI) -> list[list[int]]:
    return [json.loads(params["message_ids"]) for name, params in api.calls if name == "deleteMessages"]


async def test_a_recall_deletes_recent_deliveries_and_edits_older_ones(tmp_path: Path) -> None:
    async with LocalBot(tmp_path / "data", settings=ONE_ADMIN) as campaign:
        members = await subscribers(campaign, "asif-yusifli", 4)
        await push(campaign, "Asif Yusifli", TEXTS)
        old_az = members[1]
        campaign.api.age_messages(old_az.chat_id, 49 * HOURS)  # delivered two days ago: Telegram refuses to delete it
        admin = Member(campaign, ADMIN, "en")
        await admin.sends("/recall")
        await admin.presses(TEXTS["en"][:10])
        assert tr("en").ngettext(
            "{count} delivered message: those sent in the last {hours} hours are deleted, older ones are replaced in "
            "each member's language with:",
            "{count} delivered messages: those sent in the last {hours} hours are deleted, older ones are replaced in "
            "each member's language with:", 4).format(count=4, hours=48) in admin.last_reply.text
        await admin.presses(tr("en")._("Recall it"))
        await finish_broadcasts(campaign)
        for member in members:
            [message] = member.replies
            if member is old_az:
                assert not message.deleted and message.text == tr("az")._(WITHDRAWN) and message.buttons() == []
            else:
                assert message.deleted
        assert all(len(ids) == 1 for ids in deletes(campaign.api))  # one message a chat here: one id a call
        [broadcast] = [b for b in await campaign.services.store.outbox.recent(None) if b.kind == RECALL]
        assert broadcast.state == DONE
        assert tr("en")._("Withdrawn in {sent} of {total} chats").format(sent=4, total=4) in \
            "".join(m.text for m in admin.replies)
        reader = Member(campaign, 800, "en")
        [card] = await reader.sends("/case asif")
        assert TEXTS["en"] not in card.text  # it left the timeline
        assert await campaign.services.store.updates.history() == []
        entries = await campaign.services.store.audit.latest()
        assert [(e.action, e.admin, e.update) for e in entries] == [("sent", ADMIN, 1), ("recalled", ADMIN, 1)]


async def test_messages_the_bot_knows_are_over_two_days_old_are_edited_without_trying_to_delete(tmp_path: Path) -> None:
    clock = MovableClock()
    async with LocalBot(tmp_path / "data", settings=ONE_ADMIN, clock=clock) as campaign:
        members = await subscribers(campaign, ALL, 3)
        await push(campaign, GENERAL_LABEL, TEXTS)
        clock.offset += 49 * HOURS
        for member in members:
            campaign.api.age_messages(member.chat_id, 49 * HOURS)
        await recall(campaign, Member(campaign, ADMIN, "ru"), TEXTS["ru"])
        assert deletes(campaign.api) == []
        for member in members:
            [message] = member.replies
            assert message.text == tr(member.language_code or "en")._(WITHDRAWN) and not message.deleted


async def test_a_forum_with_several_topics_gets_one_delete_call_for_all_of_them(tmp_path: Path) -> None:
    async with LocalBot(tmp_path / "data", settings=ONE_ADMIN) as campaign:
        forum = -1001234
        campaign.api.make_forum(forum)
        for name in ("News", "Cases"):
            thread = campaign.api.create_topic(forum, name)
            await campaign.services.store.chats.subscribe(forum, ALL, "en", thread_id=thread)
        await push(campaign, GENERAL_LABEL, TEXTS)
        sent = [m for m in campaign.api.messages(forum) if TEXTS["en"] in m.text]
        assert len(sent) == 2
        await recall(campaign, Member(campaign, ADMIN, "en"), TEXTS["en"])
        assert deletes(campaign.api) == [sorted(m.message_id for m in sent)]
        assert all(m.deleted for m in sent)


async def test_a_recall_resumes_after_a_restart_and_withdraws_each_message_once(tmp_path: Path) -> None:
    settings = Settings(admin_ids=frozenset({ADMIN}), send_rate=20)
    api = LocalBotAPI()
    await api.start()
    try:
        async with LocalBot(tmp_path / "data", settings=settings, api=api) as campaign:
            members = await subscribers(campaign, ALL, 60)
            await push(campaign, GENERAL_LABEL, {"en": TEXTS["en"]})
            for member in members[::2]:
                api.age_messages(member.chat_id, 49 * HOURS)
            await recall(campaign, Member(campaign, ADMIN, "en"), TEXTS["en"], wait=False)
            while sum(m.replies[0].deleted or m.replies[0].edits > 0 for m in members) < 10:
                await asyncio.sleep(0.05)
        withdrawn = sum(m.replies[0].deleted or m.replies[0].edits > 0 for m in members)
        assert 0 < withdrawn < 60  # stopped mid-way: the recall is paused, not finished
        async with LocalBot(tmp_path / "data", settings=settings, api=api) as campaign:
            [broadcast] = [b for b in await campaign.services.store.outbox.recent(None) if b.kind == RECALL]
            await campaign.services.publisher.broadcaster.wait(broadcast.id)
            assert (await campaign.services.store.outbox.get(broadcast.id)).state == DONE  # type: ignore[union-attr]
        for index, member in enumerate(members):
            [message] = member.replies
            if index % 2 == 0:
                assert not message.deleted and message.edits == 1
                assert message.text == tr(member.language_code or "en")._(WITHDRAWN)
            else:
                assert message.deleted
    finally:
        await api.stop()


async def test_with_approval_a_recall_waits_for_another_admin(tmp_path: Path) -> None:
    settings = Settings(admin_ids=frozenset({ADMIN, SECOND}), require_approval=True)
    async with LocalBot(tmp_path / "data", settings=settings) as campaign:
        members = await subscribers(campaign, ALL, 2)
        second = await second_admin(campaign, "en")
        await submit(campaign, {"en": TEXTS["en"]})
        await second.presses(tr("en")._("Approve"))
        await finish_broadcasts(campaign)
        assert [len(m.replies) for m in members] == [1, 1]
        author = Member(campaign, ADMIN, "en")
        await author.sends("/recall")
        await author.presses(TEXTS["en"][:10])
        await author.presses(tr("en")._("Submit for approval"))
        await asyncio.sleep(0.2)
        assert not any(m.replies[0].deleted for m in members)
        assert tr("en")._("Request #{id}: {what}").format(id=2, what=tr("en")._("a recall of update #{id}").format(
            id=1)) in second.keyboard_message().text
        await second.presses(tr("en")._("Approve"))
        await finish_broadcasts(campaign)
        assert all(m.replies[0].deleted for m in members)
