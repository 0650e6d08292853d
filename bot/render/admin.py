"""What admins see of a push or correction: the draft, previews, progress cards, reports, /stats."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from telegram import InlineKeyboardButton

from bot import LANGUAGES, button_data
from bot.content import Content
from bot.i18n import N_, Translator
from bot.model import EDIT, GENERAL, RECALL, Broadcast, CampaignUpdate, ChatStats, summary
from bot.render.base import (
    BULLET,
    FEW,
    LANGUAGE_NAMES,
    MAX_BUTTON,
    Screen,
    button_name,
    buttons,
    esc,
    heading,
    make_screen,
    members_count,
    shorten,
    topic_name,
)

LANGUAGE_IN_TEXT = {"en": N_("English"), "az": N_("Azerbaijani"), "ru": N_("Russian")}
"""Language names as they stand inside a sentence in the admin's language (not the endonyms)."""


MAX_UPDATE_TEXT = 3000
"""An update's text per language: with its heading it still fits one Telegram message."""


def refusal(tr: Translator) -> str:
    return tr._("Sorry, this is only for the campaign's admins.")


def choose_topic(tr: Translator, content: Content) -> Screen:
    text = heading(tr._("New update")) + "\n" + esc(tr._("What is it about? (/cancel to stop)"))
    text += "\n" + esc(tr._("A general update goes to those who follow all updates."))
    rows = [[InlineKeyboardButton(tr._("General updates"), callback_data=button_data.push_topic(GENERAL))]]
    rows += [[InlineKeyboardButton(button_name(tr, case), callback_data=button_data.push_topic(case.id))]
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
                    audience: Counter[str], correcting: CampaignUpdate | None, preview_id: str,
                    approval: bool = False) -> Screen:
    """Under the previews: who gets what, and the decision buttons (which decide this preview only): send now (or,
    with `approval`, submit to the other admins), schedule (a new update), edit, cancel."""
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
    def decision(label: str, decided: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=button_data.push_decision(preview_id, decided))

    if approval:
        lines.append(esc(tr._("An admin other than you must approve it before it is carried out.")))
    confirm = tr._("Submit for approval") if approval else tr._("Confirm and send")
    rows = [[decision("✅ " + confirm, "ok")]]
    if not correcting:
        rows.append([decision("🕒 " + tr._("Schedule"), "schedule")])
    rows.append([decision("✏️ " + tr._("Edit"), "edit"), decision("✖ " + tr._("Cancel"), "cancel")])
    return make_screen("\n".join(lines), buttons(rows))


def draft_cancelled(tr: Translator) -> Screen:
    return make_screen(esc(tr._("Cancelled. Nothing was sent.")))


def draft_gone(tr: Translator) -> str:
    return tr._("This draft is no longer open. Start again with /push.")


def stale_preview(tr: Translator) -> str:
    """A short notice: a decision button under a preview that is no longer the draft's latest."""
    return tr._("This preview is out of date: the draft has changed since. Use the buttons under the latest "
                "preview.")


def draft_being_written(tr: Translator) -> str:
    """A short notice: a button of this draft pressed while it is being written again (after Edit)."""
    return tr._("This draft is open and being written again: finish it, then confirm under its new preview.")


def nothing_to_cancel(tr: Translator) -> Screen:
    return make_screen(esc(tr._("There is nothing to cancel.")))


def choose_correction(tr: Translator, content: Content, updates: Sequence[CampaignUpdate]) -> Screen:
    return choose_update(tr, content, updates, tr._("Correct an update"), tr._("Which one? (/cancel to stop)"),
                         button_data.correct)


def choose_update(tr: Translator, content: Content, updates: Sequence[CampaignUpdate], title: str, question: str,
                  data: Callable[[int], str]) -> Screen:
    """The published updates to pick one from (to correct or recall it): a line each, and a button carrying `data`."""
    if not updates:
        return make_screen(esc(tr._("No update has been published yet.")))
    lines = [heading(title), esc(question)]
    rows = []
    for update in updates:
        first = update.texts.get(tr.lang) or next(iter(update.texts.values()))
        lines.append(f"{BULLET} #{update.id} · {esc(tr.day(update.published))} · "
                     f"{esc(topic_name(tr, content, update.topic))}\n<i>{esc(shorten(first, 100))}</i>")
        label = shorten(f"#{update.id} · {first}", MAX_BUTTON)
        rows.append([InlineKeyboardButton(label, callback_data=data(update.id))])
    return make_screen("\n".join(lines), buttons(rows))


def progress_card(tr: Translator, content: Content, broadcast: Broadcast, counts: Counter[str],
                  finished: bool) -> str:
    figures = summary(counts)
    kind = {EDIT: tr._("Correction"), RECALL: tr._("Recall")}.get(broadcast.kind) or tr._("Broadcast")
    state = (tr._("cancelled") if broadcast.state == "cancelled" else tr._("finished")) if finished \
        else tr._("sending…")
    if broadcast.kind == RECALL:
        done = tr._("Withdrawn in {sent} of {total} chats").format(sent=figures["sent"], total=broadcast.total)
    else:
        done = tr._("Delivered {sent} of {total}").format(sent=figures["sent"], total=broadcast.total)
    lines = [
        heading(f"{kind} #{broadcast.id}: {state}"),
        esc(topic_name(tr, content, broadcast.topic)),
        esc(done),
        esc(tr._("Failed {failed} · blocked the bot {blocked} · unknown (timed out) {unknown} · pending {pending}")
            .format(**figures)),
    ]
    if figures["again"]:
        lines.append(esc(_sent_again(tr, figures["again"])))
    if not finished and broadcast.paused_until:
        lines.append("⏸ " + esc(tr._("Paused: Telegram asked the bot to wait. Sending resumes by itself at {time} "
                                   "(UTC).").format(time=broadcast.paused_until[11:16])))
    if not finished:
        lines.append(esc(tr._("/broadcasts to cancel it.")))
    return "\n".join(lines)


def final_report(tr: Translator, broadcast: Broadcast, counts: Counter[str]) -> str:
    figures = summary(counts)
    report = tr._("#{id} done: {sent} delivered, {failed} failed, {blocked} blocked the bot, {unknown} unknown, "
                  "{pending} not sent.").format(id=broadcast.id, **figures)
    if figures["again"]:
        report += " " + _sent_again(tr, figures["again"])
    return esc(report)


def _sent_again(tr: Translator, count: int) -> str:
    return tr.ngettext("{count} member may have got it twice: Telegram did not answer the first send in time, so it "
                       "was sent again.",
                       "{count} members may have got it twice: Telegram did not answer the first send in time, so it "
                       "was sent again.", count).format(count=count)


def broadcasts(tr: Translator, content: Content, running: Sequence[tuple[Broadcast, Counter[str]]]) -> Screen:
    if not running:
        return make_screen(esc(tr._("No broadcast is running.")))
    parts = []
    rows = []
    for broadcast, counts in running:
        parts.append(progress_card(tr, content, broadcast, counts, False))
        rows.append([InlineKeyboardButton("✖ " + tr._("Cancel #{id}").format(id=broadcast.id),
                                          callback_data=button_data.cancel_broadcast(broadcast.id))])
    return make_screen("\n\n".join(parts), buttons(rows))


def cancelling(tr: Translator, broadcast_id: int) -> str:
    return tr._("Cancelling #{id}: sends in flight finish, nothing new starts.").format(id=broadcast_id)


def not_running(tr: Translator) -> str:
    return tr._("That broadcast is not running.")


def stats(tr: Translator, content: Content, chats: ChatStats,
          recent: Sequence[tuple[Broadcast, Counter[str]]]) -> Screen:
    def few(count: int) -> str:
        return members_count(tr, count)

    lines = [heading(tr._("Members")),
             esc(tr._("Chats with a record: {chats}; can receive updates: {active}").format(
                 chats=few(chats.chats), active=few(chats.active)))]
    for lang in LANGUAGES:
        count = chats.by_language.get(lang, 0)
        plural = count if not 0 < count < FEW else FEW  # "fewer than 5 chats"
        lines.append(f"{BULLET} " + esc(tr.ngettext("{language}: {count} chat, {subscribed} subscribed",
                                                    "{language}: {count} chats, {subscribed} subscribed", plural)
                                        .format(language=LANGUAGE_NAMES[lang], count=few(count),
                                                subscribed=few(chats.subscribed_by_language.get(lang, 0)))))
    lines += ["", heading(tr._("Subscriptions"))]
    topics = ["all", *[case.id for case in content.cases]]
    for topic in topics:
        lines.append(f"{BULLET} {esc(topic_name(tr, content, topic))}: {esc(few(chats.by_subscription.get(topic, 0)))}")
    lines.append(esc(tr._("Counts from 1 to {last} are shown as “fewer than {few}”, so that no one member can be "
                          "singled out.").format(last=FEW - 1, few=FEW)))
    lines += ["", heading(tr._("Last broadcasts"))]
    if not recent:
        lines.append(esc(tr._("None yet.")))
    for broadcast, counts in recent:
        figures = summary(counts)
        kind = {EDIT: tr._("correction"), RECALL: tr._("recall")}.get(broadcast.kind) or tr._("broadcast")
        if broadcast.state == "cancelled":
            kind += ", " + tr._("cancelled")
        lines.append(f"{BULLET} #{broadcast.id} ({esc(kind)}) {esc(broadcast.created[:16].replace('T', ' '))} UTC · "
                     f"{esc(topic_name(tr, content, broadcast.topic))}: " + esc(
                         tr._("{sent} delivered, {failed} failed, {blocked} blocked, {pending} pending").format(
                             **figures)))
    return make_screen("\n".join(lines))
