"""What admins see of a content file sent from Telegram: the changes, a new case as its cards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import LANGUAGES, button_data
from bot.content import Content, ContentError
from bot.content_edit import MAX_DIFF_LINES, Change, Stale
from bot.i18n import N_, Translator
from bot.render.base import Screen, buttons, esc, heading, make_screen
from bot.render.cases import case_card
from bot.render.topics import concern


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
    question = esc(tr._("Apply it? Members see it at once, and a later import of the content files will not "
                        "overwrite it."))
    rows = [[InlineKeyboardButton("✅ " + tr._("Apply"), callback_data=button_data.content_decision("ok")),
             InlineKeyboardButton("✖ " + tr._("Cancel"), callback_data=button_data.content_decision("cancel"))]]
    return question, buttons(rows)


def _change(change: Change) -> str:
    """One changed field: its path, then the values whole (a long one splits the screen, it is never cut)."""
    path = f"<code>{esc(change.path)}</code>"
    if change.old is None:
        return f"+ {path}\n+ {esc(change.new)}"
    if change.new is None:
        return f"− {path}\n− {esc(change.old)}"
    return f"~ {path}\n− {esc(change.old)}\n+ {esc(change.new)}"


def content_preview(tr: Translator, where: str, changes: Sequence[Change], stale: Sequence[Stale] = (), *,
                    decision: bool = True) -> Screen:
    """The changes a file makes to a record, field by field, with every value whole; warnings; Apply / Cancel
    (without `decision`: for an admin asked to approve it, whose buttons are on its request's card).
    Several messages when it is long: the buttons come under the last."""
    blocks = [heading(tr._("Changes to {file}").format(file=where))]
    blocks += [_change(change) for change in changes[:MAX_DIFF_LINES]]
    if len(changes) > MAX_DIFF_LINES:
        blocks.append(esc(tr._("…and {count} more.").format(count=len(changes) - MAX_DIFF_LINES)))
    for item in stale:
        field = f"<code>{esc(item.path)}</code>"
        blocks.append("⚠️ " + esc(tr._(STALE[item.languages])).format(field=field))
    if not decision:
        return make_screen("\n\n".join(blocks))
    question, keyboard = _decision(tr)
    blocks.append(question)
    return make_screen("\n\n".join(blocks), keyboard)


def _as_members_see_it(tr: Translator, content: Content, kind: str, item_id: str) -> Screen | None:
    if kind == "case":
        case = content.case(item_id)
        return None if case is None else case_card(tr, content, case)
    if kind == "concern":
        topic = content.concern(item_id)
        return None if topic is None else concern(tr, content, topic)
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
