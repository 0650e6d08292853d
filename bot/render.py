"""Content and interface strings → Telegram HTML and inline keyboards. Pure: no I/O, no Telegram calls.

Every value that comes from content or from a user is escaped here; the catalog strings are trusted
HTML (they are reviewed with the code) but the values put into their placeholders are escaped.
A screen is a list of `Reply` parts: one normally, several when the text is longer than Telegram
allows; the keyboard goes on the last part.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import LANGUAGES, callbacks
from bot.content import Case, Content, Link, Text, Topic
from bot.i18n import N_, Translator
from bot.store import ALL, GENERAL, CampaignUpdate, ChatRecord
from bot.store.outbox import RETENTION_DAYS
from bot.textsplit import split_html

LANGUAGE_NAMES = {"en": "English", "az": "Azərbaycanca", "ru": "Русский"}
"""Each language's own name for itself: shown as is, whatever the member's language."""

CASES_PER_PAGE = 8
MAX_BUTTON = 40
"""Characters a button label may have: longer ones are cut off on a phone's screen."""
BULLET = "•"

# (command, description) in the order of the command menu; descriptions are translated at start-up.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("cases", N_("The cases: people detained or attacked")),
    ("case", N_("Find a case by name")),
    ("background", N_("Background: the Nagorno-Karabakh conflict")),
    ("concerns", N_("Human rights concerns")),
    ("subscribe", N_("Follow a case or all updates")),
    ("subscriptions", N_("What you follow")),
    ("unsubscribe", N_("Stop following a case or everything")),
    ("quiet", N_("Updates without sound, or with")),
    ("language", N_("Change language")),
    ("mydata", N_("What the bot holds about this chat")),
    ("forget", N_("Delete everything the bot holds about this chat")),
    ("about", N_("About this campaign and its sources")),
    ("privacy", N_("What the bot stores about you")),
    ("help", N_("How to use this bot")),
)


@dataclass(frozen=True)
class Reply:
    text: str
    keyboard: InlineKeyboardMarkup | None = None


Screen = list[Reply]


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


class _Texts:
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


# --- language ---------------------------------------------------------------------------------------


def language_keyboard(current: str | None = None) -> InlineKeyboardMarkup:
    return buttons(
        [[InlineKeyboardButton(("✓ " if code == current else "") + LANGUAGE_NAMES[code],
                               callback_data=callbacks.language(code))] for code in LANGUAGES]
    )


def language_picker(tr: Translator) -> Screen:
    return make_screen(esc(tr._("Choose your language:")), language_keyboard(tr.lang))


def language_chosen(tr: Translator) -> Screen:
    text = esc(tr._("Language set: {language}. Send /help to see what I can do.").format(
        language=LANGUAGE_NAMES[tr.lang]))
    return make_screen(text, main_menu(tr))


# --- start, help, about, privacy --------------------------------------------------------------------


def main_menu(tr: Translator) -> InlineKeyboardMarkup:
    return buttons([
        [InlineKeyboardButton(tr._("Cases"), callback_data=callbacks.case_list())],
        [InlineKeyboardButton(tr._("Background"), callback_data=callbacks.background()),
         InlineKeyboardButton(tr._("Concerns"), callback_data=callbacks.concern_list())],
    ])


def greeting(tr: Translator, content: Content, *, first_contact: bool) -> Screen:
    texts = _Texts(tr)
    lines = [
        heading(texts(content.campaign.name)),
        esc(tr._("I share short, dated summaries of the cases of opposition activists and protesters detained in "
                 "Azerbaijan and of a human rights defender who was attacked there, the background to the "
                 "Nagorno-Karabakh conflict and the human rights concerns this campaign works on, with their "
                 "sources.")),
    ]
    if first_contact:
        lines.append(esc(tr._("Choose your language below. You can change it at any time with /language.")))
        return make_screen("\n\n".join(lines) + texts.pending_note(), language_keyboard(tr.lang))
    lines.append(esc(tr._("Start with the cases, or send /help.")))
    return make_screen("\n\n".join(lines) + texts.pending_note(), main_menu(tr))


ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("push", N_("Publish an update to its subscribers")),
    ("correct", N_("Correct a published update in place")),
    ("broadcasts", N_("Broadcasts in progress, with Cancel")),
    ("stats", N_("Members, subscriptions and the last broadcasts")),
)


def help_text(tr: Translator, bot_username: str, *, admin: bool = False) -> Screen:
    commands = "\n".join(f"/{command} — {esc(tr._(description))}" for command, description in COMMANDS)
    parts = [
        heading(tr._("What I can do")) + "\n" + commands,
        esc(tr._("You can also send a name, in any spelling or script, to find a case.")),
        esc(tr._("In a group, add @{bot} to a command, for example /cases@{bot}.").format(bot=bot_username)),
    ]
    if admin:
        admin_commands = "\n".join(f"/{command} — {esc(tr._(text))}" for command, text in ADMIN_COMMANDS)
        parts.append(heading(tr._("For admins")) + "\n" + admin_commands + "\n" + esc(
            tr._("To add or change a case or topic, send its file (.yaml, as in content/) to me as a document: "
                 "you see the changes and apply them with a button. /cancel stops a draft.")))
    return make_screen("\n\n".join(parts), main_menu(tr))


def about(tr: Translator, content: Content) -> Screen:
    texts = _Texts(tr)
    sources = "\n".join(f"{BULLET} {source_line(tr, content, s)}" for s in content.sources)
    parts = [heading(texts(content.campaign.name)), texts.paragraphs(content.campaign.about),
             heading(tr._("Sources")) + "\n" + sources]
    return make_screen("\n\n".join(parts) + texts.pending_note(), main_menu(tr))


def privacy(tr: Translator) -> Screen:
    parts = [
        heading(tr._("What this bot stores")),
        esc(tr._("If you only read, the bot stores nothing about you: it answers in the language your "
                 "Telegram app uses.")),
        esc(tr._("When you choose a language, subscribe or turn on quiet delivery, the bot stores for this "
                 "chat: its id, the language, what it follows, whether updates arrive without sound, whether "
                 "it can still be sent to, and the day the record was created and last changed. Nothing "
                 "else: not your name, username, phone number or messages.")),
        esc(tr._("Why: to send you the updates you asked for, in your language. The bot does not share these "
                 "data with anyone. /mydata shows exactly what it holds; /forget deletes it.")),
        esc(tr._("When it sends an update, the bot keeps for {days} days which chats got it and the message "
                 "numbers, so that a correction can fix those messages; then only the totals. /forget removes "
                 "this chat from them at once.").format(days=RETENTION_DAYS)),
        esc(tr._("Telegram itself sees your messages to the bot, as it does every chat. If you are at "
                 "risk, think about who can see your phone and this chat.")),
    ]
    return make_screen("\n\n".join(parts))


# --- cases ------------------------------------------------------------------------------------------


def button_name(tr: Translator, item: Case | Topic) -> str:
    """A case's or topic's name as a button shows it: its `short` name where the full one is too long."""
    full = item.name if isinstance(item, Case) else item.title
    if item.short is not None and tr.lang in item.short:
        return item.short[tr.lang]
    if tr.lang in full:
        return full[tr.lang]
    return tr.text(item.short or full)[0]


def case_button(tr: Translator, case: Case) -> InlineKeyboardButton:
    return InlineKeyboardButton(button_name(tr, case), callback_data=callbacks.case(case.id))


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
        nav.append(InlineKeyboardButton("« " + tr._("Previous"), callback_data=callbacks.case_list(page - 1)))
    if page < pages - 1:
        nav.append(InlineKeyboardButton(tr._("Next") + " »", callback_data=callbacks.case_list(page + 1)))
    return make_screen(text, buttons([*rows, nav]))


def page_of(content: Content, case_id: str) -> int:
    index = next((i for i, c in enumerate(content.cases) if c.id == case_id), 0)
    return index // CASES_PER_PAGE


def case_card(tr: Translator, content: Content, case: Case, *, latest: CampaignUpdate | None = None,
              updates: int = 0, subscribed: bool = False, follows_all: bool = False) -> Screen:
    """A case: who, status as of its date, the latest update, what happened, charges, concerns, sources.

    `updates` is how many the Updates button lists (shown from two on); `subscribed` (to this case) and
    `follows_all` (every update) pick the subscription button.
    """
    t = _Texts(tr)
    blocks = [f"{heading(t(case.name))}\n<i>{esc(t(case.role))}</i>"]
    status_label = tr._("Status as of {date}").format(date=tr.month(case.as_of))
    blocks.append(f"{heading(status_label)}\n{t.paragraphs(case.status)}")
    if latest is not None:
        blocks.append(_update_block(tr, t, latest))
    blocks.append(heading(tr._("What happened")) + "\n" + t.paragraphs(case.summary))
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
        blocks.append(heading(tr._("Concerns raised")) + "\n" + items)
    blocks.append(_sources_block(tr, content, case.sources, bool(case.links)))
    if follows_all and not subscribed:
        first = InlineKeyboardButton("✓ " + tr._("All updates"), callback_data=callbacks.subscriptions())
    else:
        first = subscription_toggle(tr, case.id, subscribed, callbacks.CARD)
    rows = [[first]]
    if updates > 1:
        rows[0].append(InlineKeyboardButton(tr._("Updates ({count})").format(count=updates),
                                            callback_data=callbacks.history(case.id)))
    rows += _link_rows(t, case.links)
    rows.append([InlineKeyboardButton("« " + tr._("All cases"),
                                      callback_data=callbacks.case_list(page_of(content, case.id)))])
    return make_screen("\n\n".join(blocks) + t.pending_note(), buttons(rows))


def subscription_toggle(tr: Translator, topic: str, subscribed: bool, screen: str) -> InlineKeyboardButton:
    if subscribed:
        return InlineKeyboardButton("🔕 " + tr._("Unsubscribe"), callback_data=callbacks.unsubscribe(topic, screen))
    return InlineKeyboardButton("🔔 " + tr._("Subscribe"), callback_data=callbacks.subscribe(topic, screen))


def _update_block(tr: Translator, texts: _Texts, update: CampaignUpdate) -> str:
    label = tr._("Update of {date}").format(date=tr.day(update.published))
    body = texts.paragraphs(update.texts)
    if update.corrected:
        body += "\n<i>" + esc(tr._("Corrected on {date}").format(date=tr.day(update.corrected))) + "</i>"
    return f"{heading(label)}\n{body}"


def topic_name(tr: Translator, content: Content, topic: str, *, on_button: bool = False) -> str:
    """What a subscription or an update is about, for a human: a case's name, or "all updates"."""
    case = content.case(topic)
    if case is not None:
        return button_name(tr, case) if on_button else tr.text(case.name)[0]
    if topic == GENERAL:
        return tr._("General updates")
    return tr._("All updates")


SHOWN_IN = {
    "en": N_("There is no version of this update in your language: it is shown in English."),
    "az": N_("There is no version of this update in your language: it is shown in Azerbaijani."),
    "ru": N_("There is no version of this update in your language: it is shown in Russian."),
}
"""The note under an update that its admin did not write in the member's language (not "pending": an
update written in English only may never be translated)."""


def update_message(tr: Translator, content: Content, update: CampaignUpdate) -> Reply:
    """An update as a subscriber receives it (and as the admin's preview shows it)."""
    t = _Texts(tr)
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
                                          callback_data=callbacks.fresh(callbacks.case(case.id)))])
    rows.append([InlineKeyboardButton(tr._("My subscriptions"),
                                      callback_data=callbacks.fresh(callbacks.subscriptions()))])
    return Reply(text, buttons(rows))


def history(tr: Translator, content: Content, topic: str, updates: Sequence[CampaignUpdate]) -> Screen:
    t = _Texts(tr)
    title = tr._("Updates: {name}").format(name=topic_name(tr, content, topic))
    blocks = [heading(title)]
    blocks += [_update_block(tr, t, update) for update in updates] or [esc(tr._("No updates yet."))]
    back = [InlineKeyboardButton("« " + tr._("Back to the case"), callback_data=callbacks.case(topic))] \
        if content.case(topic) else []
    return make_screen("\n\n".join(blocks) + t.pending_note(), buttons([back]))


# --- subscriptions and personal data ------------------------------------------------------------------


def subscribe_menu(tr: Translator, cases: Sequence[Case], current: Sequence[str], *,
                   offer_all: bool = True) -> Screen:
    text = esc(tr._("What would you like to follow? You get each update the campaign publishes about it, "
                    "in your language."))
    choices = ([(ALL, tr._("All updates"))] if offer_all else []) + [(c.id, button_name(tr, c)) for c in cases]
    rows = [[_menu_toggle(topic, label, topic in current)] for topic, label in choices]
    return make_screen(text + "\n\n" + esc(tr._("✓ marks what you follow; press it again to stop.")), buttons(rows))


def _menu_toggle(topic: str, label: str, following: bool) -> InlineKeyboardButton:
    if following:
        return InlineKeyboardButton("✓ " + label, callback_data=callbacks.unsubscribe(topic, callbacks.MENU))
    return InlineKeyboardButton(label, callback_data=callbacks.subscribe(topic, callbacks.MENU))


def subscribed(tr: Translator, content: Content, topic: str) -> Screen:
    text = esc(tr._("Subscribed: {name}. Updates will reach you here. /subscriptions lists what you follow; "
                    "/quiet makes them arrive without sound.").format(name=topic_name(tr, content, topic)))
    return make_screen(text, buttons([[subscription_toggle(tr, topic, True, callbacks.SINGLE)]]))


def unsubscribed(tr: Translator, content: Content, topic: str, *, was_following: bool = True,
                 remaining: Sequence[str] = ()) -> Screen:
    name = topic_name(tr, content, topic)
    if not was_following:
        text = esc(tr._("You were not following {name}. /subscriptions lists what you follow.").format(name=name))
    else:
        text = esc(tr._("Unsubscribed: {name}.").format(name=name))
    if remaining:
        names = ", ".join(topic_name(tr, content, t) for t in remaining)
        text += "\n\n" + esc(tr._("You still follow: {names}. /subscriptions to stop following them.").format(
            names=names))
    else:
        text += "\n\n" + esc(tr._("You no longer follow anything. /subscribe to follow a case again."))
    return make_screen(text, buttons([[subscription_toggle(tr, topic, False, callbacks.SINGLE)]]))


def subscriptions(tr: Translator, content: Content, record: ChatRecord | None) -> Screen:
    order = [ALL, *(case.id for case in content.cases)]
    current = sorted(record.subscriptions if record is not None else (),
                     key=lambda t: order.index(t) if t in order else len(order))
    if not current:
        text = esc(tr._("You don't follow anything. Send /subscribe, or press Subscribe on a case."))
        return make_screen(text, buttons([[InlineKeyboardButton("🔔 " + tr._("All updates"),
                                                             callback_data=callbacks.subscribe(ALL, callbacks.LIST))]]))
    names = "\n".join(f"{BULLET} {esc(topic_name(tr, content, topic))}" for topic in current)
    text = esc(tr._("You follow:")) + "\n" + names
    if record is not None and record.quiet:
        text += "\n\n" + esc(tr._("Updates arrive without sound (/quiet to change)."))
    rows = [[InlineKeyboardButton("🔕 " + topic_name(tr, content, topic, on_button=True),
                                  callback_data=callbacks.unsubscribe(topic, callbacks.LIST))] for topic in current]
    return make_screen(text + "\n\n" + esc(tr._("Press one to unsubscribe.")), buttons(rows))


def unsubscribe_usage(tr: Translator, query: str) -> Screen:
    text = esc(tr._("No case matches “{query}”.").format(query=query)) + "\n\n" + esc(
        tr._("Send /unsubscribe and a case name, or /unsubscribe all to stop “All updates”. /subscriptions lists "
             "what you follow."))
    return make_screen(text)


def subscribe_no_match(tr: Translator, query: str) -> Screen:
    text = esc(tr._("No case matches “{query}”.").format(query=query)) + "\n\n" + esc(
        tr._("Send /subscribe all for every update, or /subscribe alone to choose from the list."))
    return make_screen(text)


def quiet(tr: Translator, on: bool) -> Screen:
    if on:
        return make_screen(esc(tr._("Quiet delivery is on: updates arrive without sound. Send /quiet again to turn "
                                "it off.")))
    return make_screen(esc(tr._("Quiet delivery is off: updates arrive with the usual notification.")))


def forget_confirm(tr: Translator) -> Screen:
    text = esc(tr._("Delete everything the bot holds about this chat: its language, subscriptions and settings? "
                    "You will get no more updates. This cannot be undone."))
    yes = InlineKeyboardButton(tr._("Yes, delete it"), callback_data=callbacks.forget(True))
    no = InlineKeyboardButton(tr._("No, keep it"), callback_data=callbacks.forget(False))
    return make_screen(text, buttons([[yes, no]]))


def forgotten(tr: Translator, deleted: bool) -> Screen:
    if deleted:
        return make_screen(esc(tr._("Deleted. The bot holds nothing about this chat any more.")))
    return make_screen(esc(tr._("The bot holds nothing about this chat.")))


def kept(tr: Translator) -> Screen:
    return make_screen(esc(tr._("Nothing was deleted.")))


def my_data(tr: Translator, content: Content, record: ChatRecord | None) -> Screen:
    if record is None:
        return make_screen(esc(tr._("The bot holds nothing about this chat.")))
    subscriptions_text = ", ".join(topic_name(tr, content, t) for t in record.subscriptions) or tr._("none")
    lines = [
        heading(tr._("What the bot holds about this chat")),
        esc(tr._("Chat id: {value}").format(value=record.chat_id)),
        esc((tr._("Language: {value} (chosen with /language)") if record.chose_language else
             tr._("Language: {value} (as your Telegram app; /language to choose one)")).format(
            value=LANGUAGE_NAMES.get(record.language, record.language))),
        esc(tr._("Subscriptions: {value}").format(value=subscriptions_text)),
        esc(tr._("Quiet delivery: {value}").format(value=tr._("on") if record.quiet else tr._("off"))),
        esc(tr._("Can receive updates: {value}").format(value=tr._("yes") if record.active else tr._("no"))),
        esc(tr._("Created: {value}").format(value=tr.day(record.created))),
        esc(tr._("Last changed: {value}").format(value=tr.day(record.updated))),
        "",
        esc(tr._("Nothing else: not your name, username, phone number or messages. /forget deletes it all.")),
    ]
    return make_screen("\n".join(lines))


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
                                                         callback_data=callbacks.case_list())]]))


def case_usage(tr: Translator) -> Screen:
    text = esc(tr._("Send /case and a name, for example: /case Yusifli. Or browse all cases:"))
    return make_screen(text, buttons([[InlineKeyboardButton(tr._("All cases"),
                                                         callback_data=callbacks.case_list())]]))


# --- topics -----------------------------------------------------------------------------------------


def topic(tr: Translator, content: Content, item: Topic, back: InlineKeyboardButton | None) -> Screen:
    t = _Texts(tr)
    as_of = esc(tr._("As of {date}").format(date=tr.month(item.as_of)))
    blocks = [f"{heading(t(item.title))}\n<i>{as_of}</i>", t.paragraphs(item.body)]
    blocks.append(_sources_block(tr, content, item.sources, bool(item.links)))
    rows = _link_rows(t, item.links)
    for case_id in item.cases:
        case = content.case(case_id)
        if case is not None:
            rows.append([case_button(tr, case)])
    if back is not None:
        rows.append([back])
    return make_screen("\n\n".join(blocks) + t.pending_note(), buttons(rows))


def background(tr: Translator, content: Content) -> Screen:
    back = InlineKeyboardButton(tr._("Concerns"), callback_data=callbacks.concern_list())
    return topic(tr, content, content.background, back)


def concern(tr: Translator, content: Content, item: Topic) -> Screen:
    back = InlineKeyboardButton("« " + tr._("All concerns"), callback_data=callbacks.concern_list())
    return topic(tr, content, item, back)


def concern_list(tr: Translator, content: Content) -> Screen:
    text = heading(tr._("Human rights concerns")) + "\n" + esc(tr._("Choose a concern to read it:"))
    rows = [[InlineKeyboardButton(button_name(tr, c), callback_data=callbacks.concern(c.id))]
            for c in content.concerns]
    rows.append([InlineKeyboardButton(tr._("Background"), callback_data=callbacks.background())])
    return make_screen(text, buttons(rows))


# --- answers to odd input ---------------------------------------------------------------------------


def stale_button(tr: Translator) -> str:
    """The short notice (a callback answer, not HTML) for a button that no longer leads anywhere."""
    return tr._("This button is out of date. Here is the current list.")


def group_admins_only(tr: Translator) -> str:
    """A short notice (plain text): in a group, settings are for its admins."""
    return tr._("Only the group's admins can change its language and subscriptions.")


def unknown_link(tr: Translator) -> Screen:
    return make_screen(esc(tr._("That link points to a case I don't have. Here is what I can show you.")))


def failure(tr: Translator) -> Screen:
    return make_screen(esc(tr._("Sorry, something went wrong. Please try again.")))


def shorten(value: str, limit: int = 60) -> str:
    """A user's input, quoted back: one line, printable, and short."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def unknown_command(tr: Translator) -> Screen:
    return make_screen(esc(tr._("I don't know that command. Send /help to see what I can do.")), main_menu(tr))


def text_only(tr: Translator) -> Screen:
    return make_screen(esc(tr._("I can only read text messages. Send /help to see what I can do.")), main_menu(tr))


# --- shared pieces ----------------------------------------------------------------------------------


def source_line(tr: Translator, content: Content, source_id: str) -> str:
    source = content.sources[source_id]
    return esc(tr._("{publisher}, “{title}”, {date}").format(publisher=source.publisher, title=source.title,
                                                              date=tr.month(source.date)))


def _sources_block(tr: Translator, content: Content, source_ids: Sequence[str], has_links: bool) -> str:
    lines = [f"{BULLET} {source_line(tr, content, s)}" for s in source_ids]
    if has_links:
        lines.append(esc(tr._("The buttons below open pages that the source cites.")))
    return heading(tr._("Sources")) + "\n" + "\n".join(lines)


def _link_rows(texts: _Texts, links: Sequence[Link]) -> list[list[InlineKeyboardButton]]:
    return [[InlineKeyboardButton("🔗 " + texts(link.label), url=link.url)] for link in links]


def commands_for(tr: Translator) -> list[tuple[str, str]]:
    return [(command, tr._(description)) for command, description in COMMANDS]
