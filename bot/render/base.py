"""What every screen is made of: replies and keyboards, escaping, the member's language, shared pieces."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import button_data
from bot.content import Case, Content, Link, Text, Topic
from bot.i18n import Translator
from bot.model import GENERAL
from bot.textsplit import split_html

LANGUAGE_NAMES = {"en": "English", "az": "Azərbaycanca", "ru": "Русский"}
"""Each language's own name for itself: shown as is, whatever the member's language."""


MAX_BUTTON = 40
"""Characters a button label may have: longer ones are cut off on a phone's screen."""


BULLET = "•"


@dataclass(frozen=True)
class Reply:
    text: str
    keyboard: InlineKeyboardMarkup | None = None


Screen = list[Reply]


FEW = 5
"""A count of members below this is shown as "fewer than 5": a screenshot of an admin's screen must not single out
a member of a small group (who follows a case, who speaks which language, who acted)."""


def members_count(tr: Translator, count: int) -> str:
    """`count` as shown on an admin's or a member's screen: 0, "fewer than 5", or the number."""
    return tr._("fewer than {few}").format(few=FEW) if 0 < count < FEW else str(count)


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


class Texts:
    """Picks texts in one language and remembers whether any fell back to another language."""

    def __init__(self, tr: Translator) -> None:
        self.tr = tr
        self.fell_back = False
        self.only_english = True  # every fallback was to English (content always has it; updates may not)

    def __call__(self, text: Text) -> str:
        value, fallback = self.tr.text(text)
        if fallback:
            self.fell_back = True
            self.only_english = self.only_english and "en" in text
        return value

    def paragraphs(self, text: Text) -> str:
        return esc(self(text)).strip()

    def pending_note(self) -> str:
        if not self.fell_back:
            return ""
        if self.only_english:
            note = self.tr._("Translation pending: part of this text is shown in English.")
        else:
            note = self.tr._("Translation pending: part of this text is shown in another language.")
        return "\n\n<i>" + esc(note) + "</i>"


def make_screen(text: str, keyboard: InlineKeyboardMarkup | None = None) -> Screen:
    parts = split_html(text)
    return [Reply(part, keyboard if i == len(parts) - 1 else None) for i, part in enumerate(parts)]


def heading(title: str) -> str:
    return f"<b>{esc(title)}</b>"


def buttons(rows: Iterable[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows if row])


def main_menu(tr: Translator) -> InlineKeyboardMarkup:
    return buttons([
        [InlineKeyboardButton(tr._("Cases"), callback_data=button_data.case_list())],
        [InlineKeyboardButton(tr._("Background"), callback_data=button_data.background()),
         InlineKeyboardButton(tr._("Concerns"), callback_data=button_data.concern_list())],
    ])


def button_name(tr: Translator, item: Case | Topic) -> str:
    """A case's or topic's name as a button shows it: its `short` name where the full one is too long."""
    full = item.name if isinstance(item, Case) else item.title
    if item.short is not None and tr.lang in item.short:
        return item.short[tr.lang]
    if tr.lang in full:
        return full[tr.lang]
    return tr.text(item.short or full)[0]


def topic_name(tr: Translator, content: Content, topic: str, *, on_button: bool = False) -> str:
    """What a subscription or an update is about, for a human: a case's name, or "all updates"."""
    case = content.case(topic)
    if case is not None:
        return button_name(tr, case) if on_button else tr.text(case.name)[0]
    if topic == GENERAL:
        return tr._("General updates")
    return tr._("All updates")


def shorten(value: str, limit: int = 60) -> str:
    """A user's input, quoted back: one line, printable, and short."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def source_line(tr: Translator, content: Content, source_id: str) -> str:
    source = content.sources[source_id]
    return esc(tr._("{publisher}, “{title}”, {date}").format(publisher=source.publisher, title=source.title,
                                                              date=tr.month(source.date)))


def sources_block(tr: Translator, content: Content, source_ids: Sequence[str], has_links: bool) -> str:
    lines = [f"{BULLET} {source_line(tr, content, s)}" for s in source_ids]
    if has_links:
        lines.append(esc(tr._("The buttons below open pages that the source cites.")))
    return heading(tr._("Sources")) + "\n" + "\n".join(lines)


def link_rows(texts: Texts, links: Sequence[Link]) -> list[list[InlineKeyboardButton]]:
    return [[InlineKeyboardButton("🔗 " + texts(link.label), url=link.url)] for link in links]
