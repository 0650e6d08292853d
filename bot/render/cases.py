"""Cases: the list, a case card, its updates, and search answers (handlers/cases.py, handlers/cards.py)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton

from bot import button_data
from bot.content import Case, Content
from bot.i18n import N_, Translator
from bot.model import CampaignUpdate
from bot.render.actions import acted_line, take_action_button
from bot.render.base import (
    BULLET,
    Reply,
    Screen,
    Texts,
    button_name,
    buttons,
    esc,
    heading,
    link_rows,
    make_screen,
    sources_block,
    topic_name,
)

CASES_PER_PAGE = 8


def case_button(tr: Translator, case: Case) -> InlineKeyboardButton:
    return InlineKeyboardButton(button_name(tr, case), callback_data=button_data.case(case.id))


def case_list(tr: Translator, content: Content, page: int = 0) -> Screen:
    pages = max(1, -(-len(content.cases) // CASES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = content.cases[page * CASES_PER_PAGE : (page + 1) * CASES_PER_PAGE]
    text = heading(tr._("Cases")) + "\n" + esc(tr._("Choose a case to read it:"))
    if pages > 1:
        text += "\n" + esc(tr._("Page {page} of {pages}").format(page=page + 1, pages=pages))
    rows = [[case_button(tr, case)] for case in shown]
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("« " + tr._("Previous"), callback_data=button_data.case_list(page - 1)))
    if page < pages - 1:
        nav.append(InlineKeyboardButton(tr._("Next") + " »", callback_data=button_data.case_list(page + 1)))
    return make_screen(text, buttons([*rows, nav]))


def page_of(content: Content, case_id: str) -> int:
    index = next((i for i, c in enumerate(content.cases) if c.id == case_id), 0)
    return index // CASES_PER_PAGE


def case_card(tr: Translator, content: Content, case: Case, *, latest: CampaignUpdate | None = None,
              updates: int = 0, subscribed: bool = False, follows_all: bool = False, acted: int = 0) -> Screen:
    """A case: who, status as of its date, the latest update, what happened, charges, concerns, sources.

    `updates` is how many the Updates button lists (shown from two on); `subscribed` (to this case) and
    `follows_all` (every update) pick the subscription button; `acted`: how many members acted on the case (shown
    with its Take action button, when it has actions).
    """
    t = Texts(tr)
    links = link_rows(t, case.links)  # first: a label shown in another language counts for the note under the text
    text = _card_text(tr, t, content, case, latest, acted)
    if follows_all and not subscribed:
        first = InlineKeyboardButton("✓ " + tr._("All updates"), callback_data=button_data.subscriptions())
    else:
        first = subscription_toggle(tr, case.id, subscribed, button_data.CARD)
    rows = [[first]]
    if updates > 1:
        rows[0].append(InlineKeyboardButton(tr._("Updates ({count})").format(count=updates),
                                            callback_data=button_data.history(case.id)))
    if case.actions is not None:
        rows.append([take_action_button(tr, case)])
    rows += links
    rows.append([InlineKeyboardButton("« " + tr._("All cases"),
                                      callback_data=button_data.case_list(page_of(content, case.id))),
                 InlineKeyboardButton("📤 " + tr._("Share"), callback_data=button_data.share(case.id))])
    return make_screen(text, buttons(rows))


def shared_card(tr: Translator, content: Content, case: Case, link: str, *,
                latest: CampaignUpdate | None = None) -> Reply:
    """A case card as inline mode sends it into any chat: the card's text (its first part, should it be too long
    for one message), a button that opens the case in the bot by `link` (a deep link), and the pages its source
    cites. Link buttons only: the card lands in chats the bot is not in, where a pressed button would come
    from no chat the bot knows."""
    t = Texts(tr)
    rows = [[InlineKeyboardButton(tr._("Open in the bot"), url=link)], *link_rows(t, case.links)]
    text = make_screen(_card_text(tr, t, content, case, latest))[0].text
    return Reply(text, buttons(rows))


def _card_text(tr: Translator, t: Texts, content: Content, case: Case, latest: CampaignUpdate | None,
               acted: int = 0) -> str:
    """The card's HTML. The long parts (what happened, the concerns) are expandable quotes: a card stays short in
    a busy group, and opens on a tap."""
    blocks = [f"{heading(t(case.name))}\n<i>{esc(t(case.role))}</i>"]
    status_label = tr._("Status as of {date}").format(date=tr.month(case.as_of))
    blocks.append(f"{heading(status_label)}\n{t.paragraphs(case.status)}")
    if latest is not None:
        blocks.append(_update_block(tr, t, latest))
    blocks.append(heading(tr._("What happened")) + "\n" + _expandable(t.paragraphs(case.summary)))
    if case.charges:
        lines = []
        for charge in case.charges:
            label = esc(t(charge.label))
            if charge.article:
                article = esc(tr._("Article {article}").format(article=charge.article))
                lines.append(f"{BULLET} {article}: {label}")
            else:
                lines.append(f"{BULLET} {label}")
        blocks.append(heading(tr._("Charges")) + "\n" + "\n".join(lines))
    if case.max_sentence:
        blocks.append(heading(tr._("Maximum sentence")) + "\n" + t.paragraphs(case.max_sentence))
    if case.concerns:
        items = "\n".join(f"{BULLET} {esc(t(c))}" for c in case.concerns)
        blocks.append(heading(tr._("Concerns raised")) + "\n" + _expandable(items))
    if case.actions is not None and acted > 0:
        blocks.append(acted_line(tr, acted))
    blocks.append(sources_block(tr, content, case.sources, bool(case.links)))
    return "\n\n".join(blocks) + t.pending_note()


def _expandable(html: str) -> str:
    """Telegram shows the first lines of an expandable quote and the rest on a tap."""
    return f"<blockquote expandable>{html}</blockquote>"


def subscription_toggle(tr: Translator, topic: str, subscribed: bool, screen: str) -> InlineKeyboardButton:
    if subscribed:
        return InlineKeyboardButton("🔕 " + tr._("Unsubscribe"), callback_data=button_data.unsubscribe(topic, screen))
    return InlineKeyboardButton("🔔 " + tr._("Subscribe"), callback_data=button_data.subscribe(topic, screen))


def _update_block(tr: Translator, texts: Texts, update: CampaignUpdate) -> str:
    label = tr._("Update of {date}").format(date=tr.day(update.published))
    body = texts.paragraphs(update.texts)
    if update.corrected:
        body += "\n<i>" + esc(tr._("Corrected on {date}").format(date=tr.day(update.corrected))) + "</i>"
    return f"{heading(label)}\n{body}"


SHOWN_IN = {
    "en": N_("There is no version of this update in your language: it is shown in English."),
    "az": N_("There is no version of this update in your language: it is shown in Azerbaijani."),
    "ru": N_("There is no version of this update in your language: it is shown in Russian."),
}
"""The note under an update that its admin did not write in the member's language (not "pending": an
update written in English only may never be translated)."""


def update_message(tr: Translator, content: Content, update: CampaignUpdate) -> Reply:
    """An update as a subscriber receives it (and as the admin's preview shows it)."""
    t = Texts(tr)
    case = content.case(update.topic)
    title = tr._("Update: {name}").format(name=t(case.name)) if case else tr._("Campaign update")
    body, fell_back = tr.text(update.texts)
    text = f"🔔 {heading(title)}\n<i>{esc(tr.day(update.published))}</i>\n\n{esc(body).strip()}"
    if update.corrected:
        text += "\n\n<i>" + esc(tr._("Corrected on {date}").format(date=tr.day(update.corrected))) + "</i>"
    if fell_back:
        shown = "en" if "en" in update.texts else next(iter(update.texts))
        text += "\n\n<i>" + esc(tr._(SHOWN_IN[shown])) + "</i>"
    text += t.pending_note()  # the case's name, should it lack this language
    # The update stays in the chat: its buttons answer in a new message instead of replacing it.
    rows = []
    if case is not None:
        rows.append([InlineKeyboardButton(tr._("Open the case"),
                                          callback_data=button_data.fresh(button_data.case(case.id)))])
    rows.append([InlineKeyboardButton(tr._("My subscriptions"),
                                      callback_data=button_data.fresh(button_data.subscriptions()))])
    return Reply(text, buttons(rows))


def history(tr: Translator, content: Content, topic: str, updates: Sequence[CampaignUpdate]) -> Screen:
    t = Texts(tr)
    title = tr._("Updates: {name}").format(name=topic_name(tr, content, topic))
    blocks = [heading(title)]
    blocks += [_update_block(tr, t, update) for update in updates] or [esc(tr._("No updates yet."))]
    back = [InlineKeyboardButton("« " + tr._("Back to the case"), callback_data=button_data.case(topic))] \
        if content.case(topic) else []
    return make_screen("\n\n".join(blocks) + t.pending_note(), buttons([back]))


def search_results(tr: Translator, query: str, matches: Sequence[Case]) -> Screen:
    count = len(matches)
    text = esc(tr.ngettext("{count} case matches “{query}”. Choose one:",
                           "{count} cases match “{query}”. Choose one:", count).format(
        count=count, query=query))
    return make_screen(text, buttons([[case_button(tr, case)] for case in matches]))


def did_you_mean(tr: Translator, matches: Sequence[Case]) -> Screen:
    """Cases that only resemble what was typed: offered, not opened."""
    return make_screen(esc(tr._("Did you mean…")), buttons([[case_button(tr, case)] for case in matches]))


def no_match(tr: Translator, query: str) -> Screen:
    text = esc(tr._("No case matches “{query}”.").format(query=query)) + "\n\n" + esc(
        tr._("Try a first name or a surname, in any script (for example: Asif, Yusifli, Юсифли), "
             "or browse all cases with /cases."))
    return make_screen(text, buttons([[InlineKeyboardButton(tr._("All cases"),
                                                         callback_data=button_data.case_list())]]))


def case_usage(tr: Translator) -> Screen:
    text = esc(tr._("Send /case and a name, for example: /case Yusifli. Or browse all cases:"))
    return make_screen(text, buttons([[InlineKeyboardButton(tr._("All cases"),
                                                         callback_data=button_data.case_list())]]))
