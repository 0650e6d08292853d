"""Admins pushing updates, and the broadcast that delivers them: over HTTP against the stand-in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.config import Settings
from bot.content import read_content_dir
from bot.model import ALL, BLOCKED, EDIT, SENT
from bot.tryout.driver import LocalBot
from bot.tryout.standin import LocalBotAPI, SentMessage
from tests.conftest import Member, tr

ADMIN = 90001
TEXTS = {"en": "The trial was postponed.", "az": "Məhkəmə təxirə salınıb.", "ru": "Суд отложен."}


@pytest.fixture
async def campaign(tmp_path: Path) -> AsyncIterator[LocalBot]:
    async with LocalBot(tmp_path / "data", settings=Settings(admin_ids=frozenset({ADMIN}))) as running:
        yield running


GENERAL_LABEL = tr("en")._("General updates")
REPORT = ("#{id} done: {sent} delivered, {failed} failed, {blocked} blocked the bot, {unknown} unknown, "
          "{pending} not sent.")
EN_ONLY = "There is no version of this update in your language: it is shown in English."


async def push(bot: LocalBot, topic_label: str, texts: dict[str, str], lang: str = "en", *,
               wait: bool = True) -> Member:
    """The admin's whole draft: /push, a topic, a text per language (or /skip), Confirm; returns the admin.

    With `wait`, returns once the broadcast has finished; else as soon as it has started.
    """
    admin = Member(bot, ADMIN, lang)
    await admin.sends("/push")
    await admin.presses(topic_label)
    for code in ("en", "az", "ru"):
        await admin.sends(texts.get(code, "/skip"))
    await admin.presses(tr(lang)._("Confirm and send"))
    if not wait:
        return admin
    await finish_broadcasts(bot)
    return admin


async def finish_broadcasts(bot: LocalBot) -> None:
    """Return once every running broadcast has ended."""
    for broadcast in await bot.services.store.outbox.running():
        await bot.services.publisher.broadcaster.wait(broadcast.id)


async def draft_to_preview(bot: LocalBot, texts: tuple[str, str, str]) -> tuple[Member, SentMessage, str]:
    """An admin writes a general update (a text or /skip per language) up to its preview; returns the admin,
    the preview's summary and its Confirm button's data."""
    admin = Member(bot, ADMIN, "en")
    await admin.sends("/push")
    await admin.presses(GENERAL_LABEL)
    for text in texts:
        await admin.sends(text)
    summary = admin.keyboard_message()
    confirm = next(b["callback_data"] for b in summary.buttons() if tr("en")._("Confirm and send") in b["text"])
    return admin, summary, confirm


async def subscribers(bot: LocalBot, topic: str, count: int, first_id: int = 1000) -> list[Member]:
    members = []
    for n in range(count):
        code = ("en", "az", "ru")[n % 3]
        member = Member(bot, first_id + n, code)
        await bot.services.store.chats.subscribe(member.chat_id, topic, code)
        bot.api.add_chats([member.chat_id])
        members.append(member)
    return members


async def test_a_push_in_three_languages_reaches_each_subscriber_once_in_their_language(campaign: LocalBot) -> None:
    members = await subscribers(campaign, "asif-yusifli", 6)
    members += await subscribers(campaign, ALL, 3, first_id=2000)
    outsider = (await subscribers(campaign, "mammad-ibrahim", 1, first_id=3000))[0]
    admin = await push(campaign, "Asif Yusifli", TEXTS)
    for member in members:
        lang = member.language_code or "en"
        [message] = member.replies
        assert TEXTS[lang] in message.text
        assert tr(lang)._("Update: {name}").format(name=campaign.services.content.case(  # type: ignore[union-attr]
            "asif-yusifli").name[lang]) in message.text
        assert tr(lang)._(EN_ONLY) not in message.text and "Translation pending" not in message.text
    assert outsider.replies == []
    assert admin.last_reply.text == tr("en")._(REPORT).format(id=1, sent=9, failed=0, blocked=0, unknown=0, pending=0)
    assert tr("en")._("Delivered {sent} of {total}").format(sent=9, total=9) in "".join(m.text for m in admin.replies)


async def test_a_missing_language_falls_back_to_english_with_a_note(campaign: LocalBot) -> None:
    members = await subscribers(campaign, ALL, 3)
    await push(campaign, GENERAL_LABEL, {"en": TEXTS["en"]})
    en, az, ru = members
    assert TEXTS["en"] in en.replies[0].text
    assert tr("en")._(EN_ONLY) not in en.replies[0].text
    for member, lang in ((az, "az"), (ru, "ru")):
        assert TEXTS["en"] in member.replies[0].text
        assert tr(lang)._(EN_ONLY) in member.replies[0].text  # not "pending": it may never be translated
        assert tr(lang)._("Translation pending: part of this text is shown in English.") not in member.replies[0].text


async def test_the_preview_is_exactly_what_is_sent(campaign: LocalBot) -> None:
    members = await subscribers(campaign, "fuad-gakhramanli", 3)
    admin = Member(campaign, ADMIN, "ru")
    await admin.sends("/push")
    await admin.presses("Фуад Гахраманлы")
    await admin.sends(TEXTS["en"])
    await admin.sends("/skip")
    previews = await admin.sends(TEXTS["ru"])
    assert len(previews) == 4  # one per language, then the summary with the counts
    summary = previews[-1].text
    for name in ("English", "Azərbaycanca", "Русский"):
        assert tr("ru").ngettext("{language}: {count} recipient", "{language}: {count} recipients", 1).format(
            language=name, count=1) in summary
    await admin.presses(tr("ru")._("Confirm and send"))
    await finish_broadcasts(campaign)
    for member, preview in zip(members, previews[:3], strict=True):
        [received] = member.replies
        assert received.html == preview.html and received.reply_markup == preview.reply_markup


async def test_edit_and_cancel_in_the_draft(campaign: LocalBot) -> None:
    members = await subscribers(campaign, ALL, 2)
    admin = Member(campaign, ADMIN, "en")
    await admin.sends("/push")
    await admin.presses(GENERAL_LABEL)
    for _ in range(3):
        await admin.sends("/skip")
    assert tr("en")._("An update needs a text in at least one language. Let's start again with English.") in \
        "".join(m.text for m in admin.replies)
    await admin.sends("x" * 3001)
    assert "3001" in admin.last_reply.text
    await admin.sends("First version")
    await admin.sends("/skip")
    await admin.sends("/skip")
    await admin.presses(tr("en")._("Edit"))
    await admin.sends("Second version")
    await admin.sends("/skip")
    await admin.sends("/skip")
    await admin.presses(tr("en")._("Cancel"))
    assert tr("en")._("Cancelled. Nothing was sent.") in admin.last_reply.text
    assert all(m.replies == [] for m in members)
    assert await campaign.services.store.updates.history() == []
    [reply] = await admin.sends("asif")  # after the draft, text is a search again
    assert reply.text.startswith("Asif Yusifli")


async def test_quiet_members_get_it_without_sound(campaign: LocalBot) -> None:
    loud, quiet = await subscribers(campaign, ALL, 2)
    await campaign.services.store.chats.set_quiet(quiet.chat_id, True, "az")
    await push(campaign, GENERAL_LABEL, TEXTS)
    assert loud.replies[0].disable_notification is False
    assert quiet.replies[0].disable_notification is True


async def test_blocked_members_are_cleaned_and_skipped_next_time(campaign: LocalBot) -> None:
    members = await subscribers(campaign, ALL, 4)
    campaign.api.set_blocked(members[1].chat_id, True)
    admin = await push(campaign, GENERAL_LABEL, TEXTS)
    record = await campaign.services.store.chats.get(members[1].chat_id)
    assert record is not None and record.active is False and record.subscriptions == (ALL,)
    [broadcast] = await campaign.services.store.outbox.recent(1)
    counts = await campaign.services.store.outbox.counts(broadcast.id)
    assert counts[SENT] == 3 and counts[BLOCKED] in (0, 1)  # the my_chat_member update may have come first
    assert tr("en")._(REPORT).format(id=1, sent=3, failed=0, blocked=counts[BLOCKED], unknown=0, pending=0) == \
        admin.last_reply.text
    second = await push(campaign, GENERAL_LABEL, TEXTS)
    [latest] = await campaign.services.store.outbox.recent(1)
    assert latest.total == 3 and second.last_reply
    assert [len(m.replies) for m in members] == [2, 0, 2, 2]


@pytest.mark.slow
async def test_a_429_storm_delivers_everything_once(tmp_path: Path) -> None:
    settings = Settings(admin_ids=frozenset({ADMIN}))
    async with LocalBot(tmp_path / "data", settings=settings, rate_limit=15) as campaign:
        members = await subscribers(campaign, ALL, 60)
        await push(campaign, GENERAL_LABEL, TEXTS)
        assert campaign.api.rejected_429 > 0, "the stand-in's limit was never hit: this test tests nothing"
        assert [len(m.replies) for m in members] == [1] * 60
        [broadcast] = await campaign.services.store.outbox.recent(1)
        assert (await campaign.services.store.outbox.counts(broadcast.id))[SENT] == 60


async def test_a_correction_edits_the_delivered_messages_in_place(campaign: LocalBot) -> None:
    members = await subscribers(campaign, "bakhtiyar-imanov", 3)
    await push(campaign, "Bakhtiyar Imanov", TEXTS)
    admin = Member(campaign, ADMIN, "en")
    await admin.sends("/correct")
    await admin.presses(TEXTS["en"][:10])
    await admin.sends("The trial was postponed to 1 December.")
    await admin.sends("/skip")
    await admin.sends("/skip")
    assert tr("en").ngettext("{count} delivered message will be edited in place.",
                             "{count} delivered messages will be edited in place.", 3).format(count=3) in \
        admin.last_reply.text
    await admin.presses(tr("en")._("Confirm and send"))
    await finish_broadcasts(campaign)
    for member in members:
        [message] = member.replies  # no new message: the old one changed
        lang = member.language_code or "en"
        assert message.edits == 1
        assert tr(lang)._("Corrected on {date}").format(date=tr(lang).day(date.today().isoformat())) in message.text
        # the English text was rewritten; /skip kept the Azerbaijani and Russian ones as they were
        assert ("1 December" if lang == "en" else TEXTS[lang]) in message.text
    update = (await campaign.services.store.updates.history("bakhtiyar-imanov"))[0]
    assert update.corrected is not None and "1 December" in update.texts["en"] and update.texts["ru"] == TEXTS["ru"]


async def test_the_card_shows_the_latest_update_and_its_history(campaign: LocalBot) -> None:
    await push(campaign, "Asif Yusifli", {"en": "First news."})
    await push(campaign, "Asif Yusifli", {"en": "Second news."})
    member = Member(campaign, 700, "en")
    [card] = await member.sends("/case asif")
    assert "Second news." in card.text and "First news." not in card.text
    await member.presses(tr("en")._("Updates ({count})").format(count=2))
    assert "First news." in member.last_reply.text and "Second news." in member.last_reply.text


async def test_members_who_are_not_admins_are_refused_and_nothing_changes(campaign: LocalBot) -> None:
    member = Member(campaign, 701, "az")
    refusal = tr("az")._("Sorry, this is only for the campaign's admins.")
    for command in ("/push", "/correct", "/stats", "/broadcasts"):
        [reply] = await member.sends(command)
        assert reply.text == refusal
    await member.sends("/cases")
    listing = member.keyboard_message()
    for forged in ("push:ok", "push:topic:general", "fix:1", "bc:cancel:1", "content:ok"):
        await member.presses_data(listing, forged)
        assert member.last_answer is not None and member.last_answer.get("text") == refusal
    [reply] = await member.sends_document("asif-yusifli.yaml", b"id: asif-yusifli\nkind: person\n")
    assert reply.text == refusal
    assert await campaign.services.store.updates.history() == []
    assert await campaign.services.store.outbox.recent(None) == []


async def test_stats_and_running_broadcasts(campaign: LocalBot) -> None:
    await subscribers(campaign, ALL, 3)
    await subscribers(campaign, "asif-yusifli", 2, first_id=5000)
    await push(campaign, "Asif Yusifli", TEXTS)
    admin = Member(campaign, ADMIN, "en")
    [reply] = await admin.sends("/stats")
    assert tr("en")._("Chats with a record: {chats}; can receive updates: {active}").format(chats=5, active=5) \
        in reply.text
    few = tr("en")._("fewer than {few}").format(few=5)  # 1 to 4 members: no one of them can be singled out
    assert f"Asif Yusifli: {few}" in reply.text and tr("en")._("All updates") + f": {few}" in reply.text
    assert "English: " + few in reply.text and tr("en")._("Mammad Ibrahim") + ": 0" in reply.text
    assert tr("en")._("{sent} delivered, {failed} failed, {blocked} blocked, {pending} pending").format(
        sent=5, failed=0, blocked=0, pending=0) in reply.text
    [reply] = await admin.sends("/broadcasts")
    assert tr("en")._("No broadcast is running.") in reply.text


@pytest.mark.slow
async def test_a_running_broadcast_can_be_cancelled(tmp_path: Path) -> None:
    settings = Settings(admin_ids=frozenset({ADMIN}))
    async with LocalBot(tmp_path / "data", settings=settings, rate_limit=5) as campaign:
        members = await subscribers(campaign, ALL, 40)
        admin = await push(campaign, GENERAL_LABEL, {"en": TEXTS["en"]}, wait=False)
        await admin.sends("/broadcasts")
        assert "✖ " + tr("en")._("Cancel #{id}").format(id=1) in admin.button_labels()
        await admin.presses(tr("en")._("Cancel #{id}").format(id=1))
        await campaign.services.publisher.broadcaster.wait(1)
        [broadcast] = await campaign.services.store.outbox.recent(1)
        assert broadcast.state == "cancelled"
        counts = await campaign.services.store.outbox.counts(1)
        delivered = sum(len(m.replies) for m in members)
        assert counts[SENT] == delivered < 40 and counts["pending"] == 40 - delivered


# --- content edited from Telegram ------------------------------------------------------------------------


async def test_an_admin_updates_a_case_by_sending_its_file(campaign: LocalBot) -> None:
    admin = Member(campaign, ADMIN, "en")
    path = Path(__file__).resolve().parent.parent / "content" / "cases" / "asif-yusifli.yaml"
    text = path.read_text(encoding="utf-8")
    changed = text.replace('status:\n  en: "', 'status:\n  en: "Still in detention. ')
    assert changed != text
    [preview] = await admin.sends_document("asif-yusifli.yaml", changed.encode())
    assert "cases/asif-yusifli.yaml" in preview.text and "status.en" in preview.text
    member = Member(campaign, 702, "en")
    [card] = await member.sends("/case asif")
    assert "Still in detention" not in card.text  # nothing applied before the confirmation
    await admin.presses(tr("en")._("Apply"))
    assert tr("en")._("Applied: {file}. Members see the new version now.").format(
        file="cases/asif-yusifli.yaml") in admin.last_reply.text
    [card] = await member.sends("/case asif")
    assert "Still in detention" in card.text
    report = await campaign.services.store.content.import_items(read_content_dir(path.parent.parent))
    assert report.kept_admin_edits == ["cases/asif-yusifli.yaml"]  # an import never overwrites it


async def test_an_admin_adds_a_new_case_by_file(campaign: LocalBot) -> None:
    admin = Member(campaign, ADMIN, "ru")
    source = Path(__file__).resolve().parent.parent / "content" / "cases" / "bakhtiyar-imanov.yaml"
    new = source.read_text(encoding="utf-8").replace("id: bakhtiyar-imanov", "id: test-new-case").replace(
        "order: 20", "order: 99")
    preview = (await admin.sends_document("test-new-case.yaml", new.encode()))[0]
    assert tr("ru")._("New content: {file}").format(file="cases/test-new-case.yaml") in preview.text
    await admin.presses(tr("ru")._("Apply"))
    assert campaign.services.content.case("test-new-case") is not None


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("case.txt", b"id: x", "not a content file"),
        ("case.yaml", b"\xff\xfe", "is not UTF-8 text"),
        ("case.yaml", b"id: [unclosed", "not valid YAML"),
        ("case.yaml", b"- a\n- b\n", "must be a mapping"),
        ("case.yaml", b"id: asif-yusifli\nkind: person\n", "name: required"),
        ("case.yaml", b"colour: red\n", "cannot tell which kind"),
        ("big.yaml", b"#" * (64 * 1024 + 1), "bytes; at most"),
    ],
)
async def test_a_bad_content_file_gets_a_precise_error_and_changes_nothing(
    campaign: LocalBot, name: str, data: bytes, reason: str
) -> None:
    before = campaign.services.content
    admin = Member(campaign, ADMIN, "en")  # the reasons in az and ru: tests/test_admin_content.py
    [reply] = await admin.sends_document(name, data)
    assert tr("en")._("That file was not applied; nothing changed.") in reply.text
    assert reason in reply.text
    assert campaign.services.content is before


async def test_a_group_that_became_a_supergroup_is_followed_to_its_new_id(campaign: LocalBot) -> None:
    group = Member(campaign, 703, "ru", chat_id=-700, chat_type="group")
    campaign.api.set_group_admins(-700, [703])
    await group.sends("/subscribe@campaign_tryout_bot all")
    campaign.api.migrate_group(-700, -1000700, announce=False)  # the bot learns of it from the send's 400
    await push(campaign, GENERAL_LABEL, TEXTS)
    [message] = campaign.api.messages(-1000700)
    assert TEXTS["ru"] in message.text
    assert await campaign.services.store.chats.get(-700) is None
    moved = await campaign.services.store.chats.get(-1000700)
    assert moved is not None and moved.subscriptions == (ALL,) and moved.language == "ru"


@pytest.mark.slow
async def test_members_get_answers_while_a_broadcast_runs(tmp_path: Path) -> None:
    settings = Settings(admin_ids=frozenset({ADMIN}), send_rate=10)
    async with LocalBot(tmp_path / "data", settings=settings) as campaign:
        await subscribers(campaign, ALL, 60)
        await push(campaign, GENERAL_LABEL, {"en": TEXTS["en"]}, wait=False)
        reader = Member(campaign, 704, "az")
        [reply] = await reader.sends("/case asif")
        assert reply.text.startswith("Asif Yusifli")
        [running] = await campaign.services.store.outbox.running()  # answered before the broadcast ended
        assert campaign.services.publisher.broadcaster.progress(running.id) is not None  # still sending
        await campaign.services.publisher.broadcaster.wait(running.id)


async def test_a_member_who_sends_some_other_file_gets_a_hint(campaign: LocalBot) -> None:
    member = Member(campaign, 705, "ru")
    [reply] = await member.sends_document("photo.pdf", b"%PDF-1.4")
    assert tr("ru")._("I can only read text messages. Send /help to see what I can do.") in reply.text


async def test_a_broadcast_interrupted_by_a_restart_resumes_and_sends_each_once(tmp_path: Path) -> None:
    settings = Settings(admin_ids=frozenset({ADMIN}), send_rate=20)
    api = LocalBotAPI()
    await api.start()
    try:
        async with LocalBot(tmp_path / "data", settings=settings, api=api) as campaign:
            members = await subscribers(campaign, ALL, 60)
            await push(campaign, GENERAL_LABEL, {"en": TEXTS["en"]}, wait=False)
            while sum(len(m.replies) for m in members) < 10:
                await asyncio.sleep(0.05)
        # stopped mid-way (a deploy, say): the broadcast is paused, not cancelled
        assert 0 < sum(len(m.replies) for m in members) < 60
        async with LocalBot(tmp_path / "data", settings=settings, api=api) as campaign:
            [broadcast] = await campaign.services.store.outbox.recent(1)
            await campaign.services.publisher.broadcaster.wait(broadcast.id)
            assert (await campaign.services.store.outbox.get(broadcast.id)).state == "done"  # type: ignore[union-attr]
        assert [len(m.replies) for m in members] == [1] * 60
    finally:
        await api.stop()


async def test_an_update_without_english_says_another_language_and_push_restarts_a_draft(campaign: LocalBot) -> None:
    en, _az, ru = await subscribers(campaign, ALL, 3)
    admin = Member(campaign, ADMIN, "en")
    await admin.sends("/push")
    await admin.presses("Asif Yusifli")
    await admin.sends("abandoned draft")
    await admin.sends("/push")  # a new draft, not "unknown command"
    assert tr("en")._("What is it about? (/cancel to stop)") in admin.last_reply.text
    await admin.presses(GENERAL_LABEL)
    for text in ("/skip", TEXTS["az"], "/skip"):
        await admin.sends(text)
    assert tr("en")._("translation pending: shown in {language}").format(language=tr("en")._("Azerbaijani")) in \
        admin.last_reply.text
    await admin.presses(tr("en")._("Confirm and send"))
    await finish_broadcasts(campaign)
    for member, lang in ((en, "en"), (ru, "ru")):
        [message] = member.replies
        assert TEXTS["az"] in message.text and "abandoned" not in message.text
        assert tr(lang)._("There is no version of this update in your language: it is shown in Azerbaijani.") \
            in message.text


async def test_confirm_sends_exactly_the_draft_its_preview_showed(campaign: LocalBot) -> None:
    """One admin, two drafts (a group and the private chat): each chat's Confirm sends its own draft."""
    members = await subscribers(campaign, ALL, 3)
    in_group = Member(campaign, ADMIN, "en", chat_id=-4242, chat_type="group")
    in_private = Member(campaign, ADMIN, "en")
    await in_group.sends("/push")
    await in_group.presses(GENERAL_LABEL)
    await in_private.sends("/push")
    await in_private.presses(GENERAL_LABEL)
    for text in ("Group draft.", "/skip", "/skip"):
        await in_group.sends(text)
    for text in ("Private draft.", "/skip", "/skip"):
        await in_private.sends(text)
    await in_private.presses(tr("en")._("Confirm and send"))
    await finish_broadcasts(campaign)
    for member in members:
        [message] = member.replies
        assert "Private draft." in message.text and "Group draft." not in message.text


async def test_a_button_under_an_older_preview_is_refused(campaign: LocalBot) -> None:
    members = await subscribers(campaign, ALL, 2)
    admin, first_preview, confirm = await draft_to_preview(campaign, ("First version.", "/skip", "/skip"))
    await admin.presses(tr("en")._("Edit"))
    await admin.presses_data(first_preview, confirm)  # while the draft is written again: it is still open
    assert admin.last_answer is not None and admin.last_answer.get("text") == tr("en")._(
        "This draft is open and being written again: finish it, then confirm under its new preview.")
    for text in ("Second version.", "/skip", "/skip"):
        await admin.sends(text)
    await admin.presses_data(first_preview, confirm)  # the old preview's Confirm, still on screen
    assert admin.last_answer is not None and admin.last_answer.get("text") == tr("en")._(
        "This preview is out of date: the draft has changed since. Use the buttons under the latest preview.")
    assert await campaign.services.store.updates.history() == []
    await admin.presses(tr("en")._("Confirm and send"))
    await finish_broadcasts(campaign)
    assert all("Second version." in m.replies[0].text and len(m.replies) == 1 for m in members)


async def test_the_broadcast_runs_even_if_the_admins_screen_cannot_be_edited(campaign: LocalBot) -> None:
    members = await subscribers(campaign, ALL, 3)
    admin, summary, confirm = await draft_to_preview(campaign, ("Sent anyway.", "/skip", "/skip"))
    api, application = campaign.api, campaign.application
    assert application is not None
    api.press_button(ADMIN, summary.message_id, confirm)
    summary.deleted = True  # the admin deleted the preview right after tapping: the edit gets a 400
    await application.wait_processed(api.last_update_id)
    await finish_broadcasts(campaign)
    assert all(len(m.replies) == 1 and "Sent anyway." in m.replies[0].text for m in members)
    assert tr("en")._("Sorry, something went wrong. Please try again.") not in "".join(m.text for m in admin.replies)


async def test_cancel_with_nothing_to_cancel_says_so(campaign: LocalBot) -> None:
    for member in (Member(campaign, 800, "en"), Member(campaign, ADMIN, "ru")):
        [reply] = await member.sends("/cancel")
        assert reply.text == tr(member.language_code or "en")._("There is nothing to cancel.")


async def test_an_update_whose_broadcast_was_never_recorded_leaves_the_timeline_at_restart(tmp_path: Path) -> None:
    """A crash between the timeline's write and the outbox's, at Confirm: no card shows an update never sent."""
    from bot.store import Store

    data = tmp_path / "data"
    settings = Settings(admin_ids=frozenset({ADMIN}))
    async with LocalBot(data, settings=settings) as campaign:
        await subscribers(campaign, ALL, 2)
        await push(campaign, "Asif Yusifli", {"en": "Sent and recorded."})
    store = Store(data)
    try:
        await store.updates.add("asif-yusifli", {"en": "Written to the timeline only."})  # then the process died
    finally:
        store.close()
    async with LocalBot(data, settings=settings) as campaign:
        member = Member(campaign, 1000, "en")
        [card] = await member.sends("/case asif")
        assert "Sent and recorded." in card.text and "Written to the timeline only." not in card.text
        assert [u.texts["en"] for u in await campaign.services.store.updates.history()] == ["Sent and recorded."]


async def test_a_correction_resumed_after_it_was_done_counts_not_modified_as_delivered(campaign: LocalBot) -> None:
    members = await subscribers(campaign, "bakhtiyar-imanov", 3)
    await push(campaign, "Bakhtiyar Imanov", TEXTS)
    admin = Member(campaign, ADMIN, "en")
    await admin.sends("/correct")
    await admin.presses(TEXTS["en"][:10])
    for text in ("The trial was postponed to 1 December.", "/skip", "/skip"):
        await admin.sends(text)
    await admin.presses(tr("en")._("Confirm and send"))
    services = campaign.services
    await finish_broadcasts(campaign)
    [correction] = await services.store.outbox.recent(1)
    # The same edits again, as after a crash that came before their results were recorded:
    targets = await services.publisher.delivered(correction.update_id)
    again = await services.store.outbox.create(EDIT, correction.update_id, correction.topic, ADMIN, targets)
    services.publisher.broadcaster.start(again)
    await services.publisher.broadcaster.wait(again.id)
    counts = await services.store.outbox.counts(again.id)
    assert counts[SENT] == 3 and counts["failed"] == 0  # Telegram said "not modified": they are as they should be
    assert all(m.replies[0].edits == 1 for m in members)


async def test_a_huge_flood_wait_pauses_the_broadcast_tells_the_admin_and_it_resumes(tmp_path: Path) -> None:
    settings = Settings(admin_ids=frozenset({ADMIN}), max_flood_wait=0.5)  # a short cap for the test
    async with LocalBot(tmp_path / "data", settings=settings) as campaign:
        members = await subscribers(campaign, ALL, 3)
        campaign.api.fail("sendMessage", 429, times=1, retry_after=2, chat_id=members[1].chat_id)
        events = campaign.api.subscribe()
        seen: list[str] = []

        async def watch() -> None:  # the card is one message edited in place: read each text as it comes
            while True:
                _, message = await events.get()
                if message.chat_id == ADMIN:
                    seen.append(message.text)

        watcher = asyncio.create_task(watch())
        await push(campaign, GENERAL_LABEL, {"en": TEXTS["en"]})
        watcher.cancel()
        paused = tr("en")._("Paused: Telegram asked the bot to wait. Sending resumes by itself at {time} (UTC).")
        assert any(paused.split("{time}")[0] in text for text in seen)  # the progress card said so
        assert [len(m.replies) for m in members] == [1, 1, 1]  # and it resumed by itself: everyone got it once
        [broadcast] = await campaign.services.store.outbox.recent(1)
        assert broadcast.state == "done" and broadcast.paused_until is None


async def test_a_reply_that_meets_a_long_flood_wait_is_dropped_and_the_next_is_answered(
        campaign: LocalBot, caplog: pytest.LogCaptureFixture) -> None:
    member = Member(campaign, 720, "en")
    campaign.api.fail("sendMessage", 429, times=1, retry_after=3600, chat_id=720)
    assert await member.sends("/cases") == []  # not held for an hour
    assert "a reply was dropped: Telegram asked to wait 3600 s" in caplog.text
    assert "Traceback" not in caplog.text
    [reply] = await member.sends("/cases")
    assert tr("en")._("Cases") in reply.text
