"""/forget removes the chat from every file, and the updates the bot sent it in the window Telegram lets a bot delete
its messages (48 hours); the reply says how to delete the rest on the member's side. Over HTTP against the stand-in."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from bot.config import Secret, Settings
from bot.tryout.driver import LocalBot
from bot.tryout.standin import LocalBotAPI
from tests.conftest import Member, tr
from tests.test_broadcast import ADMIN, GENERAL_LABEL, push
from tests.test_desk import MovableClock

SETTINGS = Settings(admin_ids=frozenset({ADMIN}))


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


async def test_forget_deletes_the_updates_of_the_last_two_days_and_says_how_to_delete_the_rest(tmp_path: Path) -> None:
    api, clock = LocalBotAPI(), MovableClock()
    await api.start()
    try:
        async with LocalBot(tmp_path / "data", settings=SETTINGS, api=api, clock=clock) as campaign:
            member = Member(campaign, 7301, "en")
            await member.sends("/subscribe all")
            clock.offset = -3 * 24 * 3600  # this one was sent three days ago: Telegram no longer lets the bot delete it
            await push(campaign, GENERAL_LABEL, {"en": "An old update."})
            clock.offset = 0
            await push(campaign, GENERAL_LABEL, {"en": "A recent update."})
            await push(campaign, GENERAL_LABEL, {"en": "Another recent update."})
            await member.sends("/forget")
            await member.presses(tr("en")._("Yes, delete"))

            updates = [m for m in api.messages(member.chat_id) if m.from_bot and "update." in m.text]
            assert [(m.text.rsplit("\n", 1)[-1], m.deleted) for m in updates] == [
                ("An old update.", False), ("A recent update.", True), ("Another recent update.", True)]
            answer = member.last_reply.text
            assert tr("en").ngettext("The update it sent here in the last two days was deleted too.",
                                     "The {count} updates it sent here in the last two days were deleted too.",
                                     2).format(count=2) in answer
            assert "end-to-end" in answer
            assert await campaign.services.store.chats.get(member.chat_id) is None
    finally:
        await api.stop()


async def test_privacy_says_what_encryption_at_rest_does_and_that_bot_chats_are_not_end_to_end(tmp_path: Path) -> None:
    en = tr("en")
    plain = en._("On the bot's server, these records are kept in plain files: whoever can read the server's disk or "
                 "its backups can read them. The campaign can turn on encryption of these files.")
    sealed = en._("On the bot's server, the files that hold these records are encrypted: a copy of the disk or of a "
                  "backup without the key reveals no member. This does not protect against someone who controls the "
                  "running server, which must read the records to send you updates.")
    for settings, expected in ((SETTINGS, plain), (Settings(admin_ids=frozenset({ADMIN}), data_key=Secret(new_key())),
                                                   sealed)):
        async with LocalBot(tmp_path / f"data-{expected == sealed}", settings=settings) as campaign:
            [reply] = await Member(campaign, 7302, "en").sends("/privacy")
            assert expected in reply.text and "end-to-end" in reply.text
            assert en._("If this chat blocks the bot, its record is deleted after {days} days.").format(days=90) \
                in reply.text
