"""The background and the human rights concerns (handlers/topics.py)."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot import button_data
from bot.content import Content, Topic
from bot.i18n import Translator
from bot.render.base import Screen, Texts, button_name, buttons, esc, heading, link_rows, make_screen, sources_block
from bot.render.cases import case_button


def topic(tr: Translator, content: Content, item: Topic, back: InlineKeyboardButton | None) -> Screen:
    t = Texts(tr)
    as_of = esc(tr._("As of {date}").format(date=tr.month(item.as_of)))
    blocks = [f"{heading(t(item.title))}\n<i>{as_of}</i>", t.paragraphs(item.body)]
    blocks.append(sources_block(tr, content, item.sources, bool(item.links)))
    rows = link_rows(t, item.links)
    for case_id in item.cases:
        case = content.case(case_id)
        if case is not None:
            rows.append([case_button(tr, case)])
    if back is not None:
        rows.append([back])
    return make_screen("\n\n".join(blocks) + t.pending_note(), buttons(rows))


def background(tr: Translator, content: Content) -> Screen:
    back = InlineKeyboardButton(tr._("Concerns"), callback_data=button_data.concern_list())
    return topic(tr, content, content.background, back)


def concern(tr: Translator, content: Content, item: Topic) -> Screen:
    back = InlineKeyboardButton("« " + tr._("All concerns"), callback_data=button_data.concern_list())
    return topic(tr, content, item, back)


def concern_list(tr: Translator, content: Content) -> Screen:
    text = heading(tr._("Human rights concerns")) + "\n" + esc(tr._("Choose a concern to read it:"))
    rows = [[InlineKeyboardButton(button_name(tr, c), callback_data=button_data.concern(c.id))]
            for c in content.concerns]
    rows.append([InlineKeyboardButton(tr._("Background"), callback_data=button_data.background())])
    return make_screen(text, buttons(rows))
