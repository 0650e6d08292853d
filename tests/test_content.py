"""Content files: the campaign's own content loads; a bad file names its file, field and reason."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import LANGUAGES, render
from bot.content import COPY_TEXT_LIMIT, MAX_BUTTON, ContentError, load_content_dir, telegram_length
from tests.conftest import tr

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
        if case.actions is not None:
            texts += [("actions.ask", case.actions.ask)]
            texts += [(f"actions.messages[{i}]", m) for i, m in enumerate(case.actions.messages)]
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


# --- actions --------------------------------------------------------------------------------------------------


def _with_actions(root: Path, rel: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = root / rel
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data["actions"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


def _set(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda actions: actions.__setitem__(key, value)


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda actions: actions.__delitem__(key)


ASIF_FILE = "cases/asif-yusifli.yaml"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set("petition", "https://example.org"),
         "actions.petition: unknown field (allowed: ask, as_of, sources, links, messages, address, email)"),
        (_drop("ask"), "actions.ask: required"),
        (_set("ask", {"az": "Azad edin.", "ru": "Освободите."}), "actions.ask.en: required"),
        (_set("ask", {"en": "Free them.", "de": "Lasst sie frei."}), "actions.ask.de: unknown field"),
        (_set("ask", {"en": "x" * 1501}), "actions.ask.en: is 1501 characters long; at most 1500"),
        (_drop("as_of"), "actions.as_of: required"),
        (_drop("sources"), "actions.sources: required"),
        (_set("sources", ["ai-2099"]), "actions.sources: 'ai-2099' is not a known source id"),
        (_set("messages", [{"en": "Free them.", "ru": "Я" * 257}]),
         "actions.messages[0].ru: is 257 characters long; a copy button holds at most 256"),
        (_set("messages", [{"en": "😀" * 129}]),  # Telegram counts an emoji outside the BMP as two
         "actions.messages[0].en: is 258 characters long; a copy button holds at most 256"),
        (_set("messages", [{"en": "Free them.", "fr": "Libérez-les."}]), "actions.messages[0].fr: unknown field"),
        (_set("messages", [{"az": "Azad edin."}]), "actions.messages[0].en: required"),
        (_set("messages", [{"en": str(n)} for n in range(6)]), "actions.messages: lists 6; at most 5"),
        (_set("messages", "Free them."), "actions.messages: must be a list"),
        (_set("links", [{"label": {"en": "Sign"}, "url": "http://example.org/sign"}]),
         "actions.links[0].url: 'http://example.org/sign' is not an https:// URL"),
        (_set("links", [{"label": {"en": "Sign"}, "url": "javascript:alert(1)"}]),
         "actions.links[0].url: 'javascript:alert(1)' is not an https:// URL"),
        (_set("links", [{"label": {"en": "Sign the petition to the Prosecutor General"}, "url": "https://e.org"}]),
         "actions.links[0].label.en: is 43 characters long; at most 38"),
        (_set("links", [{"title": {"en": "Sign"}, "url": "https://example.org"}]),
         "actions.links[0].title: unknown field (allowed: label, url)"),
        (_set("email", "not an address"), "actions.email: 'not an address' is not an email address"),
        (_set("address", "Baku"), "actions.address: must be a mapping of field: value"),
    ],
)
def test_bad_actions_are_refused_with_their_field_and_reason(
    content_copy: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    _with_actions(content_copy, ASIF_FILE, change)
    with pytest.raises(ContentError) as caught:
        load_content_dir(content_copy)
    assert f"{ASIF_FILE}: {message}" in str(caught.value)


def test_an_action_may_add_a_petition_an_address_and_an_email(content_copy: Path) -> None:
    def fill_in(actions: dict[str, Any]) -> None:
        actions["links"].append({"label": {"en": "Sign the petition"}, "url": "https://example.org/petition"})
        actions["address"] = {"en": "Office of the Prosecutor General\n7 Example Street, Baku"}
        actions["email"] = "appeals@example.org"

    _with_actions(content_copy, ASIF_FILE, fill_in)
    actions = load_content_dir(content_copy).case("asif-yusifli").actions  # type: ignore[union-attr]
    assert actions is not None and actions.email == "appeals@example.org"
    assert actions.links[-1].url == "https://example.org/petition"  # a campaign's own page: no source need cite it
    assert actions.address == {"en": "Office of the Prosecutor General\n7 Example Street, Baku"}


def test_the_bundled_actions_stay_within_telegrams_limits() -> None:
    """Every bundled action text in every language: a copy button's text (1-256 characters, as Telegram counts them),
    a button's label, callback data (64 bytes), and the whole actions screen in one message."""
    content = load_content_dir(ROOT / "content")
    acting = [case for case in content.cases if case.actions is not None]
    assert len(acting) == len(content.cases) - 1  # all but the 2004 defender, whose source calls for nothing
    for case in acting:
        actions = case.actions
        assert actions is not None and actions.messages
        assert set(actions.ask) == set(LANGUAGES), case.id
        assert actions.address is None and actions.email is None  # the sources give none: left for a campaign
        for message in actions.messages:
            assert set(message) == set(LANGUAGES), case.id
            for lang, text in message.items():
                assert 1 <= telegram_length(text) <= COPY_TEXT_LIMIT, f"{case.id} messages.{lang}"
        for lang in LANGUAGES:
            [screen] = render.case_actions(tr(lang), content, case, 12)
            assert len(screen.text) <= 4096
            assert screen.keyboard is not None
            pressed = [button for row in screen.keyboard.inline_keyboard for button in row]
            copies = [button.copy_text.text for button in pressed if button.copy_text is not None]
            assert copies == [message[lang] for message in actions.messages]
            for button in pressed:
                assert len(button.text) <= MAX_BUTTON + 2, button.text
                assert button.callback_data is None or len(str(button.callback_data).encode()) <= 64
            assert "12" in screen.text


def test_the_bundled_actions_cite_what_their_case_cites() -> None:
    for case in load_content_dir(ROOT / "content").cases:
        if case.actions is not None:
            assert set(case.actions.sources) <= set(case.sources), case.id
            assert str(case.actions.as_of) == str(case.as_of), case.id

