"""Forum topics in the store: each a subscriber in its chat's document, in the file format older files have;
and who runs a group, as kept in memory (`bot/group_admins.py`)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.group_admins import KEEP_SECONDS, GroupAdmins
from bot.model import ALL, GENERAL, SENT, Result, Target
from bot.store import Store
from bot.store import chats as chats_module

GROUP = -1005001


async def test_a_topic_is_a_subscriber_of_its_own_in_its_chats_document(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        await store.chats.subscribe(GROUP, "asif-yusifli", "az", thread_id=7)
        await store.chats.set_language(GROUP, "ru", thread_id=9)
        await store.chats.subscribe(GROUP, ALL, "en", thread_id=9)
        await store.chats.set_quiet(GROUP, True, "en", thread_id=9)
        assert await store.chats.get(GROUP) is None  # the group itself chose nothing
        seven = await store.chats.get(GROUP, 7)
        assert seven is not None and (seven.thread_id, seven.language, seven.subscriptions) == (7, "az",
                                                                                              ("asif-yusifli",))
        recipients = await store.chats.recipients("asif-yusifli")
        assert sorted((r.chat_id, r.thread_id, r.language, r.quiet) for r in recipients) == [
            (GROUP, 7, "az", False), (GROUP, 9, "ru", True)]
        assert [(r.chat_id, r.thread_id) for r in await store.chats.recipients(GENERAL)] == [(GROUP, 9)]
        await store.chats.unsubscribe(GROUP, ALL, thread_id=9)
        assert [r.thread_id for r in await store.chats.recipients(GENERAL)] == []
        await store.chats.subscribe(GROUP, ALL, "en")  # the General topic: the chat's own record
        assert [r.thread_id for r in await store.chats.records_of(GROUP)] == [None, 7, 9]
        assert (await store.chats.stats()).chats == 3
    finally:
        store.close()

    store = Store(tmp_path)  # as written: one document for the chat, its topics inside it
    try:
        last_write = json.loads((tmp_path / "chats.json.journal").read_text().splitlines()[-1])
        assert last_write["t"] == chats_module.shard_name(GROUP)
        [doc] = last_write["d"].values()
        assert set(doc) == {"language", "chosen", "subscriptions", "created", "updated", "topics"}
        assert set(doc["topics"]) == {"7", "9"} and "active" not in doc["topics"]["7"]
        assert doc["topics"]["9"]["quiet"] is True and "quiet" not in doc["topics"]["7"]
        assert [r.thread_id for r in await store.chats.records_of(GROUP)] == [None, 7, 9]
    finally:
        store.close()


async def test_dropping_a_topic_keeps_the_group_and_its_other_topics(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        await store.chats.subscribe(GROUP, ALL, "az", thread_id=7)
        await store.chats.subscribe(GROUP, ALL, "en", thread_id=9)
        dropped = await store.chats.drop_topic(GROUP, 7)
        assert dropped is not None and dropped.subscriptions == (ALL,)
        assert await store.chats.drop_topic(GROUP, 7) is None  # once: the second caller finds nothing
        assert [r.thread_id for r in await store.chats.records_of(GROUP)] == [9]
        assert await store.chats.drop_topic(GROUP, 9) is not None
        assert await store.chats.records_of(GROUP) == [] and await store.chats.chat_ids() == []  # nothing left
        await store.chats.subscribe(GROUP, ALL, "en")
        await store.chats.subscribe(GROUP, ALL, "az", thread_id=7)
        await store.chats.drop_topic(GROUP, 7)
        own = await store.chats.get(GROUP)
        assert own is not None and own.subscriptions == (ALL,) and await store.chats.records_of(GROUP) == [own]
    finally:
        store.close()


async def test_a_chats_state_holds_for_its_topics_and_moves_and_goes_with_it(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        await store.chats.subscribe(-5002, ALL, "az", thread_id=7)  # a topic only: no record of the chat's own
        assert await store.chats.set_active(-5002, False) is None
        assert await store.chats.recipients(GENERAL) == []
        await store.chats.set_active(-5002, True)
        assert [r.thread_id for r in await store.chats.recipients(GENERAL)] == [7]
        assert await store.chats.migrate(-5002, -1005002) is None  # it has no record of its own to return
        moved = await store.chats.get(-1005002, 7)
        assert moved is not None and moved.subscriptions == (ALL,) and await store.chats.chat_ids() == [-1005002]
        assert await store.forget_chat(-1005002) is True  # the chat and every topic of it
        assert await store.chats.chat_ids() == []
    finally:
        store.close()


async def test_records_and_deliveries_written_before_topics_read_as_the_chat_itself(tmp_path: Path) -> None:
    old_chat = {"language": "ru", "quiet": False, "subscriptions": ["all"], "active": True, "created": "2026-01-02",
                "updated": "2026-01-02", "chosen": True}
    (tmp_path / "chats.json").write_text(json.dumps({chats_module.shard_name(5): {"5": old_chat}}))
    store = Store(tmp_path)
    try:
        [record] = await store.chats.records_of(5)
        assert (record.chat_id, record.thread_id, record.language) == (5, None, "ru")
        broadcast = await store.outbox.create("send", 1, ALL, 99, [Target(5, "ru", False),
                                                                   Target(GROUP, "az", False, thread_id=7),
                                                                   Target(GROUP, "en", True, thread_id=9)])
        claimed = await store.outbox.claim(broadcast.id, 10)
        assert [(d.chat_id, d.thread_id) for d in claimed] == [(5, None), (GROUP, 7), (GROUP, 9)]
        await store.outbox.record(broadcast.id, [Result(d.seq, SENT, 100 + d.seq) for d in claimed])
        delivered = await store.outbox.deliveries(broadcast.id, SENT)
        assert [(d.thread_id, d.message_id) for d in delivered] == [(None, 101), (7, 102), (9, 103)]  # one group
        last_write = (tmp_path / "outbox.json.journal").read_text().splitlines()[-1]
        assert last_write.count('"thread"') == 2  # only deliveries into a topic carry one
    finally:
        store.close()


def test_who_runs_a_group_is_kept_five_minutes_and_a_refusal_is_said_once_in_that_time() -> None:
    now = [0.0]
    admins = GroupAdmins(clock=lambda: now[0])
    assert admins.is_admin(GROUP, 1) is None  # Telegram has to be asked
    admins.remember(GROUP, 1, True)
    admins.remember(GROUP, 2, False)
    assert (admins.is_admin(GROUP, 1), admins.is_admin(GROUP, 2)) == (True, False)
    assert admins.first_refusal(GROUP, 2) is True and admins.first_refusal(GROUP, 2) is False
    assert admins.first_refusal(GROUP, 1) is False  # an admin is never refused
    now[0] = KEEP_SECONDS + 1
    assert admins.is_admin(GROUP, 2) is None  # asked again after five minutes…
    admins.remember(GROUP, 2, False)
    assert admins.first_refusal(GROUP, 2) is True  # …and told again, once
    admins.forget_group(GROUP)
    assert admins.is_admin(GROUP, 2) is None
