"""The campaign's content: its model, and loading and validating it from `content/` or from the store.

Every file is validated completely before anything is used: a bad file raises `ContentError` naming
the file, the field and the reason, and nothing is half-loaded. The same validation runs on content
read back from the store, so the bot never serves a record it could not have loaded from a file.
Files are parsed by `parse_yaml`, which refuses anchors, aliases and deep nesting before building anything.
Errors carry a code and params (`MESSAGES`): English on the command line, the admin's language in the bot.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot import LANGUAGES

ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
"""Ids fit Telegram's 64-byte callback data and 64-character deep-link payloads with room to spare."""

DATE_PATTERN = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
URL_PATTERN = re.compile(r"^https?://[^\s<>\"]+$")
MAX_TEXT = 3500
"""One text field fits one Telegram message with room for headings."""

MAX_BUTTON = 38
"""A link's label, and a case's or topic's name on its buttons: a phone shows about 40 characters of a button,
and the bot puts a two-character mark (🔗, 🔔, ✓) before some."""

CASE_KINDS = ("person", "group")

HTTPS_PATTERN = re.compile(r"^https://[^\s<>\"]+$")
EMAIL_PATTERN = re.compile(r"^[^@\s<>\"]{1,64}@[^@\s<>\"]+\.[^@\s<>\".]{2,}$")
COPY_TEXT_LIMIT = 256
"""Telegram's limit for the text a copy button copies (`CopyTextButton.text`: 1-256 characters)."""

MAX_ASK = 1500
"""What a case's actions ask for: a few paragraphs, so that the actions screen stays one message."""

MAX_ACTION_ITEMS = 5
"""Links, or messages to copy, in a case's actions: each is a button, and a screen of buttons must stay readable."""


MAX_DEPTH = 20
"""How deeply a content file may nest mappings and lists (a case needs 5); deeper is refused while parsing."""


def N_(message: str) -> str:
    """Marks a message for the catalogs (as `bot.i18n.N_`, which imports this module); translated where shown."""
    return message


# What can be wrong with a content file: a code, and its English message with `{placeholders}` for the
# error's params. The command line shows the English; the bot translates the message through the catalogs
# (`ContentError.message(tr._)`). Params are values (names, numbers, ids), not prose; the one exception is
# `problem`, PyYAML's own English description of a syntax error.
MESSAGES: dict[str, str] = {
    # the shape of a file
    "not_mapping": N_("must be a mapping of field: value"),
    "unknown_field": N_("unknown field (allowed: {allowed})"),
    "required": N_("required"),
    "empty_text": N_("must be a non-empty text"),
    "too_long": N_("is {length} characters long; at most {limit}"),
    "item_too_long": N_("at most {limit} characters"),
    "not_an_id": N_("{value} is not an id (a-z, 0-9 and '-', at most 40 characters)"),
    "not_a_number": N_("must be a whole number"),
    "not_a_choice": N_("must be one of {choices}"),
    "not_a_date": N_("{value} is not a date (YYYY-MM or YYYY-MM-DD)"),
    "no_such_date": N_("{value} is not a date (there is no such month or day)"),
    "not_a_url": N_("{value} is not an http(s) URL"),
    "not_https": N_("{value} is not an https:// URL"),
    "not_an_email": N_("{value} is not an email address"),
    "copy_too_long": N_("is {length} characters long; a copy button holds at most {limit}"),
    "too_many": N_("lists {count}; at most {limit}"),
    "not_a_list": N_("must be a list"),
    "none_listed": N_("must list at least one"),
    "no_sources": N_("must list at least one source"),
    "listed_twice": N_("{value} is listed twice"),
    "id_not_file_name": N_("is {value} but the file is named {expected}.yaml"),
    "needs_short": N_("is longer than {limit} characters, too long for a button: add a `short` name (at most "
                      "{limit})"),
    # the whole content
    "unknown_source": N_("{value} is not a known source id"),
    "unknown_case": N_("{value} is not a known case id"),
    "url_not_cited": N_("{value} is not a page that this item's sources cite (their `cites` in sources.yaml)"),
    "no_cases": N_("no cases"),
    "unknown_kind": N_("unknown kind of content {value}"),
    "no_directory": N_("no such content directory"),
    "file_missing": N_("file is missing"),
    # reading a file
    "not_utf8": N_("is not UTF-8 text"),
    "not_yaml": N_("line {line}: not valid YAML ({problem})"),
    "not_yaml_anywhere": N_("not valid YAML ({problem})"),
    "yaml_alias": N_("line {line}: anchors and aliases (& and *) are not allowed in content files"),
    "yaml_too_deep": N_("line {line}: nested more than {limit} levels deep"),
    # a file sent from Telegram (bot/content_edit.py)
    "not_content_file": N_("not a content file (expected a .yaml file like those in content/)"),
    "file_too_big": N_("is {size} bytes; at most {limit}"),
    "unknown_content": N_("cannot tell which kind of content this is (a case has `kind`, a topic `title`, sources "
                          "`sources`, the campaign `name` and `about`)"),
    "too_slow": N_("took longer than {seconds} seconds to read; it was given up"),
}


class ContentError(ValueError):
    """A content file is invalid: `where` names the file, `field` the field, `code` what is wrong (a key of
    `MESSAGES`) and `params` the values its message names. `str()` is the whole message in English."""

    def __init__(self, where: str, field: str, code: str, **params: object) -> None:
        if code not in MESSAGES:
            raise KeyError(f"no message for content error {code!r}")
        self.where, self.field, self.code = where, field, code
        self.params: dict[str, str] = {key: str(value) for key, value in params.items()}
        super().__init__(self.message())

    @property
    def location(self) -> str:
        """`file: field`, or just the file."""
        return f"{self.where}: {self.field}" if self.field else self.where

    @property
    def reason(self) -> str:
        """What is wrong, in English."""
        return self.reason_in(lambda message: message)

    def reason_in(self, gettext: Callable[[str], str]) -> str:
        """What is wrong, in the language of `gettext` (English if its catalog has no such message)."""
        template = MESSAGES[self.code]
        try:
            return gettext(template).format(**self.params)
        except (KeyError, IndexError, ValueError):  # a translation with other placeholders: say it in English
            return template.format(**self.params)

    def message(self, gettext: Callable[[str], str] | None = None) -> str:
        """`file: field: reason`, the reason in the language of `gettext` (English by default)."""
        return f"{self.location}: {self.reason_in(gettext or (lambda message: message))}"


Text = Mapping[str, str]
"""A text in several languages: `en` always, `az` and `ru` when translated."""


@dataclass(frozen=True)
class PartialDate:
    """A date known to the month (`2020-08`) or to the day (`2020-07-18`)."""

    year: int
    month: int
    day: int | None = None

    def as_date(self) -> date:
        return date(self.year, self.month, self.day or 1)

    def __str__(self) -> str:
        base = f"{self.year:04d}-{self.month:02d}"
        return base if self.day is None else f"{base}-{self.day:02d}"


@dataclass(frozen=True)
class Link:
    label: Text
    url: str


@dataclass(frozen=True)
class Actions:
    """What a case asks members to do: `ask` says what the campaign asks for (dated `as_of`, from `sources`); then
    pages to open (a petition, an appeal), messages to copy with one tap and send, an address and an email."""

    ask: Text
    as_of: PartialDate
    sources: tuple[str, ...]
    links: tuple[Link, ...] = ()
    messages: tuple[Text, ...] = ()
    address: Text | None = None
    email: str | None = None


@dataclass(frozen=True)
class Source:
    id: str
    publisher: str
    title: str
    date: PartialDate
    url: str | None
    cites: tuple[str, ...] = ()  # the pages the document itself cites: the only ones a link may open


@dataclass(frozen=True)
class Charge:
    article: str | None
    label: Text


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    order: int
    name: Text
    short: Text | None  # the name on buttons, when `name` is too long for one
    aliases: tuple[str, ...]
    role: Text
    status: Text
    as_of: PartialDate
    summary: Text
    charges: tuple[Charge, ...]
    max_sentence: Text | None
    concerns: tuple[Text, ...]
    sources: tuple[str, ...]
    links: tuple[Link, ...]
    actions: Actions | None = None


@dataclass(frozen=True)
class Topic:
    id: str
    order: int
    title: Text
    short: Text | None  # the title on buttons, when `title` is too long for one
    as_of: PartialDate
    body: Text
    sources: tuple[str, ...]
    links: tuple[Link, ...]
    cases: tuple[str, ...]


@dataclass(frozen=True)
class Campaign:
    name: Text
    about: Text


@dataclass(frozen=True)
class Content:
    campaign: Campaign
    sources: Mapping[str, Source]
    cases: tuple[Case, ...]
    background: Topic
    concerns: tuple[Topic, ...]

    def case(self, case_id: str) -> Case | None:
        return next((c for c in self.cases if c.id == case_id), None)

    def concern(self, topic_id: str) -> Topic | None:
        return next((t for t in self.concerns if t.id == topic_id), None)


# --- validation -----------------------------------------------------------------------------------


class _Fields:
    """Reads the fields of one mapping, recording the path of each for error messages."""

    def __init__(self, where: str, data: Any, path: str = "") -> None:
        self.where, self.path = where, path
        if not isinstance(data, Mapping):
            self.fail("", "not_mapping")
        self.data: Mapping[str, Any] = data

    def name(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str | int, code: str, **params: object) -> Any:
        raise ContentError(self.where, self.name(key) if key != "" else self.path, code, **params)

    def only(self, *allowed: str) -> None:
        unknown = sorted(set(self.data) - set(allowed), key=str)
        if unknown:
            self.fail(str(unknown[0]), "unknown_field", allowed=", ".join(allowed))

    def raw(self, key: str, required: bool = True) -> Any:
        if key not in self.data or self.data[key] is None:
            if required:
                self.fail(key, "required")
            return None
        return self.data[key]

    def string(self, key: str, required: bool = True, max_len: int = 300) -> str | None:
        value = self.raw(key, required)
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "empty_text")
        text: str = value
        if len(text) > max_len:
            self.fail(key, "too_long", length=len(text), limit=max_len)
        return text.strip()

    def identifier(self, key: str) -> str:
        value = self.string(key) or ""
        if not ID_PATTERN.match(value):
            self.fail(key, "not_an_id", value=repr(value))
        return value

    def integer(self, key: str) -> int:
        value = self.raw(key)
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(key, "not_a_number")
        return int(value)

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        value = self.string(key) or ""
        if value not in choices:
            self.fail(key, "not_a_choice", choices=", ".join(choices))
        return value

    def partial_date(self, key: str) -> PartialDate:
        value = self.raw(key)
        if isinstance(value, date):
            text = value.isoformat()
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            text = str(value)
        else:  # a list or a mapping: not a date, and not written out to say so (it may be huge)
            self.fail(key, "not_a_date", value=type(value).__name__)
        match = DATE_PATTERN.match(text)
        if not match:
            self.fail(key, "not_a_date", value=repr(text[:40]))
        assert match is not None
        year, month, day = int(match[1]), int(match[2]), int(match[3]) if match[3] else None
        try:
            date(year, month, day or 1)
        except ValueError:
            self.fail(key, "no_such_date", value=repr(text))
        return PartialDate(year, month, day)

    def url(self, key: str, required: bool = True) -> str | None:
        value = self.string(key, required, max_len=1000)
        if value is not None and not URL_PATTERN.match(value):
            self.fail(key, "not_a_url", value=repr(value))
        return value

    def text(self, key: str, required: bool = True, max_len: int = MAX_TEXT) -> Text | None:
        value = self.raw(key, required)
        if value is None:
            return None
        sub = _Fields(self.where, value, self.name(key))
        sub.only(*LANGUAGES)
        result = {}
        for lang in LANGUAGES:
            item = sub.string(lang, required=(lang == "en"), max_len=max_len)
            if item is not None:
                result[lang] = item
        return result

    def items(self, key: str, required: bool = False) -> Iterator[tuple[int, Any, str]]:
        value = self.raw(key, required)
        if value is None:
            return
        if not isinstance(value, list):
            self.fail(key, "not_a_list")
        for index, item in enumerate(value):
            yield index, item, f"{self.name(key)}[{index}]"

    def texts(self, key: str) -> tuple[Text, ...]:
        result = []
        for _, item, path in self.items(key):
            holder = _Fields(self.where, {"item": item}, path)
            text = holder.text("item")
            assert text is not None
            result.append(text)
        return tuple(result)

    def strings(self, key: str, required: bool = False, max_len: int = 100) -> tuple[str, ...]:
        result = []
        for index, item, _ in self.items(key, required):
            if not isinstance(item, (str, int)) or not str(item).strip():
                self.fail(f"{key}[{index}]", "empty_text")
            if len(str(item)) > max_len:
                self.fail(f"{key}[{index}]", "item_too_long", limit=max_len)
            result.append(str(item).strip())
        if required and not result:
            self.fail(key, "none_listed")
        return tuple(result)

    def button_name(self, key: str, full: Text) -> Text | None:
        """The `short` name shown on buttons: required when `key` (the full name) is too long for one."""
        short = self.text("short", required=False, max_len=MAX_BUTTON)
        for lang in LANGUAGES:
            if len(full.get(lang, "")) > MAX_BUTTON and (short is None or lang not in short):
                self.fail(f"{key}.{lang}", "needs_short", limit=MAX_BUTTON)
        return short

    def links(self, key: str) -> tuple[Link, ...]:
        result = []
        for _, item, path in self.items(key):
            sub = _Fields(self.where, item, path)
            sub.only("label", "url")
            label = sub.text("label", max_len=MAX_BUTTON)
            url = sub.url("url")
            assert label is not None and url is not None
            result.append(Link(label, url))
        return tuple(result)


def telegram_length(text: str) -> int:
    """`text`'s length as Telegram's limits count it, in UTF-16 code units: never fewer than its characters (an emoji
    outside the Basic Multilingual Plane counts two)."""
    return len(text.encode("utf-16-le")) // 2


def _listed(fields: _Fields, key: str) -> list[tuple[Any, str]]:
    """The items of the list `key` (optional), at most `MAX_ACTION_ITEMS` of them."""
    items = [(item, path) for _, item, path in fields.items(key)]
    if len(items) > MAX_ACTION_ITEMS:
        fields.fail(key, "too_many", count=len(items), limit=MAX_ACTION_ITEMS)
    return items


def parse_actions(case: _Fields) -> Actions | None:
    """A case's `actions` (content/README.md), or None when it has none."""
    if case.raw("actions", required=False) is None:
        return None
    f = _Fields(case.where, case.data["actions"], case.name("actions"))
    f.only("ask", "as_of", "sources", "links", "messages", "address", "email")
    ask = f.text("ask", max_len=MAX_ASK)
    assert ask is not None
    links = []
    for item, path in _listed(f, "links"):
        sub = _Fields(f.where, item, path)
        sub.only("label", "url")
        label = sub.text("label", max_len=MAX_BUTTON)
        url = sub.string("url", max_len=1000)
        assert label is not None and url is not None
        if not HTTPS_PATTERN.match(url):
            sub.fail("url", "not_https", value=repr(url))
        links.append(Link(label, url))
    messages = []
    for item, path in _listed(f, "messages"):
        sub = _Fields(f.where, item, path)
        sub.only(*LANGUAGES)
        text = {}
        for lang in LANGUAGES:
            value = sub.string(lang, required=(lang == "en"), max_len=MAX_TEXT)
            if value is None:
                continue
            if telegram_length(value) > COPY_TEXT_LIMIT:
                sub.fail(lang, "copy_too_long", length=telegram_length(value), limit=COPY_TEXT_LIMIT)
            text[lang] = value
        messages.append(text)
    email = f.string("email", required=False, max_len=254)
    if email is not None and not EMAIL_PATTERN.match(email):
        f.fail("email", "not_an_email", value=repr(email))
    return Actions(
        ask=ask,
        as_of=f.partial_date("as_of"),
        sources=f.strings("sources", required=True, max_len=40),
        links=tuple(links),
        messages=tuple(messages),
        address=f.text("address", required=False, max_len=500),
        email=email,
    )


def _check_id_matches(fields: _Fields, value: str, expected: str | None) -> None:
    if expected is not None and value != expected:
        fields.fail("id", "id_not_file_name", value=repr(value), expected=expected)


def parse_case(where: str, data: Any, expected_id: str | None = None) -> Case:
    f = _Fields(where, data)
    f.only("id", "kind", "order", "name", "short", "aliases", "role", "status", "as_of", "summary", "charges",
           "max_sentence", "concerns", "sources", "links", "actions")
    case_id = f.identifier("id")
    _check_id_matches(f, case_id, expected_id)
    charges = []
    for _, item, path in f.items("charges"):
        sub = _Fields(where, item, path)
        sub.only("article", "label")
        label = sub.text("label")
        assert label is not None
        charges.append(Charge(sub.string("article", required=False, max_len=20), label))
    name, role, status, summary = f.text("name"), f.text("role"), f.text("status"), f.text("summary")
    assert name is not None and role is not None and status is not None and summary is not None
    return Case(
        id=case_id,
        kind=f.choice("kind", CASE_KINDS),
        order=f.integer("order"),
        name=name,
        short=f.button_name("name", name),
        aliases=f.strings("aliases"),
        role=role,
        status=status,
        as_of=f.partial_date("as_of"),
        summary=summary,
        charges=tuple(charges),
        max_sentence=f.text("max_sentence", required=False),
        concerns=f.texts("concerns"),
        sources=f.strings("sources", required=True, max_len=40),
        links=f.links("links"),
        actions=parse_actions(f),
    )


def parse_topic(where: str, data: Any, expected_id: str | None = None) -> Topic:
    f = _Fields(where, data)
    f.only("id", "order", "title", "short", "as_of", "body", "sources", "links", "cases")
    topic_id = f.identifier("id")
    _check_id_matches(f, topic_id, expected_id)
    title, body = f.text("title"), f.text("body")
    assert title is not None and body is not None
    return Topic(
        id=topic_id,
        order=f.integer("order"),
        title=title,
        short=f.button_name("title", title),
        as_of=f.partial_date("as_of"),
        body=body,
        sources=f.strings("sources", required=True, max_len=40),
        links=f.links("links"),
        cases=f.strings("cases", max_len=40),
    )


def parse_campaign(where: str, data: Any) -> Campaign:
    f = _Fields(where, data)
    f.only("name", "about")
    name, about = f.text("name"), f.text("about")
    assert name is not None and about is not None
    return Campaign(name, about)


def parse_sources(where: str, data: Any) -> dict[str, Source]:
    f = _Fields(where, data)
    f.only("sources")
    sources: dict[str, Source] = {}
    for _, item, path in f.items("sources", required=True):
        sub = _Fields(where, item, path)
        sub.only("id", "publisher", "title", "date", "url", "cites")
        source_id = sub.identifier("id")
        if source_id in sources:
            sub.fail("id", "listed_twice", value=repr(source_id))
        sources[source_id] = Source(
            id=source_id,
            publisher=sub.string("publisher") or "",
            title=sub.string("title") or "",
            date=sub.partial_date("date"),
            url=sub.url("url", required=False),
            cites=sub.strings("cites", max_len=500),
        )
    if not sources:
        f.fail("sources", "no_sources")
    return sources


# --- a whole content set ----------------------------------------------------------------------------

CAMPAIGN_FILE = "campaign.yaml"
SOURCES_FILE = "sources.yaml"
BACKGROUND_FILE = "topics/background.yaml"
CASES_DIR = "cases"
CONCERNS_DIR = "concerns"


@dataclass(frozen=True)
class RawItem:
    """One content file's data as read, before it is built into the model; the unit of import."""

    kind: str  # campaign | sources | case | background | concern
    id: str
    where: str
    data: Any


def read_content_dir(root: Path) -> list[RawItem]:
    """Read every content file under `root` (YAML syntax errors name the file and line)."""
    if not root.is_dir():
        raise ContentError(str(root), "", "no_directory")
    items = [
        RawItem("campaign", "campaign", CAMPAIGN_FILE, _read_yaml(root, CAMPAIGN_FILE)),
        RawItem("sources", "sources", SOURCES_FILE, _read_yaml(root, SOURCES_FILE)),
        RawItem("background", "background", BACKGROUND_FILE, _read_yaml(root, BACKGROUND_FILE)),
    ]
    for kind, folder in (("case", CASES_DIR), ("concern", CONCERNS_DIR)):
        for path in sorted((root / folder).glob("*.yaml")):
            rel = f"{folder}/{path.name}"
            items.append(RawItem(kind, path.stem, rel, _read_yaml(root, rel)))
    return items


def _read_yaml(root: Path, rel: str) -> Any:
    path = root / rel
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(rel, "", "file_missing") from None
    except UnicodeDecodeError:
        raise ContentError(rel, "", "not_utf8") from None
    return parse_yaml(rel, text)


def parse_yaml(where: str, text: str) -> Any:
    """The data in one content file's text; raises ContentError naming the line. The safe loader lives in
    `bot/content_yaml.py`, imported on first use: PyYAML takes ~40 ms to import, and the running bot reads its
    content from the store, not from YAML files (only an import or an admin's file needs it)."""
    from bot.content_yaml import load

    return load(where, text)


def build_content(items: list[RawItem]) -> Content:
    """Validate every item and the references between them; return the model or raise ContentError."""
    campaign: Campaign | None = None
    sources: dict[str, Source] | None = None
    background: Topic | None = None
    cases: list[Case] = []
    concerns: list[Topic] = []
    for item in items:
        if item.kind == "campaign":
            campaign = parse_campaign(item.where, item.data)
        elif item.kind == "sources":
            sources = parse_sources(item.where, item.data)
        elif item.kind == "background":
            background = parse_topic(item.where, item.data, "background")
        elif item.kind == "case":
            cases.append(parse_case(item.where, item.data, item.id))
        elif item.kind == "concern":
            concerns.append(parse_topic(item.where, item.data, item.id))
        else:
            raise ContentError(item.where, "", "unknown_kind", value=repr(item.kind))
    if campaign is None or sources is None or background is None:
        missing = [f for f, v in ((CAMPAIGN_FILE, campaign), (SOURCES_FILE, sources),
                                  (BACKGROUND_FILE, background)) if v is None]
        raise ContentError(missing[0], "", "file_missing")
    if not cases:
        raise ContentError(CASES_DIR, "", "no_cases")
    case_ids = {c.id for c in cases}
    for where, refs in _references(cases, concerns, background):
        for field, ref, known in refs:
            pool = sources if known == "source" else case_ids
            if ref not in pool:
                raise ContentError(where, field, f"unknown_{known}", value=repr(ref))
    for where, item_sources, links in _linked(cases, concerns, background):
        cited = {url for source in item_sources for url in sources[source].cites}
        for index, link in enumerate(links):
            if link.url not in cited:
                raise ContentError(where, f"links[{index}].url", "url_not_cited", value=link.url)
    return Content(
        campaign=campaign,
        sources=sources,
        cases=tuple(sorted(cases, key=lambda c: (c.order, c.id))),
        background=background,
        concerns=tuple(sorted(concerns, key=lambda t: (t.order, t.id))),
    )


def _linked(cases: list[Case], concerns: list[Topic],
            background: Topic) -> Iterator[tuple[str, tuple[str, ...], tuple[Link, ...]]]:
    """Each item's file, its sources and its links (a link must open a page one of its sources cites)."""
    for case in cases:
        yield f"{CASES_DIR}/{case.id}.yaml", case.sources, case.links
    for topic in [background, *concerns]:
        where = BACKGROUND_FILE if topic is background else f"{CONCERNS_DIR}/{topic.id}.yaml"
        yield where, topic.sources, topic.links


def _references(
    cases: list[Case], concerns: list[Topic], background: Topic
) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    for case in cases:
        refs = [("sources", s, "source") for s in case.sources]
        if case.actions is not None:
            refs += [("actions.sources", s, "source") for s in case.actions.sources]
        yield f"{CASES_DIR}/{case.id}.yaml", refs
    for topic in [background, *concerns]:
        where = BACKGROUND_FILE if topic is background else f"{CONCERNS_DIR}/{topic.id}.yaml"
        yield where, [("sources", s, "source") for s in topic.sources] + [
            ("cases", c, "case") for c in topic.cases
        ]


def load_content_dir(root: Path) -> Content:
    return build_content(read_content_dir(root))
