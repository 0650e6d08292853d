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


PFPA_CASES = {"asif-yusifli", "bakhtiyar-imanov", "fuad-gakhramanli", "mammad-ibrahim"}
"""The cases the 2020 source ties to the Popular Front of Azerbaijan Party: its four senior members."""


@pytest.mark.parametrize(
    "query",
    [
        "PFPA", "APFP", "AXCP", "ПНФА", "pfpa",
        "Popular Front", "Popular Front Party", "Popular Front of Azerbaijan Party",
        "Azerbaijan Popular Front Party", "popular front",
        "Xalq Cəbhəsi", "Xalq Cebhesi", "Xalq Cəbhəsi Partiyası", "Azərbaycan Xalq Cəbhəsi Partiyası",
        "Народный фронт", "Народный фронт Азербайджана", "Партия Народного фронта Азербайджана",
        "партия народного фронта",
    ],
)
def test_a_party_name_offers_every_member(query: str) -> None:
    assert {c.id for c in INDEX.search(query)} == PFPA_CASES


@pytest.mark.parametrize("query", ["", "   ", "zzzz", "!!!", "🙂", "x" * 5000, "\u202e\u0000", "a"])
def test_nonsense_finds_nothing_and_does_not_fail(query: str) -> None:
    assert INDEX.search(query) == []


def test_skeleton_meets_azerbaijani_latin_and_cyrillic() -> None:
    assert skeleton("Qəhrəmanlı") == skeleton("Gakhramanli") == skeleton("Гахраманлы")
    assert skeleton("İbrahim") == skeleton("Ибрагим")
