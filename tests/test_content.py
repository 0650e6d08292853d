"""Content files: the campaign's own content loads; a bad file names its file, field and reason."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
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


def test_every_link_opens_a_page_its_sources_cite(content_copy: Path) -> None:
    """Checked by the loader itself, with what sources.yaml says each document cites (so CI runs it)."""
    content = load_content_dir(ROOT / "content")
    assert any(case.links for case in content.cases)
    _edit(content_copy, "cases/mammad-ibrahim.yaml", "https://en.president.az/articles/39687",
          "https://example.org/not-cited")
    with pytest.raises(ContentError) as caught:
        load_content_dir(content_copy)
    assert caught.value.code == "url_not_cited" and caught.value.field == "links[0].url"


def test_what_sources_yaml_says_a_source_cites_is_in_its_document() -> None:
    """Where the seed documents are at hand (a developer's machine), `cites` is held against them."""
    seeds = " ".join(p.read_text(encoding="utf-8").replace("wp-\n\ncontent", "wp-content")
                     for p in (ROOT.parent / "shared" / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("the seed documents are not beside this checkout; the loader's check above still runs")
    cited = [url for source in load_content_dir(ROOT / "content").sources.values() for url in source.cites]
    assert cited
    for url in cited:
        assert url in seeds, url


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
        ("cases/asif-yusifli.yaml", "  en: Asif Yusifli\n", "  en: Asif Yusifli, member of the PFPA Presidium\n",
         "cases/asif-yusifli.yaml: name.en: is longer than 38 characters, too long for a button: add a `short`"),
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


# --- dated claims -------------------------------------------------------------------------------------
# The sources are from 2004 and 2020: a card must never state as current what they said then. A claim
# in the present tense (or "so far", "still", "remains"...) must carry its date in the same sentence:
# "as reported at the end of July 2020", "по сведениям на конец июля 2020 года", "2020-ci il iyulun
# sonunda verilən məlumata görə". The word lists are a plain heuristic, not a grammar: they catch the
# phrasings the fact-check found and their kin; a new phrasing may need a new word here.

YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
PRESENT = {
    "en": re.compile(r"\b(?:is|are) (?:held|detained|kept|being|still|denied|not allowed|in detention)\b"
                     r"|\bremains?\b|\bso far\b|\bstill\b|\bto date\b|\bcurrently\b|\bfaces?\b"
                     r"|(?<!may )(?<!might )(?<!could )\b(?:has|have) been (?:detained|arrested|held)\b|\bsits on\b"
                     r"|\bis (?:a |an |the )?(?:member|advisor|adviser|deputy|head)\b", re.IGNORECASE),
    "az": re.compile(r"indiyədək|hələ də|hazırda|saxlanılır\b|verilmir\b|həbsdədir|gözləyir\b"
                     r"|üzvüdür|müşaviridir|müavinidir|rəhbəridir", re.IGNORECASE),
    "ru": re.compile(r"до сих пор|по-прежнему|в настоящее время|содержится|содержатся|не разрешают"
                     r"|находится под стражей|грозит|входит в", re.IGNORECASE),
}
STAMP = {
    "en": re.compile(r"\b(?:as reported|as of|by the end of|at the end of|at the time of)\b", re.IGNORECASE),
    "az": re.compile(r"verilən məlumata görə|verdiyi məlumata görə|tarixinə|etibarilə|sonunadək"
                     r"|vəziyyətə görə", re.IGNORECASE),
    "ru": re.compile(r"по сведениям на|по состоянию на|на конец|к концу|сообщалось в", re.IGNORECASE),
}
SENTENCE_END = re.compile(r"(?<=[.!?»\"])\s+|\n+")


def undated_present_claims(lang: str, text: str) -> list[str]:
    """The sentences of `text` that state something as current without a date stamp and a year."""
    return [s for s in SENTENCE_END.split(text)
            if PRESENT[lang].search(s) and not (STAMP[lang].search(s) and YEAR.search(s))]


def _dated_texts(root: Path) -> Iterator[tuple[str, str, str]]:
    content = load_content_dir(root)
    for case in content.cases:
        texts = [("status", case.status), ("summary", case.summary)]
        texts += [(f"concerns[{i}]", c) for i, c in enumerate(case.concerns)]
        for field, text in texts:
            for lang, value in text.items():
                yield f"cases/{case.id}.yaml {field}.{lang}", lang, value
    for topic in (content.background, *content.concerns):
        for lang, value in topic.body.items():
            yield f"{topic.id} body.{lang}", lang, value


def test_every_status_carries_the_year_it_is_known_for() -> None:
    for case in load_content_dir(ROOT / "content").cases:
        assert case.as_of is not None, case.id
        for lang, status in case.status.items():
            assert str(case.as_of.year) in status, f"{case.id} status.{lang} is undated: {status}"


def test_no_present_tense_claim_lacks_its_date() -> None:
    undated = [f"{where}: {sentence}" for where, lang, text in _dated_texts(ROOT / "content")
               for sentence in undated_present_claims(lang, text)]
    assert not undated, "\n".join(undated)


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [  # the wording the fact-check found (content as of commit 0ac51d9)
        ("en", "He has not been allowed to meet his lawyer since his arrest and is held incommunicado."),
        ("en", "According to a PFPA spokesperson, the prosecution has so far presented no evidence to "
               "support any of the charges against him."),
        ("en", "Asif Yusifli sits on the Presidium, the decision-making body of the Popular Front of "
               "Azerbaijan Party (PFPA)."),
        ("en", "More than 100 people, mostly opposition leaders, supporters and activists, have been detained "
               "on politically motivated charges related to the 14–15 July 2020 rally in Baku."),
        ("az", "Həbs olunduğu gündən vəkili ilə görüşməsinə icazə verilmir; o, xarici aləmlə əlaqəsiz "
               "saxlanılır."),
        ("az", "AXCP nümayəndəsinin sözlərinə görə, ittiham tərəfi indiyədək ona qarşı irəli sürülən "
               "ittihamların heç birini təsdiqləyən sübut təqdim etməyib."),
        ("ru", "С момента ареста ему не разрешают встретиться с адвокатом; он содержится без связи с "
               "внешним миром."),
        ("ru", "По словам представителя ПНФА, обвинение до сих пор не представило доказательств ни по "
               "одному из предъявленных ему обвинений."),
    ],
)
def test_an_undated_present_claim_is_caught(lang: str, sentence: str) -> None:
    assert undated_present_claims(lang, sentence) == [sentence]
    dated = {"en": "As reported at the end of July 2020, ", "az": "2020-ci il iyulun sonunda verilən "
             "məlumata görə, ", "ru": "По сведениям на конец июля 2020 года, "}[lang] + sentence
    assert undated_present_claims(lang, dated) == []


def test_a_charge_has_one_label_per_language_on_every_card() -> None:
    labels: dict[str, set[tuple[str, ...]]] = {}
    for case in load_content_dir(ROOT / "content").cases:
        for charge in case.charges:
            labels.setdefault(charge.label["en"], set()).add(
                tuple(charge.label.get(lang, "") for lang in LANGUAGES))
    for english, variants in labels.items():
        assert len(variants) == 1, f"{english!r} is labelled differently on different cards: {variants}"
    translations = [variant for variants in labels.values() for variant in variants]
    for index, lang in enumerate(LANGUAGES):  # and no two charges share a label in any language
        names = [variant[index] for variant in translations]
        assert len(names) == len(set(names)), f"two charges share a {lang} label"
