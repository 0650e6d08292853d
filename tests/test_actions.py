"""Acting on a case, as members do it, over HTTP against the stand-in: Take action under a card, the actions in each
language with their copy buttons, "I did it" counted once per member per case (across a restart, and with no
member's id anywhere in the data directory), forged and stale buttons, and an admin's file with bad actions."""

from __future__ import annotations

import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from telegram import Bot, CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from bot import LANGUAGES, button_data, render
from bot.config import Settings
from bot.content import MESSAGES, Case
from bot.store.actions import KEY_FILE
from bot.tryout.driver import LocalBot
from bot.tryout.standin import LocalBotAPI, SentMessage
from tests.conftest import ROOT, Member, tr

ASIF = "asif-yusifli"
FUAD = "fuad-gakhramanli"
DEFENDER = "human-rights-centre-head-2004"
"""The bundled case without actions: its source calls for nothing about him."""

ADMIN = 90001
MEMBERS = [7_310_000_001 + n for n in range(7)]
"""Member ids unlike any other number in the data directory, so that a scan for them means something."""


@pytest.fixture
async def campaign(tmp_path: Path) -> AsyncIterator[LocalBot]:
    async with LocalBot(tmp_path / "data", settings=Settings(admin_ids=frozenset({ADMIN}))) as running:
        yield running


def case(bot: LocalBot, case_id: str) -> Case:
    found = bot.services.content.case(case_id)
    assert found is not None
    return found


async def open_card(member: Member, name: str) -> SentMessage:
    [card] = await member.sends(f"/case {name}")
    return card


async def take_action(member: Member, name: str) -> SentMessage:
    """Open the case's card and press Take action: the card becomes the actions screen."""
    await open_card(member, name)
    return await member.presses(tr(member.language_code or "en")._("Take action"))


def flat(text: str) -> str:
    return " ".join(text.split())


async def did_it(member: Member) -> str:
    """Press "I did it" on the member's latest keyboard; returns the callback answer's text."""
    await member.presses(tr(member.language_code or "en")._("I did it"))
    assert member.last_answer is not None
    return str(member.last_answer.get("text", ""))


# --- the actions screen ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_a_cases_actions_render_in_each_language_with_the_copy_button(campaign: LocalBot, lang: str) -> None:
    member = Member(campaign, 801, lang)
    t = tr(lang)
    card = await open_card(member, "Yusifli")
    assert "📣 " + t._("Take action") in member.button_labels()
    screen = await member.presses(t._("Take action"))
    assert screen is card and card.edits == 1  # the card became its actions screen, in place
    actions = case(campaign, ASIF).actions
    assert actions is not None
    assert t._("Take action: {name}").format(name=case(campaign, ASIF).name[lang]) in screen.text
    assert flat(actions.ask[lang]) in flat(screen.text)
    assert t._("What is asked, as of {date}").format(date=t.month(actions.as_of)) in screen.text
    assert t._("Sources") + "\n" in screen.text and "End brutal crackdown on opposition activists" in screen.text
    [message] = actions.messages
    assert message[lang] in screen.text  # shown, so that the member knows what the button copies
    copies = [b for b in screen.buttons() if "copy_text" in b]
    assert copies == [{"text": "📋 " + t._("Copy the message"), "copy_text": {"text": message[lang]}}]
    [link] = [b for b in screen.buttons() if "url" in b]
    assert link == {"text": "🔗 " + actions.links[0].label[lang], "url": actions.links[0].url}
    assert "✅ " + t._("I did it") in member.button_labels()
    assert t._("Translation pending") not in screen.text
    await member.presses(t._("Back to the case"))
    assert screen.text.startswith(case(campaign, ASIF).name[lang])


async def test_a_case_without_actions_has_no_take_action_button_and_its_data_is_refused(campaign: LocalBot) -> None:
    member = Member(campaign, 802, "en")
    card = await open_card(member, "Human Rights Centre")
    assert card.text.startswith("Head of the Human Rights Centre of Azerbaijan")
    assert not any("Take action" in label for label in member.button_labels())
    for data in (button_data.actions(DEFENDER), button_data.acted(DEFENDER)):
        await member.presses_data(card, data)
        assert member.last_answer is not None and member.last_answer.get("text") == render.stale_button(tr("en"))
    assert await campaign.services.store.actions.count(DEFENDER) == 0


async def test_forged_and_stale_buttons_get_a_clear_answer_and_change_nothing(
        campaign: LocalBot, caplog: pytest.LogCaptureFixture) -> None:
    member = Member(campaign, 803, "ru")
    screen = await take_action(member, "Юсифли")
    stale = render.stale_button(tr("ru"))
    for data in ("act:no-such-case", "did:no-such-case", "did:" + "x" * 41, "did:Asif", "did:../../etc",
                 "did:asif-yusifli:1", "did:"):
        await member.presses_data(screen, data)
        assert member.last_answer is not None and member.last_answer.get("text") == stale, data
    assert await campaign.services.store.actions.count(ASIF) == 0
    everything = "\n".join(m.text for m in member.replies)
    assert tr("ru")._("Sorry, something went wrong. Please try again.") not in everything
    assert "Traceback" not in caplog.text


# --- "I did it" ------------------------------------------------------------------------------------------------


async def test_i_did_it_counts_once_per_member_per_case_across_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    api = LocalBotAPI()
    await api.start()
    try:
        async with LocalBot(data, api=api) as bot:
            first = Member(bot, MEMBERS[0], "en")
            await take_action(first, "Yusifli")
            assert await did_it(first) == render.counted(tr("en"))
            assert await bot.services.store.actions.count(ASIF) == 1
            screen = first.keyboard_message()
            assert "📣 Fewer than 5 members have acted on this case." in screen.text  # 1 to 4: no one singled out
            text_before = screen.text
            assert await did_it(first) == render.already_counted(tr("en"))  # pressed twice: counted once
            assert screen.text == text_before and await bot.services.store.actions.count(ASIF) == 1
            for member_id, lang in zip(MEMBERS[1:4], ("az", "ru", "en"), strict=True):
                member = Member(bot, member_id, lang)
                await take_action(member, "Yusifli")
                assert await did_it(member) == render.counted(tr(lang))
            await take_action(first, "Gakhramanli")  # another case: the same member counts there too
            assert await did_it(first) == render.counted(tr("en"))
        async with LocalBot(data, api=api) as bot:
            first = Member(bot, MEMBERS[0], "en")
            await take_action(first, "Yusifli")
            assert await did_it(first) == render.already_counted(tr("en"))  # remembered across the restart
            assert await bot.services.store.actions.count(ASIF) == 4
            assert await bot.services.store.actions.count(FUAD) == 1
            fifth = Member(bot, MEMBERS[4], "ru")
            await take_action(fifth, "Юсифли")
            assert await did_it(fifth) == render.counted(tr("ru"))
            assert "5 участников откликнулись на призыв по этому делу." in fifth.keyboard_message().text
            sixth = Member(bot, MEMBERS[5], "az")
            await take_action(sixth, "Yusifli")
            await did_it(sixth)
            card = await open_card(Member(bot, MEMBERS[6], "en"), "Yusifli")  # the card shows the count
            assert "📣 6 members have acted on this case." in card.text
            assert await bot.services.store.actions.count(ASIF) == 6
    finally:
        await api.stop()


async def test_no_member_id_is_kept_beside_the_count_in_any_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with LocalBot(data) as bot:
        for member_id in MEMBERS:
            member = Member(bot, member_id, "en")
            for name in ("Yusifli", "Gakhramanli"):
                await take_action(member, name)
                await did_it(member)
        assert await bot.services.store.actions.count(ASIF) == len(MEMBERS)
    files = [path for path in data.rglob("*") if path.is_file()]
    names = {path.name for path in files}
    assert KEY_FILE in names and any(name.startswith("actions.json") for name in names)  # the scan means something
    for path in files:
        raw = path.read_bytes()
        for member_id in MEMBERS:
            assert str(member_id).encode() not in raw, f"{path.name} holds member {member_id}"
    assert stat.S_IMODE((data / KEY_FILE).stat().st_mode) == 0o600
    async with LocalBot(data) as bot:  # and the count is read back from what is there
        assert await bot.services.store.actions.count(ASIF) == len(MEMBERS)
        assert await bot.services.store.actions.count(FUAD) == len(MEMBERS)


async def test_the_privacy_notice_tells_what_i_did_it_keeps(campaign: LocalBot) -> None:
    for lang in LANGUAGES:
        [reply] = await Member(campaign, 804, lang).sends("/privacy")
        assert tr(lang)._("When you press “I did it” under a case's actions, the bot counts you once for that case. "
                          "To know that it counted you, it keeps a fingerprint of the case and your Telegram account "
                          "made with a secret key: not your chat id, your name or when you pressed. /forget does not "
                          "remove it, as it names no one; but whoever holds the bot's server, where the key is kept, "
                          "could check whether a given account pressed it.") in reply.text


@pytest.mark.parametrize(("lang", "label", "quotes"), [("en", "I did it", "“”"), ("az", "Etdim", "«»"),
                                                        ("ru", "Я сделал(а)", "«»")])
async def test_the_texts_that_name_i_did_it_quote_the_button_as_it_reads(campaign: LocalBot, lang: str, label: str,
                                                                        quotes: str) -> None:
    member = Member(campaign, 805, lang)
    screen = await take_action(member, "Yusifli")
    assert "✅ " + label in member.button_labels()
    quoted = quotes[0] + label + quotes[1]
    assert quoted in screen.text
    [privacy] = await member.sends("/privacy")
    assert quoted in privacy.text
    if lang == "az":  # "as of" a month, and the counter (not "the number") that keeps no chat ids
        assert "etibarilə)" in screen.text and "sayğac isə" in screen.text


# --- an admin's content file -----------------------------------------------------------------------------------


def case_file_with(change: dict[str, object]) -> bytes:
    data = yaml.safe_load((ROOT / "content" / "cases" / f"{ASIF}.yaml").read_text(encoding="utf-8"))
    data["actions"].update(change)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000).encode()


@pytest.mark.parametrize(("change", "field", "code", "params"), [
    ({"messages": [{"en": "Free them.", "ru": "Я" * 257}]}, "actions.messages[0].ru", "copy_too_long",
     {"length": 257, "limit": 256}),
    ({"petition": "https://example.org"}, "actions.petition", "unknown_field",
     {"allowed": "ask, as_of, sources, links, messages, address, email"}),
    ({"links": [{"label": {"en": "Sign"}, "url": "http://example.org/sign"}]}, "actions.links[0].url", "not_https",
     {"value": "'http://example.org/sign'"}),
])
async def test_an_admins_file_with_bad_actions_is_refused_with_the_field_and_reason_in_their_language(
        campaign: LocalBot, change: dict[str, object], field: str, code: str, params: dict[str, object]) -> None:
    admin = Member(campaign, ADMIN, "az")
    [reply] = await admin.sends_document(f"{ASIF}.yaml", case_file_with(change))
    reason = tr("az")._(MESSAGES[code]).format(**params)
    assert reason != MESSAGES[code].format(**params)  # translated
    assert f"cases/{ASIF}.yaml: {field}: {reason}" in reply.text
    assert tr("az")._("That file was not applied; nothing changed.") in reply.text


async def test_a_campaign_fills_in_its_petition_and_email_from_telegram_and_members_get_them(
        campaign: LocalBot) -> None:
    admin = Member(campaign, ADMIN, "en")
    data = yaml.safe_load((ROOT / "content" / "cases" / f"{ASIF}.yaml").read_text(encoding="utf-8"))
    data["actions"]["links"].append({"label": {"en": "Sign the petition", "ru": "Подписать петицию"},
                                     "url": "https://example.org/petition"})
    data["actions"]["email"] = "appeals@example.org"
    data["actions"]["messages"][0]["ru"] = "Свободу Асифу Юсифли!"
    replies = await admin.sends_document(f"{ASIF}.yaml", yaml.safe_dump(data, allow_unicode=True).encode())
    assert "actions.messages[0].ru" in "\n".join(reply.text for reply in replies)
    await admin.presses(tr("en")._("Apply"))
    member = Member(campaign, 805, "ru")
    screen = await take_action(member, "Юсифли")
    assert {"text": "📋 " + tr("ru")._("Copy the message"), "copy_text": {"text": "Свободу Асифу Юсифли!"}} \
        in screen.buttons()
    assert {"text": "🔗 Подписать петицию", "url": "https://example.org/petition"} in screen.buttons()
    assert tr("ru")._("Email") + "\nappeals@example.org" in screen.text


# --- the stand-in keeps copy buttons as Telegram does -----------------------------------------------------------


async def test_the_stand_in_keeps_copy_buttons_and_refuses_a_text_over_256_characters() -> None:
    api = LocalBotAPI()
    await api.start()
    try:
        api.user_message(42, "hello")
        async with Bot("123456:TEST-not-a-real-token", base_url=api.base_url) as bot:
            def markup(text: str) -> InlineKeyboardMarkup:
                return InlineKeyboardMarkup([[InlineKeyboardButton("Copy", copy_text=CopyTextButton(text))]])

            sent = await bot.send_message(42, "x", reply_markup=markup("я" * 256))
            assert sent.reply_markup is not None
            copied = sent.reply_markup.inline_keyboard[0][0].copy_text
            assert copied is not None and copied.text == "я" * 256
            stored = api.last_message(42)
            assert stored is not None and stored.buttons() == [{"text": "Copy", "copy_text": {"text": "я" * 256}}]
            for text in ("я" * 257, "", "😀" * 129):  # an emoji outside the BMP counts two
                with pytest.raises(BadRequest, match=r"(?i)COPY_TEXT_INVALID"):
                    await bot.send_message(42, "x", reply_markup=markup(text))
    finally:
        await api.stop()

