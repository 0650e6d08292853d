"""Sharing a case: inline mode's results, and what the Share button sends (handlers/inline.py, handlers/share.py)."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent
from telegram.constants import ParseMode

from bot.content import Case
from bot.i18n import Translator
from bot.render.base import Reply, Screen, Texts, esc, heading, make_screen


def inline_result(tr: Translator, case: Case, card: Reply) -> InlineQueryResultArticle:
    """One case offered in inline mode: its name and role in the list, `card` (`shared_card`) once chosen."""
    texts = Texts(tr)
    return InlineQueryResultArticle(
        id=case.id,  # unique among the results, and at most 40 of the 64 bytes Telegram allows
        title=texts(case.name),
        description=texts(case.role),
        input_message_content=InputTextMessageContent(card.text, parse_mode=ParseMode.HTML),
        reply_markup=card.keyboard,
    )


def share_message(tr: Translator, case: Case, link: str) -> Screen:
    """Ready to forward: the case's name, one line about it, and the link that opens it in the bot."""
    texts = Texts(tr)
    invitation = tr._("Read the case and follow its updates in Telegram:")
    return make_screen(f"{heading(texts(case.name))}\n<i>{esc(texts(case.role))}</i>\n{esc(invitation)} {esc(link)}")


def qr_caption(tr: Translator, case: Case) -> str:
    """Under the QR code (HTML, at most 1024 characters with any case name: a name is short)."""
    name = Texts(tr)(case.name)
    return esc(tr._("For posters and leaflets: this QR code opens “{name}” in the bot, as the link above does. "
                    "Forward the message above to share the case in a chat.").format(name=name))


def shared_just_above(tr: Translator) -> str:
    """The short notice (a callback answer, not HTML) for a Share pressed again in a group within the minute."""
    return tr._("This case was shared just above.")
