"""A case's actions (handlers/actions.py), opened by Take action under its card: what the campaign asks for, with its
date and sources; pages to open, messages to copy with one tap, an address and an email; "I did it", and how many
members acted."""

from __future__ import annotations

from telegram import CopyTextButton, InlineKeyboardButton

from bot import button_data
from bot.content import Case, Content
from bot.i18n import Translator
from bot.render.base import (
    FEW,
    Screen,
    Texts,
    buttons,
    esc,
    heading,
    link_rows,
    make_screen,
    members_count,
    sources_block,
)


def acted_line(tr: Translator, count: int) -> str:
    """How many members acted on a case, as HTML: nothing before the first, and 1 to 4 as "fewer than 5" (as /stats
    shows members), so that neither a card nor a screenshot of it tells when one member of a small group pressed
    "I did it"."""
    if count <= 0:
        return ""
    plural = count if count >= FEW else FEW  # "fewer than 5 members"
    line = tr.ngettext("{count} member has acted on this case.", "{count} members have acted on this case.",
                       plural).format(count=members_count(tr, count))
    return "📣 " + esc(line[:1].upper() + line[1:])


def take_action_button(tr: Translator, case: Case) -> InlineKeyboardButton:
    return InlineKeyboardButton("📣 " + tr._("Take action"), callback_data=button_data.actions(case.id))


def case_actions(tr: Translator, content: Content, case: Case, acted: int) -> Screen:
    """The actions screen of `case` (which has actions); `acted`: how many members said they acted."""
    actions = case.actions
    assert actions is not None
    t = Texts(tr)
    rows = link_rows(t, actions.links)  # first: a text shown in another language counts for the note under the text
    messages = [t(message) for message in actions.messages]
    for number, message in enumerate(messages, 1):
        label = tr._("Copy the message") if len(messages) == 1 else tr._("Copy message {number}").format(
            number=number)
        rows.append([InlineKeyboardButton("📋 " + label, copy_text=CopyTextButton(message))])
    rows.append([InlineKeyboardButton("✅ " + tr._("I did it"), callback_data=button_data.acted(case.id))])
    rows.append([InlineKeyboardButton("« " + tr._("Back to the case"), callback_data=button_data.case(case.id))])

    blocks = [heading(tr._("Take action: {name}").format(name=t(case.name))),
              heading(tr._("What is asked, as of {date}").format(date=tr.month(actions.as_of))) + "\n"
              + t.paragraphs(actions.ask)]
    if messages:
        title = tr._("A message you can send") if len(messages) == 1 else tr._("Messages you can send")
        quoted = [f"<blockquote>{esc(message)}</blockquote>" for message in messages]
        if len(messages) > 1:
            quoted = [f"{number}.\n{quote}" for number, quote in enumerate(quoted, 1)]
        blocks.append(heading(title) + "\n" + "\n".join(quoted) + "\n"
                      + esc(tr._("Tap a Copy button below, then paste the text into a chat, a post or an email.")))
    if actions.address is not None:
        blocks.append(heading(tr._("Address")) + "\n" + t.paragraphs(actions.address))
    if actions.email is not None:
        blocks.append(heading(tr._("Email")) + "\n" + esc(actions.email))
    blocks.append(sources_block(tr, content, actions.sources, False))
    done = [acted_line(tr, acted)] if acted > 0 else []
    done.append(esc(tr._("Done? Press “I did it”: it counts you once for this case, and the count keeps no chat "
                         "ids (/privacy).")))
    blocks.append("\n".join(done))
    return make_screen("\n\n".join(blocks) + t.pending_note(), buttons(rows))


def counted(tr: Translator) -> str:
    """The answer to "I did it" (a callback answer: plain text)."""
    return tr._("Thank you! You are counted.")


def already_counted(tr: Translator) -> str:
    """The answer to "I did it" pressed again: nothing changes."""
    return tr._("You were already counted for this case. Thank you!")
