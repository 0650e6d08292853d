"""Finding a case by any spelling or script a person would type."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import load_content_dir
from bot.search import CaseIndex, skeleton

ROOT = Path(__file__).resolve().parent.parent
INDEX = CaseIndex(load_content_dir(ROOT / "content").cases)


@pytest.mark.parametrize(
    ("query", "case_id"),
    [
        ("asif", "asif-yusifli"), ("Yusifli", "asif-yusifli"), ("Юсифли", "asif-yusifli"),
        ("ASIF YUSIFLI", "asif-yusifli"), ("yusif", "asif-yusifli"),
        ("Bəxtiyar İmanov", "bakhtiyar-imanov"), ("Бахтияр", "bakhtiyar-imanov"), ("imanov", "bakhtiyar-imanov"),
        ("Qəhrəmanlı", "fuad-gakhramanli"), ("Gakhramanli", "fuad-gakhramanli"),
        ("Garkhamanli", "fuad-gakhramanli"), ("Гахраманлы", "fuad-gakhramanli"), ("Fuad", "fuad-gakhramanli"),
        ("Ибрагим", "mammad-ibrahim"), ("Məmməd", "mammad-ibrahim"), ("Mamed Ibragim", "mammad-ibrahim"),
        ("ibrahim", "mammad-ibrahim"), ("Gakhramanly", "fuad-gakhramanli"), ("Yusifly", "asif-yusifli"),
    ],
)
def test_one_person_is_found_by_any_spelling(query: str, case_id: str) -> None:
    assert [case.id for case in INDEX.search(query)] == [case_id]


def test_a_party_name_offers_every_member() -> None:
    for query in ("PFPA", "AXCP", "ПНФА"):
        assert {c.id for c in INDEX.search(query)} == {
            "asif-yusifli", "bakhtiyar-imanov", "fuad-gakhramanli", "mammad-ibrahim"}


@pytest.mark.parametrize("query", ["", "   ", "zzzz", "!!!", "🙂", "x" * 5000, "\u202e\u0000", "a"])
def test_nonsense_finds_nothing_and_does_not_fail(query: str) -> None:
    assert INDEX.search(query) == []


def test_skeleton_meets_azerbaijani_latin_and_cyrillic() -> None:
    assert skeleton("Qəhrəmanlı") == skeleton("Gakhramanli") == skeleton("Гахраманлы")
    assert skeleton("İbrahim") == skeleton("Ибрагим")
