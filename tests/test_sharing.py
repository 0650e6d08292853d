"""Sharing a case, as members do it, over HTTP against the stand-in: inline mode, the Share button and its QR code,
the deep link that opens a card, the bot's descriptions, and the expandable parts of a card."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from bot import render
from bot.handlers.inline import CACHE_SECONDS, RESULTS_PER_ANSWER
from bot.recent_shares import MAX_KEPT, WINDOW_SECONDS, RecentShares
from bot.tryout.driver import LocalBot
from bot.tryout.standin import LocalBotAPI, SentMessage
from bot.tryout.standin.descriptions import DESCRIPTION, SHORT_DESCRIPTION
from bot.tryout.standin.inline import InlineResult
from bot.tryout.terminal import Buttons, format_message
from tests.conftest import ROOT, Member, tr

ASIF = "asif-yusifli"
LINK = "https://t.me/campaign_tryout_bot?start=case_asif-yusifli"
"""The stand-in's bot is @campaign_tryout_bot."""


def open_button(message: SentMessage | InlineResult) -> str:
    """The URL of the button that opens the case in the bot."""
    assert message.reply_markup is not None
    [url] = [b["url"] for row in message.reply_markup["inline_keyboard"] for b in row
             if b.get("url", "").startswith("https://t.me/")]
    return str(url)


# --- inline mode -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "query"), [
    ("en", "asif"), ("en", "Юсифли"), ("az", "Yusifli"), ("az", "Əsif"), ("ru", "Юсифли"), ("ru", "asif yusufli"),
])
async def test_inline_mode_offers_the_matching_card_in_the_sharers_language(bot: LocalBot, lang: str,
                                                                           query: str) -> None:
    sharer = Member(bot, 801, lang)
    answer = await sharer.inline(query)
    assert [r.id for r in answer.results] == [ASIF]
    [result] = answer.results
    case = bot.services.content.case(ASIF)
    assert case is not None
    assert result.title == case.name[lang] and result.description == case.role[lang]
    assert result.text.startswith(case.name[lang])
    assert tr(lang)._("What happened") in result.text
    assert {"expandable_blockquote"} <= {e["type"] for e in result.entities}  # the long parts open on a tap
    assert open_button(result) == LINK
    assert (answer.cache_time, answer.is_personal) == (CACHE_SECONDS, True)  # the language is the sharer's


async def test_inline_mode_speaks_the_language_the_sharer_chose_over_their_apps(bot: LocalBot) -> None:
    sharer = Member(bot, 802, "en")
    await sharer.sends("/language")
    await sharer.presses("Azərbaycanca")
    [result] = (await sharer.inline("Yusifli")).results
    assert result.title == "Asif Yusifli" and tr("az")._("What happened") in result.text
    assert tr("az")._("Open in the bot") in [b["text"] for row in result.reply_markup["inline_keyboard"]  # type: ignore[index]
                                             for b in row]


@pytest.mark.parametrize("lang", ["en", "az", "ru"])
async def test_help_tells_how_to_share_a_case_in_any_chat(bot: LocalBot, lang: str) -> None:
    [reply] = await Member(bot, 809, lang).sends("/help")
    assert tr(lang)._("To share a case in any chat, type @{bot} and a name there, then pick its card.").format(
        bot="campaign_tryout_bot") in reply.text


async def test_the_inline_hint_sent_as_a_message_finds_the_case(bot: LocalBot) -> None:
    """A member follows /help's hint in the chat with the bot itself and sends `@<bot> name` as a message."""
    member = Member(bot, 813, "ru")
    for text in ("@campaign_tryout_bot asif", "@Campaign_Tryout_Bot Юсифли", "/case @campaign_tryout_bot Yusifli"):
        [card] = await member.sends(text)
        assert card.text.startswith("Асиф Юсифли"), text
    [usage] = await member.sends("@campaign_tryout_bot")
    assert usage.text == tr("ru")._("Send /case and a name, for example: /case Yusifli. Or browse all cases:")
    [other] = await member.sends("@campaign_tryout_bots")  # another bot's name is not this one's
    assert "@campaign_tryout_bots" in other.text


async def test_an_empty_inline_query_offers_every_case(bot: LocalBot) -> None:
    answer = await Member(bot, 803, "ru").inline("")
    assert [r.id for r in answer.results] == [case.id for case in bot.services.content.cases]
    assert answer.next_offset == ""
    assert all(r.text.startswith(r.title) for r in answer.results)


@pytest.mark.parametrize("query", [
    "x" * 256, "Юсифли " * 36, "<b>&amp;</b>\"'", "\u202e\u200b\u0000\t\n", "\ud83d", "🙂" * 128, "%s{0}{name}",
    "a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a",
])
async def test_a_hostile_inline_query_gets_an_answer_and_breaks_nothing(bot: LocalBot, query: str,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    answer = await Member(bot, 804, "az").inline(query)
    assert all(r.id in {case.id for case in bot.services.content.cases} for r in answer.results)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert (await Member(bot, 804, "az").inline("asif")).results  # and the next one is answered as usual


@pytest.mark.parametrize("offset", ["abc", "-1", "99999999999", "²", "7"])
async def test_an_odd_offset_gives_the_first_page_or_what_is_left(bot: LocalBot, offset: str) -> None:
    answer = await Member(bot, 805, "en").inline("", offset=offset)
    everyone = [case.id for case in bot.services.content.cases]
    assert [r.id for r in answer.results] == (everyone[7:] if offset == "7" else everyone)


async def test_more_cases_than_one_answer_holds_come_page_by_page(tmp_path: Path) -> None:
    root = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    template = (root / "cases" / f"{ASIF}.yaml").read_text(encoding="utf-8")
    for n in range(60):
        text = template.replace(f"id: {ASIF}", f"id: case-{n:02d}").replace("order: 10", f"order: {100 + n}")
        (root / "cases" / f"case-{n:02d}.yaml").write_text(text, encoding="utf-8")
    async with LocalBot(tmp_path / "data", content_root=root) as bot:
        everyone = [case.id for case in bot.services.content.cases]
        sharer = Member(bot, 806, "en")
        first = await sharer.inline("")
        assert len(first.results) == RESULTS_PER_ANSWER and first.next_offset
        second = await sharer.inline("", offset=first.next_offset)
        assert second.next_offset == ""
        assert [r.id for r in first.results + second.results] == everyone
        found = await sharer.inline("Yusifli")  # 61 cases of that name
        assert len(found.results) == RESULTS_PER_ANSWER


async def test_a_card_shared_in_russian_into_another_chat_opens_the_case_in_the_bot(bot: LocalBot) -> None:
    """Done when: a member shares a case card in Russian from another chat, and its button opens the case."""
    sharer = Member(bot, 807, "ru")
    await sharer.inline("Юсифли")
    shared = sharer.shares(ASIF, chat_id=-1009000000001)  # a group the bot is not in
    assert shared.via_bot is not None and shared.via_bot["username"] == "campaign_tryout_bot"
    assert not shared.from_bot
    assert shared.text.startswith("Асиф Юсифли") and tr("ru")._("What happened") in shared.text
    [button] = [b for b in shared.buttons() if "url" in b and b["url"].startswith("https://t.me/")]
    assert button["text"] == tr("ru")._("Open in the bot")
    reader = Member(bot, 808, "en")  # someone in that group who never talked to the bot
    [card] = await reader.opens(button["url"])
    assert card.text.startswith("Asif Yusifli")  # the card, in the reader's own language
    assert tr("en")._("Subscribe") in " ".join(b["text"] for b in card.buttons())


# --- the Share button ------------------------------------------------------------------------------------


def decode_qr(png: bytes) -> str:
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert code.format == zxingcpp.BarcodeFormat.QRCode
    return str(code.text)


@pytest.mark.parametrize("lang", ["en", "az", "ru"])
async def test_the_share_button_gives_a_text_to_forward_and_a_qr_code_that_opens_the_card(bot: LocalBot,
                                                                                         lang: str) -> None:
    member = Member(bot, 810, lang)
    await member.sends("/case Yusifli")
    card = member.last_reply
    before = len(member.replies)
    await member.presses(tr(lang)._("Share"))
    assert member.last_answer is not None and not member.last_answer.get("text")
    text, photo = member.replies[before:]
    assert card.edits == 0  # the card stays as it was
    case = bot.services.content.case(ASIF)
    assert case is not None
    assert text.text == f"{case.name[lang]}\n{case.role[lang]}\n" \
                        f"{tr(lang)._('Read the case and follow its updates in Telegram:')} {LINK}"
    assert photo.photo is not None and photo.document is None
    assert tr(lang)._("For posters and leaflets: this QR code opens “{name}” in the bot, as the link above does. "
                      "Forward the message above to share the case in a chat.").format(name=case.name[lang]) \
        == photo.text
    [size] = photo.photo
    file = await bot.application.bot.get_file(size["file_id"])  # type: ignore[union-attr]
    png = bytes(await file.download_as_bytearray())  # the upload itself, over HTTP
    assert png.startswith(b"\x89PNG") and size["width"] >= 400
    assert f"[a photo, {size['width']}×{size['height']} px]" in format_message(photo, "new", Buttons())  # try-out
    link = decode_qr(png)
    assert link == LINK
    newcomer = Member(bot, 811, "az")  # someone who scans the poster
    [opened] = await newcomer.opens(link)
    assert opened.text.startswith("Asif Yusifli") and tr("az")._("What happened") in opened.text


def share_data(card: SentMessage) -> str:
    [data] = [b["callback_data"] for b in card.buttons() if b.get("callback_data", "").startswith("share:")]
    return str(data)


async def test_share_in_a_group_posts_once_a_minute_per_card_and_topic(bot: LocalBot) -> None:
    """Any member can press Share: in a group, a card's Share posts its two messages once a minute in each chat or
    topic, and a press within the minute is told the case is just above (the group's 20 a minute are not eaten)."""
    clock = [0.0]
    bot.services.recent_shares = RecentShares(clock=lambda: clock[0])
    forum = -1009800
    bot.api.make_forum(forum)
    azerbaijan, trials = bot.api.create_topic(forum, "Azerbaijan"), bot.api.create_topic(forum, "Trials")
    member = Member(bot, 814, "ru", chat_id=forum, chat_type="supergroup", thread_id=azerbaijan)
    [card] = await member.sends("/case@campaign_tryout_bot Yusifli")
    before = len(bot.api.messages(forum))
    for _ in range(12):
        await member.presses(tr("ru")._("Share"))
    another = Member(bot, 815, "en", chat_id=forum, chat_type="supergroup", thread_id=azerbaijan)
    await another.presses_data(card, share_data(card))  # the same card: once per chat, not once per member
    assert another.last_answer is not None and another.last_answer.get("text") == render.shared_just_above(tr("en"))
    assert member.last_answer is not None and member.last_answer.get("text") == "Этим делом уже поделились чуть выше."
    assert len(bot.api.messages(forum)) == before + 2

    [other_case] = await member.sends("/case@campaign_tryout_bot Imanov")  # another card shares at once
    await member.presses_data(other_case, share_data(other_case))
    in_trials = Member(bot, 814, "ru", chat_id=forum, chat_type="supergroup", thread_id=trials)
    await in_trials.sends("/case@campaign_tryout_bot Yusifli")  # and the same card in another topic
    await in_trials.presses(tr("ru")._("Share"))
    assert len(in_trials.replies) == 3
    assert len(bot.api.messages(forum)) == before + 1 + 2 + 1 + 2 + 2  # the card asked for, its share, twice

    clock[0] += WINDOW_SECONDS  # a minute later, the first card can be shared again
    shared = len(member.replies)
    await member.presses_data(card, share_data(card))
    assert len(member.replies) == shared + 2

    private = Member(bot, 816, "en")  # in a private chat, Share answers every press
    await private.sends("/case Yusifli")
    await private.presses(tr("en")._("Share"))
    await private.presses(tr("en")._("Share"))
    assert len(private.replies) == 5


def test_the_shares_remembered_are_bounded_the_oldest_going_first() -> None:
    shares = RecentShares(clock=lambda: 0.0)  # all within the same minute
    assert shares.claim(-1, None, ASIF)
    for n in range(MAX_KEPT):
        assert shares.claim(-2 - n, 7, ASIF)
    assert not shares.claim(-1 - MAX_KEPT, 7, ASIF)  # the newest are held
    assert shares.claim(-1, None, ASIF)  # the oldest was let go


async def test_a_forged_or_stale_share_button_is_answered_not_obeyed(bot: LocalBot) -> None:
    member = Member(bot, 812, "ru")
    await member.sends("/case Yusifli")
    card = member.keyboard_message()
    before = len(member.replies)
    for data in ("share:no-such-case", "share:", "share:../x", "share:" + "a" * 60):
        await member.presses_data(card, data)
        assert member.last_answer is not None and member.last_answer["text"] == render.stale_button(tr("ru"))
    assert len(member.replies) == before


# --- descriptions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "az", "ru"])
def test_the_descriptions_fit_telegrams_limits(lang: str) -> None:
    description, short = render.description(tr(lang)), render.short_description(tr(lang))
    assert 0 < len(description) <= render.MAX_DESCRIPTION
    assert 0 < len(short) <= render.MAX_SHORT_DESCRIPTION
    if lang != "en":
        assert description != render.description(tr("en")) and short != render.short_description(tr("en"))


async def test_the_descriptions_are_set_per_language_at_start_and_only_when_they_change(tmp_path: Path) -> None:
    api = LocalBotAPI()
    await api.start()
    try:
        async with LocalBot(tmp_path / "data", api=api):
            for lang in ("en", "az", "ru"):
                assert api.descriptions.text(DESCRIPTION, lang) == render.description(tr(lang))
                assert api.descriptions.text(SHORT_DESCRIPTION, lang) == render.short_description(tr(lang))
            assert api.descriptions.text(DESCRIPTION) == render.description(tr("en"))  # everyone else: English
            assert api.descriptions.text(SHORT_DESCRIPTION) == render.short_description(tr("en"))
            assert api.descriptions.text(SHORT_DESCRIPTION) == ("Cases of activists detained in Azerbaijan, with "
                                                                "sources. Keeps almost nothing about you.")
            for lang in ("en", "az", "ru"):  # "almost nothing", and where to read exactly what (not "only")
                assert "/privacy" in api.descriptions.text(DESCRIPTION, lang)
        sets = [name for name, _ in api.calls if name in ("setMyDescription", "setMyShortDescription")]
        assert len(sets) == 8
        async with LocalBot(tmp_path / "data", api=api):
            pass
        again = [name for name, _ in api.calls if name in ("setMyDescription", "setMyShortDescription")]
        assert again == sets  # a restart reads them and changes nothing
    finally:
        await api.stop()


# --- the card's expandable parts ----------------------------------------------------------------------------


async def test_a_card_keeps_its_long_parts_in_expandable_quotes(bot: LocalBot) -> None:
    [card] = await Member(bot, 820, "en").sends("/case Yusifli")
    case = bot.services.content.case(ASIF)
    assert case is not None
    quotes = [card.text[e["offset"] : e["offset"] + e["length"]]
              for e in card.entities if e["type"] == "expandable_blockquote"]
    assert len(quotes) == 2
    assert quotes[0].startswith(case.summary["en"].split("\n")[0][:80])
    assert quotes[1].startswith("• " + case.concerns[0]["en"][:60])
