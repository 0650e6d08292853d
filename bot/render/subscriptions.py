"""Subscriptions, quiet delivery and the chat's data: /subscribe, /unsubscribe, /mydata, /forget."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton

from bot import button_data
from bot.content import Case, Content
from bot.i18n import Translator
from bot.model import ALL, ChatRecord
from bot.render.base import BULLET, LANGUAGE_NAMES, Screen, button_name, buttons, esc, heading, make_screen, topic_name
from bot.render.cases import subscription_toggle


def subscribe_menu(tr: Translator, cases: Sequence[Case], current: Sequence[str], *,
                   offer_all: bool = True, group: bool = False) -> Screen:
    """What to follow, with a toggle each; in a `group` (or one of its topics) updates come in its language."""
    if group:
        text = esc(tr._("What would you like to follow here? Each update the campaign publishes about it will arrive "
                        "here, in the group's language."))
    else:
        text = esc(tr._("What would you like to follow? You get each update the campaign publishes about it, "
                        "in your language."))
    choices = ([(ALL, tr._("All updates"))] if offer_all else []) + [(c.id, button_name(tr, c)) for c in cases]
    rows = [[_menu_toggle(topic, label, topic in current)] for topic, label in choices]
    return make_screen(text + "\n\n" + esc(tr._("✓ marks what you follow; press it again to stop.")), buttons(rows))


def _menu_toggle(topic: str, label: str, following: bool) -> InlineKeyboardButton:
    if following:
        return InlineKeyboardButton("✓ " + label, callback_data=button_data.unsubscribe(topic, button_data.MENU))
    return InlineKeyboardButton(label, callback_data=button_data.subscribe(topic, button_data.MENU))


def subscribed(tr: Translator, content: Content, topic: str) -> Screen:
    text = esc(tr._("Subscribed: {name}. Updates will reach you here. /subscriptions lists what you follow; "
                    "/quiet makes them arrive without sound.").format(name=topic_name(tr, content, topic)))
    return make_screen(text, buttons([[subscription_toggle(tr, topic, True, button_data.SINGLE)]]))


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
    return make_screen(text, buttons([[subscription_toggle(tr, topic, False, button_data.SINGLE)]]))


def subscriptions(tr: Translator, content: Content, record: ChatRecord | None,
                  elsewhere: Sequence[ChatRecord] = ()) -> Screen:
    """What this chat (or forum topic) follows, with a button to drop each; in a group, `elsewhere` is what its
    other topics (or its General topic) follow, listed below."""
    others = _elsewhere(tr, content, elsewhere)
    order = [ALL, *(case.id for case in content.cases)]
    current = sorted(record.subscriptions if record is not None else (),
                     key=lambda t: order.index(t) if t in order else len(order))
    if not current:
        text = esc(tr._("You don't follow anything. Send /subscribe, or press Subscribe on a case."))
        follow_all = button_data.subscribe(ALL, button_data.LIST)
        return make_screen(text + others, buttons([[InlineKeyboardButton("🔔 " + tr._("All updates"),
                                                                      callback_data=follow_all)]]))
    names = "\n".join(f"{BULLET} {esc(topic_name(tr, content, topic))}" for topic in current)
    text = esc(tr._("You follow:")) + "\n" + names
    if record is not None and record.quiet:
        text += "\n\n" + esc(tr._("Updates arrive without sound (/quiet to change)."))
    rows = [[InlineKeyboardButton("🔕 " + topic_name(tr, content, topic, on_button=True),
                                  callback_data=button_data.unsubscribe(topic, button_data.LIST))] for topic in current]
    return make_screen(text + "\n\n" + esc(tr._("Press one to unsubscribe.")) + others, buttons(rows))


def _elsewhere(tr: Translator, content: Content, records: Sequence[ChatRecord], *, every: bool = False) -> str:
    """The part of a group's screen for its other topics: where, and what each follows; those that follow
    nothing only with `every` (nothing at all if no line is left)."""
    lines = [f"{BULLET} {_place(tr, record)}: "
             + esc(", ".join(topic_name(tr, content, t) for t in record.subscriptions) or tr._("none"))
             for record in records if record.subscriptions or every]
    return "\n\n" + heading(tr._("Elsewhere in this group")) + "\n" + "\n".join(lines) if lines else ""


def _place(tr: Translator, record: ChatRecord) -> str:
    """A forum topic, as a link that opens it (members of the group can follow it), or the General topic."""
    if record.thread_id is None:
        return esc(tr._("General topic"))
    label = esc(tr._("Topic #{number}").format(number=record.thread_id))
    internal = str(record.chat_id).removeprefix("-100")  # a supergroup's id as t.me/c/ links spell it
    if not internal.isdigit() or internal == str(record.chat_id):
        return label
    return f'<a href="https://t.me/c/{internal}/{record.thread_id}">{label}</a>'


def topic_gone(tr: Translator, content: Content, dropped: ChatRecord) -> str:
    """To a group's admins, in its General topic: a forum topic was closed or deleted, so it gets nothing more."""
    names = ", ".join(topic_name(tr, content, t) for t in dropped.subscriptions) or tr._("none")
    return esc(tr._("For the group's admins: a forum topic that followed {names} was closed or deleted, so the bot "
                    "no longer sends updates there. To follow them again, send /subscribe in an open topic.").format(
        names=names))


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
    yes = InlineKeyboardButton(tr._("Yes, delete it"), callback_data=button_data.forget(True))
    no = InlineKeyboardButton(tr._("No, keep it"), callback_data=button_data.forget(False))
    return make_screen(text, buttons([[yes, no]]))


def forgotten(tr: Translator, deleted: bool, removed: int = 0, *, private: bool = True) -> Screen:
    lines = [tr._("Deleted. The bot holds nothing about this chat any more.") if deleted
             else tr._("The bot holds nothing about this chat.")]
    if removed:
        lines.append(tr.ngettext("The update it sent here in the last two days was deleted too.",
                                 "The {count} updates it sent here in the last two days were deleted too.",
                                 removed).format(count=removed))
    if private:
        lines.append(tr._("Older messages, and this chat itself, stay on your phone until you delete them: press and "
                          "hold the chat in your chat list and choose Delete (on a computer, right-click it). Bot "
                          "chats are not end-to-end encrypted: Telegram's servers keep them until you do."))
    return make_screen("\n\n".join(esc(line) for line in lines))


def kept(tr: Translator) -> Screen:
    return make_screen(esc(tr._("Nothing was deleted.")))


def my_data(tr: Translator, content: Content, record: ChatRecord | None,
            elsewhere: Sequence[ChatRecord] = (), *, group: bool = False) -> Screen:
    """The record of this chat (or forum topic) in full; in a `group`, `elsewhere` is what its other topics hold,
    and a language nobody chose is not any one member's app's."""
    others = _elsewhere(tr, content, elsewhere, every=True)
    closing = esc(tr._("Nothing else: not your name, username, phone number or messages. /forget deletes it all."))
    if record is None:
        if not others:
            return make_screen(esc(tr._("The bot holds nothing about this chat.")))
        return make_screen(heading(tr._("What the bot holds about this chat")) + others + "\n\n" + closing)
    subscriptions_text = ", ".join(topic_name(tr, content, t) for t in record.subscriptions) or tr._("none")
    lines = [
        heading(tr._("What the bot holds about this chat")),
        esc(tr._("Chat id: {value}").format(value=record.chat_id)),
        *([esc(tr._("Forum topic: {value}").format(value=record.thread_id))] if record.thread_id is not None else []),
        esc(_language_line(tr, record, group).format(value=LANGUAGE_NAMES.get(record.language, record.language))),
        esc(tr._("Subscriptions: {value}").format(value=subscriptions_text)),
        esc(tr._("Quiet delivery: {value}").format(value=tr._("on") if record.quiet else tr._("off"))),
        esc(tr._("Can receive updates: {value}").format(value=tr._("yes") if record.active else tr._("no"))),
        esc(tr._("Created: {value}").format(value=tr.day(record.created))),
        esc(tr._("Last changed: {value}").format(value=tr.day(record.updated))),
    ]
    return make_screen("\n".join(lines) + others + "\n\n" + closing)


def _language_line(tr: Translator, record: ChatRecord, group: bool) -> str:
    if record.chose_language:
        return tr._("Language: {value} (chosen with /language)")
    if group:  # the app language of the admin who first changed a setting: not every member's
        return tr._("Language: {value} (not chosen yet; an admin can choose one with /language)")
    return tr._("Language: {value} (as your Telegram app; /language to choose one)")


def group_admins_only(tr: Translator) -> str:
    """A short notice (plain text): in a group, settings are for its admins."""
    return tr._("Only the group's admins can change its language and subscriptions.")
