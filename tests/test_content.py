"""Content files: the campaign's own content loads; a bad file names its file, field and reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import LANGUAGES
from bot.content import ContentError, load_content_dir

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(ROOT / "content", tmp_path / "content"))


def test_the_campaign_content_loads_complete_in_three_languages() -> None:
    content = load_content_dir(ROOT / "content")
    ids = {case.id for case in content.cases}
    assert {"asif-yusifli", "bakhtiyar-imanov", "fuad-gakhramanli", "mammad-ibrahim",
            "baku-rally-july-2020", "opposition-leaders-2003", "human-rights-centre-head-2004"} <= ids
    assert len(content.concerns) >= 6
    for case in content.cases:
        for text in (case.name, case.role, case.status, case.summary):
            assert set(text) == set(LANGUAGES), case.id
        assert case.sources
    assert content.case("mammad-ibrahim").name["az"] == "Məmməd İbrahim"  # type: ignore[union-attr]


def test_every_url_in_the_content_is_one_the_sources_cite() -> None:
    seeds = " ".join(p.read_text(encoding="utf-8").replace("wp-\n\ncontent", "wp-content")
                     for p in (ROOT.parent / "shared" / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("the seed documents are not beside this checkout")
    content = load_content_dir(ROOT / "content")
    links = [link for case in content.cases for link in case.links]
    links += [link for topic in (content.background, *content.concerns) for link in topic.links]
    assert links
    for link in links:
        assert link.url in seeds, link.url


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("rel", "old", "new", "message"),
    [
        ("cases/asif-yusifli.yaml", "kind: person", "kind: persona",
         "cases/asif-yusifli.yaml: kind: must be one of person, group"),
        ("cases/asif-yusifli.yaml", "id: asif-yusifli", "id: asif-y",
         "cases/asif-yusifli.yaml: id: is 'asif-y' but the file is named asif-yusifli.yaml"),
        ("cases/asif-yusifli.yaml", 'as_of: "2020-08"', 'as_of: "2020-13"',
         "cases/asif-yusifli.yaml: as_of: '2020-13' is not a date"),
        ("cases/asif-yusifli.yaml", "  en: Asif Yusifli\n", "",
         "cases/asif-yusifli.yaml: name.en: required"),
        ("cases/asif-yusifli.yaml", "kind: person", "kind: person\ncolour: red",
         "cases/asif-yusifli.yaml: colour: unknown field"),
        ("cases/asif-yusifli.yaml", "kind: person", "kind: [person",
         "cases/asif-yusifli.yaml: line"),
        ("sources.yaml", "id: ai-2020-crackdown", "id: ai-2020-renamed",
         "'ai-2020-crackdown' is not a known source id"),
    ],
)
def test_a_bad_file_is_named_with_its_field_and_reason(
    content_copy: Path, rel: str, old: str, new: str, message: str
) -> None:
    _edit(content_copy, rel, old, new)
    with pytest.raises(ContentError) as caught:
        load_content_dir(content_copy)
    assert message in str(caught.value)


def test_a_missing_translation_is_allowed_and_english_is_required(content_copy: Path) -> None:
    path = content_copy / "cases" / "bakhtiyar-imanov.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    # drop the `ru:` of the role (a one-line field)
    index = next(i for i, line in enumerate(lines) if line.startswith("role:"))
    ru = next(i for i in range(index, len(lines)) if lines[i].startswith("  ru:"))
    del lines[ru]
    path.write_text("".join(lines), encoding="utf-8")
    case = load_content_dir(content_copy).case("bakhtiyar-imanov")
    assert case is not None and "ru" not in case.role and "az" in case.role


def test_a_missing_file_stops_the_load(content_copy: Path) -> None:
    (content_copy / "sources.yaml").unlink()
    with pytest.raises(ContentError, match=r"sources\.yaml: file is missing"):
        load_content_dir(content_copy)
