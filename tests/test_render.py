"""Rendering: escaping, cards, splitting long texts. Pure functions, no Telegram."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from bot import render
from bot.content import load_content_dir
from bot.i18n import Catalogs
from bot.model import ALL, Broadcast, CampaignUpdate
from bot.textsplit import split_html, units
from bot.tryout.standin import parse_html

ROOT = Path(__file__).resolve().parent.parent
CONTENT = load_content_dir(ROOT / "content")
CATALOGS = Catalogs(ROOT / "locales")


def _balanced(html: str) -> bool:
    stack: list[str] = []
    for closing, name in re.findall(r"<(/?)([a-z-]+)", html):
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


@pytest.mark.parametrize("lang", ["en", "az", "ru"])
def test_a_case_card_has_every_part_in_the_members_language(lang: str) -> None:
    tr = CATALOGS.get(lang)
    case = CONTENT.case("asif-yusifli")
    assert case is not None
    [card] = render.case_card(tr, CONTENT, case)
    text = card.text
    assert case.name[lang] in text and render.esc(case.role[lang]) in text
    assert tr.month(case.as_of) in text  # the status is dated
    assert "186.2.1" in text and render.esc(case.max_sentence[lang]) in text  # type: ignore[index]
    assert "Amnesty International" in text  # its source
    assert card.keyboard is not None
    assert any(b.callback_data == "cases:0" for row in card.keyboard.inline_keyboard for b in row)
    assert "Translation pending" not in text


def test_content_and_user_input_are_escaped() -> None:
    tr = CATALOGS.get("en")
    case = CONTENT.case("asif-yusifli")
    assert case is not None
    hostile = replace(case, name={"en": "<b>Asif</b> & <script>"}, summary={"en": "a < b > c & d"})
    [card] = render.case_card(tr, CONTENT, hostile)
    assert "&lt;b&gt;Asif&lt;/b&gt; &amp; &lt;script&gt;" in card.text
    assert "a &lt; b &gt; c &amp; d" in card.text
    [reply] = render.no_match(tr, "<i>x</i>&")
    assert "&lt;i&gt;x&lt;/i&gt;&amp;" in reply.text


def test_a_missing_translation_is_shown_in_english_with_a_note() -> None:
    tr = CATALOGS.get("ru")
    case = CONTENT.case("bakhtiyar-imanov")
    assert case is not None
    partial = replace(case, summary={"en": case.summary["en"]})
    [card] = render.case_card(tr, CONTENT, partial)
    assert render.esc(case.summary["en"].strip()) in card.text
    assert tr._("Translation pending: part of this text is shown in English.") in card.text
    assert render.esc(case.role["ru"]) in card.text


def test_a_long_text_is_split_into_valid_parts_that_fit() -> None:
    tr = CATALOGS.get("ru")
    case = CONTENT.case("asif-yusifli")
    assert case is not None
    long_summary = "\n\n".join([case.summary["ru"]] * 40)
    screen = render.case_card(tr, CONTENT, replace(case, summary={**case.summary, "ru": long_summary}))
    assert len(screen) > 1
    assert all(units(part.text) <= 4096 for part in screen)
    assert all(_balanced(part.text) for part in screen)
    assert screen[-1].keyboard is not None and all(p.keyboard is None for p in screen[:-1])


def test_split_html_reopens_tags_and_never_cuts_an_entity() -> None:
    html = "<b>" + "слово &amp; " * 1000 + "</b>"
    parts = split_html(html, limit=500)
    assert len(parts) > 10
    for part in parts:
        assert units(part) <= 500 and _balanced(part) and part.startswith("<b>")
        assert not re.search(r"&[a-z]*$", part.replace("</b>", ""))
    assert "".join(p.replace("<b>", "").replace("</b>", "") for p in parts).count("&amp;") == 1000


def test_split_html_prefers_paragraphs_and_cuts_an_endless_word() -> None:
    para = "x " * 100
    parts = split_html(f"{para}\n\n{para}\n\n{para}", limit=450)
    assert all(p.strip() == para.strip() or p.count("\n\n") <= 1 for p in parts)
    assert [units(p) <= 450 for p in split_html("y" * 2000, limit=450)] == [True] * 5
    assert split_html("short") == ["short"]


def test_callback_data_fits_telegram_and_lists_paginate() -> None:
    tr = CATALOGS.get("az")
    many = tuple(replace(CONTENT.cases[0], id=f"case-{n:02d}", order=n) for n in range(20))
    content = replace(CONTENT, cases=many)
    first = render.case_list(tr, content, 0)[0]
    last = render.case_list(tr, content, 99)[0]  # an out-of-range page shows the last one
    assert first.keyboard is not None and last.keyboard is not None
    data = [b.callback_data for row in first.keyboard.inline_keyboard for b in row]
    assert len(data) == render.CASES_PER_PAGE + 1 and "cases:1" in data
    assert all(len(str(d).encode()) <= 64 for d in data)
    assert "cases:1" in [b.callback_data for row in last.keyboard.inline_keyboard for b in row]


def _screens(lang: str) -> list[render.Screen]:
    """Every screen with buttons that a member or an admin meets, in one language."""
    tr = CATALOGS.get(lang)
    update = CampaignUpdate(1, "asif-yusifli", {"en": "The trial of Asif Yusifli was postponed again."},
                            "2020-08-01", None)
    broadcast = Broadcast(1, "send", 1, "asif-yusifli", "running", 3, "2020-08-01T00:00:00", 1, None, None)
    screens = [render.language_picker(tr), render.greeting(tr, CONTENT, first_contact=False),
               render.case_list(tr, CONTENT), render.concern_list(tr, CONTENT), render.background(tr, CONTENT),
               render.subscribe_menu(tr, CONTENT.cases, (ALL,)), render.forget_confirm(tr),
               render.subscriptions(tr, CONTENT, None), [render.update_message(tr, CONTENT, update)],
               render.choose_topic(tr, CONTENT), render.choose_correction(tr, CONTENT, [update]),
               render.preview_summary(tr, CONTENT, "asif-yusifli", update.texts, Counter(), None, "0a1b2c3d"),
               render.broadcasts(tr, CONTENT, [(broadcast, Counter())])]
    for case in CONTENT.cases:
        screens.append(render.case_card(tr, CONTENT, case, updates=12))
        screens.append(render.case_card(tr, CONTENT, case, updates=12, subscribed=True))
    screens += [render.concern(tr, CONTENT, concern) for concern in CONTENT.concerns]
    return screens


@pytest.mark.parametrize("lang", ["en", "az", "ru"])
def test_no_button_is_cut_off_on_a_phone(lang: str) -> None:
    for screen in _screens(lang):
        for part in screen:
            for row in part.keyboard.inline_keyboard if part.keyboard else ():
                for button in row:
                    assert len(button.text) <= render.MAX_BUTTON, button.text


def test_a_long_card_split_inside_an_expandable_quote_keeps_it_expandable_in_every_part() -> None:
    tr = CATALOGS.get("az")
    case = CONTENT.case("asif-yusifli")
    assert case is not None
    long_summary = "\n\n".join([case.summary["az"]] * 12)
    screen = render.case_card(tr, CONTENT, replace(case, summary={**case.summary, "az": long_summary}))
    assert len(screen) > 1
    for part in screen:  # read as Telegram reads it: the quote cut in two is reopened as it was, expandable
        _, entities = parse_html(part.text)
        assert "expandable_blockquote" in {e["type"] for e in entities}
        assert "blockquote" not in {e["type"] for e in entities}
