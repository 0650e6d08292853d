"""An admin reviews a content file sent from Telegram: what changes, whole; a new case as its card; warnings.

Over HTTP against the stand-in, like test_broadcast.py's admin stories.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import Settings
from bot.content import MESSAGES, RawItem, read_content_dir
from bot.tryout.driver import LocalBot
from bot.tryout.standin import SentMessage
from tests.conftest import Member, tr

ADMIN = 90001
CONTENT = Path(__file__).resolve().parent.parent / "content"
CASE_FILE = CONTENT / "cases" / "asif-yusifli.yaml"
STALE = ("The Azerbaijani text of {field} was not changed: it may now be out of date.",
         "The Russian text of {field} was not changed: it may now be out of date.",
         "The Azerbaijani and Russian texts of {field} were not changed: they may now be out of date.")


@pytest.fixture
async def campaign(tmp_path: Path) -> AsyncIterator[LocalBot]:
    async with LocalBot(tmp_path / "data", settings=Settings(admin_ids=frozenset({ADMIN}))) as running:
        yield running


def case_text() -> str:
    return CASE_FILE.read_text(encoding="utf-8")


def case_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(case_text())
    return data


def dump(data: dict[str, Any]) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000).encode()


def flat(value: str) -> str:
    return " ".join(value.split())


def all_text(replies: list[SentMessage]) -> str:
    return "\n".join(reply.text for reply in replies)


def labels(replies: list[SentMessage]) -> list[str]:
    return [button["text"] for reply in replies for button in reply.buttons()]


async def test_an_identical_file_has_nothing_to_change_and_offers_no_apply(campaign: LocalBot) -> None:
    admin = Member(campaign, ADMIN, "en")
    replies = await admin.sends_document("asif-yusifli.yaml", case_text().encode())
    text = all_text(replies)
    assert tr("en")._("Nothing to change.") in text and "cases/asif-yusifli.yaml" in text
    assert not labels(replies)
    reformatted = await admin.sends_document("asif-yusifli.yaml", dump(case_data()))  # same data, other layout
    assert tr("en")._("Nothing to change.") in all_text(reformatted) and not labels(reformatted)
    # and the record still follows its file: an import of an edited file changes it
    edited = [item if item.id != "asif-yusifli" else RawItem(item.kind, item.id, item.where, {**item.data, "order": 12})
              for item in read_content_dir(CONTENT)]
    report = await campaign.services.store.content.import_items(edited)
    assert report.changed == ["cases/asif-yusifli.yaml"] and not report.kept_admin_edits


async def test_the_same_change_sent_again_after_applying_it_has_nothing_to_change(campaign: LocalBot) -> None:
    admin = Member(campaign, ADMIN, "en")
    data = case_data()
    data["order"] += 1
    await admin.sends_document("asif-yusifli.yaml", dump(data))
    await admin.presses(tr("en")._("Apply"))
    replies = await admin.sends_document("asif-yusifli.yaml", dump(data))  # the same again
    assert tr("en")._("Nothing to change.") in all_text(replies)
    assert not labels(replies)


async def test_a_long_value_is_shown_whole_over_several_messages(campaign: LocalBot) -> None:
    admin = Member(campaign, ADMIN, "en")
    data = case_data()
    old_summary = data["summary"]["en"]
    sentences = [f"Sentence number {n} of the new summary, which an admin wants to read in full." for n in range(42)]
    data["summary"]["en"] = new_summary = " ".join(sentences)
    assert len(new_summary) > 3000
    replies = await admin.sends_document("asif-yusifli.yaml", dump(data))
    assert len(replies) > 1  # too long for one message: split, not cut
    shown = flat(all_text(replies))
    assert flat(new_summary) in shown
    assert flat(old_summary) in shown
    assert "…" not in shown
    assert labels(replies) == ["✅ " + tr("en")._("Apply"), "✖ " + tr("en")._("Cancel")]
    assert replies[-1].buttons()  # the decision comes last, under everything it decides


async def test_a_new_case_is_shown_as_its_card_in_each_language(campaign: LocalBot) -> None:
    admin = Member(campaign, ADMIN, "ru")
    new = yaml.safe_load((CONTENT / "cases" / "bakhtiyar-imanov.yaml").read_text(encoding="utf-8"))
    new["id"], new["order"] = "test-new-case", 99
    replies = await admin.sends_document("test-new-case.yaml", dump(new))
    text = all_text(replies)
    assert tr("ru")._("New content: {file}").format(file="cases/test-new-case.yaml") in text
    assert "name.en" not in text and "summary.az" not in text  # not a field dump
    for lang in ("en", "az", "ru"):
        assert tr("ru")._({"en": "In English, members will see:", "az": "In Azerbaijani, members will see:",
                           "ru": "In Russian, members will see:"}[lang]) in text
    await admin.presses(tr("ru")._("Apply"))
    for number, lang in enumerate(("en", "az", "ru")):
        member = Member(campaign, 800 + number, lang)
        [card] = await member.sends("/start case_test-new-case")
        assert any(card.text in reply.text for reply in replies), f"the {lang} card is not in the preview"


async def test_changing_english_only_warns_that_the_translations_may_be_stale(campaign: LocalBot) -> None:
    admin = Member(campaign, ADMIN, "en")
    data = case_data()
    data["summary"]["en"] = "A rewritten English summary."
    data["status"]["en"], data["status"]["az"] = "New English status.", "Yeni status."
    data["role"]["en"], data["role"]["az"], data["role"]["ru"] = "New role.", "Yeni rol.", "Новая роль."
    replies = await admin.sends_document("asif-yusifli.yaml", dump(data))
    shown = all_text(replies)
    assert tr("en")._("The Azerbaijani and Russian texts of {field} were not changed: they may now be out of "
                      "date.").format(field="summary") in shown
    assert tr("en")._("The Russian text of {field} was not changed: it may now be out of date.").format(
        field="status") in shown
    for template in STALE:
        assert tr("en")._(template).format(field="role") not in shown  # every language was rewritten


async def test_an_azerbaijani_admin_gets_the_validation_error_in_azerbaijani(campaign: LocalBot) -> None:
    admin = Member(campaign, ADMIN, "az")
    bad = case_data()
    bad["kind"] = "alien"
    [reply] = await admin.sends_document("asif-yusifli.yaml", dump(bad))
    az = tr("az")
    reason = az._(MESSAGES["not_a_choice"]).format(choices="person, group")
    assert reason != MESSAGES["not_a_choice"].format(choices="person, group")  # it is translated
    assert az._("That file was not applied; nothing changed.") in reply.text
    assert f"cases/asif-yusifli.yaml: kind: {reason}" in reply.text
    assert "must be one of" not in reply.text
    [reply] = await admin.sends_document("asif-yusifli.yaml", b"id: asif-yusifli\nkind: person\n")
    assert "name: " + az._(MESSAGES["required"]) in reply.text
    ru = Member(campaign, ADMIN, "ru")
    await ru.sends("/language")
    await ru.presses("Русский")
    [reply] = await ru.sends_document("notes.txt", b"hello")
    assert tr("ru")._(MESSAGES["not_content_file"]) in reply.text


async def test_an_admin_still_applies_a_change_and_members_see_it(campaign: LocalBot) -> None:
    admin = Member(campaign, ADMIN, "en")
    data = case_data()
    data["status"]["en"] = "Still in detention."
    replies = await admin.sends_document("asif-yusifli.yaml", dump(data))
    assert "status.en" in all_text(replies)
    await admin.presses(tr("en")._("Apply"))
    member = Member(campaign, 810, "en")
    [card] = await member.sends("/case asif")
    assert "Still in detention" in card.text
