"""A member's story with the reading bot: the real Application, over HTTP, against the stand-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.render import shorten
from bot.tryout.driver import LocalBot
from tests.conftest import Member, tr

LANGS = {"en": "en", "az": "az-AZ", "ru": "ru"}  # bot language → a Telegram language_code for it


def _stored(bot: LocalBot) -> bytes:
    """Every byte the bot keeps about chats (snapshot and journal)."""
    return b"".join(p.read_bytes() for p in sorted(bot.data_dir.glob("chats.json*")))


# --- first contact and language ----------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "code"), [("en", "en"), ("en", None), ("en", "de"), ("az", "az"),
                                            ("az", "az-AZ"), ("ru", "ru"), ("ru", "ru-RU")])
async def test_start_greets_in_the_telegram_language_and_offers_the_picker(
    bot: LocalBot, lang: str, code: str | None
) -> None:
    member = Member(bot, 501, code)
    [reply] = await member.sends("/start")
    assert tr(lang)._("Choose your language below. You can change it at any time with /language.") in reply.text
    assert sorted(b.replace("✓ ", "") for b in member.button_labels()) == ["Azərbaycanca", "English", "Русский"]
    assert _stored(bot) == b"" and await bot.services.store.chats.get(501) is None, "reading alone stores nothing"


async def test_choosing_a_language_is_stored_and_used_from_then_on(bot: LocalBot) -> None:
    member = Member(bot, 502, "en")
    await member.sends("/start")
    message = await member.presses("Русский")
    assert message.edits == 1
    assert tr("ru")._("Language set: {language}. Send /help to see what I can do.").format(
        language="Русский") in member.last_reply.text
    assert bot.api.callback_answers  # the button's spinner was stopped
    [reply] = await member.sends("/start")
    assert tr("ru")._("Start with the cases, or send /help.") in reply.text  # no picker this time
    record = await bot.services.store.chats.get(502)
    assert record is not None and record.language == "ru" and record.subscriptions == ()


async def test_language_command_switches_between_all_three(bot: LocalBot) -> None:
    member = Member(bot, 503, "ru")
    current = "ru"
    for target, label in (("az", "Azərbaycanca"), ("en", "English"), ("ru", "Русский")):
        [picker] = await member.sends("/language")
        assert tr(current)._("Choose your language:") in picker.text
        await member.presses(label)
        [reply] = await member.sends("/cases")
        assert tr(target)._("Choose a case to read it:") in reply.text
        current = target


# --- every command in every language -------------------------------------------------------------------

EXPECTED = {
    "/help": "What I can do",
    "/about": "Sources",
    "/privacy": "What this bot stores",
    "/cases": "Choose a case to read it:",
    "/case": "Send /case and a name, for example: /case Yusifli. Or browse all cases:",
    "/concerns": "Choose a concern to read it:",
    "/background": "Sources",
    "/language": "Choose your language:",
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("command", EXPECTED)
async def test_every_command_answers_in_the_members_language(bot: LocalBot, lang: str, command: str) -> None:
    member = Member(bot, 510, LANGS[lang])
    replies = await member.sends(command)
    assert replies, f"{command} got no answer"
    assert tr(lang)._(EXPECTED[command]) in replies[-1].text
    if lang != "en":
        assert EXPECTED[command] not in replies[-1].text or tr(lang)._(EXPECTED[command]) == EXPECTED[command]


@pytest.mark.parametrize("lang", LANGS)
async def test_the_command_menu_is_set_in_each_language(bot: LocalBot, lang: str) -> None:
    key = ("default", "" if lang == "en" else lang)
    commands = {c["command"]: c["description"] for c in bot.api.commands[key]}
    assert set(commands) >= {"cases", "case", "background", "concerns", "language", "about", "privacy", "help"}
    assert commands["cases"] == tr(lang)._("The cases: people detained or attacked")


# --- cases ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_browsing_the_cases_and_opening_one(bot: LocalBot, lang: str) -> None:
    member = Member(bot, 520, LANGS[lang])
    await member.sends("/cases")
    content = bot.services.content
    case = content.case("fuad-gakhramanli")
    assert case is not None
    list_message = await member.presses(case.name[lang])
    card = member.last_reply
    assert card.message_id == list_message.message_id and card.edits == 1  # the list became the card
    assert case.name[lang] in card.text and case.role[lang] in card.text
    assert tr(lang).month(case.as_of) in card.text and "278" in card.text
    assert any("url" in b and "pace.coe.int" in b["url"] for b in card.buttons())
    await member.presses(tr(lang)._("All cases"))
    assert tr(lang)._("Choose a case to read it:") in member.last_reply.text


@pytest.mark.parametrize(
    ("code", "query", "name"),
    [("en", "asif", "Asif Yusifli"), ("en", "Yusifli", "Asif Yusifli"), ("ru", "Юсифли", "Асиф Юсифли"),
     ("az", "Qəhrəmanlı", "Fuad Qəhrəmanlı"), ("en", "Gakhramanli", "Fuad Gakhramanli"),
     ("en", "Garkhamanli", "Fuad Gakhramanli"), ("ru", "Ибрагим", "Мамед Ибрагим"),
     ("az", "Bəxtiyar", "Bəxtiyar İmanov"), ("en", "bakhtiyar imanov", "Bakhtiyar Imanov")],
)
async def test_case_command_finds_a_case_by_any_spelling(bot: LocalBot, code: str, query: str, name: str) -> None:
    member = Member(bot, 521, code)
    [card] = await member.sends(f"/case {query}")
    assert card.text.startswith(name)


async def test_several_matches_are_offered_as_buttons(bot: LocalBot) -> None:
    member = Member(bot, 522, "ru")
    [reply] = await member.sends("/case ПНФА")
    offered = tr("ru").ngettext("{count} case matches “{query}”. Choose one:",
                                "{count} cases match “{query}”. Choose one:", 4)
    assert reply.text == offered.format(count=4, query="ПНФА")
    assert member.button_labels() == ["Асиф Юсифли", "Бахтияр Иманов", "Фуад Гахраманлы", "Мамед Ибрагим"]
    await member.presses("Мамед Ибрагим")
    assert member.last_reply.text.startswith("Мамед Ибрагим")


async def test_a_name_sent_as_a_message_is_looked_up(bot: LocalBot) -> None:
    member = Member(bot, 523, "az")
    [card] = await member.sends("məmməd ibrahim")
    assert card.text.startswith("Məmməd İbrahim")


@pytest.mark.parametrize("lang", LANGS)
async def test_no_match_explains_how_to_browse(bot: LocalBot, lang: str) -> None:
    member = Member(bot, 524, LANGS[lang])
    [reply] = await member.sends("/case Nobody Atall")
    assert tr(lang)._("No case matches “{query}”.").format(query="Nobody Atall") in reply.text
    assert "/cases" in reply.text
    await member.presses(tr(lang)._("All cases"))
    assert tr(lang)._("Choose a case to read it:") in member.last_reply.text


# --- deep links --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_a_deep_link_opens_its_case(bot: LocalBot, lang: str) -> None:
    member = Member(bot, 530, LANGS[lang])
    [card] = await member.sends("/start case_baku-rally-july-2020")
    case = bot.services.content.case("baku-rally-july-2020")
    assert case is not None and card.text.startswith(case.name[lang])


@pytest.mark.parametrize("payload", ["case_no-such-case", "case_" + "x" * 59, "garbage", "case_../../etc",
                                     "case_ASIF-YUSIFLI"])
async def test_a_broken_deep_link_says_so_and_greets(bot: LocalBot, payload: str) -> None:
    member = Member(bot, 531, "ru")
    first, greeting = await member.sends(f"/start {payload}")
    assert tr("ru")._("That link points to a case I don't have. Here is what I can show you.") in first.text
    assert tr("ru")._("Choose your language below. You can change it at any time with /language.") in greeting.text


# --- background and concerns ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_background_and_concerns(bot: LocalBot, lang: str) -> None:
    member = Member(bot, 540, LANGS[lang])
    content = bot.services.content
    [reply] = await member.sends("/background")
    assert content.background.title[lang] in reply.text and "30" in reply.text
    assert tr(lang)._("As of {date}").format(date=tr(lang).month(content.background.as_of)) in reply.text
    await member.sends("/concerns")
    labels = [(c.short or c.title)[lang] for c in content.concerns]  # a button shows the short title
    assert member.button_labels()[: len(labels)] == labels
    for concern, label in zip(content.concerns, labels, strict=True):
        await member.presses(label)
        assert member.last_reply.text.startswith(concern.title[lang])
        await member.presses(tr(lang)._("All concerns"))


# --- translation fallback ------------------------------------------------------------------------------


async def test_a_missing_translation_shows_english_with_a_note(tmp_path: Path) -> None:
    import shutil

    root = Path(shutil.copytree(Path(__file__).resolve().parent.parent / "content", tmp_path / "content"))
    path = root / "cases" / "bakhtiyar-imanov.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("summary:")
    ru = text.index("  ru: |", start)
    end = text.index("\ncharges:", ru)
    path.write_text(text[:ru] + text[end + 1:], encoding="utf-8")
    async with LocalBot(tmp_path / "data", content_root=root) as bot:
        member = Member(bot, 550, "ru")
        [card] = await member.sends("/case Иманов")
        case = bot.services.content.case("bakhtiyar-imanov")
        assert case is not None and "ru" not in case.summary
        assert case.summary["en"].split("\n")[0][:60] in card.text
        assert case.role["ru"] in card.text
        assert tr("ru")._("Translation pending: part of this text is shown in English.") in card.text
        [az_card] = await Member(bot, 551, "az").sends("/case Imanov")
        assert tr("az")._("Translation pending: part of this text is shown in English.") not in az_card.text


# --- odd input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_bad_input_gets_a_clear_answer_and_changes_nothing(bot: LocalBot, lang: str) -> None:
    member = Member(bot, 560, LANGS[lang])
    await member.sends("/language")
    await member.presses({"en": "English", "az": "Azərbaycanca", "ru": "Русский"}[lang])
    stored = _stored(bot)
    t = tr(lang)

    [reply] = await member.sends("/case " + "я" * 5000)
    assert t._("No case matches “{query}”.").format(query=shorten("я" * 5000)) in reply.text
    assert len(reply.text) < 1000
    for odd in ("\u202eilfisuY\u202c", "Asif\u200b", "🙂🙂", "\u0000", "<b>Asif</b>", "&amp;", "'; DROP TABLE"):
        replies = await member.sends(f"/case {odd}")
        assert replies, f"no answer to {odd!r}"
    [reply] = await member.sends("/nosuchcommand")
    assert t._("I don't know that command. Send /help to see what I can do.") in reply.text
    [reply] = await member.sends_update({"sticker": {"file_id": "x", "file_unique_id": "y", "width": 1,
                                                     "height": 1, "is_animated": False, "is_video": False,
                                                     "type": "regular"}})
    assert t._("I can only read text messages. Send /help to see what I can do.") in reply.text

    await member.sends("/cases")
    listing = member.keyboard_message()
    text_before, edits_before = listing.text, listing.edits
    for forged in ("zzz", "case:", "cases:9999", "lang:de", "case:../x", "x" * 64, "concern:UPPER"):
        await member.presses_data(listing, forged)
        assert member.last_answer is not None and member.last_answer.get("text") == t._(
            "This button is out of date. Here is the current list.")
        assert listing.text == text_before and listing.edits == edits_before
    await member.presses_data(listing, "case:retired-case")  # a well-formed id that no longer exists
    assert member.last_answer is not None and member.last_answer.get("text")
    assert t._("Choose a case to read it:") in listing.text
    await member.presses_data(listing, "concern:retired-concern")
    assert t._("Choose a concern to read it:") in listing.text

    assert _stored(bot) == stored  # nothing changed


# --- groups -------------------------------------------------------------------------------------------


async def test_in_a_group_commands_work_and_chatter_is_ignored(bot: LocalBot) -> None:
    member = Member(bot, 570, "az", chat_id=-100500, chat_type="supergroup")
    [reply] = await member.sends("/cases@campaign_tryout_bot")
    assert tr("az")._("Choose a case to read it:") in reply.text
    assert await member.sends("hello everyone, Asif is in the news") == []
    assert await member.sends("/cases@some_other_bot") == []
