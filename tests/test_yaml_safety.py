"""A content file cannot take the bot down: aliases, deep nesting and slow parses are refused with a reason.

The admin stories run over HTTP against the stand-in; the loader is also checked on files read from disk.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot import content_edit
from bot.config import Settings
from bot.content import MAX_DEPTH, MESSAGES, ContentError, load_content_dir, parse_yaml
from bot.tryout.driver import LocalBot
from tests.conftest import Member, tr

ADMIN = 90001
ROOT = Path(__file__).resolve().parent.parent

BILLION_LAUGHS = b"""\
id: x
kind: person
order: 1
name: {en: X}
role: {en: X}
status: {en: X}
summary: {en: X}
sources: [ai-2020]
as_of: [&a [lol,lol,lol,lol,lol,lol,lol,lol,lol],
  &b [*a,*a,*a,*a,*a,*a,*a,*a,*a],
  &c [*b,*b,*b,*b,*b,*b,*b,*b,*b],
  &d [*c,*c,*c,*c,*c,*c,*c,*c,*c],
  &e [*d,*d,*d,*d,*d,*d,*d,*d,*d],
  &f [*e,*e,*e,*e,*e,*e,*e,*e,*e],
  &g [*f,*f,*f,*f,*f,*f,*f,*f,*f],
  &h [*g,*g,*g,*g,*g,*g,*g,*g,*g],
  &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]]
"""
"""A case whose date is a billion "lol"s: to say why it is not a date, the old check wrote it out as text."""


@pytest.fixture
async def campaign(tmp_path: Path) -> AsyncIterator[LocalBot]:
    async with LocalBot(tmp_path / "data", settings=Settings(admin_ids=frozenset({ADMIN}))) as running:
        yield running


def rejected(reply_text: str, lang: str = "en") -> bool:
    return tr(lang)._("That file was not applied; nothing changed.") in reply_text


async def test_an_alias_bomb_is_refused_at_once_and_members_are_still_answered(campaign: LocalBot) -> None:
    assert len(BILLION_LAUGHS) < 600
    before = campaign.services.content
    admin = Member(campaign, ADMIN, "en")
    started = time.monotonic()
    [reply] = await admin.sends_document("case.yaml", BILLION_LAUGHS)
    assert time.monotonic() - started < 5
    assert rejected(reply.text)
    line = BILLION_LAUGHS[:BILLION_LAUGHS.index(b"&a")].count(b"\n") + 1
    assert "case.yaml: " + MESSAGES["yaml_alias"].format(line=line) in reply.text
    assert tr("en")._("Sorry, something went wrong. Please try again.") not in reply.text
    member = Member(campaign, 811, "en")
    [card] = await member.sends("/case asif")  # right after: the bot is still there, and quick
    assert card.text.startswith("Asif Yusifli")
    assert campaign.services.content is before


async def test_deep_nesting_is_refused_with_a_reason_not_something_went_wrong(campaign: LocalBot) -> None:
    admin = Member(campaign, ADMIN, "ru")
    deep = b"id: x\nkind: person\nname: " + b"[" * 3000 + b"]" * 3000 + b"\n"
    [reply] = await admin.sends_document("case.yaml", deep)
    assert rejected(reply.text, "ru")
    assert "case.yaml: " + tr("ru")._(MESSAGES["yaml_too_deep"]).format(line=3, limit=MAX_DEPTH) in reply.text
    assert tr("ru")._("Sorry, something went wrong. Please try again.") not in reply.text
    nested_blocks = b"id: x\nkind: person\nname:\n" + b"".join(b"  " * n + b"- \n" for n in range(1, 40))
    [reply] = await admin.sends_document("case.yaml", nested_blocks)
    assert rejected(reply.text, "ru") and str(MAX_DEPTH) in reply.text


async def test_an_anchor_alone_is_refused_too(campaign: LocalBot) -> None:
    admin = Member(campaign, ADMIN, "az")
    [reply] = await admin.sends_document("case.yaml", b"id: x\nkind: &k person\n")
    assert rejected(reply.text, "az")
    assert tr("az")._(MESSAGES["yaml_alias"]).format(line=2) in reply.text


async def test_a_parse_that_takes_too_long_is_given_up_and_members_are_answered(
    campaign: LocalBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_parse = parse_yaml

    def slow_parse(where: str, text: str) -> Any:
        time.sleep(1.5)  # in the worker thread: the event loop runs on meanwhile
        return real_parse(where, text)

    monkeypatch.setattr(content_edit, "parse_yaml", slow_parse)
    monkeypatch.setattr(content_edit, "PARSE_SECONDS", 0.3)
    admin = Member(campaign, ADMIN, "en")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.02)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        [reply] = await admin.sends_document("case.yaml", b"id: x\n")
    finally:
        task.cancel()
    assert rejected(reply.text)
    assert MESSAGES["too_slow"].format(seconds=0.3) in reply.text
    assert ticks >= 5  # the loop was not blocked while the file was parsed
    member = Member(campaign, 812, "en")
    [card] = await member.sends("/case asif")
    assert card.text.startswith("Asif Yusifli")


def test_the_content_files_on_disk_go_through_the_same_safe_loader(tmp_path: Path) -> None:
    content = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    case = content / "cases" / "asif-yusifli.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("kind: person", "kind: &k person"), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content_dir(content)
    assert caught.value.code == "yaml_alias"
    assert str(caught.value) == "cases/asif-yusifli.yaml: " + MESSAGES["yaml_alias"].format(line=2)
    case.write_text("id: asif-yusifli\nname: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content_dir(content)
    assert caught.value.code == "yaml_too_deep"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a: *nowhere\n", "yaml_alias"),
        ("a: &x 1\nb: *x\n", "yaml_alias"),
        ("a: [" + "{b: " * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1) + "]\n", "yaml_too_deep"),
        # Python will not build an integer of 5,000 digits: a reason, not a crash
        ("order: " + "9" * 5000 + "\n", "not_yaml_anywhere"),
    ],
)
def test_the_loader_refuses_before_building_the_document(text: str, code: str) -> None:
    with pytest.raises(ContentError) as caught:
        parse_yaml("x.yaml", text)
    assert caught.value.code == code


def test_nesting_up_to_the_limit_loads() -> None:
    depth = MAX_DEPTH - 1
    data = parse_yaml("x.yaml", "a: " + "[" * depth + "1" + "]" * depth + "\n")
    for _ in range(depth + 1):
        data = data["a"] if isinstance(data, dict) else data[0]
    assert data == 1


async def test_an_unquoted_date_is_read_as_the_text_it_is_and_can_be_applied(campaign: LocalBot) -> None:
    text = (ROOT / "content" / "cases" / "asif-yusifli.yaml").read_text(encoding="utf-8")
    lines = [("as_of: 2020-07-18" if line.startswith("as_of:") else line) for line in text.splitlines()]
    admin = Member(campaign, ADMIN, "en")
    await admin.sends_document("asif-yusifli.yaml", "\n".join(lines).encode())
    await admin.presses(tr("en")._("Apply"))  # was: the store could not write a date object, "something went wrong"
    assert tr("en")._("Applied: {file}. Members see the new version now.").format(
        file="cases/asif-yusifli.yaml") in admin.last_reply.text
    [card] = await Member(campaign, 813, "en").sends("/case asif")
    assert tr("en")._("Status as of {date}").format(date="18 July 2020") in card.text
    assert parse_yaml("x.yaml", "as_of: 2020-07-18\n") == {"as_of": "2020-07-18"}
