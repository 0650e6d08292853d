"""Scheduled pushes, a second admin's approval and the audit log: over HTTP against the stand-in, with a clock the
tests move on (no test waits for real time to pass)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.broadcast import Clock
from bot.config import ConfigError, Settings
from bot.model import ALL, PUBLISHED, SCHEDULED
from bot.tryout.driver import LocalBot
from bot.tryout.standin import LocalBotAPI
from tests.conftest import Member, tr
from tests.test_broadcast import ADMIN, TEXTS, finish_broadcasts, subscribers

SECOND = 90002
BAKU = ZoneInfo("Asia/Baku")
TWO_ADMINS = Settings(admin_ids=frozenset({ADMIN, SECOND}))
APPROVAL = Settings(admin_ids=frozenset({ADMIN, SECOND}), require_approval=True)


class MovableClock(Clock):
    """The real time, moved on by the test."""

    def __init__(self) -> None:
        self.offset = 0.0

    def wall(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset)


async def advance(bot: LocalBot, clock: MovableClock, seconds: float) -> None:
    """Time passes: the running bot times its scheduled pushes again from the clock."""
    clock.offset += seconds
    await bot.services.desk.rearm()


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Return once `check` holds (the bot acts in the background: a timed job, a broadcast)."""
    while not await check():
        await asyncio.sleep(0.02)


async def published(bot: LocalBot, request_id: int) -> None:
    async def done() -> bool:
        request = await bot.services.store.requests.get(request_id)
        return request is not None and request.state == PUBLISHED

    await eventually(done)
    await finish_broadcasts(bot)


async def write_draft(bot: LocalBot, admin: Member, texts: dict[str, str]) -> None:
    """/push, a general update, a text (or /skip) per language: up to the preview."""
    await admin.sends("/push")
    await admin.presses(tr(admin.language_code or "en")._("General updates"))
    for code in ("en", "az", "ru"):
        await admin.sends(texts.get(code, "/skip"))


async def schedule(bot: LocalBot, admin: Member, when: datetime, texts: dict[str, str] = TEXTS) -> list[str]:
    """The admin's draft, scheduled for `when` (typed in Baku time, as "2026-12-10 18:30"); the bot's answers."""
    await write_draft(bot, admin, texts)
    await admin.presses(tr(admin.language_code or "en")._("Schedule"))
    replies = await admin.sends(when.astimezone(BAKU).strftime("%Y-%m-%d %H:%M"))
    return [m.text for m in replies]


def minutes_ahead(clock: MovableClock, minutes: int) -> datetime:
    """A whole minute at least `minutes` - 1 minutes ahead of the clock (a typed time has no seconds)."""
    return (clock.wall() + timedelta(minutes=minutes)).replace(second=0, microsecond=0)


@pytest.fixture
async def api() -> AsyncIterator[LocalBotAPI]:
    api = LocalBotAPI()
    await api.start()
    yield api
    await api.stop()


# --- scheduled pushes ---------------------------------------------------------------------------------------


async def test_a_push_scheduled_a_minute_ahead_arrives_once_after_a_restart(tmp_path: Path, api: LocalBotAPI) -> None:
    clock, data = MovableClock(), tmp_path / "data"
    async with LocalBot(data, settings=TWO_ADMINS, api=api, clock=clock) as campaign:
        members = await subscribers(campaign, ALL, 3)
        admin = Member(campaign, ADMIN, "en")
        await write_draft(campaign, admin, TEXTS)
        prompt = await admin.presses(tr("en")._("Schedule"))
        assert "Asia/Baku" in prompt.text and "tomorrow 09:00" in prompt.text
        when = minutes_ahead(clock, 2)
        [reply] = await admin.sends(when.astimezone(BAKU).strftime("%Y-%m-%d %H:%M"))
        shown = tr("en").moment(when, BAKU)
        assert tr("en")._("Scheduled: request #{id} goes out on {time}. /scheduled lists the scheduled updates, with "
                          "Cancel and Send now.").format(id=1, time=shown) == reply.text
        assert shown.endswith("(Asia/Baku)")
        [listing] = await admin.sends("/scheduled")
        assert shown in listing.text and tr("en")._("General updates") in listing.text and "en, az, ru" in listing.text
        assert f"({ADMIN})" in listing.text
    async with LocalBot(data, settings=TWO_ADMINS, api=api, clock=clock) as campaign:
        await asyncio.sleep(0.2)
        assert all(m.replies == [] for m in members)  # its time has not come
        await advance(campaign, clock, 3 * 60)
        await published(campaign, 1)
        for member in members:
            [message] = member.replies
            assert TEXTS[member.language_code or "en"] in message.text
        late = tr("en")._("Request #{id} was due on {due}, while the bot was not running: it went out late, on {now}.")
        assert not any(late.split("{due}")[0] in m.text for m in Member(campaign, ADMIN).replies)
    async with LocalBot(data, settings=TWO_ADMINS, api=api, clock=clock) as campaign:
        await advance(campaign, clock, 3 * 60)
        await asyncio.sleep(0.2)
        await finish_broadcasts(campaign)
        assert [len(m.replies) for m in members] == [1, 1, 1]
        assert len(await campaign.services.store.outbox.recent(None)) == 1


async def test_a_push_whose_time_passed_while_the_bot_was_down_goes_out_once_at_start_and_admins_hear_it_was_late(
        tmp_path: Path, api: LocalBotAPI) -> None:
    clock, data = MovableClock(), tmp_path / "data"
    async with LocalBot(data, settings=TWO_ADMINS, api=api, clock=clock) as campaign:
        members = await subscribers(campaign, ALL, 3)
        campaign.api.add_chats([SECOND])  # the second admin has opened the bot's chat
        when = minutes_ahead(clock, 2)
        await schedule(campaign, Member(campaign, ADMIN, "en"), when)
    clock.offset += 60 * 60  # the bot was down for an hour, its time came and went
    async with LocalBot(data, settings=TWO_ADMINS, api=api, clock=clock) as campaign:
        await published(campaign, 1)
        assert [len(m.replies) for m in members] == [1, 1, 1]
        for admin_id in (ADMIN, SECOND):
            notices = [m.text for m in campaign.api.messages(admin_id)]
            prefix = tr("en")._("Request #{id} was due on {due}, while the bot was not running: it went out late, on "
                                "{now}.").format(id=1, due=tr("en").moment(when, BAKU), now="{now}").split("{now}")[0]
            assert sum(prefix in text for text in notices) == 1
        entries = await campaign.services.store.audit.latest()
        assert [(e.action, e.note) for e in entries] == [("scheduled", ""), ("sent", "late")]
    async with LocalBot(data, settings=TWO_ADMINS, api=api, clock=clock) as campaign:
        await asyncio.sleep(0.2)
        await finish_broadcasts(campaign)
        assert [len(m.replies) for m in members] == [1, 1, 1]  # once: not again at the next start


async def test_scheduled_lists_them_and_cancel_and_send_now_work_once(tmp_path: Path) -> None:
    clock = MovableClock()
    async with LocalBot(tmp_path / "data", settings=TWO_ADMINS, clock=clock) as campaign:
        members = await subscribers(campaign, ALL, 2)
        admin = Member(campaign, ADMIN, "ru")
        await schedule(campaign, admin, minutes_ahead(clock, 60), {"en": "To be cancelled."})
        await schedule(campaign, admin, minutes_ahead(clock, 90), {"en": "Sent early."})
        [listing] = await admin.sends("/scheduled")
        assert tr("ru")._("Scheduled updates") in listing.text and "(Asia/Baku)" in listing.text
        await admin.presses(tr("ru")._("Cancel #{id}").format(id=1))
        assert admin.last_answer is not None and admin.last_answer["text"] == tr("ru")._(
            "Request #{id} was cancelled: it will not be sent.").format(id=1)
        other = Member(campaign, SECOND, "en")
        [listing] = await other.sends("/scheduled")
        await other.presses(tr("en")._("Send now #{id}").format(id=2))
        await published(campaign, 2)
        assert [[m.text for m in member.replies if "Sent early." in m.text] != [] for member in members] == [True] * 2
        await other.presses_data(listing, "rq:now:2")  # the old list's button: it went out already
        assert other.last_answer is not None and other.last_answer.get("show_alert") is True
        await advance(campaign, clock, 2 * 60 * 60)  # both times pass
        await asyncio.sleep(0.2)
        await finish_broadcasts(campaign)
        assert [len(m.replies) for m in members] == [1, 1]  # the cancelled one never, the other once
        [listing] = await admin.sends("/scheduled")
        assert listing.text == tr("ru")._("No update is scheduled.")


UNREADABLE = "I could not read that time. Please send it like “tomorrow 09:00”, “2026-12-10 18:30” or “18:30”."
PAST = "That time has passed: it is now {now}. Please send a later time."


@pytest.mark.parametrize(("typed", "reason"), [
    ("yesterday 10:00", UNREADABLE),
    ("2020-01-01 10:00", PAST),
    ("31.02.2027 10:00", UNREADABLE),
])
async def test_a_time_that_cannot_be_used_gets_a_clear_answer_and_the_draft_waits(
        tmp_path: Path, typed: str, reason: str) -> None:
    async with LocalBot(tmp_path / "data", settings=TWO_ADMINS) as campaign:
        members = await subscribers(campaign, ALL, 1)
        admin = Member(campaign, ADMIN, "az")
        await write_draft(campaign, admin, TEXTS)
        await admin.presses(tr("az")._("Schedule"))
        [reply] = await admin.sends(typed)
        assert reply.text.startswith(tr("az")._(reason).split("{")[0])
        assert reason != PAST or "(Asia/Baku)" in reply.text
        [reply] = await admin.sends("sabah 09:00")  # the draft is still there ("tomorrow" in Azerbaijani)
        assert "#1" in reply.text
        assert members[0].replies == []


# --- a second admin's approval -----------------------------------------------------------------------------------


async def second_admin(bot: LocalBot, lang: str) -> Member:
    """The other admin, who has opened the bot's chat in `lang` (the bot writes to an admin only there)."""
    bot.api.add_chats([SECOND])
    await bot.services.store.chats.set_language(SECOND, lang)
    return Member(bot, SECOND, lang)


async def submit(bot: LocalBot, texts: dict[str, str] = TEXTS) -> Member:
    admin = Member(bot, ADMIN, "en")
    await write_draft(bot, admin, texts)
    await admin.presses(tr("en")._("Submit for approval"))
    return admin


async def test_with_approval_one_admin_cannot_send_and_a_second_admins_approval_sends_once(tmp_path: Path) -> None:
    async with LocalBot(tmp_path / "data", settings=APPROVAL) as campaign:
        members = await subscribers(campaign, ALL, 3)
        second = await second_admin(campaign, "ru")
        author = await submit(campaign)
        card = author.keyboard_message()
        assert tr("en")._("Withdraw") in card.buttons()[0]["text"] and "Approve" not in card.text
        await author.presses_data(card, "rq:approve:1")  # the author forges an Approve on their own card
        assert author.last_answer is not None and author.last_answer["text"] == tr("en")._(
            "You wrote this request: another admin must approve it.")
        await asyncio.sleep(0.2)
        assert all(m.replies == [] for m in members) and await campaign.services.store.outbox.recent(None) == []
        previews = second.replies
        assert len(previews) == 4  # each language's message, then the request's card
        for preview, lang in zip(previews[:3], ("en", "az", "ru"), strict=True):
            assert TEXTS[lang] in preview.text
        assert tr("ru")._("Request #{id}: {what}").format(id=1, what=tr("ru")._("a new update")) in previews[3].text
        await second.presses(tr("ru")._("Approve"))
        await finish_broadcasts(campaign)
        assert [len(m.replies) for m in members] == [1, 1, 1]
        await second.presses_data(previews[3], "rq:approve:1")  # approving twice
        assert second.last_answer is not None and str(second.last_answer["text"]).startswith(
            tr("ru")._("Request #{id} was handled already. {outcome}").format(id=1, outcome=""))
        await finish_broadcasts(campaign)
        assert [len(m.replies) for m in members] == [1, 1, 1]
        assert tr("en")._("Your request #{id} was approved by {admin}.").format(id=1, admin="Test") in \
            "".join(m.text for m in author.replies)
        assert tr("en")._("Carried out: broadcast #{id}.").format(id=1) in "".join(m.text for m in author.replies)


async def test_a_rejected_or_withdrawn_request_never_goes_out(tmp_path: Path) -> None:
    async with LocalBot(tmp_path / "data", settings=APPROVAL) as campaign:
        members = await subscribers(campaign, ALL, 2)
        second = await second_admin(campaign, "az")
        author = await submit(campaign, {"en": "To be rejected."})
        await second.presses(tr("az")._("Reject"))
        assert "#1" in second.last_reply.text
        await second.sends("The date is wrong.")
        assert tr("en")._("Your request #{id} was rejected by {admin}: {reason}").format(
            id=1, admin="Test", reason="The date is wrong.") in "".join(m.text for m in author.replies)
        card = second.replies[3]
        assert "The date is wrong." in card.text and card.buttons() == []
        await second.presses_data(card, "rq:approve:1")  # an Approve after the rejection
        assert second.last_answer is not None and second.last_answer.get("show_alert") is True

        author = await submit(campaign, {"en": "To be withdrawn."})
        await author.presses(tr("en")._("Withdraw"))
        stale = [m for m in second.replies if "#2" in m.text][-1]
        assert tr("az")._("Withdrawn by its author.") in stale.text
        await second.presses_data(stale, "rq:approve:2")  # approving a withdrawn request
        assert second.last_answer is not None and second.last_answer.get("show_alert") is True
        await asyncio.sleep(0.2)
        await finish_broadcasts(campaign)
        assert all(m.replies == [] for m in members)
        assert await campaign.services.store.outbox.recent(None) == []
        actions = [(e.action, e.admin) for e in await campaign.services.store.audit.latest()]
        assert actions == [("drafted", ADMIN), ("rejected", SECOND), ("drafted", ADMIN), ("withdrawn", ADMIN)]


async def test_a_scheduled_push_with_approval_goes_out_at_its_time_once_approved(tmp_path: Path) -> None:
    clock = MovableClock()
    async with LocalBot(tmp_path / "data", settings=APPROVAL, clock=clock) as campaign:
        members = await subscribers(campaign, ALL, 2)
        second = await second_admin(campaign, "en")
        await schedule(campaign, Member(campaign, ADMIN, "en"), minutes_ahead(clock, 10))
        await second.presses(tr("en")._("Approve"))
        request = await campaign.services.store.requests.get(1)
        assert request is not None and request.state == SCHEDULED
        await asyncio.sleep(0.2)
        assert all(m.replies == [] for m in members)
        await advance(campaign, clock, 11 * 60)
        await published(campaign, 1)
        assert [len(m.replies) for m in members] == [1, 1]


async def test_one_admin_with_approval_on_is_told_at_start(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    settings = Settings(admin_ids=frozenset({ADMIN}), require_approval=True)
    async with LocalBot(tmp_path / "data", settings=settings):
        pass
    assert "BOT_REQUIRE_APPROVAL is on but BOT_ADMIN_IDS names 1 admin: approval cannot work" in caplog.text


# --- the audit log ----------------------------------------------------------------------------------------------


async def test_the_audit_log_records_each_step_with_admin_ids_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with LocalBot(data, settings=APPROVAL) as campaign:
        members = await subscribers(campaign, ALL, 3)
        second = await second_admin(campaign, "en")
        await submit(campaign)
        await second.presses(tr("en")._("Approve"))
        await finish_broadcasts(campaign)
        entries = await campaign.services.store.audit.latest()
        assert [(e.action, e.admin, e.request) for e in entries] == [
            ("drafted", ADMIN, 1), ("approved", SECOND, 1), ("sent", SECOND, 1)]
        assert entries[-1].update == 1 and entries[-1].broadcast == 1 and entries[-1].topic == "general"
        [shown] = await second.sends("/audit")
        for action in ("drafted", "approved", "sent"):
            assert tr("en")._(action) in shown.text
        assert "(Asia/Baku)" in shown.text and f"admin {ADMIN}" in shown.text
        member = Member(campaign, 777, "en")
        [refused] = await member.sends("/audit")
        assert refused.text == tr("en")._("Sorry, this is only for the campaign's admins.")
    files = sorted(data.glob("audit.json*"))
    assert files
    audit = "".join(path.read_text(encoding="utf-8") for path in files)
    for member in members:
        assert str(member.chat_id) not in audit
    assert {int(admin) for admin in re.findall(r'"admin": ?(\d+)', audit)} == {ADMIN, SECOND}


# --- settings ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("env", "message"), [
    ({"BOT_TIMEZONE": "Mars/Olympus"}, "BOT_TIMEZONE: 'Mars/Olympus' is not an IANA time zone name"),
    ({"BOT_TIMEZONE": "../../etc/passwd"}, "is not an IANA time zone name"),
    ({"BOT_REQUIRE_APPROVAL": "maybe"}, "BOT_REQUIRE_APPROVAL must be 1 (on) or 0 (off)"),
])
def test_a_bad_time_zone_or_approval_setting_stops_the_start_with_its_name(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        Settings.from_env(env)


def test_the_time_zone_defaults_to_baku_and_approval_to_off() -> None:
    settings = Settings.from_env({"BOT_TIMEZONE": "Europe/Berlin", "BOT_REQUIRE_APPROVAL": "1"})
    assert settings.timezone.key == "Europe/Berlin" and settings.require_approval
    assert Settings.from_env({}).timezone.key == "Asia/Baku" and not Settings.from_env({}).require_approval


async def test_with_approval_a_content_file_is_applied_only_once_another_admin_approves(tmp_path: Path) -> None:
    async with LocalBot(tmp_path / "data", settings=APPROVAL) as campaign:
        second = await second_admin(campaign, "en")
        author = Member(campaign, ADMIN, "en")
        path = Path(__file__).resolve().parent.parent / "content" / "cases" / "asif-yusifli.yaml"
        text = path.read_text(encoding="utf-8").replace('status:\n  en: "', 'status:\n  en: "Still in detention. ')
        await author.sends_document("asif-yusifli.yaml", text.encode())
        await author.presses(tr("en")._("Apply"))
        reader = Member(campaign, 801, "en")
        [card] = await reader.sends("/case asif")
        assert "Still in detention" not in card.text  # not before the approval
        assert "status.en" in "".join(m.text for m in second.replies)  # the other admin sees the changes
        await second.presses(tr("en")._("Approve"))
        [card] = await reader.sends("/case asif")
        assert "Still in detention" in card.text
        entries = await campaign.services.store.audit.latest()
        assert [(e.action, e.admin, e.note) for e in entries] == [
            ("drafted", ADMIN, "cases/asif-yusifli.yaml"), ("approved", SECOND, ""),
            ("content changed", SECOND, "cases/asif-yusifli.yaml")]
        [request_card] = [m for m in second.replies if "#1" in m.text]
        assert tr("en")._("Carried out.") in request_card.text and request_card.buttons() == []
