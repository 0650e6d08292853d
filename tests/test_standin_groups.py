"""The stand-in's groups: forum topics and `message_thread_id`, members' statuses, the updates about them,
the bot removed from a group, a group's move to a supergroup; over real HTTP with PTB's Bot and raw httpx."""

from __future__ import annotations

import httpx
import pytest
from telegram import ChatMemberAdministrator, ChatMemberBanned, ChatMemberLeft, ChatMemberMember, ChatMemberOwner
from telegram.error import BadRequest, ChatMigrated, Forbidden

from bot.tryout.standin import LocalBotAPI
from tests.test_standin import TOKEN, serving

FORUM = -1004001
ADMIN = 41
USER = 42


@pytest.mark.asyncio
async def test_a_forum_topic_carries_its_message_thread_id_both_ways() -> None:
    async with serving() as (api, bot):
        api.make_forum(FORUM)
        thread = api.create_topic(FORUM, "Azerbaijan", by=ADMIN)
        api.user_message(USER, "/cases", chat_id=FORUM, thread_id=thread)
        api.user_message(USER, "/cases", chat_id=FORUM)  # in the General topic
        created, in_topic, in_general = [u.message for u in await bot.get_updates()]
        assert created is not None and created.forum_topic_created is not None
        assert (created.message_id, created.forum_topic_created.name, created.chat.is_forum) == (thread, "Azerbaijan",
                                                                                                 True)
        assert in_topic is not None and (in_topic.message_thread_id, in_topic.is_topic_message) == (thread, True)
        assert in_general is not None and in_general.message_thread_id is None and not in_general.is_topic_message

        sent = await bot.send_message(FORUM, "into the topic", message_thread_id=thread)
        assert (sent.message_thread_id, sent.is_topic_message) == (thread, True)
        general = await bot.send_message(FORUM, "into General")
        assert general.message_thread_id is None
        assert [m.thread_id for m in api.messages(FORUM)] == [thread, None]


@pytest.mark.asyncio
async def test_a_send_into_an_unknown_closed_or_deleted_topic_gets_telegrams_400() -> None:
    async with serving() as (api, bot):
        api.make_forum(FORUM)
        thread = api.create_topic(FORUM, "Azerbaijan")
        with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
            await bot.send_message(FORUM, "x", message_thread_id=thread + 100)
        api.add_chats([-1004002])
        with pytest.raises(BadRequest, match=r"(?i)message thread not found"):  # not a forum
            await bot.send_message(-1004002, "x", message_thread_id=1)

        api.close_topic(FORUM, thread)
        with pytest.raises(BadRequest, match=r"(?i)topic_closed"):
            await bot.send_message(FORUM, "x", message_thread_id=thread)
        api.close_topic(FORUM, thread, closed=False)
        kept = await bot.send_message(FORUM, "open again", message_thread_id=thread)
        kinds = [next(k for k in ("forum_topic_closed", "forum_topic_reopened") if getattr(u.message, k, None))
                 for u in (await bot.get_updates())[1:]]
        assert kinds == ["forum_topic_closed", "forum_topic_reopened"]

        api.delete_topic(FORUM, thread)
        with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
            await bot.send_message(FORUM, "x", message_thread_id=thread)
        assert [m.deleted for m in api.messages(FORUM) if m.message_id == kept.message_id] == [True]
        with pytest.raises(ValueError, match="no topic"):
            api.user_message(USER, "hello?", chat_id=FORUM, thread_id=thread)
        with pytest.raises(ValueError, match="only a supergroup"):
            api.make_forum(-4003)


@pytest.mark.asyncio
async def test_get_chat_member_answers_each_status_as_telegram() -> None:
    async with serving() as (api, bot):
        api.set_group_admins(FORUM, [ADMIN])
        assert isinstance(await bot.get_chat_member(FORUM, ADMIN), ChatMemberAdministrator)
        assert isinstance(await bot.get_chat_member(FORUM, USER), ChatMemberMember)
        expected = {"creator": ChatMemberOwner, "left": ChatMemberLeft, "kicked": ChatMemberBanned,
                    "member": ChatMemberMember}
        for status, kind in expected.items():
            api.set_member_status(FORUM, USER, status)
            member = await bot.get_chat_member(FORUM, USER)
            assert isinstance(member, kind) and member.user.id == USER
        me = await bot.get_chat_member(FORUM, bot.id)
        assert isinstance(me, ChatMemberMember) and me.user.is_bot
        with pytest.raises(ValueError, match="unknown status"):
            api.set_member_status(FORUM, USER, "owner")


@pytest.mark.asyncio
async def test_chat_member_updates_reach_only_an_admin_bot_that_asked_for_them() -> None:
    async with serving() as (api, bot):
        bot_id = api.bot_user["id"]
        api.add_chats([FORUM])
        await bot.get_updates(allowed_updates=["message", "chat_member", "my_chat_member"])
        assert api.set_member_status(FORUM, USER, "administrator") is None  # the bot is not an admin there
        promoted = api.set_member_status(FORUM, bot_id, "administrator", by=ADMIN)
        assert api.set_member_status(FORUM, USER, "member") is not None
        await bot.get_updates(allowed_updates=[])  # Telegram's default again: no chat_member
        assert api.set_member_status(FORUM, USER, "administrator") is None
        updates = [u for u in await bot.get_updates() if u.update_id >= (promoted or 0)]
        mine, theirs = updates[0].my_chat_member, updates[1].chat_member
        assert mine is not None and (mine.old_chat_member.status, mine.new_chat_member.status) == (
            "member", "administrator")
        assert mine.from_user.id == ADMIN
        assert theirs is not None and theirs.new_chat_member.user.id == USER
        assert (theirs.old_chat_member.status, theirs.new_chat_member.status) == ("administrator", "member")


@pytest.mark.asyncio
async def test_a_bot_removed_from_a_group_gets_403_until_it_is_added_back() -> None:
    async with serving() as (api, bot):
        bot_id = api.bot_user["id"]
        api.add_chats([FORUM, -4005])
        api.set_member_status(FORUM, bot_id, "kicked", by=ADMIN)
        with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
            await bot.send_message(FORUM, "x")
        api.set_member_status(-4005, bot_id, "left", by=ADMIN)
        with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
            await bot.send_message(-4005, "x")
        [kicked, left] = [u.my_chat_member for u in await bot.get_updates()]
        assert kicked is not None and kicked.new_chat_member.status == "kicked" and kicked.chat.id == FORUM
        assert left is not None and left.new_chat_member.status == "left"
        api.set_member_status(FORUM, bot_id, "member", by=ADMIN)
        assert (await bot.send_message(FORUM, "back")).text == "back"


@pytest.mark.asyncio
async def test_a_group_upgraded_to_a_supergroup_is_announced_in_both() -> None:
    async with serving() as (api, bot):
        api.add_chats([-4006])
        ids = api.migrate_group(-4006, -1004006, by=ADMIN)
        old, new = [u.message for u in await bot.get_updates() if u.update_id in ids]
        assert old is not None and old.chat.id == -4006 and old.migrate_to_chat_id == -1004006
        assert new is not None and new.chat.type == "supergroup" and new.migrate_from_chat_id == -4006
        with pytest.raises(ChatMigrated):
            await bot.send_message(-4006, "x")
        assert api.migrate_group(-4007, -1004007, announce=False) == []


@pytest.mark.asyncio
async def test_control_routes_for_forums_and_members() -> None:
    api = LocalBotAPI()
    await api.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api.port}") as http:
            assert (await http.post("/_control/forum", json={"chat_id": FORUM})).json() == {"ok": True, "result": True}
            created = (await http.post("/_control/topic", json={"chat_id": FORUM, "action": "create",
                                                                 "name": "Trials"})).json()
            thread = created["result"]
            said = await http.post("/_control/message", json={"user_id": USER, "text": "hi", "chat_id": FORUM,
                                                              "message_thread_id": thread})
            assert said.json()["ok"] is True
            for action in ("close", "reopen", "delete"):
                answer = await http.post("/_control/topic", json={"chat_id": FORUM, "action": action,
                                                                  "message_thread_id": thread})
                assert answer.json()["ok"] is True, action
            gone = await http.post("/_control/message", json={"user_id": USER, "text": "hi", "chat_id": FORUM,
                                                              "message_thread_id": thread})
            assert gone.status_code == 400 and "no topic" in gone.json()["description"]
            bad = await http.post("/_control/topic", json={"chat_id": FORUM, "action": "rename",
                                                           "message_thread_id": thread})
            assert bad.status_code == 400
            member = await http.post("/_control/member", json={"chat_id": FORUM, "user_id": api.bot_user["id"],
                                                               "status": "kicked"})
            assert member.json()["ok"] is True and isinstance(member.json()["result"], int)
            sent = await http.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": FORUM, "text": "x"})
            assert sent.status_code == 403
    finally:
        await api.stop()
