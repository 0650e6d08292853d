"""Languages: Telegram's language codes, catalogs, plurals and dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalogs import main as catalogs_main
from bot.content import PartialDate
from bot.i18n import Catalogs, resolve_language

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = Catalogs(ROOT / "locales")


@pytest.mark.parametrize(
    ("code", "lang"),
    [("az", "az"), ("az-AZ", "az"), ("AZ_az", "az"), ("ru", "ru"), ("ru-RU", "ru"), ("ru-UA", "ru"),
     ("en", "en"), ("en-GB", "en"), ("de", "en"), ("tr", "en"), ("", "en"), (None, "en")],
)
def test_telegram_language_code_maps_to_a_bot_language(code: str | None, lang: str) -> None:
    assert resolve_language(code) == lang


def test_the_default_language_applies_to_unknown_codes() -> None:
    assert resolve_language("de", default="az") == "az"
    assert resolve_language("ru", default="az") == "ru"


def test_catalogs_are_complete_and_placeholders_match() -> None:
    assert catalogs_main(["check"]) == 0


def test_strings_are_translated() -> None:
    for lang in ("az", "ru"):
        tr = CATALOGS.get(lang)
        assert tr._("Cases") != "Cases"
        assert tr._("Sources") != "Sources"


def test_russian_has_three_plural_forms_and_azerbaijani_two() -> None:
    ru = CATALOGS.get("ru")
    singular, plural = "{count} case matches “{query}”. Choose one:", "{count} cases match “{query}”. Choose one:"
    forms = {ru.ngettext(singular, plural, n) for n in (1, 2, 5)}
    assert len(forms) == 3
    az = CATALOGS.get("az")
    assert len({az.ngettext(singular, plural, n) for n in (1, 2, 5)}) <= 2
    en = CATALOGS.get("en")
    assert en.ngettext(singular, plural, 1) == singular and en.ngettext(singular, plural, 2) == plural


def test_dates_in_each_language() -> None:
    month, day = PartialDate(2020, 8), PartialDate(2020, 7, 18)
    assert CATALOGS.get("en").month(month) == "August 2020"
    assert CATALOGS.get("az").month(month) == "avqust 2020"
    assert CATALOGS.get("ru").month(month).startswith("август 2020")
    assert CATALOGS.get("ru").month(day).startswith("18 июля 2020")
    assert CATALOGS.get("az").month(day) == "18 iyul 2020"


def test_a_fuzzy_entry_is_not_used(tmp_path: Path) -> None:
    for lang in ("az", "ru"):
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "bot.po").write_text(
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            '#, fuzzy\nmsgid "Cases"\nmsgstr "Stale"\n\nmsgid "Sources"\nmsgstr "Fresh"\n', encoding="utf-8")
    catalogs = Catalogs(tmp_path)
    assert catalogs.get("az")._("Cases") == "Cases"
    assert catalogs.get("az")._("Sources") == "Fresh"


def test_a_missing_translation_in_content_falls_back_to_english() -> None:
    tr = CATALOGS.get("ru")
    assert tr.text({"en": "Hello", "ru": "Привет"}) == ("Привет", False)
    assert tr.text({"en": "Hello"}) == ("Hello", True)
    assert CATALOGS.get("en").text({"en": "Hello"}) == ("Hello", False)
