"""What admins see: the push and correction drafts, previews, progress cards, reports and /stats. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import LANGUAGES, callbacks, render
from bot.broadcast import summary
from bot.content import Content, ContentError
from bot.content_edit import MAX_DIFF_LINES, Change, Stale
from bot.i18n import N_, Translator
from bot.render import (
    BULLET,
    LANGUAGE_NAMES,
    MAX_BUTTON,
    Screen,
    button_name,
    buttons,
    esc,
    heading,
    make_screen,
    shorten,
    topic_name,
)
from bot.store import GENERAL, CampaignUpdate, ChatStats
from bot.store.outbox import EDIT, Broadcast

LANGUAGE_IN_TEXT = {"en": N_("English"), "az": N_("Azerbaijani"), "ru": N_("Russian")}
"""Language names as they stand inside a sentence in the admin's language (not the endonyms)."""

MAX_UPDATE_TEXT = 3000
"""An update's text per language: with its heading it still fits one Telegram message."""


def refusal(tr: Translator) -> str:
    return tr._("Sorry, this is only for the campaign's admins.")


def choose_topic(tr: Translator, content: Content) -> Screen:
    text = heading(tr._("New update")) + "\n" + esc(tr._("What is it about? (/cancel to stop)"))
    text += "\n" + esc(tr._("A general update goes to those who follow all updates."))
    rows = [[InlineKeyboardButton(tr._("General updates"), callback_data=callbacks.push_topic(GENERAL))]]
    rows += [[InlineKeyboardButton(button_name(tr, case), callback_data=callbacks.push_topic(case.id))]
             for case in content.cases]
    return make_screen(text, buttons(rows))


ASK_FOR = {
    "en": N_("{topic}: send the text in English."),
    "az": N_("{topic}: send the text in Azerbaijani."),
    "ru": N_("{topic}: send the text in Russian."),
}


def ask_text(tr: Translator, content: Content, topic: str, lang: str, current: str | None) -> Screen:
    lines = [esc(tr._(ASK_FOR[lang]).format(topic=topic_name(tr, content, topic)))]
    if current:
        lines.append(esc(tr._("The current text, which /skip keeps:")) + "\n<i>" + esc(shorten(current, 200)) + "</i>")
    else:
        lines.append(esc(tr._("/skip if you have none: its subscribers then get another language's text, with a "
                              "note that says so.")))
    lines.append(esc(tr._("Plain text, at most {limit} characters. /cancel stops without sending.").format(
        limit=MAX_UPDATE_TEXT)))
    return make_screen("\n".join(lines))


def text_too_long(tr: Translator, length: int) -> Screen:
    return make_screen(esc(tr._("That text has {length} characters; the limit is {limit}. Please shorten it and "
                            "send it again.").format(length=length, limit=MAX_UPDATE_TEXT)))


def need_one_language(tr: Translator) -> Screen:
    return make_screen(esc(tr._("An update needs a text in at least one language. Let's start again with "
                            "English.")))


def not_text(tr: Translator) -> Screen:
    return make_screen(esc(tr._("Please send the update as a text message, or /skip, or /cancel.")))


def preview_summary(tr: Translator, content: Content, topic: str, texts: Mapping[str, str],
                    audience: Counter[str], correcting: CampaignUpdate | None, preview_id: str) -> Screen:
    """Under the previews: who gets what, and the decision buttons (which decide this preview only)."""
    title = tr._("Correction preview") if correcting else tr._("Preview")
    lines = [heading(title), esc(topic_name(tr, content, topic))]
    fallback = "en" if "en" in texts else next(iter(texts))
    total = 0
    for lang in LANGUAGES:
        count = audience.get(lang, 0)
        total += count
        note = "" if lang in texts else " — " + tr._("translation pending: shown in {language}").format(
            language=tr._(LANGUAGE_IN_TEXT[fallback]))
        lines.append(f"{BULLET} " + esc(tr.ngettext("{language}: {count} recipient", "{language}: {count} recipients",
                                                    count).format(language=LANGUAGE_NAMES[lang], count=count) + note))
    if correcting:
        lines.append(esc(tr.ngettext("{count} delivered message will be edited in place.",
                                     "{count} delivered messages will be edited in place.", total).format(count=total)))
    else:
        lines.append(esc(tr.ngettext("{count} recipient in all.", "{count} recipients in all.", total).format(
            count=total)))
    lines.append(esc(tr._("The messages above are exactly what each language's subscribers will see.")))
    rows = [[InlineKeyboardButton("✅ " + tr._("Confirm and send"),
                                  callback_data=callbacks.push_decision(preview_id, "ok"))],
            [InlineKeyboardButton("✏️ " + tr._("Edit"), callback_data=callbacks.push_decision(preview_id, "edit")),
             InlineKeyboardButton("✖ " + tr._("Cancel"), callback_data=callbacks.push_decision(preview_id, "cancel"))]]
    return make_screen("\n".join(lines), buttons(rows))


def draft_cancelled(tr: Translator) -> Screen:
    return make_screen(esc(tr._("Cancelled. Nothing was sent.")))


def draft_gone(tr: Translator) -> str:
    return tr._("This draft is no longer open. Start again with /push.")


def stale_preview(tr: Translator) -> str:
    """A short notice: a decision button under a preview that is no longer the draft's latest."""
    return tr._("This preview is out of date: the draft has changed since. Use the buttons under the latest "
                "preview.")


def nothing_to_cancel(tr: Translator) -> Screen:
    return make_screen(esc(tr._("There is nothing to cancel.")))


def choose_correction(tr: Translator, content: Content, updates: Sequence[CampaignUpdate]) -> Screen:
    if not updates:
        return make_screen(esc(tr._("No update has been published yet.")))
    lines = [heading(tr._("Correct an update")), esc(tr._("Which one? (/cancel to stop)"))]
    rows = []
    for update in updates:
        first = update.texts.get(tr.lang) or next(iter(update.texts.values()))
        lines.append(f"{BULLET} #{update.id} · {esc(tr.day(update.published))} · "
                     f"{esc(topic_name(tr, content, update.topic))}\n<i>{esc(shorten(first, 100))}</i>")
        rows.append([InlineKeyboardButton(shorten(f"#{update.id} · {first}", MAX_BUTTON),
                                          callback_data=callbacks.correct(update.id))])
    return make_screen("\n".join(lines), buttons(rows))


def progress_card(tr: Translator, content: Content, broadcast: Broadcast, counts: Counter[str],
                  finished: bool) -> str:
    figures = summary(counts)
    kind = tr._("Correction") if broadcast.kind == EDIT else tr._("Broadcast")
    state = (tr._("cancelled") if broadcast.state == "cancelled" else tr._("finished")) if finished \
        else tr._("sending…")
    lines = [
        heading(f"{kind} #{broadcast.id}: {state}"),
        esc(topic_name(tr, content, broadcast.topic)),
        esc(tr._("Delivered {sent} of {total}").format(sent=figures["sent"], total=broadcast.total)),
        esc(tr._("Failed {failed} · blocked the bot {blocked} · unknown (timed out) {unknown} · pending {pending}")
            .format(**figures)),
    ]
    if not finished:
        lines.append(esc(tr._("/broadcasts to cancel it.")))
    return "\n".join(lines)


def final_report(tr: Translator, broadcast: Broadcast, counts: Counter[str]) -> str:
    figures = summary(counts)
    return esc(tr._("#{id} done: {sent} delivered, {failed} failed, {blocked} blocked the bot, {unknown} unknown, "
                    "{pending} not sent.").format(id=broadcast.id, **figures))


def broadcasts(tr: Translator, content: Content, running: Sequence[tuple[Broadcast, Counter[str]]]) -> Screen:
    if not running:
        return make_screen(esc(tr._("No broadcast is running.")))
    parts = []
    rows = []
    for broadcast, counts in running:
        parts.append(progress_card(tr, content, broadcast, counts, False))
        rows.append([InlineKeyboardButton("✖ " + tr._("Cancel #{id}").format(id=broadcast.id),
                                          callback_data=callbacks.cancel_broadcast(broadcast.id))])
    return make_screen("\n\n".join(parts), buttons(rows))


def cancelling(tr: Translator, broadcast_id: int) -> str:
    return tr._("Cancelling #{id}: sends in flight finish, nothing new starts.").format(id=broadcast_id)


def not_running(tr: Translator) -> str:
    return tr._("That broadcast is not running.")


def stats(tr: Translator, content: Content, chats: ChatStats,
          recent: Sequence[tuple[Broadcast, Counter[str]]]) -> Screen:
    lines = [heading(tr._("Members")),
             esc(tr._("Chats with a record: {chats}; can receive updates: {active}").format(
                 chats=chats.chats, active=chats.active))]
    for lang in LANGUAGES:
        count = chats.by_language.get(lang, 0)
        lines.append(f"{BULLET} " + esc(tr.ngettext("{language}: {count} chat, {subscribed} subscribed",
                                                    "{language}: {count} chats, {subscribed} subscribed", count)
                                        .format(language=LANGUAGE_NAMES[lang], count=count,
                                                subscribed=chats.subscribed_by_language.get(lang, 0))))
    lines += ["", heading(tr._("Subscriptions"))]
    topics = ["all", *[case.id for case in content.cases]]
    for topic in topics:
        lines.append(f"{BULLET} {esc(topic_name(tr, content, topic))}: {chats.by_subscription.get(topic, 0)}")
    lines += ["", heading(tr._("Last broadcasts"))]
    if not recent:
        lines.append(esc(tr._("None yet.")))
    for broadcast, counts in recent:
        figures = summary(counts)
        kind = tr._("correction") if broadcast.kind == EDIT else tr._("broadcast")
        if broadcast.state == "cancelled":
            kind += ", " + tr._("cancelled")
        lines.append(f"{BULLET} #{broadcast.id} ({esc(kind)}) {esc(broadcast.created[:16].replace('T', ' '))} UTC · "
                     f"{esc(topic_name(tr, content, broadcast.topic))}: " + esc(
                         tr._("{sent} delivered, {failed} failed, {blocked} blocked, {pending} pending").format(
                             **figures)))
    return make_screen("\n".join(lines))


# --- content files ------------------------------------------------------------------------------------


def content_rejected(tr: Translator, error: ContentError) -> Screen:
    """Why a content file was refused: its file and field as they are, the reason in the admin's language."""
    return make_screen(esc(tr._("That file was not applied; nothing changed.")) + "\n"
                       + f"<code>{esc(error.location)}</code>: {esc(error.reason_in(tr._))}")


def content_unreadable(tr: Translator) -> Screen:
    return make_screen(esc(tr._("I could not download that file from Telegram. Please send it again.")))


def content_unchanged(tr: Translator, where: str) -> Screen:
    """The file holds exactly what the bot serves: nothing to apply, so no Apply button."""
    return make_screen(heading(where) + "\n" + esc(tr._("The file is the same as what the bot serves.") + " "
                                                     + tr._("Nothing to change.")))


STALE = {
    ("az",): N_("The Azerbaijani text of {field} was not changed: it may now be out of date."),
    ("ru",): N_("The Russian text of {field} was not changed: it may now be out of date."),
    ("az", "ru"): N_("The Azerbaijani and Russian texts of {field} were not changed: they may now be out of date."),
}

SEEN_IN = {
    "en": N_("In English, members will see:"),
    "az": N_("In Azerbaijani, members will see:"),
    "ru": N_("In Russian, members will see:"),
}


def _decision(tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    question = esc(tr._("Apply it? Members see it at once; `campaign-bot import` will not overwrite it."))
    rows = [[InlineKeyboardButton("✅ " + tr._("Apply"), callback_data=callbacks.content_decision("ok")),
             InlineKeyboardButton("✖ " + tr._("Cancel"), callback_data=callbacks.content_decision("cancel"))]]
    return question, buttons(rows)


def _change(change: Change) -> str:
    """One changed field: its path, then the values whole (a long one splits the screen, it is never cut)."""
    path = f"<code>{esc(change.path)}</code>"
    if change.old is None:
        return f"+ {path}\n+ {esc(change.new)}"
    if change.new is None:
        return f"− {path}\n− {esc(change.old)}"
    return f"~ {path}\n− {esc(change.old)}\n+ {esc(change.new)}"


def content_preview(tr: Translator, where: str, changes: Sequence[Change], stale: Sequence[Stale] = ()) -> Screen:
    """The changes a file makes to a record, field by field, with every value whole; warnings; Apply / Cancel.
    Several messages when it is long: the buttons come under the last."""
    blocks = [heading(tr._("Changes to {file}").format(file=where))]
    blocks += [_change(change) for change in changes[:MAX_DIFF_LINES]]
    if len(changes) > MAX_DIFF_LINES:
        blocks.append(esc(tr._("…and {count} more.").format(count=len(changes) - MAX_DIFF_LINES)))
    for item in stale:
        field = f"<code>{esc(item.path)}</code>"
        blocks.append("⚠️ " + esc(tr._(STALE[item.languages])).format(field=field))
    question, keyboard = _decision(tr)
    blocks.append(question)
    return make_screen("\n\n".join(blocks), keyboard)


def _as_members_see_it(tr: Translator, content: Content, kind: str, item_id: str) -> Screen | None:
    if kind == "case":
        case = content.case(item_id)
        return None if case is None else render.case_card(tr, content, case)
    if kind == "concern":
        topic = content.concern(item_id)
        return None if topic is None else render.concern(tr, content, topic)
    return None


def content_new(tr: Translator, where: str, content: Content, kind: str, item_id: str,
                translators: Mapping[str, Translator]) -> Screen | None:
    """A new case or concern as members will see it, in each language, from the renderer members get (with its
    link buttons; the others only work once it is applied), then Apply / Cancel. None for another kind."""
    screen: Screen = []
    for lang in LANGUAGES:
        view = _as_members_see_it(translators[lang], content, kind, item_id)
        if view is None:
            return None
        links = [row for part in view if part.keyboard for row in part.keyboard.inline_keyboard
                 if all(button.url for button in row)]
        intro = heading(tr._("New content: {file}").format(file=where)) + "\n\n" if not screen else ""
        label = "<i>" + esc(tr._(SEEN_IN[lang])) + "</i>"
        screen += make_screen(intro + label + "\n\n" + "\n\n".join(part.text for part in view), buttons(links))
    question, keyboard = _decision(tr)
    return screen + make_screen(question, keyboard)


def content_applied(tr: Translator, where: str) -> Screen:
    return make_screen(esc(tr._("Applied: {file}. Members see the new version now.").format(file=where)))


def content_cancelled(tr: Translator) -> Screen:
    return make_screen(esc(tr._("Cancelled. The content is unchanged.")))
